"""Full ID numbers leave a trace: exports, the card's edit form and searches are recorded,
only the township office and the county export them, and a search keeps them out of URLs."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from households.models import IdAccess
from tests.reporting_helpers import exported

pytestmark = pytest.mark.django_db
EXPORT = reverse("reporting:export_households")


def export_text(client) -> str:
    book = load_workbook(io.BytesIO(exported(client, EXPORT).content), read_only=True)
    return str([list(r) for r in book.worksheets[0].iter_rows(values_only=True)])


def head_id(household) -> str:
    return household.members.get(relation="head").id_number


def test_an_export_with_full_ids_is_recorded_with_who_what_and_how_many(client, world):
    client.force_login(world.profiles.staff.user)
    text = export_text(client)
    assert head_id(world.households.own) in text
    record = IdAccess.objects.get()
    assert (record.user, record.action, record.households_count) == (
        world.profiles.staff.user,
        "export",
        3,
    )
    assert record.reason == "households.xlsx" and record.at is not None


@pytest.mark.parametrize("role", ["team", "leader", "cadre"])
def test_other_roles_export_masked_ids_and_leave_no_record(client, world, role):
    client.force_login(getattr(world.profiles, role).user)
    text = export_text(client)
    own = head_id(world.households.own)
    assert own not in text and f"{own[:4]}**********{own[-4:]}" in text
    assert not IdAccess.objects.exists()


def test_the_county_exports_full_ids_and_is_recorded(client, world):
    client.force_login(world.profiles.county.user)
    assert head_id(world.households.neighbour) in export_text(client)
    assert IdAccess.objects.get().user == world.profiles.county.user


def test_opening_a_card_for_editing_is_recorded_for_that_card(client, world):
    client.force_login(world.profiles.team.user)
    hh = world.households.own
    page = client.get(reverse("households:edit", args=[hh.pk])).content.decode()
    assert head_id(hh) in page
    record = IdAccess.objects.get()
    assert (record.user, record.action, record.household) == (
        world.profiles.team.user,
        "card_edit",
        hh,
    )


def test_a_search_by_full_id_is_posted_recorded_and_leaves_no_id_in_the_address(client, world):
    client.force_login(world.profiles.leader.user)
    hh = world.households.neighbour
    number = head_id(hh)
    response = client.post(reverse("households:find_by_id"), {"id_number": number})
    assert response["Location"] == reverse("households:detail", args=[hh.pk])
    record = IdAccess.objects.get()
    assert (record.action, record.household, record.user) == (
        "search",
        hh,
        world.profiles.leader.user,
    )
    assert number not in str(record.detail) and number not in record.reason


def test_a_whole_id_in_the_list_address_is_not_searched_nor_repeated_in_links(client, world):
    client.force_login(world.profiles.leader.user)
    number = head_id(world.households.own)
    response = client.get(reverse("households:list"), {"q": number, "status": "poor"})
    assert "q" in response.context["form"].errors
    assert number not in response.context["query"]
    page = response.content.decode()
    assert f"?q={number}" not in page and f"q={number}&" not in page
    assert reverse("households:find_by_id") in page
