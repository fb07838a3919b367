"""Accounts kept in the app: who creates whom, where, forced password change, history."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from township import accounts
from township.models import StaffProfile

pytestmark = pytest.mark.django_db
Role = StaffProfile.Role


def _create(client, data):
    return client.post(reverse("people:create"), data)


def test_township_staff_create_a_cadre_in_their_township_with_a_temporary_password(client, world):
    client.force_login(world.profiles.staff.user)
    response = _create(
        client,
        {"username": "zhao", "name": "赵干部", "role": Role.CADRE, "township": world.township.pk},
    )
    profile = StaffProfile.objects.get(user__username="zhao")
    assert response["Location"] == reverse("people:detail", args=[profile.pk])
    assert (profile.role, profile.township, profile.must_change_password) == (
        Role.CADRE,
        world.township,
        True,
    )
    message = [str(m) for m in client.get(response["Location"]).context["messages"]][0]
    password = message.split("：")[-1].split(":")[-1].split("—")[0].strip().split()[0]
    assert profile.user.check_password(password)
    assert profile.history.latest().history_user == world.profiles.staff.user


def test_staff_cannot_create_a_leader_nor_a_cadre_of_another_township(client, world):
    client.force_login(world.profiles.staff.user)
    leader = _create(
        client,
        {"username": "boss", "name": "新领导", "role": Role.LEADER, "township": world.township.pk},
    )
    assert leader.status_code == 200  # the role is not among the choices
    elsewhere = _create(
        client,
        {
            "username": "far",
            "name": "外乡干部",
            "role": Role.CADRE,
            "township": world.other_township.pk,
        },
    )
    assert elsewhere.status_code == 200
    assert not get_user_model().objects.filter(username__in=["boss", "far"]).exists()
    with pytest.raises(PermissionDenied):  # the service refuses what a forged form asks
        accounts.account_create(
            actor=world.profiles.staff.user,
            username="boss",
            fields={"name": "新领导", "role": Role.LEADER, "township": world.township},
        )
    with pytest.raises(PermissionDenied):
        accounts.account_create(
            actor=world.profiles.staff.user,
            username="team_b",
            fields={"name": "外村", "role": Role.VILLAGE_TEAM, "village": world.villages.b1},
        )


def test_the_county_creates_township_staff_and_leaders_but_not_county_administrators(world):
    county = world.profiles.county.user
    profile, _ = accounts.account_create(
        actor=county,
        username="newleader",
        fields={"name": "王镇长", "role": Role.LEADER, "township": world.township},
    )
    assert profile.role == Role.LEADER
    with pytest.raises(PermissionDenied):
        accounts.account_create(
            actor=county,
            username="admin2",
            fields={"name": "县管理员", "role": Role.COUNTY_ADMIN},
            county=world.counties[0],
        )
    with pytest.raises(PermissionDenied):  # another county's township
        accounts.account_create(
            actor=county,
            username="other",
            fields={"name": "外县", "role": Role.TOWNSHIP_STAFF, "township": world.other_township},
        )


def test_nobody_raises_a_cadre_above_their_own_scope(client, world):
    client.force_login(world.profiles.staff.user)
    cadre = world.profiles.cadre
    client.post(
        reverse("people:edit", args=[cadre.pk]),
        {"name": cadre.name, "role": Role.TOWNSHIP_STAFF, "township": world.township.pk},
    )
    cadre.refresh_from_db()
    assert cadre.role == Role.CADRE
    with pytest.raises(PermissionDenied):
        accounts.account_update(
            actor=world.profiles.staff.user,
            profile=cadre,
            fields={"name": cadre.name, "role": Role.TOWNSHIP_STAFF, "township": world.township},
        )
    # Staff cannot touch a leader of their own township, nor their own account.
    assert client.get(reverse("people:edit", args=[world.profiles.leader.pk])).status_code == 403
    assert client.get(reverse("people:edit", args=[world.profiles.staff.pk])).status_code == 403


def test_a_deactivated_account_cannot_log_in_and_the_change_is_recorded(client, world):
    cadre = world.profiles.cadre
    client.force_login(world.profiles.staff.user)
    client.post(reverse("people:active", args=[cadre.pk]), {"active": "0"})
    cadre.user.refresh_from_db()
    assert cadre.user.is_active is False
    record = cadre.user.history.latest()
    assert (record.is_active, record.history_user) == (False, world.profiles.staff.user)
    entries = client.get(reverse("people:detail", args=[cadre.pk])).context["entries"]
    assert [(e.who, e.reason) for e in entries][0] == ("staff", "deactivated")
    client.logout()
    response = client.post(
        reverse("login"), {"username": cadre.user.username, "password": "pw-for-tests"}
    )
    assert response.status_code == 200  # refused: the form is shown again


def test_a_reset_password_must_be_changed_before_anything_else(client, world):
    cadre = world.profiles.cadre
    password = accounts.account_reset_password(actor=world.profiles.staff.user, profile=cadre)
    response = client.post(
        reverse("login"), {"username": cadre.user.username, "password": password}
    )
    assert response.status_code == 302
    for url in (reverse("home"), reverse("households:mine")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == reverse("password_change")
    client.post(
        reverse("password_change"),
        {
            "old_password": password,
            "new_password1": "a-new-secret-2025",
            "new_password2": "a-new-secret-2025",
        },
    )
    cadre.refresh_from_db()
    assert cadre.must_change_password is False
    assert client.get(reverse("households:mine")).status_code == 200


def test_a_leader_reads_the_people_of_the_township_but_changes_nobody(client, world):
    client.force_login(world.profiles.leader.user)
    page = client.get(reverse("people:list"))
    names = {p.name for p in page.context["people"]}
    assert world.profiles.cadre.name in names and world.profiles.cadre_b.name not in names
    assert client.get(reverse("people:create")).status_code == 403
    assert (
        client.post(reverse("people:password_reset", args=[world.profiles.cadre.pk])).status_code
        == 403
    )
