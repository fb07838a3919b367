"""Notices for the village board as PDFs: who is on them, masked IDs, period, contact."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from assistance.models import ProjectBeneficiary
from households import workflows
from reporting.models import ReportRun
from tests import factories as f
from tests.reporting_helpers import pdf_text

pytestmark = pytest.mark.django_db
DAY = datetime.date(2025, 4, 1)


def on(day):
    return time_machine.travel(
        datetime.datetime.combine(day, datetime.time(9), tzinfo=datetime.UTC), tick=False
    )


@pytest.fixture(autouse=True)
def built_at_once(django_capture_on_commit_callbacks, monkeypatch):
    """Report requests queue their build on commit: run it at once in these tests."""
    from django.db import transaction

    monkeypatch.setattr(transaction, "on_commit", lambda func, **kw: func())


@pytest.fixture
def applicant(world):
    hh = f.HouseholdFactory(village=world.villages.a1, status="applicant", group_name="三组")
    f.HeadFactory(household=hh, name="孙五", id_number="520399199001010010")
    f.CauseFactory(household=hh, cause="illness")
    team = world.profiles.team.user
    with on(DAY):
        case = workflows.workflow_start(household=hh, kind="identification", user=team)
        workflows.workflow_advance(case=case, user=team)
        workflows.workflow_advance(
            case=case, user=team, data={"date": DAY, "attendance": 30, "result": "pass"}
        )
    return hh, case


def request_notice(client, user, world, kind, day, **extra):
    with on(day):
        client.force_login(user)
        response = client.post(
            reverse("reporting:list"),
            {"kind": kind, "year": day.year, "village": world.villages.a1.pk, **extra},
        )
    run = ReportRun.objects.get(pk=response["Location"].rstrip("/").split("/")[-1])
    assert run.status == ReportRun.Status.DONE, run.error
    return run, pdf_text(run.file.path)


def test_the_first_identification_notice_lists_the_applicant_with_a_masked_id(
    client, world, applicant, settings
):
    settings.BANGFU_NOTICE_DAYS = 7
    hh, case = applicant
    # Printed before it goes up: the period runs from the day it is recorded as posted.
    run, text = request_notice(
        client, world.profiles.team.user, world, "ident_notice", DAY, contact="王书记 13800000000"
    )
    assert "孙五" in text and "5203**********0010" in text and "520399199001010010" not in text
    assert "王书记 13800000000" in text and "7" in text
    assert run.figures["cards"] == [hh.card_number]
    with on(DAY):
        workflows.workflow_advance(case=case, user=world.profiles.team.user)  # posted today
    run, text = request_notice(
        client, world.profiles.team.user, world, "ident_notice", DAY + datetime.timedelta(days=3)
    )
    assert run.figures["period"] == ["2025-04-01", "2025-04-08"]
    assert "2025-04-01" in text and "2025-04-08" in text
    # After the period the notice no longer lists it; the township's review comes next.
    run, _text = request_notice(
        client, world.profiles.team.user, world, "ident_notice", DAY + datetime.timedelta(days=9)
    )
    assert run.figures["households"] == 0


def test_a_village_notice_needs_its_village(client, world, applicant):
    client.force_login(world.profiles.staff.user)
    response = client.post(reverse("reporting:list"), {"kind": "exit_notice", "year": 2025})
    assert response.status_code == 200 and not ReportRun.objects.filter(kind="exit_notice")


def test_an_exit_notice_shows_the_households_per_capita_income(client, world):
    hh = world.households.own
    hh.incomes.update(wage_income=Decimal("15000"), members_count=3)
    case = hh.case
    case.step = "notice"
    case.save()
    run, text = request_notice(client, world.profiles.team.user, world, "exit_notice", DAY)
    assert run.figures["households"] == 1 and "5000.00" in text


def test_project_and_fund_notices_are_pdfs_with_their_period_and_contact(client, world):
    project = world.projects.a
    ProjectBeneficiary.objects.create(
        project=project, household=world.households.own, how="入股分红"
    )
    client.force_login(world.profiles.staff.user)
    response = client.post(
        reverse("reporting:project_notice_pdf", args=[project.pk]),
        {"posted_from": "2025-05-01", "days": "10", "contact": "扶贫站 0851-1234567"},
    )
    run = ReportRun.objects.get(project=project)
    assert response["Location"] == reverse("reporting:run", args=[run.pk])
    text = pdf_text(run.file.path)
    assert project.name in text and "入股分红" in text and "扶贫站 0851-1234567" in text
    assert "2025-05-01" in text and "2025-05-11" in text
    client.post(reverse("reporting:fund_notice_pdf", args=[world.funds.a.pk]), {})
    fund_run = ReportRun.objects.get(fund=world.funds.a)
    assert fund_run.status == ReportRun.Status.DONE and world.funds.a.name in pdf_text(
        fund_run.file.path
    )
    # The other county's project is not found.
    outside = reverse("reporting:project_notice_pdf", args=[world.projects.b.pk])
    assert client.post(outside).status_code == 404


def test_a_village_teams_loan_notice_is_of_its_village(client, world):
    run, text = request_notice(client, world.profiles.team.user, world, "loan_notice", DAY)
    assert run.village == world.villages.a1
    assert run.figures["loans"] == 2  # the two households of 新田村
