"""Yearly policy data kept in the app: the county's figures (poverty line, monitoring line,
village-exit thresholds and further conditions) and each township's (exit targets, and each
village's rural population, poor-village flag, exit year, collective income and conditions
met). Every write names who made it; the history shows old → new.

The county administrator keeps the county-wide figures; township staff (and the county) keep
a township's; leaders read them. A new year starts from the previous year's values, copied
for the rows the new year does not have yet, once confirmed.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from households.models import PovertyLine
from township.access import Scope, profile_for, scope_for
from township.models import (
    StaffProfile,
    Township,
    TownshipYear,
    Village,
    VillageCriterionCheck,
    VillageExitCriterion,
    VillageYear,
)

Role = StaffProfile.Role
READERS = {Role.COUNTY_ADMIN, Role.LEADER, Role.TOWNSHIP_STAFF}


def _role(user):
    profile = profile_for(user)
    return profile.role if profile else None


def can_read(user) -> bool:
    return user.is_superuser or _role(user) in READERS


def can_keep_county_figures(user) -> bool:
    return user.is_superuser or _role(user) == Role.COUNTY_ADMIN


def can_keep_township(user, township: Township) -> bool:
    """Township staff keep their township's figures; the county those of its townships."""
    if user.is_superuser:
        return True
    scope = scope_for(user)
    if _role(user) == Role.TOWNSHIP_STAFF:
        return scope.township_id == township.pk
    if _role(user) == Role.COUNTY_ADMIN:
        return scope.county_id == township.county_id
    return False


def _save(obj, user, reason: str = "") -> None:
    obj.full_clean()
    obj._history_user = user
    if reason:
        obj._change_reason = reason
    obj.save()


@transaction.atomic
def poverty_line_save(
    *,
    user,
    year: int,
    amount: Decimal,
    monitoring_line: Decimal | None,
    exit_incidence_threshold: Decimal,
    village_collective_income: Decimal,
    note: str = "",
) -> PovertyLine:
    if not can_keep_county_figures(user):
        raise PermissionDenied
    line = PovertyLine.objects.select_for_update().filter(year=year).first() or PovertyLine(
        year=year
    )
    line.amount, line.monitoring_line = amount, monitoring_line
    line.exit_incidence_threshold = exit_incidence_threshold
    line.village_collective_income = village_collective_income
    line.note = note
    _save(line, user)
    return line


@transaction.atomic
def village_criterion_add(*, user, year: int, name: str) -> VillageExitCriterion:
    """A further condition of village exit in ``year`` (a hardened road, a clinic …)."""
    if not can_keep_county_figures(user):
        raise PermissionDenied
    name = name.strip()
    if not name:
        raise ValidationError(_("Name the condition."))
    if VillageExitCriterion.objects.filter(year=year, name=name).exists():
        raise ValidationError(_("This condition is already kept for the year."))
    order = VillageExitCriterion.objects.filter(year=year).count()
    criterion = VillageExitCriterion(year=year, name=name, order=order)
    _save(criterion, user)
    return criterion


@transaction.atomic
def township_year_save(
    *, user, township: Township, year: int, exit_target: int, exit_target_people: int | None
) -> TownshipYear:
    if not can_keep_township(user, township):
        raise PermissionDenied
    target = TownshipYear.objects.select_for_update().filter(
        township=township, year=year
    ).first() or TownshipYear(township=township, year=year)
    if target.pk and (target.exit_target, target.exit_target_people) == (
        exit_target,
        exit_target_people,
    ):
        return target
    target.exit_target, target.exit_target_people = exit_target, exit_target_people
    _save(target, user)
    return target


@transaction.atomic
def village_year_save(
    *,
    user,
    village: Village,
    year: int,
    rural_population: int | None,
    is_poor_village: bool,
    exit_year: int | None,
    collective_income: Decimal | None,
) -> VillageYear:
    """A village's figures of ``year``; unchanged figures write nothing."""
    if not can_keep_township(user, village.township):
        raise PermissionDenied
    figures = VillageYear.objects.select_for_update().filter(
        village=village, year=year
    ).first() or VillageYear(village=village, year=year)
    values = {
        "rural_population": rural_population,
        "is_poor_village": is_poor_village,
        "exit_year": exit_year,
        "collective_income": collective_income,
    }
    if figures.pk and all(getattr(figures, k) == v for k, v in values.items()):
        return figures
    for name, value in values.items():
        setattr(figures, name, value)
    _save(figures, user)
    return figures


@transaction.atomic
def village_check_save(
    *, user, village: Village, criterion: VillageExitCriterion, met: bool, note: str = ""
) -> VillageCriterionCheck:
    if not can_keep_township(user, village.township):
        raise PermissionDenied
    check = VillageCriterionCheck.objects.select_for_update().filter(
        village=village, criterion=criterion
    ).first() or VillageCriterionCheck(village=village, criterion=criterion)
    if check.pk and (check.met, check.note) == (met, note):
        return check
    check.met, check.note = met, note
    _save(check, user)
    return check


@dataclass
class YearStart:
    """What starting ``year`` from ``year - 1`` copies: only rows the new year lacks."""

    year: int
    line: PovertyLine | None = None
    criteria: list = field(default_factory=list)
    targets: list = field(default_factory=list)
    villages: list = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.line or self.criteria or self.targets or self.villages)


def townships_kept_by(user):
    """The townships whose figures ``user`` keeps."""
    townships = Township.objects.visible_to(user).order_by("code")
    if scope_for(user).level == Scope.Level.CADRE:
        return townships.none()
    return [t for t in townships if can_keep_township(user, t)]


def year_start_plan(*, user, year: int) -> YearStart:
    """The previous year's values the new year would start from, for ``user``'s figures."""
    plan = YearStart(year)
    previous = year - 1
    if can_keep_county_figures(user):
        if not PovertyLine.objects.filter(year=year).exists():
            plan.line = PovertyLine.objects.filter(year=previous).first()
        names = set(VillageExitCriterion.objects.filter(year=year).values_list("name", flat=True))
        plan.criteria = [
            c
            for c in VillageExitCriterion.objects.filter(year=previous).order_by("order", "name")
            if c.name not in names
        ]
    townships = townships_kept_by(user)
    have = set(
        TownshipYear.objects.filter(township__in=townships, year=year).values_list(
            "township_id", flat=True
        )
    )
    plan.targets = list(
        TownshipYear.objects.filter(township__in=townships, year=previous)
        .exclude(township_id__in=have)
        .select_related("township")
        .order_by("township__code")
    )
    have = set(
        VillageYear.objects.filter(village__township__in=townships, year=year).values_list(
            "village_id", flat=True
        )
    )
    plan.villages = list(
        VillageYear.objects.filter(village__township__in=townships, year=previous)
        .exclude(village_id__in=have)
        .select_related("village__township")
        .order_by("village__code")
    )
    return plan


@transaction.atomic
def year_start(*, user, year: int) -> YearStart:
    """Start ``year`` from the previous year's values (confirmed on the year-start page)."""
    if not (can_keep_county_figures(user) or townships_kept_by(user)):
        raise PermissionDenied
    plan = year_start_plan(user=user, year=year)
    reason = f"{year - 1} → {year}"
    if plan.line is not None:
        old = plan.line
        line = PovertyLine(
            year=year,
            amount=old.amount,
            monitoring_line=old.monitoring_line,
            exit_incidence_threshold=old.exit_incidence_threshold,
            village_collective_income=old.village_collective_income,
            note=old.note,
        )
        _save(line, user, reason)
    for old in plan.criteria:
        _save(VillageExitCriterion(year=year, name=old.name, order=old.order), user, reason)
    for old in plan.targets:
        _save(
            TownshipYear(
                township=old.township,
                year=year,
                exit_target=old.exit_target,
                exit_target_people=old.exit_target_people,
            ),
            user,
            reason,
        )
    for old in plan.villages:
        _save(
            VillageYear(
                village=old.village,
                year=year,
                rural_population=old.rural_population,
                is_poor_village=old.is_poor_village,
                exit_year=old.exit_year,
                collective_income=old.collective_income,
            ),
            user,
            reason,
        )
    return plan
