"""Help units (帮扶单位): their pages, their households' progress and their reports."""

import datetime

import pytest
from django.urls import reverse

from reporting.models import ReportRun
from reporting.selectors import households_in_scope
from tests import factories as f
from township.models import HelpUnit

pytestmark = pytest.mark.django_db


@pytest.fixture
def unit(world):
    unit = HelpUnit.objects.create(county=world.counties[0], name="县公安局")
    unit.villages.set([world.villages.a1])
    for profile in (world.profiles.cadre, world.profiles.cadre2):
        profile.help_unit = unit
        profile.save()
    return unit


def test_a_units_page_lists_its_cadres_villages_and_households_with_progress(client, world, unit):
    f.VisitFactory(
        household=world.households.own,
        visitor=world.profiles.cadre.user,
        visited_on=datetime.date.today(),
        findings="走访",
    )
    client.force_login(world.profiles.staff.user)
    page = client.get(reverse("units:detail", args=[unit.pk]))
    rows = {h.pk: h for h in page.context["rows"]}
    assert set(rows) == {
        world.households.own.pk,
        world.households.colleague.pk,
        world.households.neighbour.pk,
    }
    assert rows[world.households.own.pk].overdue is False
    assert rows[world.households.neighbour.pk].overdue is True
    assert page.context["overdue"] == 2
    assert {c.name: c.households for c in page.context["cadres"]} == {
        world.profiles.cadre.name: 1,
        world.profiles.cadre2.name: 2,
    }
    assert "新田村" in page.content.decode()


def test_a_village_team_sees_only_its_villages_households_of_the_unit(client, world, unit):
    client.force_login(world.profiles.team.user)
    rows = client.get(reverse("units:detail", args=[unit.pk])).context["rows"]
    assert {h.pk for h in rows} == {world.households.own.pk, world.households.colleague.pk}


def test_only_the_county_keeps_the_units(client, world, unit):
    client.force_login(world.profiles.staff.user)
    assert client.get(reverse("units:edit", args=[unit.pk])).status_code == 403
    client.force_login(world.profiles.county.user)
    client.post(
        reverse("units:edit", args=[unit.pk]),
        {"name": "县公安局", "kind": "government", "villages": [world.villages.a2.pk]},
    )
    assert list(unit.villages.all()) == [world.villages.a2]
    # A village of another county is not offered, and is refused.
    client.post(
        reverse("units:edit", args=[unit.pk]),
        {"name": "县公安局", "kind": "government", "villages": [world.villages.b1.pk]},
    )
    assert list(unit.villages.all()) == [world.villages.a2]
    history = client.get(reverse("units:edit", args=[unit.pk])).context["entries"]
    assert (history[0].who, history[0].reason) == ("county", "新田村 → 石门村")


def test_a_units_report_covers_the_households_paired_with_its_cadres_that_day(
    client, world, unit, django_capture_on_commit_callbacks
):
    other_cadre = f.ProfileFactory(role="cadre", township=world.township)
    elsewhere = f.HouseholdFactory(village=world.villages.a1)
    f.PairingFactory(household=elsewhere, cadre=other_cadre)
    client.force_login(world.profiles.staff.user)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(
            reverse("units:report", args=[unit.pk]),
            {"kind": "year_end", "year": 2025, "township": world.township.pk},
        )
    run = ReportRun.objects.get(help_unit=unit)
    assert response["Location"] == reverse("reporting:run", args=[run.pk])
    assert run.scope_key == f"unit:{unit.pk}:{world.township.pk}"
    assert set(households_in_scope(run)) == {
        world.households.own,
        world.households.colleague,
        world.households.neighbour,
    }
    # The other county's township cannot be asked for.
    client.post(
        reverse("units:report", args=[unit.pk]),
        {"kind": "year_end", "year": 2025, "township": world.other_township.pk},
    )
    assert ReportRun.objects.filter(help_unit=unit).count() == 1
    # A cadre sees their unit but builds no unit report.
    client.force_login(world.profiles.cadre.user)
    assert client.get(reverse("units:detail", args=[unit.pk])).status_code == 200
    assert client.post(reverse("units:report", args=[unit.pk])).status_code == 403
