import pytest
from django.urls import reverse

from households.models import Member

pytestmark = pytest.mark.django_db


def member_form(household, **overrides):
    data = {
        "household": household.pk,
        "name": "王明",
        "id_number": "520399198001010013",
        "sex": "M",
        "relation": "spouse",
        "ethnicity": "汉族",
        "education": "primary",
        "schooling": "not_in_school",
        "health": "healthy",
        "labour": "normal",
        "migrant_months": "0",
        "is_active": "on",
    }
    data.update(overrides)
    return data


def test_an_admin_save_with_a_bad_id_number_shows_the_message_and_saves_nothing(client, world):
    client.force_login(world.superuser)
    before = Member.objects.count()
    response = client.post(
        reverse("admin:households_member_add"),
        member_form(world.households.own, id_number="520399198001010012"),
    )
    assert response.status_code == 200
    assert "校验码" in response.content.decode()
    assert Member.objects.count() == before


def test_an_admin_save_with_a_good_id_number_is_recorded_with_its_author(client, world):
    client.force_login(world.superuser)
    response = client.post(
        reverse("admin:households_member_add"), member_form(world.households.own)
    )
    assert response.status_code == 302
    member = Member.objects.get(id_number="520399198001010013")
    assert member.history.get().history_user == world.superuser


def test_the_admin_refuses_a_second_active_household_for_one_person(client, world):
    client.force_login(world.superuser)
    taken = world.households.colleague.members.get().id_number
    response = client.post(
        reverse("admin:households_member_add"), member_form(world.households.own, id_number=taken)
    )
    assert response.status_code == 200
    assert "另一户" in response.content.decode()
    assert Member.objects.filter(id_number=taken).count() == 1
