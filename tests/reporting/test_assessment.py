"""考核: the year's figures of each help unit, village and cadre, by the reports' own rules,
on a page and in a PDF."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from assistance import services as assistance_services
from households import services as household_services
from households.models import ExitTarget
from reporting import services
from reporting.models import ReportRun
from tests import factories as f
from tests.reporting_helpers import pdf_text
from township.models import HelpUnit

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def year(world):
    """The cadre's year with `own`: 12 visits required, 2 held; three measures due, one done
    on time, one done late, one still open (world's); an exit in the year against a target
    of 2; the cadre in the county public security bureau's help unit."""
    own, cadre, staff = world.households.own, world.profiles.cadre, world.profiles.staff.user
    unit = HelpUnit.objects.create(county=world.counties[0], name="县公安局")
    cadre.help_unit = unit
    cadre.save()
    for day in (datetime.date(2025, 3, 1), datetime.date(2025, 4, 1)):
        f.VisitFactory(household=own, visited_on=day, visitor=cadre.user)
    for due, delivered in (
        (datetime.date(2025, 6, 30), datetime.date(2025, 6, 1)),
        (datetime.date(2025, 5, 31), datetime.date(2025, 7, 1)),
    ):
        item = f.PlanItemFactory(plan=own.plan, due_date=due)
        assistance_services.plan_item_deliver(
            item=item,
            delivered_on=delivered,
            amount=D("100"),
            quantity="",
            note="",
            evidence=None,
            completes=True,
            user=staff,
        )
    household_services.status_change_record(
        household=own,
        status="exited",
        effective_on=datetime.date(2025, 11, 20),
        source="card",
        user=staff,
    )
    ExitTarget.objects.create(year=2025, cadre=cadre, households=2)
    ExitTarget.objects.create(year=2025, help_unit=unit, households=1)
    return unit


def _row(rows, name):
    return next(r for r in rows if r.name == name)


def test_the_assessment_page_counts_visits_measures_on_time_and_exits_against_targets(
    client, world, year
):
    client.force_login(world.profiles.leader.user)
    page = client.get(reverse("reporting:assessment"), {"year": "2025", "as_of": "2025-12-31"})
    result = page.context["result"]
    cadre = _row(result.cadres, world.profiles.cadre.name)
    assert (cadre.households, cadre.visits, cadre.visits_required) == (1, 2, 12)
    assert (cadre.items_due, cadre.items_on_time, cadre.items_overdue) == (3, 1, 1)
    assert (cadre.exited, cadre.target, cadre.target_met) == (1, 2, False)
    unit = _row(result.help_units, "县公安局")
    assert (unit.households, unit.exited, unit.target, unit.target_met) == (1, 1, 1, True)
    village = _row(result.villages, world.villages.a1.name)
    assert (village.households, village.visits) == (2, 2)  # own and colleague_hh
    # On 31 May the late measure was still open and overdue; none was yet done on time.
    may = client.get(reverse("reporting:assessment"), {"year": "2025", "as_of": "2025-06-05"})
    early = _row(may.context["result"].cadres, world.profiles.cadre.name)
    assert (early.items_due, early.items_on_time, early.items_overdue, early.exited) == (
        1,
        0,
        1,
        0,
    )


def test_the_assessment_agrees_with_the_year_end_account_of_the_same_households(
    client, world, year
):
    account = ReportRun.objects.create(
        kind="year_end",
        year=2025,
        as_of=datetime.date(2025, 12, 31),
        township=world.township,
        cadre=world.profiles.cadre,
        scope_key=services.scope_key(township=world.township, cadre=world.profiles.cadre),
    )
    services.report_build(run_id=account.pk)
    account.refresh_from_db()
    client.force_login(world.profiles.staff.user)
    page = client.get(reverse("reporting:assessment"), {"year": "2025", "as_of": "2025-12-31"})
    cadre = _row(page.context["result"].cadres, world.profiles.cadre.name)
    figures = account.figures
    assert (cadre.visits, cadre.visits_required, cadre.items_overdue, cadre.exited) == (
        figures["visits"],
        figures["visits_required"],
        figures["items_overdue"],
        figures["exited_this_year"],
    )


def test_a_help_units_assessment_is_built_as_a_pdf(
    client, world, year, django_capture_on_commit_callbacks
):
    client.force_login(world.profiles.leader.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reporting:assessment"),
            {"year": "2025", "as_of": "2025-12-31", "subject": f"unit:{year.pk}"},
        )
    run = ReportRun.objects.get(kind="assessment")
    assert response["Location"] == reverse("reporting:run", args=[run.pk])
    assert (run.help_unit, run.township, run.status) == (year, world.township, "done")
    text = pdf_text(run.file.path)
    assert "新田镇 县公安局" in text and "年度考核" in text
    assert "2 / 12" in text and "1 / 3" in text
    assert (run.figures["exited"], run.figures["target"]) == (1, 1)
    assert [c["name"] for c in run.figures["cadres"]] == [world.profiles.cadre.name]
    # The help unit's run is the township's, not a village team's or another cadre's.
    client.force_login(world.profiles.team.user)
    assert client.get(reverse("reporting:run", args=[run.pk])).status_code == 404
