"""Creating and editing archive cards: validation, atomic saves, optimistic locking."""

import pytest
from django.urls import reverse

from households.models import Household, Member
from tests import factories as f

pytestmark = pytest.mark.django_db

MEMBER_DEFAULTS = {
    "sex": "M",
    "relation": "head",
    "ethnicity": "汉族",
    "education": "primary",
    "schooling": "not_in_school",
    "health": "healthy",
    "labour": "normal",
    "migrant_months": "0",
    "is_active": "on",
}


def card_data(village, members, *, version=None, existing=0, **household):
    data = {
        "village": village.pk,
        "group_name": "三组",
        "address": "",
        "phone": "",
        "bank_name": "",
        "bank_account": "",
        "attribute": "general",
        "year_identified": "2016",
        "initial_status": "poor",
        "housing": "safe",
        "road_distance_km": "1.5",
        "farmland_mu": "2",
        "forest_mu": "0",
        "main_cause": "illness",
        "other_causes": ["labour"],
        "members-TOTAL_FORMS": str(len(members)),
        "members-INITIAL_FORMS": str(existing),
        "members-MIN_NUM_FORMS": "1",
        "members-MAX_NUM_FORMS": "1000",
    }
    if version is not None:
        data["version"] = str(version)
    data.update(household)
    for i, member in enumerate(members):
        for key, value in {**MEMBER_DEFAULTS, **member}.items():
            data[f"members-{i}-{key}"] = value
    return data


@pytest.fixture
def staff(client, world):
    client.force_login(world.profiles.staff.user)
    return client


def test_staff_create_a_card_with_its_members(staff, world):
    data = card_data(
        world.villages.a1,
        [
            {"name": "张国强", "id_number": f.make_id_number(901)},
            {
                "name": "李秀英",
                "id_number": f.make_id_number(902, male=False),
                "sex": "F",
                "relation": "spouse",
            },
        ],
    )
    response = staff.post(reverse("households:create"), data)
    household = Household.objects.get(members__name="张国强")
    assert response.status_code == 302
    assert response["Location"] == reverse("households:detail", args=[household.pk])
    assert household.card_number.startswith(world.villages.a1.code)
    assert household.members.count() == 2
    assert {c.cause: c.is_main for c in household.causes.all()} == {
        "illness": True,
        "labour": False,
    }
    assert household.history.get().history_user == world.profiles.staff.user


def test_a_wrong_id_number_is_explained_next_to_the_field_and_nothing_is_saved(staff, world):
    before = (Household.objects.count(), Member.objects.count())
    data = card_data(world.villages.a1, [{"name": "张国强", "id_number": "520399198001010012"}])
    response = staff.post(reverse("households:create"), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "身份证号校验码错误" in page
    assert "is-invalid" in page
    assert (Household.objects.count(), Member.objects.count()) == before


def test_an_id_number_of_another_household_in_the_users_area_links_to_that_card(staff, world):
    neighbour = world.households.neighbour
    taken = neighbour.members.get().id_number
    data = card_data(world.villages.a1, [{"name": "张国强", "id_number": taken}])
    page = staff.post(reverse("households:create"), data).content.decode()
    assert reverse("households:detail", args=[neighbour.pk]) in page
    assert neighbour.card_number in page
    assert Member.objects.filter(id_number=taken).count() == 1


@pytest.mark.parametrize("role,other", [("staff", "outsider"), ("team", "neighbour")])
def test_an_id_number_outside_the_users_area_tells_only_that_it_is_taken(
    client, world, role, other
):
    """No oracle: typing a stranger's ID number does not reveal their village or card."""
    client.force_login(getattr(world.profiles, role).user)
    household = getattr(world.households, other)
    taken = household.members.get().id_number
    data = card_data(world.villages.a1, [{"name": "张国强", "id_number": taken}])
    response = client.post(reverse("households:create"), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert reverse("households:detail", args=[household.pk]) not in page
    assert household.card_number not in page and household.village.name not in page
    assert "已在您辖区以外的农户中登记" in page
    assert Member.objects.filter(id_number=taken).count() == 1


def test_the_same_id_number_twice_in_one_form_is_refused(staff, world):
    same = f.make_id_number(903)
    data = card_data(
        world.villages.a1,
        [
            {"name": "甲", "id_number": same},
            {"name": "乙", "id_number": same, "relation": "son"},
        ],
    )
    response = staff.post(reverse("households:create"), data)
    assert response.status_code == 200
    assert not Member.objects.filter(id_number=same).exists()


def test_a_card_needs_exactly_one_head(staff, world):
    data = card_data(
        world.villages.a1,
        [
            {"name": "甲", "id_number": f.make_id_number(904)},
            {"name": "乙", "id_number": f.make_id_number(905)},
        ],
    )
    response = staff.post(reverse("households:create"), data)
    assert "户主" in response.content.decode()
    assert response.context["formset"].non_form_errors()


def test_a_village_outside_the_scope_cannot_be_chosen(client, world):
    client.force_login(world.profiles.team.user)
    data = card_data(world.villages.a2, [{"name": "甲", "id_number": f.make_id_number(906)}])
    response = client.post(reverse("households:create"), data)
    assert response.status_code == 200
    assert "village" in response.context["form"].errors


def edit_data(household, **changes):
    head = household.members.get(relation="head")
    members = [
        {
            "id": str(head.pk),
            "household": str(household.pk),
            "name": head.name,
            "id_number": head.id_number,
        }
    ]
    return card_data(household.village, members, version=household.version, existing=1, **changes)


def test_an_edit_saves_and_counts_a_new_version(staff, world):
    hh = world.households.own
    f.CauseFactory(household=hh, cause="illness")
    response = staff.post(reverse("households:edit", args=[hh.pk]), edit_data(hh, address="新地址"))
    assert response.status_code == 302
    hh.refresh_from_db()
    assert (hh.address, hh.version) == ("新地址", 2)


def test_the_second_of_two_concurrent_edits_is_refused(staff, world):
    hh = world.households.own
    first = edit_data(hh, address="第一个人的地址")
    second = edit_data(hh, address="第二个人的地址")
    assert staff.post(reverse("households:edit", args=[hh.pk]), first).status_code == 302
    response = staff.post(reverse("households:edit", args=[hh.pk]), second)
    assert response.status_code == 409
    assert "其他人" in response.content.decode()
    hh.refresh_from_db()
    assert hh.address == "第一个人的地址"


def test_a_member_leaves_with_a_date_and_a_reason(staff, world):
    hh = world.households.own
    spouse = f.MemberFactory(household=hh, relation="spouse")
    data = edit_data(hh)
    data.update({"members-TOTAL_FORMS": "2", "members-INITIAL_FORMS": "2"})
    for key, value in {
        **MEMBER_DEFAULTS,
        "id": spouse.pk,
        "household": hh.pk,
        "name": spouse.name,
        "id_number": spouse.id_number,
        "relation": "spouse",
    }.items():
        data[f"members-1-{key}"] = value
    del data["members-1-is_active"]
    response = staff.post(reverse("households:edit", args=[hh.pk]), data)
    assert response.status_code == 200  # no date and no reason yet
    spouse.refresh_from_db()
    assert spouse.is_active
    data.update({"members-1-left_on": "2025-03-01", "members-1-left_reason": "death"})
    assert staff.post(reverse("households:edit", args=[hh.pk]), data).status_code == 302
    spouse.refresh_from_db()
    assert not spouse.is_active and spouse.left_reason == "death"


def test_a_leader_reads_but_cannot_edit(client, world):
    client.force_login(world.profiles.leader.user)
    hh = world.households.own
    assert client.post(reverse("households:edit", args=[hh.pk]), edit_data(hh)).status_code == 403


def test_income_is_added_once_a_year_and_never_negative(staff, world):
    hh = world.households.own
    url = reverse("households:income_create", args=[hh.pk])
    good = {
        "year": "2024",
        "members_count": "3",
        "wage_income": "9000",
        "business_income": "0",
        "property_other": "0",
        "transfer_dibao": "600",
        "transfer_pension": "0",
        "transfer_ecological": "0",
        "transfer_dividends": "0",
        "transfer_other": "600",
        "production_cost": "300",
    }
    assert staff.post(url, good).status_code == 302
    income = hh.incomes.get(year=2024)
    assert income.net_income == 9900
    assert (income.transfer_income, income.transfer_dibao, income.transfer_other) == (
        1200,
        600,
        600,
    )
    again = staff.post(url, good)
    assert "已登记" in again.content.decode()
    negative = staff.post(url, {**good, "year": "2023", "wage_income": "-1"})
    assert negative.status_code == 200
    assert not hh.incomes.filter(year=2023).exists()
