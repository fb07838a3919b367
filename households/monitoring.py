"""The monitoring rules, and the steps that remove a household's risk.

Flags: an exited household whose per-capita income of the year is below the monitoring line
is an unstable exited household; a household that suffered a sudden severe hardship in the
last twelve months is a sudden-hardship household. Marginal households (not registered but
near the line) are opened by hand. Removal: verified (cadre or village team) → publicly
noticed (village team) → approved (township staff).
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
)
from township.access import profile_for

REMOVAL = {
    MonitoringCase.Status.OPEN: (MonitoringCase.Status.VERIFIED, {"cadre", "village_team"}),
    MonitoringCase.Status.VERIFIED: (MonitoringCase.Status.NOTICED, {"village_team"}),
    MonitoringCase.Status.NOTICED: (MonitoringCase.Status.REMOVED, {"township_staff"}),
}


@transaction.atomic
def monitoring_refresh(*, today: datetime.date | None = None) -> int:
    """Open a case for every household the rules (``households.policy.monitoring``) flag
    that has none open. Returns how many."""
    today = today or timezone.localdate()
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
    open_ids = set(
        MonitoringCase.objects.exclude(status=MonitoringCase.Status.REMOVED).values_list(
            "household_id", flat=True
        )
    )
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
    return len(new)


@transaction.atomic
def monitoring_advance(*, case: MonitoringCase, user, measures: str = "") -> MonitoringCase:
    """Move a case one step towards risk removal; only the step's role may."""
    case = MonitoringCase.objects.select_for_update().get(pk=case.pk)
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
        profile is None or profile.role not in {"township_staff", "village_team", "county_admin"}
    ):
        raise PermissionDenied
    if category not in MonitoringCase.Category.values or not reason.strip():
        raise ValidationError(_("Choose the category and say why the household is monitored."))
    if (
        MonitoringCase.objects.filter(household=household)
        .exclude(status=MonitoringCase.Status.REMOVED)
        .exists()
    ):
        raise ValidationError(_("This household is already monitored."))
    cadre = (
        Pairing.objects.current()
        .filter(household=household)
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
