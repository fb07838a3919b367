import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

pytestmark = pytest.mark.django_db


def sheet_rows(response):
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    return [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]


def test_the_household_export_follows_the_lists_filters_and_scope(client, world):
    client.force_login(world.profiles.leader.user)
    rows = sheet_rows(
        client.get(reverse("reporting:export_households"), {"village": world.villages.a2.pk})
    )
    assert rows[0][:3] == ["村", "村民小组", "户主身份证号"]
    assert rows[1][0].startswith("Village")
    neighbour = world.households.neighbour.members.get(relation="head")
    assert [r[3] for r in rows[2:]] == [neighbour.name]
    everything = sheet_rows(client.get(reverse("reporting:export_households")))
    outsider = world.households.outsider.members.get(relation="head")
    assert outsider.name not in [r[3] for r in everything]


def test_ids_are_masked_for_readers_and_full_for_card_keepers(client, world):
    head = world.households.own.members.get(relation="head").id_number
    client.force_login(world.profiles.leader.user)
    assert head not in str(sheet_rows(client.get(reverse("reporting:export_households"))))
    client.force_login(world.profiles.staff.user)
    assert head in str(sheet_rows(client.get(reverse("reporting:export_households"))))


def test_the_ledger_export_lists_every_entry(client, world):
    client.force_login(world.profiles.staff.user)
    rows = sheet_rows(client.get(reverse("reporting:export_ledger", args=[world.funds.a.pk])))
    assert rows[1][1] == "R1" and float(rows[1][3]) == 10000.0


def test_plans_and_registers_export(client, world):
    client.force_login(world.profiles.team.user)
    plans = sheet_rows(client.get(reverse("reporting:export_plans"), {"year": 2025}))
    assert {r[1] for r in plans[1:]} == {
        world.households.own.card_number,
        world.households.colleague.card_number,
    }
    register = sheet_rows(
        client.get(reverse("reporting:export_register", args=[world.villages.a1.pk]))
    )
    assert len(register) == 3
