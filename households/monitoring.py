"""The monitoring rules, and the steps that remove a household's risk.

Flags: an exited household whose per-capita income of the year is below the monitoring line
is an unstable exited household; a household that suffered a sudden severe hardship in the
last twelve months is a sudden-hardship household. Marginal households (not registered but
near the line) are opened by hand. Removal: verified (cadre or village team) → publicly
noticed (village team) → approved (township staff). A case may instead end in the
household's return to poverty (返贫): proposed with the reason by its cadre, the village team
or the township, approved by the county, and recorded as the household's dated status fact.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from households import policy
from households.models import (
    Hardship,
    Household,
    HouseholdIncome,
    MonitoringCase,
    Pairing,
    PovertyLine,
    StatusChange,
)
from households.services import ensure_editable, status_change_record
from township import figures_cache
from township.access import profile_for
from township.models import StaffProfile
from township.scoping import unscoped

Role = StaffProfile.Role

REMOVAL = {
    MonitoringCase.Status.OPEN: (MonitoringCase.Status.VERIFIED, {Role.CADRE, Role.VILLAGE_TEAM}),
    MonitoringCase.Status.VERIFIED: (MonitoringCase.Status.NOTICED, {Role.VILLAGE_TEAM}),
    MonitoringCase.Status.NOTICED: (MonitoringCase.Status.REMOVED, {Role.TOWNSHIP_STAFF}),
}
RETURN_PROPOSERS = {Role.CADRE, Role.VILLAGE_TEAM, Role.TOWNSHIP_STAFF}
RETURN_DECIDERS = {Role.COUNTY_ADMIN}


@transaction.atomic
def monitoring_refresh(*, today: datetime.date | None = None) -> int:
    """Open a case for every household the rules (``households.policy.monitoring``) flag
    that has none open. Returns how many.

    The sweep looks at every household, whoever's request ran it (a hardship recorded runs
    it at once rather than waiting for the nightly task); it shows nobody what it found."""
    with unscoped("the monitoring sweep looks at every household, as the nightly task does"):
        return _monitoring_refresh(today or timezone.localdate())


def _monitoring_refresh(today: datetime.date) -> int:
    year = policy.monitoring_year(today)
    flagged: dict[int, tuple[str, str]] = {}
    line = PovertyLine.objects.filter(year=year).exclude(monitoring_line__isnull=True).first()
    if line is not None:
        for income in HouseholdIncome.objects.filter(
            year=year, household__status=Household.Status.EXITED
        ).select_related("household"):
            if policy.is_unstable_exit(
                status=income.household.status,
                per_capita=income.per_capita_net_income,
                monitoring_line=line.monitoring_line,
            ):
                flagged[income.household_id] = (
                    MonitoringCase.Category.UNSTABLE,
                    _("Per-capita income %(value)s below the monitoring line %(line)s (%(year)s).")
                    % {
                        "value": income.per_capita_net_income,
                        "line": line.monitoring_line,
                        "year": year,
                    },
                )
    since = today - policy.monitoring.HARDSHIP_WINDOW
    for hardship in (
        Hardship.objects.filter(occurred_on__gte=since, occurred_on__lte=today)
        .select_related("household")
        .order_by("occurred_on")
    ):
        if not policy.is_hardship_case(
            status=hardship.household.status, occurred_on=hardship.occurred_on, day=today
        ):
            continue
        flagged[hardship.household_id] = (
            MonitoringCase.Category.HARDSHIP,
            f"{hardship.get_kind_display()}：{hardship.note}",
        )
    open_ids = set(MonitoringCase.objects.open().values_list("household_id", flat=True))
    cadres = dict(
        Pairing.objects.current()
        .filter(household_id__in=flagged)
        .values_list("household_id", "cadre_id")
    )
    new = [
        MonitoringCase(
            household_id=hid,
            category=category,
            reason=reason[:200],
            opened_on=today,
            cadre_id=cadres.get(hid),
        )
        for hid, (category, reason) in flagged.items()
        if hid not in open_ids
    ]
    MonitoringCase.objects.bulk_create(new)
    if new:
        figures_cache.changed()
    return len(new)


@transaction.atomic
def monitoring_advance(*, case: MonitoringCase, user, measures: str = "") -> MonitoringCase:
    """Move a case one step towards risk removal; only the step's role may."""
    case = MonitoringCase.objects.locked(case)
    if case.status not in REMOVAL:
        raise ValidationError(_("The risk of this household is already removed."))
    next_status, roles = REMOVAL[case.status]
    profile = profile_for(user)
    if not user.is_superuser and (profile is None or profile.role not in roles):
        raise PermissionDenied
    case.status = next_status
    if measures.strip():
        case.measures = (case.measures + "\n" + measures.strip()).strip()
    if next_status == MonitoringCase.Status.REMOVED:
        case.closed_on = timezone.localdate()
    case._history_user = user
    case.save()
    return case


@transaction.atomic
def monitoring_open(*, household: Household, category: str, reason: str, user) -> MonitoringCase:
    """Open a case by hand: for a marginal household, or a flag the rules cannot see."""
    profile = profile_for(user)
    if not user.is_superuser and (
        profile is None
        or profile.role not in {Role.TOWNSHIP_STAFF, Role.VILLAGE_TEAM, Role.COUNTY_ADMIN}
    ):
        raise PermissionDenied
    ensure_editable(household)
    if category not in MonitoringCase.Category.values or not reason.strip():
        raise ValidationError(_("Choose the category and say why the household is monitored."))
    if MonitoringCase.objects.inside(household=household).open().exists():
        raise ValidationError(_("This household is already monitored."))
    cadre = (
        Pairing.objects.inside(household=household)
        .current()
        .values_list("cadre_id", flat=True)
        .first()
    )
    case = MonitoringCase(
        household=household,
        category=category,
        reason=reason.strip()[:200],
        opened_on=timezone.localdate(),
        cadre_id=cadre,
    )
    case._history_user = user
    case.save()
    return case


def has_role(user, roles) -> bool:
    if user.is_superuser:
        return True
    profile = profile_for(user)
    return profile is not None and profile.role in roles


def can_propose_return(user, case: MonitoringCase) -> bool:
    return case.status == MonitoringCase.Status.OPEN and has_role(user, RETURN_PROPOSERS)


def can_decide_return(user, case: MonitoringCase) -> bool:
    return case.status == MonitoringCase.Status.RETURN_PROPOSED and has_role(user, RETURN_DECIDERS)


@transaction.atomic
def return_propose(*, case: MonitoringCase, reason: str, user) -> MonitoringCase:
    """Propose that a monitored household has returned to poverty (返贫), with the reason."""
    case = MonitoringCase.objects.select_related("household").locked(case)
    if not has_role(user, RETURN_PROPOSERS):
        raise PermissionDenied
    if case.status != MonitoringCase.Status.OPEN:
        raise ValidationError(_("Only a monitored household's open case can propose a return."))
    if not policy.may_follow(case.household.status, Household.Status.RETURNED):
        raise ValidationError(
            _("Only a household out of poverty can return to it; identify a new household.")
        )
    if not reason.strip():
        raise ValidationError(_("Say why the household has returned to poverty."))
    case.status = MonitoringCase.Status.RETURN_PROPOSED
    case.return_reason = reason.strip()
    case.return_proposed_by = user
    case._history_user = user
    case.save()
    return case


@transaction.atomic
def return_decide(*, case: MonitoringCase, approve: bool, note: str = "", user) -> MonitoringCase:
    """The county approves a proposed return (the household's status becomes 返贫 today and
    the case closes) or refuses it with a reason (the case stays monitored)."""
    case = MonitoringCase.objects.select_related("household").locked(case)
    if not has_role(user, RETURN_DECIDERS):
        raise PermissionDenied
    if case.status != MonitoringCase.Status.RETURN_PROPOSED:
        raise ValidationError(_("No return to poverty is proposed for this case."))
    today = timezone.localdate()
    case.return_decided_by = user
    if approve:
        status_change_record(
            household=case.household,
            status=Household.Status.RETURNED,
            effective_on=today,
            source=StatusChange.Source.MONITORING,
            user=user,
            note=case.return_reason[:200],
        )
        case.status, case.closed_on = MonitoringCase.Status.RETURNED, today
    else:
        if not note.strip():
            raise ValidationError(_("Say why the return is not approved."))
        case.status = MonitoringCase.Status.OPEN
        case.measures = (case.measures + "\n" + note.strip()).strip()
    case._history_user = user
    case.save()
    return case
