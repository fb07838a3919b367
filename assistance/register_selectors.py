"""Reads of the thematic registers for their pages, exports, the card and the reports.

Each list goes through the record's ``visible_to(user)`` and states money paid from the
ledger (``assistance.ledger.paid_by_item``), so a register never keeps a second account.
"""

import datetime
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from assistance import ledger
from assistance.models import (
    DividendContract,
    DividendPayment,
    Enterprise,
    HealthRelief,
    HousingRenovation,
    PlanItem,
    RainDewStudent,
    TrainingAttendance,
    TrainingSession,
)
from households.models import Household, Member

ZERO = Decimal("0.00")

# The measure kinds (``MeasureKind.code``) whose plan items each register's records answer.
ITEM_KINDS = {
    "renovation": "housing",
    "rain_dew": "education",
    "training": "training",
    "dividends": "dividends",
    "relief": "health",
}


def items_for(user, register: str, *, year: int | None = None) -> QuerySet:
    """Plan items in the user's scope a new record of ``register`` may be linked to."""
    qs = PlanItem.objects.visible_to(user).exclude(status=PlanItem.Status.CANCELLED)
    if register in ITEM_KINDS:
        qs = qs.filter(kind__code=ITEM_KINDS[register])
    if year:
        qs = qs.filter(plan__year__in=[year - 1, year])
    return qs.select_related("plan__household__village", "kind").order_by(
        "-plan__year", "plan__household__card_number", "pk"
    )


# How many items a plan-item field offers before a search narrows them.
ITEMS_SHOWN = 20


def item_choices(items: QuerySet, chosen) -> list[tuple]:
    """What a plan-item field's select starts with: the empty choice, the chosen item (when it
    is one of ``items``) and the first few."""
    choices = [(item.pk, item_label(item)) for item in items[:ITEMS_SHOWN]]
    chosen = str(getattr(chosen, "pk", chosen) or "")
    if chosen.isdigit() and len(chosen) < 19 and chosen not in {str(pk) for pk, _ in choices}:
        item = items.filter(pk=chosen).first()
        if item is not None:
            choices.insert(0, (item.pk, item_label(item)))
    return [("", "---------"), *choices]


def item_options(items: QuerySet, q: str) -> list[tuple[int, str]]:
    """The first of ``items`` whose household's head, village or card number, or whose
    description, contains ``q``: what the search of a plan-item field offers."""
    if q:
        items = items.filter(
            Q(plan__household__head_name__contains=q)
            | Q(plan__household__village__name__contains=q)
            | Q(plan__household__card_number__startswith=q)
            | Q(description__contains=q)
        )
    return [(item.pk, item_label(item)) for item in items[:ITEMS_SHOWN]]


def item_label(item: PlanItem) -> str:
    hh = item.plan.household
    parts = [str(item.plan.year), hh.head_name, hh.village.name, hh.card_number, item.description]
    return " · ".join(p for p in parts if p)


def member_by_id_number(households: QuerySet, id_number: str) -> Member | None:
    return (
        Member.objects.inside(household__in=households)
        .filter(id_number=id_number.strip().upper(), is_active=True)
        .select_related("household__village")
        .first()
    )


def _with_paid(rows: list, *, until: datetime.date | None = None) -> list:
    paid = ledger.paid_by_item([r.plan_item_id for r in rows if r.plan_item_id], until=until)
    for row in rows:
        row.paid = paid.get(row.plan_item_id, ZERO)
    return rows


def _filtered(qs, *, village=None, year=None, year_field="year"):
    if village is not None:
        qs = qs.filter(household__village=village)
    if year:
        qs = qs.filter(**{year_field: year})
    return qs


def renovations_for_list(user, *, village=None, year=None, status: str = "") -> list:
    qs = _filtered(HousingRenovation.objects.visible_to(user), village=village, year=year)
    if status == "accepted":
        qs = qs.filter(accepted_on__isnull=False)
    elif status == "started":
        qs = qs.filter(started_on__isnull=False, accepted_on__isnull=True)
    elif status == "approved":
        qs = qs.filter(started_on__isnull=True)
    rows = list(
        qs.select_related("household__village").order_by(
            "-year", "household__village__code", "household__card_number"
        )
    )
    return _with_paid(rows)


def students_for_list(user, *, village=None, year=None, level: str = "") -> list:
    qs = _filtered(
        RainDewStudent.objects.visible_to(user),
        village=village,
        year=year,
        year_field="school_year",
    )
    if level:
        qs = qs.filter(level=level)
    rows = list(
        qs.select_related("household__village", "member").order_by(
            "-school_year", "household__village__code", "household__card_number"
        )
    )
    return _with_paid(rows)


def reliefs_for_list(user, *, village=None, year=None) -> list:
    qs = _filtered(HealthRelief.objects.visible_to(user), village=village, year=year)
    rows = list(
        qs.select_related("household__village", "member").order_by(
            "-year", "household__village__code", "admitted_on"
        )
    )
    return _with_paid(rows)


def trainings_for_list(user, *, village=None, year=None) -> list:
    qs = TrainingSession.objects.visible_to(user)
    if village is not None:
        qs = qs.filter(Q(village=village) | Q(attendances__household__village=village)).distinct()
    if year:
        qs = qs.filter(starts_on__year=year)
    transferred = Q(attendances__outcome__in=TrainingAttendance.TRANSFERRED)
    return list(
        qs.select_related("village")
        .annotate(
            trainees=Count("attendances", distinct=True),
            completed=Count("attendances", filter=Q(attendances__completed=True), distinct=True),
            transferred=Count("attendances", filter=transferred, distinct=True),
        )
        .order_by("-starts_on", "pk")
    )


def attendances_for(session: TrainingSession, user) -> list:
    """A session's trainees the user may see (a cadre sees only their own households')."""
    return list(
        session.attendances.filter(household__in=Household.objects.visible_to(user))
        .select_related("household__village", "member")
        .order_by("household__village__code", "household__card_number", "pk")
    )


def contracts_for_list(user, *, village=None, year=None, enterprise=None) -> list:
    qs = _filtered(DividendContract.objects.visible_to(user), village=village)
    if year:
        qs = qs.filter(start_year__lte=year, end_year__gte=year)
    if enterprise is not None:
        qs = qs.filter(enterprise=enterprise)
    paid_filter = Q(payments__year=year) if year else Q()
    return list(
        qs.select_related("enterprise", "household__village")
        .annotate(paid=Sum("payments__amount", filter=paid_filter))
        .order_by("enterprise__name", "household__village__code", "household__card_number")
    )


def enterprises_for_list(user) -> list:
    return list(
        Enterprise.objects.visible_to(user)
        .annotate(
            n_contracts=Count("contracts", distinct=True),
            paid=Sum("contracts__payments__amount"),
        )
        .order_by("name")
    )


def for_card(household: Household) -> dict:
    """The household's records in every register, for the archive card."""
    return {
        "renovations": list(household.renovations.order_by("-year")),
        "students": list(
            household.rain_dew_students.select_related("member").order_by("-school_year")
        ),
        "trainings": list(
            household.trainings.select_related("session", "member").order_by("-session__starts_on")
        ),
        "contracts": list(
            household.dividend_contracts.select_related("enterprise")
            .annotate(paid=Sum("payments__amount"))
            .order_by("-start_year")
        ),
        "reliefs": list(household.health_reliefs.select_related("member").order_by("-admitted_on")),
        "loans": list(household.loans.order_by("-disbursed_on")),
    }


def payments_of(contract: DividendContract) -> list[DividendPayment]:
    return list(contract.payments.select_related("recorded_by").order_by("-year", "-paid_on"))
