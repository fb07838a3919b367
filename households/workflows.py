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

from households.eligibility import exit_eligibility, is_eligible
from households.models import Household, PovertyLine, WorkflowCase, WorkflowStep
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
    Kind.EXIT: {Household.Status.POOR, Household.Status.RETURNED},
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


def eligibility_of(household: Household):
    incomes = list(household.incomes.all())
    lines = {
        line.year: line for line in PovertyLine.objects.filter(year__in=[i.year for i in incomes])
    }
    return exit_eligibility(
        household, members=list(household.members.all()), incomes=incomes, lines=lines
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
    if kind == Kind.EXIT and not is_eligible(eligibility_of(household)):
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
        case.status, case.finished_at = WorkflowCase.Status.COMPLETED, timezone.now()
        household = Household.objects.select_for_update().get(pk=case.household_id)
        household.status = RESULT_STATUS[case.kind]
        household.version += 1
        household._history_user = user
        household._change_reason = f"{case.get_kind_display()} #{case.pk}"
        household.save()
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
