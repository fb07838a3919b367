"""Identification and exit: every transition allowed and refused."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from households import workflows
from households.models import Household, WorkflowCase
from tests import factories as f

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2025, 10, 1)


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
    u = users(world)
    plan = [
        ("assessment", u["cadre"], {}, None),
        ("appraisal", u["team"], {"date": TODAY, "attendance": 35, "result": "pass"}, None),
        (
            "notice",
            u["team"],
            {"posted_from": TODAY, "posted_until": TODAY + datetime.timedelta(days=7)},
            None,
        ),
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
        case = workflows.workflow_advance(
            case=case, user=user, data=data, document=document, today=day
        )
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
    with pytest.raises(PermissionDenied):
        workflows.workflow_advance(case=case, user=users(world)[wrong], today=day)


def test_the_notice_period_must_be_over(eligible, world):
    case = workflows.workflow_start(household=eligible, kind="exit", user=world.profiles.team.user)
    case, _ = walk_to(case, world, "confirmation")
    letter = SimpleUploadedFile("letter.jpg", f.png_bytes())
    with pytest.raises(ValidationError) as info:
        workflows.workflow_advance(
            case=case,
            user=world.profiles.cadre.user,
            document=letter,
            today=TODAY + datetime.timedelta(days=7),
        )
    assert "公示" in info.value.messages[0] or "notice" in info.value.messages[0]


def test_a_notice_shorter_than_the_setting_is_refused(eligible, world, settings):
    settings.BANGFU_NOTICE_DAYS = 7
    case = workflows.workflow_start(household=eligible, kind="exit", user=world.profiles.team.user)
    case, _ = walk_to(case, world, "notice")
    with pytest.raises(ValidationError):
        workflows.workflow_advance(
            case=case,
            user=world.profiles.team.user,
            today=TODAY,
            data={"posted_from": TODAY, "posted_until": TODAY + datetime.timedelta(days=6)},
        )


def test_the_confirmation_letter_is_required(eligible, world):
    case = workflows.workflow_start(household=eligible, kind="exit", user=world.profiles.team.user)
    case, day = walk_to(case, world, "confirmation")
    with pytest.raises(ValidationError):
        workflows.workflow_advance(
            case=case, user=world.profiles.cadre.user, today=TODAY + datetime.timedelta(days=8)
        )


def test_an_appraisal_needs_its_date_attendance_and_result(eligible, world):
    case = workflows.workflow_start(household=eligible, kind="exit", user=world.profiles.team.user)
    case, _ = walk_to(case, world, "appraisal")
    with pytest.raises(ValidationError):
        workflows.workflow_advance(
            case=case, user=world.profiles.team.user, data={"date": TODAY}, today=TODAY
        )


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
    steps = [
        (u["team"], {}),
        (u["team"], {"date": TODAY, "attendance": 20, "result": "pass"}),
        (u["team"], {"posted_from": TODAY, "posted_until": TODAY + datetime.timedelta(days=7)}),
        (u["staff"], {}),
        (
            u["staff"],
            {
                "posted_from": TODAY + datetime.timedelta(days=9),
                "posted_until": TODAY + datetime.timedelta(days=16),
            },
        ),
        (u["county"], {}),
        (u["staff"], {}),
    ]
    day = TODAY
    for n, (user, data) in enumerate(steps):
        day = TODAY + datetime.timedelta(days=8 if n < 4 else 17)
        case = workflows.workflow_advance(case=case, user=user, data=data, today=day)
    hh.refresh_from_db()
    assert case.status == "completed" and hh.status == "poor"


def test_the_township_approves_a_villages_reviewed_exits_at_once(eligible, world, client):
    case = workflows.workflow_start(household=eligible, kind="exit", user=world.profiles.team.user)
    walk_to(case, world, "township_review")
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
