"""Identification and exit: every transition allowed and refused."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from households import workflows
from households.models import Household, WorkflowCase
from tests import factories as f

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2025, 10, 1)


def on(day: datetime.date):
    """The server's clock on ``day``: notices and steps follow it, never a typed date."""
    return time_machine.travel(
        datetime.datetime.combine(day, datetime.time(9), tzinfo=datetime.UTC), tick=False
    )


@pytest.fixture(autouse=True)
def in_october_2025():
    """Exits are judged on the income of the year they fall in: these cases run in 2025."""
    with on(TODAY):
        yield


@pytest.fixture
def eligible(world):
    """The own household meets every exit criterion; its world exit case is withdrawn."""
    hh = world.households.own
    WorkflowCase.objects.filter(household=hh).update(status="withdrawn")
    Household.objects.filter(pk=hh.pk).update(
        no_worry_food=True, no_worry_clothing=True, water_safe=True
    )
    hh.refresh_from_db()
    hh.members.update(medical_insurance=True)
    hh.incomes.update(wage_income=Decimal("30000"), members_count=1)
    f.PovertyLineFactory(year=2025, amount=Decimal("4000"))
    return hh


def users(world):
    p = world.profiles
    return {
        "team": p.team.user,
        "cadre": p.cadre.user,
        "staff": p.staff.user,
        "county": p.county.user,
        "leader": p.leader.user,
    }


def walk_to(case, world, until_step):
    """Walk an exit case up to ``until_step``: the notice is recorded as posted on TODAY and
    the steps after it are done eight days later. Returns the case and the day reached."""
    u = users(world)
    plan = [
        ("assessment", u["cadre"], {}, None),
        ("appraisal", u["team"], {"date": TODAY, "attendance": 35, "result": "pass"}, None),
        ("notice", u["team"], {}, None),
        ("confirmation", u["cadre"], {}, SimpleUploadedFile("letter.jpg", f.png_bytes())),
        ("township_review", u["staff"], {}, None),
        ("county_approval", u["county"], {}, None),
        ("announcement", u["staff"], {}, None),
    ]
    day = TODAY
    for key, user, data, document in plan:
        if key == until_step:
            return case, day
        if key == "confirmation":
            day = TODAY + datetime.timedelta(days=8)
        with on(day):
            case = workflows.workflow_advance(case=case, user=user, data=data, document=document)
    return case, day


def test_an_eligible_household_walks_from_assessment_to_exit(eligible, world):
    case = workflows.workflow_start(household=eligible, kind="exit", user=world.profiles.team.user)
    case, _ = walk_to(case, world, None)
    eligible.refresh_from_db()
    assert case.status == "completed" and eligible.status == "exited"
    assert [s.step for s in case.steps.order_by("at")] == [s.key for s in workflows.EXIT]
    last = eligible.history.latest()
    assert last.history_change_reason == f"{case.get_kind_display()} #{case.pk}"
    assert last.history_user == world.profiles.staff.user and last.status == "exited"


@pytest.mark.parametrize(
    "step,wrong",
    [
        ("assessment", "staff"),
        ("appraisal", "cadre"),
        ("township_review", "team"),
        ("county_approval", "staff"),
        ("announcement", "county"),
    ],
)
def test_each_step_belongs_to_its_role(eligible, world, step, wrong):
    case = workflows.workflow_start(household=eligible, kind="exit", user=world.profiles.team.user)
    case, day = walk_to(case, world, step)
    with on(day), pytest.raises(PermissionDenied):
        workflows.workflow_advance(case=case, user=users(world)[wrong])


def test_the_notice_period_must_be_over_by_the_servers_clock(eligible, world, settings):
    settings.BANGFU_NOTICE_DAYS = 7
    case = workflows.workflow_start(household=eligible, kind="exit", user=world.profiles.team.user)
    case, _ = walk_to(case, world, "confirmation")
    notice = case.steps.get(step="notice")
    assert notice.data == {"posted_from": "2025-10-01", "posted_until": "2025-10-08"}
    letter = SimpleUploadedFile("letter.jpg", f.png_bytes())
    with on(TODAY + datetime.timedelta(days=7)), pytest.raises(ValidationError):
        workflows.workflow_advance(case=case, user=world.profiles.cadre.user, document=letter)
    with on(TODAY + datetime.timedelta(days=8)):
        case = workflows.workflow_advance(
            case=case, user=world.profiles.cadre.user, document=letter
        )
    assert case.step == "township_review"


def test_the_notice_period_comes_from_the_setting(eligible, world, settings):
    settings.BANGFU_NOTICE_DAYS = 10
    case = workflows.workflow_start(household=eligible, kind="exit", user=world.profiles.team.user)
    case, _ = walk_to(case, world, "confirmation")
    assert case.steps.get(step="notice").data["posted_until"] == "2025-10-11"


def test_typed_notice_dates_are_ignored(eligible, world):
    """A notice "posted" weeks before the case was opened does not pass at once."""
    case = workflows.workflow_start(household=eligible, kind="exit", user=world.profiles.team.user)
    case, _ = walk_to(case, world, "notice")
    old = {"posted_from": datetime.date(2025, 9, 2), "posted_until": datetime.date(2025, 9, 10)}
    case = workflows.workflow_advance(case=case, user=world.profiles.team.user, data=old)
    assert case.steps.get(step="notice").data["posted_from"] == "2025-10-01"
    letter = SimpleUploadedFile("letter.jpg", f.png_bytes())
    with pytest.raises(ValidationError):
        workflows.workflow_advance(case=case, user=world.profiles.cadre.user, document=letter)


def test_a_posting_date_is_corrected_later_with_a_reason_never_earlier(eligible, world):
    case = workflows.workflow_start(household=eligible, kind="exit", user=world.profiles.team.user)
    case, _ = walk_to(case, world, "confirmation")
    team = world.profiles.team.user
    later = TODAY + datetime.timedelta(days=2)
    with on(TODAY + datetime.timedelta(days=3)):
        with pytest.raises(ValidationError):  # backdated
            workflows.notice_correct(
                case=case, posted_from=TODAY - datetime.timedelta(days=1), reason="补", user=team
            )
        with pytest.raises(ValidationError):  # no reason
            workflows.notice_correct(case=case, posted_from=later, reason=" ", user=team)
        with pytest.raises(PermissionDenied):  # not the notice's keeper
            workflows.notice_correct(
                case=case, posted_from=later, reason="晚贴", user=world.profiles.county.user
            )
        workflows.notice_correct(
            case=case, posted_from=later, reason="公示栏维修，晚两天张贴", user=team
        )
    correction = case.steps.get(step="notice").corrections.get()
    assert (correction.posted_from_before, correction.posted_from, correction.by) == (
        TODAY,
        later,
        team,
    )
    letter = SimpleUploadedFile("letter.jpg", f.png_bytes())
    with on(TODAY + datetime.timedelta(days=8)), pytest.raises(ValidationError):
        workflows.workflow_advance(case=case, user=world.profiles.cadre.user, document=letter)
    with on(TODAY + datetime.timedelta(days=10)):
        workflows.workflow_advance(case=case, user=world.profiles.cadre.user, document=letter)


def test_objections_are_received_during_the_notice_and_must_be_answered(eligible, world):
    case = workflows.workflow_start(household=eligible, kind="exit", user=world.profiles.team.user)
    case, _ = walk_to(case, world, "confirmation")
    team, staff = world.profiles.team.user, world.profiles.staff.user
    with on(TODAY + datetime.timedelta(days=2)):
        objection = workflows.objection_record(
            case=case, content="该户在县城有商品房", objector="村民甲", user=team
        )
    letter = SimpleUploadedFile("letter.jpg", f.png_bytes())
    with on(TODAY + datetime.timedelta(days=9)):
        with pytest.raises(ValidationError):  # after the period: no longer received
            workflows.objection_record(case=case, content="迟到的异议", user=team)
        with pytest.raises(ValidationError):  # unanswered
            workflows.workflow_advance(case=case, user=world.profiles.cadre.user, document=letter)
        with pytest.raises(PermissionDenied):
            workflows.objection_resolve(
                objection=objection, resolution="已核实", user=world.profiles.county.user
            )
        workflows.objection_resolve(
            objection=objection, resolution="经核实，房产属其已分户的儿子", user=staff
        )
        workflows.workflow_advance(case=case, user=world.profiles.cadre.user, document=letter)
    objection.refresh_from_db()
    assert (objection.received_on, objection.resolved_by) == (
        TODAY + datetime.timedelta(days=2),
        staff,
    )


def test_the_card_offers_objections_only_while_the_notice_is_up(eligible, world, client):
    case = workflows.workflow_start(household=eligible, kind="exit", user=world.profiles.team.user)
    case, _ = walk_to(case, world, "confirmation")
    url = reverse("households:detail", args=[eligible.pk])
    with on(TODAY + datetime.timedelta(days=3)):
        client.force_login(world.profiles.team.user)
        page = client.get(url).content.decode()
        assert reverse("households:objection_record", args=[case.pk]) in page
        client.post(
            reverse("households:objection_record", args=[case.pk]),
            {"content": "对收入有疑问", "objector": "村民乙"},
        )
    with on(TODAY + datetime.timedelta(days=9)):
        client.force_login(world.profiles.team.user)
        page = client.get(url).content.decode()
    assert "对收入有疑问" in page
    assert reverse("households:objection_record", args=[case.pk]) not in page


def test_the_confirmation_letter_is_required(eligible, world):
    case = workflows.workflow_start(household=eligible, kind="exit", user=world.profiles.team.user)
    case, day = walk_to(case, world, "confirmation")
    with on(day), pytest.raises(ValidationError):
        workflows.workflow_advance(case=case, user=world.profiles.cadre.user)


def test_an_appraisal_needs_its_date_attendance_and_result(eligible, world):
    case = workflows.workflow_start(household=eligible, kind="exit", user=world.profiles.team.user)
    case, _ = walk_to(case, world, "appraisal")
    with pytest.raises(ValidationError):
        workflows.workflow_advance(case=case, user=world.profiles.team.user, data={"date": TODAY})


def test_rejection_needs_a_reason_and_sends_the_case_back(eligible, world):
    case = workflows.workflow_start(household=eligible, kind="exit", user=world.profiles.team.user)
    case, _ = walk_to(case, world, "township_review")
    with pytest.raises(ValidationError):
        workflows.workflow_reject(case=case, user=world.profiles.staff.user, reason=" ")
    case = workflows.workflow_reject(
        case=case, user=world.profiles.staff.user, reason="确认书签字不清"
    )
    assert case.step == "confirmation"
    assert case.steps.filter(action="rejected").get().comment == "确认书签字不清"


def test_an_ineligible_household_needs_a_leaders_written_override(world):
    hh = world.households.neighbour
    WorkflowCase.objects.filter(household=hh).update(status="withdrawn")
    with pytest.raises(ValidationError):
        workflows.workflow_start(household=hh, kind="exit", user=world.profiles.team.user)
    with pytest.raises(PermissionDenied):
        workflows.workflow_start(
            household=hh, kind="exit", user=world.profiles.team.user, override_reason="x"
        )
    case = workflows.workflow_start(
        household=hh,
        kind="exit",
        user=world.profiles.leader.user,
        override_reason="收入统计滞后，已核实达标",
    )
    assert (case.override_by, case.override_reason) == (
        world.profiles.leader.user,
        "收入统计滞后，已核实达标",
    )


def test_one_open_case_of_a_kind_per_household(eligible, world):
    workflows.workflow_start(household=eligible, kind="exit", user=world.profiles.team.user)
    with pytest.raises(ValidationError):
        workflows.workflow_start(household=eligible, kind="exit", user=world.profiles.team.user)


def test_identification_registers_an_applicant(world):
    hh = f.HouseholdFactory(village=world.villages.a1, status="applicant")
    u = users(world)
    case = workflows.workflow_start(household=hh, kind="identification", user=u["team"])
    steps = [  # (day, who, details): each notice posted on the day it is recorded
        (0, u["team"], {}),
        (0, u["team"], {"date": TODAY, "attendance": 20, "result": "pass"}),
        (0, u["team"], {}),
        (8, u["staff"], {}),
        (9, u["staff"], {}),
        (17, u["county"], {}),
        (17, u["staff"], {}),
    ]
    for days, user, data in steps:
        with on(TODAY + datetime.timedelta(days=days)):
            case = workflows.workflow_advance(case=case, user=user, data=data)
    hh.refresh_from_db()
    assert case.status == "completed" and hh.status == "poor"


def test_the_township_approves_a_villages_reviewed_exits_at_once(eligible, world, client):
    case = workflows.workflow_start(household=eligible, kind="exit", user=world.profiles.team.user)
    _, day = walk_to(case, world, "township_review")
    with on(day):
        client.force_login(world.profiles.staff.user)
        client.post(reverse("villages:bulk_review", args=[world.villages.a1.pk]))
    case.refresh_from_db()
    assert case.step == "county_approval"


def test_the_card_shows_the_case_and_its_steps(eligible, world, client):
    case = workflows.workflow_start(household=eligible, kind="exit", user=world.profiles.team.user)
    client.force_login(world.profiles.cadre.user)
    client.post(reverse("households:workflow_advance", args=[case.pk]), {"comment": "已入户评估"})
    page = client.get(reverse("households:detail", args=[eligible.pk])).content.decode()
    assert "已入户评估" in page and "民主评议" in page
