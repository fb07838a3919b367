"""The steps of identification and exit, who owns each, and the one way to move a case.

Each step is allowed only to the role that owns it and only when the case is at it; rejection
needs a reason and sends the case back one step. The last step changes the household's status.

Public notices (公示) follow the server's clock, never a typed date: a notice is posted on the
day it is recorded as posted and stays up ``BANGFU_NOTICE_DAYS``; the step after it opens
only once that period has passed and every objection received during it is answered. A
posting date may be corrected to a later day (the board went up late), with a reason, and
the correction is recorded; it can never be moved earlier.
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
from households.models import (
    Household,
    NoticeCorrection,
    NoticeObjection,
    PovertyLine,
    StatusChange,
    WorkflowCase,
    WorkflowStep,
)
from households.services import ensure_editable, exit_evidence, status_change_record
from township.access import profile_for
from township.models import StaffProfile

Kind = WorkflowCase.Kind
Role = StaffProfile.Role


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    roles: frozenset
    document: bool = False
    notice: bool = False
    appraisal: bool = False

    @property
    def data_keys(self) -> frozenset:
        """The step data this step records (the rest of a posted form is ignored)."""
        if self.appraisal:
            return frozenset({"date", "attendance", "result"})
        if self.notice:
            return frozenset({"posted_from", "posted_until"})
        return frozenset()


EXIT = [
    Step(
        "assessment",
        _("Assessment by the village committee and work team"),
        frozenset({Role.VILLAGE_TEAM, Role.CADRE}),
    ),
    Step(
        "appraisal",
        _("Village democratic appraisal"),
        frozenset({Role.VILLAGE_TEAM}),
        appraisal=True,
    ),
    Step("notice", _("Public notice in the village"), frozenset({Role.VILLAGE_TEAM}), notice=True),
    Step(
        "confirmation",
        _("Household's signed confirmation letter"),
        frozenset({Role.VILLAGE_TEAM, Role.CADRE}),
        document=True,
    ),
    Step("township_review", _("Township review"), frozenset({Role.TOWNSHIP_STAFF})),
    Step("county_approval", _("County approval"), frozenset({Role.COUNTY_ADMIN})),
    Step("announcement", _("Announcement and deregistration"), frozenset({Role.TOWNSHIP_STAFF})),
]
IDENTIFICATION = [
    Step("application", _("Household's application"), frozenset({Role.VILLAGE_TEAM})),
    Step(
        "appraisal",
        _("Village democratic appraisal"),
        frozenset({Role.VILLAGE_TEAM}),
        appraisal=True,
    ),
    Step(
        "notice",
        _("First public notice, in the village"),
        frozenset({Role.VILLAGE_TEAM}),
        notice=True,
    ),
    Step("township_review", _("Township review"), frozenset({Role.TOWNSHIP_STAFF})),
    Step(
        "second_notice",
        _("Second public notice, by the township"),
        frozenset({Role.TOWNSHIP_STAFF}),
        notice=True,
    ),
    Step("county_approval", _("County approval"), frozenset({Role.COUNTY_ADMIN})),
    Step("announcement", _("Announcement"), frozenset({Role.TOWNSHIP_STAFF})),
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
        stable_years=dict(PovertyLine.objects.values_list("year", "stable_years")),
    )


@transaction.atomic
def workflow_start(
    *, household: Household, kind: str, user, override_reason: str = ""
) -> WorkflowCase:
    household = Household.objects.locked(household)
    ensure_editable(household)
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
        if role != Role.LEADER and not user.is_superuser:
            raise PermissionDenied
    elif override_reason:
        raise ValidationError(
            _("An override is only for a household that does not meet the criteria.")
        )
    elif not user.is_superuser and role not in first.roles:
        raise PermissionDenied
    if (
        WorkflowCase.objects.inside(household=household)
        .filter(kind=kind, status=WorkflowCase.Status.OPEN)
        .exists()
    ):
        raise ValidationError(_("This household already has an open case of this kind."))
    return WorkflowCase.objects.create(
        household=household,
        kind=kind,
        step=first.key,
        started_by=user,
        override_reason=override_reason,
        override_by=user if override_reason else None,
    )


@dataclass(frozen=True)
class Notice:
    """A notice a case has posted and now waits on: its step record and its period."""

    step: Step
    record: WorkflowStep
    posted_from: datetime.date
    posted_until: datetime.date

    def is_over(self, today: datetime.date) -> bool:
        return today > self.posted_until

    def is_up(self, today: datetime.date) -> bool:
        return self.posted_from <= today <= self.posted_until


def notice_period(posted_from: datetime.date) -> datetime.date:
    """The last day a notice posted on ``posted_from`` stays up."""
    return posted_from + datetime.timedelta(days=settings.BANGFU_NOTICE_DAYS)


def posted_notice(case: WorkflowCase) -> Notice | None:
    """The notice an open case waits on: the case is at the step right after a notice."""
    if case.status != WorkflowCase.Status.OPEN:
        return None
    steps = steps_of(case)
    index = [s.key for s in steps].index(case.step)
    if index == 0 or not steps[index - 1].notice:
        return None
    record = (
        case.steps.filter(step=steps[index - 1].key, action=WorkflowStep.Action.DONE)
        .order_by("-at", "-pk")
        .first()
    )
    if record is None or "posted_from" not in record.data:
        return None
    return Notice(
        steps[index - 1],
        record,
        datetime.date.fromisoformat(record.data["posted_from"]),
        datetime.date.fromisoformat(record.data["posted_until"]),
    )


def _notice_over(case: WorkflowCase, today: datetime.date) -> None:
    """Refuse to move past a public notice before its period is over by the server's clock,
    or while an objection received during it is unanswered."""
    notice = posted_notice(case)
    if notice is None:
        return
    if not notice.is_over(today):
        raise ValidationError(
            _("The public notice is posted until %(date)s: wait until it is over.")
            % {"date": notice.posted_until}
        )
    if case.objections.filter(step=notice.step.key, resolution="").exists():
        raise ValidationError(
            _("An objection to the notice is not answered yet: record the answer first.")
        )


# The roles that post notices (village teams, the township) record objections and corrections.
NOTICE_KEEPERS = frozenset({Role.VILLAGE_TEAM, Role.TOWNSHIP_STAFF})


def may_keep_notices(user) -> bool:
    if user.is_superuser:
        return True
    profile = profile_for(user)
    return profile is not None and profile.role in NOTICE_KEEPERS


def can_keep_notice(user, case: WorkflowCase) -> bool:
    """Who records objections and corrections of a posted notice: the roles that post it,
    and the township office."""
    notice = posted_notice(case)
    if notice is None:
        return False
    if user.is_superuser:
        return True
    profile = profile_for(user)
    return profile is not None and (
        profile.role in notice.step.roles or profile.role == Role.TOWNSHIP_STAFF
    )


def _require_notice(user, case: WorkflowCase) -> Notice:
    notice = posted_notice(case)
    if notice is None:
        raise ValidationError(_("This case is not waiting on a posted notice."))
    if not can_keep_notice(user, case):
        raise PermissionDenied
    return notice


@transaction.atomic
def notice_correct(
    *, case: WorkflowCase, posted_from: datetime.date, reason: str, user
) -> NoticeCorrection:
    """Correct the day a notice went up: later than recorded (never earlier), not after
    today, with a reason; the period runs again from the corrected day."""
    case = WorkflowCase.objects.locked(case)
    notice = _require_notice(user, case)
    today = timezone.localdate()
    if not reason.strip():
        raise ValidationError(_("Say why the posting date is corrected."))
    if posted_from < notice.posted_from:
        raise ValidationError(
            _("A notice cannot be backdated: it was recorded as posted on %(date)s.")
            % {"date": notice.posted_from}
        )
    if posted_from > today:
        raise ValidationError(_("A notice cannot be posted in the future."))
    record = notice.record
    correction = NoticeCorrection.objects.create(
        step=record,
        posted_from_before=notice.posted_from,
        posted_from=posted_from,
        reason=reason.strip(),
        by=user,
    )
    record.data = {
        **record.data,
        "posted_from": posted_from.isoformat(),
        "posted_until": notice_period(posted_from).isoformat(),
    }
    record.save(update_fields=["data"])
    return correction


@transaction.atomic
def objection_record(
    *, case: WorkflowCase, content: str, objector: str = "", user
) -> NoticeObjection:
    """Record an objection received today, while the notice is up."""
    case = WorkflowCase.objects.locked(case)
    notice = _require_notice(user, case)
    today = timezone.localdate()
    if not notice.is_up(today):
        raise ValidationError(
            _("Objections are received while the notice is up (%(start)s – %(end)s).")
            % {"start": notice.posted_from, "end": notice.posted_until}
        )
    if not content.strip():
        raise ValidationError(_("Write down the objection."))
    objection = NoticeObjection(
        case=case,
        step=notice.step.key,
        received_on=today,
        objector=objector.strip()[:100],
        content=content.strip(),
        recorded_by=user,
    )
    objection._history_user = user
    objection.save()
    return objection


@transaction.atomic
def objection_resolve(*, objection: NoticeObjection, resolution: str, user) -> NoticeObjection:
    """Record how an objection was answered (checked, explained, or the case sent back)."""
    objection = NoticeObjection.objects.select_for_update().get(pk=objection.pk)
    if not objection.is_open:
        raise ValidationError(_("This objection is already answered."))
    case = objection.case
    if not user.is_superuser:
        profile = profile_for(user)
        roles = {Role.TOWNSHIP_STAFF} | {
            r for s in steps_of(case) if s.key == objection.step for r in s.roles
        }
        if profile is None or profile.role not in roles:
            raise PermissionDenied
    if not resolution.strip():
        raise ValidationError(_("Write down how the objection was answered."))
    objection.resolution = resolution.strip()
    objection.resolved_by = user
    objection.resolved_at = timezone.now()
    objection._history_user = user
    objection.save()
    return objection


@transaction.atomic
def workflow_advance(
    *,
    case: WorkflowCase,
    user,
    comment: str = "",
    document: UploadedFile | None = None,
    data: dict | None = None,
) -> WorkflowCase:
    """Record the case's next step as done today (the server's date)."""
    # Race: two people completing the same step at once; the row lock lets one win.
    case = WorkflowCase.objects.locked(case)
    step = _require(user, case)
    today = timezone.localdate()
    _notice_over(case, today)
    # Only what the step records is kept: a date sent at any other step is ignored.
    data = {k: v for k, v in (data or {}).items() if k in step.data_keys}
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
        data = {
            "date": str(data["date"]),
            "attendance": data["attendance"],
            "result": data["result"],
        }
    if step.notice:
        # Recorded as posted today: the period is the server's, never a typed date.
        data = {"posted_from": today.isoformat(), "posted_until": notice_period(today).isoformat()}
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
        household = Household.objects.inside(workflow_cases=case).get()
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
    case = WorkflowCase.objects.locked(case)
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
        WorkflowCase.objects.visible_to(user)
        .select_for_update()
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
