"""The steps of identification and exit, who owns each, and the one way to move a case.

Each step is allowed only to the role that owns it and only when the case is at it; a step
after a public notice waits until the notice period is over; rejection needs a reason and
sends the case back one step. The last step changes the household's status.
"""

import datetime
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from households import policy
from households.models import Household, PovertyLine, StatusChange, WorkflowCase, WorkflowStep
from households.services import exit_evidence, status_change_record
from township.access import profile_for

Kind = WorkflowCase.Kind


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    roles: frozenset
    document: bool = False
    notice: bool = False
    appraisal: bool = False


EXIT = [
    Step(
        "assessment",
        _("Assessment by the village committee and work team"),
        frozenset({"village_team", "cadre"}),
    ),
    Step(
        "appraisal", _("Village democratic appraisal"), frozenset({"village_team"}), appraisal=True
    ),
    Step("notice", _("Public notice in the village"), frozenset({"village_team"}), notice=True),
    Step(
        "confirmation",
        _("Household's signed confirmation letter"),
        frozenset({"village_team", "cadre"}),
        document=True,
    ),
    Step("township_review", _("Township review"), frozenset({"township_staff"})),
    Step("county_approval", _("County approval"), frozenset({"county_admin"})),
    Step("announcement", _("Announcement and deregistration"), frozenset({"township_staff"})),
]
IDENTIFICATION = [
    Step("application", _("Household's application"), frozenset({"village_team"})),
    Step(
        "appraisal", _("Village democratic appraisal"), frozenset({"village_team"}), appraisal=True
    ),
    Step(
        "notice", _("First public notice, in the village"), frozenset({"village_team"}), notice=True
    ),
    Step("township_review", _("Township review"), frozenset({"township_staff"})),
    Step(
        "second_notice",
        _("Second public notice, by the township"),
        frozenset({"township_staff"}),
        notice=True,
    ),
    Step("county_approval", _("County approval"), frozenset({"county_admin"})),
    Step("announcement", _("Announcement"), frozenset({"township_staff"})),
]
STEPS = {Kind.EXIT: EXIT, Kind.IDENTIFICATION: IDENTIFICATION}
RESULT_STATUS = {Kind.EXIT: Household.Status.EXITED, Kind.IDENTIFICATION: Household.Status.POOR}
START_STATUS = {
    Kind.EXIT: policy.POOR,
    Kind.IDENTIFICATION: {Household.Status.APPLICANT},
}


def steps_of(case: WorkflowCase) -> list[Step]:
    return STEPS[case.kind]


def current_step(case: WorkflowCase) -> Step:
    return next(s for s in steps_of(case) if s.key == case.step)


def can_act(user, case: WorkflowCase) -> bool:
    if case.status != WorkflowCase.Status.OPEN:
        return False
    if user.is_superuser:
        return True
    profile = profile_for(user)
    return profile is not None and profile.role in current_step(case).roles


def _require(user, case: WorkflowCase) -> Step:
    if case.status != WorkflowCase.Status.OPEN:
        raise ValidationError(_("This case is closed."))
    if not can_act(user, case):
        raise PermissionDenied
    return current_step(case)


def eligibility_of(household: Household, *, day: datetime.date | None = None):
    """The exit criteria of ``household`` on ``day`` (today), from its current card."""
    return policy.exit_criteria(
        household=household,
        members=list(household.members.all()),
        incomes=list(household.incomes.all()),
        lines=dict(PovertyLine.objects.values_list("year", "amount")),
        day=day or timezone.localdate(),
    )


@transaction.atomic
def workflow_start(
    *, household: Household, kind: str, user, override_reason: str = ""
) -> WorkflowCase:
    household = Household.objects.select_for_update().get(pk=household.pk)
    if household.status not in START_STATUS[kind]:
        raise ValidationError(
            _("A household with status “%(status)s” cannot start this.")
            % {"status": household.get_status_display()}
        )
    first = STEPS[kind][0]
    profile = profile_for(user)
    role = profile.role if profile else None
    override_reason = override_reason.strip()
    if kind == Kind.EXIT and not policy.is_eligible(eligibility_of(household)):
        if not override_reason:
            raise ValidationError(
                _(
                    "The household does not meet every exit criterion. Only a leader may start "
                    "its exit, with a written reason."
                )
            )
        if role != "leader" and not user.is_superuser:
            raise PermissionDenied
    elif override_reason:
        raise ValidationError(
            _("An override is only for a household that does not meet the criteria.")
        )
    elif not user.is_superuser and role not in first.roles:
        raise PermissionDenied
    if WorkflowCase.objects.filter(
        household=household, kind=kind, status=WorkflowCase.Status.OPEN
    ).exists():
        raise ValidationError(_("This household already has an open case of this kind."))
    return WorkflowCase.objects.create(
        household=household,
        kind=kind,
        step=first.key,
        started_by=user,
        override_reason=override_reason,
        override_by=user if override_reason else None,
    )


def _notice_over(case: WorkflowCase, today: datetime.date) -> None:
    """Refuse to move past a public notice before its period is over."""
    steps = steps_of(case)
    index = [s.key for s in steps].index(case.step)
    if index == 0 or not steps[index - 1].notice:
        return
    last = (
        case.steps.filter(step=steps[index - 1].key, action=WorkflowStep.Action.DONE)
        .order_by("-at")
        .first()
    )
    until = datetime.date.fromisoformat(last.data["posted_until"]) if last else None
    if until is not None and today <= until:
        raise ValidationError(
            _("The public notice is posted until %(date)s: wait until it is over.")
            % {"date": until}
        )


@transaction.atomic
def workflow_advance(
    *,
    case: WorkflowCase,
    user,
    comment: str = "",
    document: UploadedFile | None = None,
    data: dict | None = None,
    today: datetime.date | None = None,
) -> WorkflowCase:
    # Race: two people completing the same step at once; the row lock lets one win.
    case = WorkflowCase.objects.select_for_update().get(pk=case.pk)
    step = _require(user, case)
    today = today or timezone.localdate()
    _notice_over(case, today)
    data = dict(data or {})
    if step.document and document is None:
        raise ValidationError(_("This step needs its document (a scan or photo)."))
    if step.appraisal:
        if (
            not data.get("date")
            or not data.get("attendance")
            or data.get("result") not in ("pass", "fail")
        ):
            raise ValidationError(_("Give the appraisal's date, attendance and result."))
        if data["result"] == "fail":
            raise ValidationError(
                _("A failed appraisal is a rejection: send the case back with the reason.")
            )
        data["date"] = str(data["date"])
    if step.notice:
        start, until = data.get("posted_from"), data.get("posted_until")
        if not start or not until:
            raise ValidationError(_("Give the dates the notice is posted."))
        if (until - start).days < settings.BANGFU_NOTICE_DAYS:
            raise ValidationError(
                _("A public notice stays up at least %(n)d days.")
                % {"n": settings.BANGFU_NOTICE_DAYS}
            )
        data = {"posted_from": start.isoformat(), "posted_until": until.isoformat()}
    record = WorkflowStep(
        case=case,
        step=step.key,
        action=WorkflowStep.Action.DONE,
        by=user,
        comment=comment.strip(),
        data=data,
        token=secrets.token_hex(8),
    )
    if document is not None:
        record.document.save(document.name, document, save=False)
    record.save()
    keys = [s.key for s in steps_of(case)]
    index = keys.index(step.key)
    if index + 1 < len(keys):
        case.step = keys[index + 1]
    else:
        # The case's last step is the day the household's status changes: an exit on the
        # day of its announcement, with the criteria as they stood that day.
        case.status, case.finished_at = WorkflowCase.Status.COMPLETED, timezone.now()
        household = Household.objects.get(pk=case.household_id)
        evidence, people = ([], None)
        if case.kind == Kind.EXIT:
            evidence, people = exit_evidence(household, day=today)
        status_change_record(
            household=household,
            status=RESULT_STATUS[case.kind],
            effective_on=today,
            source=StatusChange.Source.WORKFLOW,
            user=user,
            case=case,
            evidence=evidence,
            people=people,
            override_reason=case.override_reason,
            override_by=case.override_by,
            note=f"{case.get_kind_display()} #{case.pk}",
        )
    case.save()
    return case


@transaction.atomic
def workflow_reject(*, case: WorkflowCase, user, reason: str) -> WorkflowCase:
    case = WorkflowCase.objects.select_for_update().get(pk=case.pk)
    step = _require(user, case)
    if not reason.strip():
        raise ValidationError(_("Say why the case is sent back."))
    WorkflowStep.objects.create(
        case=case,
        step=step.key,
        action=WorkflowStep.Action.REJECTED,
        by=user,
        comment=reason.strip(),
    )
    keys = [s.key for s in steps_of(case)]
    case.step = keys[max(keys.index(step.key) - 1, 0)]
    case.save()
    return case


@transaction.atomic
def workflow_bulk_review(*, village, user, comment: str = "") -> int:
    """The township approves, in one step, the exits of a village waiting for its review."""
    cases = (
        WorkflowCase.objects.select_for_update()
        .filter(
            household__village=village,
            kind=Kind.EXIT,
            status=WorkflowCase.Status.OPEN,
            step="township_review",
        )
        .order_by("pk")
    )
    count = 0
    for case in cases:
        workflow_advance(case=case, user=user, comment=comment)
        count += 1
    return count
