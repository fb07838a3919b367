"""Reads of plans, pairings, projects, loans and funds shared by pages and reports."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DecimalField, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from assistance import ledger, scoping
from assistance.models import (
    AssistancePlan,
    Fund,
    LedgerEntry,
    Loan,
    MeasureKind,
    PlanItem,
    Project,
    Repayment,
)
from households import policy
from households.models import Household, Member, Pairing
from township.access import profile_for
from township.models import StaffProfile

ZERO = Decimal("0.00")
Kind = LedgerEntry.Kind


# Plans -----------------------------------------------------------------------------


@dataclass
class PlanProgress:
    done: int = 0
    due: int = 0
    overdue: int = 0
    cancelled: int = 0
    planned: Decimal = ZERO
    delivered: Decimal = ZERO
    items: list = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.done + self.due + self.overdue + self.cancelled


def _with_delivered(items: QuerySet) -> QuerySet:
    return items.annotate(
        delivered=Coalesce(Sum("deliveries__amount"), ZERO, output_field=DecimalField())
    ).order_by("due_date", "pk")


def _progress(items: list[PlanItem], today: datetime.date) -> PlanProgress:
    """Items done / due / overdue / cancelled and amounts planned against delivered."""
    progress = PlanProgress(items=items)
    for item in items:
        item.delivered = item.delivered.quantize(ZERO)  # SQLite drops the scale of sums
        item.overdue = item.is_overdue(today)
        if item.status == PlanItem.Status.DONE:
            progress.done += 1
        elif item.status == PlanItem.Status.CANCELLED:
            progress.cancelled += 1
        elif item.overdue:
            progress.overdue += 1
        else:
            progress.due += 1
        if item.status != PlanItem.Status.CANCELLED:
            progress.planned += item.planned_amount
        progress.delivered += item.delivered
    return progress


def plan_progress(plan: AssistancePlan, *, today: datetime.date | None = None) -> PlanProgress:
    """A plan's items (with what each needs to be shown) and their progress."""
    today = today or datetime.date.today()
    items = list(_with_delivered(plan.items.select_related("kind", "responsible")))
    return _progress(items, today)


# What the progress of an item is counted from (``_progress``, ``PlanItem.is_overdue``).
PROGRESS_FIELDS = ("plan_id", "status", "closed_on", "due_date", "planned_amount")


def plans_for_card(
    household: Household, *, today: datetime.date | None = None
) -> list[tuple[AssistancePlan, PlanProgress]]:
    """The household's plans, latest first, each with its progress: the items of all of
    them read in one query, whatever the number of plans."""
    today = today or datetime.date.today()
    plans = list(household.plans.select_related("cadre").order_by("-year"))
    items: dict[int, list[PlanItem]] = {plan.pk: [] for plan in plans}
    rows = _with_delivered(PlanItem.objects.inside(plan__in=plans).only(*PROGRESS_FIELDS))
    for item in rows if plans else []:
        items[item.plan_id].append(item)
    return [(plan, _progress(items[plan.pk], today)) for plan in plans]


def suggested_kinds(household: Household) -> list[MeasureKind]:
    """Measures that answer the household's causes of poverty, main cause first."""
    causes = list(household.causes.order_by("-is_main").values_list("cause", flat=True))
    if not causes:
        return []
    kinds = (
        MeasureKind.objects.filter(is_active=True, causes__cause__in=causes)
        .distinct()
        .order_by("order")
    )
    main = set(MeasureKind.objects.filter(causes__cause=causes[0]).values_list("pk", flat=True))
    return sorted(kinds, key=lambda k: (k.pk not in main, k.order))


def items_due_by_household(user, *, today: datetime.date | None = None) -> dict[int, int]:
    """For "my households": open items of this year per household, overdue or due."""
    today = today or datetime.date.today()
    rows = (
        PlanItem.objects.visible_to(user)
        .filter(status=PlanItem.Status.OPEN, plan__year=today.year)
        .values("plan__household_id")
        .annotate(n=Count("pk"))
    )
    return {r["plan__household_id"]: r["n"] for r in rows}


def plan_items_due(user, *, today: datetime.date, ahead_days: int = 30) -> QuerySet:
    """Open plan items due within ``ahead_days`` (or overdue) that wait for ``user``: a
    cadre's own items; every item in scope for the village team and the township office."""
    profile = profile_for(user)
    role = profile.role if profile else None
    Role = StaffProfile.Role
    if not user.is_superuser and role not in {Role.CADRE, Role.VILLAGE_TEAM, Role.TOWNSHIP_STAFF}:
        return PlanItem.objects.none()
    items = PlanItem.objects.visible_to(user).filter(
        status=PlanItem.Status.OPEN, due_date__lte=today + datetime.timedelta(days=ahead_days)
    )
    return items.filter(responsible=profile) if role == Role.CADRE else items


# Pairings ---------------------------------------------------------------------------


def cadre_workload(
    user, cadres: list[StaffProfile], *, today: datetime.date | None = None
) -> list[StaffProfile]:
    """``cadres`` (a page of the cadres in scope) each with the households paired with them
    now and how many of those are overdue a visit: one GROUP BY over their pairings."""
    today = today or datetime.date.today()
    since = policy.visit_due_since(today)
    counts = {
        row["cadre_id"]: row
        for row in Pairing.objects.visible_to(user)
        .current()
        .filter(cadre_id__in=[c.pk for c in cadres])
        .values("cadre_id")
        .annotate(
            households=Count("pk"),
            overdue=Count(
                "pk",
                filter=Q(household__last_visit_on__isnull=True)
                | Q(household__last_visit_on__lt=since),
            ),
        )
        .order_by()
    }
    for cadre in cadres:
        row = counts.get(cadre.pk, {})
        cadre.households, cadre.overdue = row.get("households", 0), row.get("overdue", 0)
    return cadres


def cadres_for_workload(user, *, q: str = "", township=None) -> QuerySet:
    """The cadres in scope for the workload page, by name; found by name, username or phone."""
    cadres = scoping.cadres_for(user).select_related("township")
    if township is not None:
        cadres = cadres.filter(township=township)
    if q:
        cadres = cadres.filter(
            Q(name__icontains=q) | Q(user__username__icontains=q) | Q(phone__startswith=q)
        )
    return cadres.order_by("name", "pk")


# Funds ------------------------------------------------------------------------------


def funds_for_list(user) -> QuerySet:
    """The user's funds, the latest year first: paged, then given their sums
    (``with_balances``) a page at a time."""
    return Fund.objects.visible_to(user).select_related("township").order_by("-year", "name", "pk")


def with_balances(funds) -> list[Fund]:
    """``funds`` (a page of them), each with what it received, allocated and disbursed
    (reversals netted), what is unallocated and what is in hand: the ledger's balances
    (``ledger.balance_sums``) of those funds only, in one query."""
    funds = list(funds)
    sums = {
        row["pk"]: row
        for row in Fund.objects.inside(pk__in=funds)
        .values("pk")
        .annotate(**ledger.balance_sums("entries__"))
    }
    for fund in funds:
        balance = ledger.balance_of(sums[fund.pk])
        fund.received, fund.allocated, fund.disbursed = (
            balance.received,
            balance.allocated,
            balance.disbursed,
        )
        fund.unallocated, fund.in_hand = balance.unallocated, balance.in_hand
    return funds


@dataclass
class ReconciliationRow:
    """One entry of a period: its amount in the column of its kind, and what it did to the
    balance being reconciled (+1 raised it, −1 lowered it, 0 left it)."""

    entry: LedgerEntry
    effect: int

    @property
    def column(self) -> str:
        return self.entry.kind


@dataclass
class Reconciliation:
    """opening + increases − decreases = closing, with every entry of the period.

    ``increase_kind`` and ``decrease_kind`` are the entries that move the balance (for a
    fund's money in hand: receipts and disbursements); their reversals move it back and are
    netted into the same figures, and every kind is also totalled in its own column.
    """

    start: datetime.date
    end: datetime.date
    increase_kind: str
    decrease_kind: str
    opening: Decimal
    totals: dict  # kind → gross sum in the period; "reversal:<kind>" → reversals of that kind
    rows: list

    def _net(self, kind: str) -> Decimal:
        return self.totals.get(kind, ZERO) - self.totals.get(f"reversal:{kind}", ZERO)

    @property
    def increases(self) -> Decimal:
        return self._net(self.increase_kind)

    @property
    def decreases(self) -> Decimal:
        return self._net(self.decrease_kind)

    @property
    def net_change(self) -> Decimal:
        return self.increases - self.decreases

    @property
    def closing(self) -> Decimal:
        return self.opening + self.net_change

    def column_total(self, kind: str) -> Decimal:
        return self.totals.get(kind, ZERO)

    @property
    def reversals(self) -> Decimal:
        return sum((v for k, v in self.totals.items() if k.startswith("reversal:")), ZERO)


def _effect(entry: LedgerEntry, increase_kind: str, decrease_kind: str) -> int:
    kind, sign = entry.kind, 1
    if kind == Kind.REVERSAL:
        kind, sign = entry.reverses.kind, -1
    if kind == increase_kind:
        return sign
    if kind == decrease_kind:
        return -sign
    return 0


def _reconcile(entries, increase_kind, decrease_kind, start, end) -> Reconciliation:
    opening, totals, rows = ZERO, {}, []
    # What the rows show: the reversed entry, who recorded it, the project and allocation.
    for entry in entries.select_related(
        "reverses", "recorded_by__profile", "project", "allocation"
    ).order_by("entry_date", "pk"):
        effect = _effect(entry, increase_kind, decrease_kind)
        if entry.entry_date < start:
            opening += effect * entry.amount
            continue
        if entry.entry_date > end:
            continue
        key = entry.kind if entry.kind != Kind.REVERSAL else f"reversal:{entry.reverses.kind}"
        totals[key] = totals.get(key, ZERO) + entry.amount
        rows.append(ReconciliationRow(entry, effect))
    return Reconciliation(start, end, increase_kind, decrease_kind, opening, totals, rows)


def fund_reconciliation(fund: Fund, start: datetime.date, end: datetime.date) -> Reconciliation:
    """Money in hand: receipts in, disbursements out (allocations earmark, move no money)."""
    return _reconcile(fund.entries.all(), Kind.RECEIPT, Kind.DISBURSEMENT, start, end)


def project_reconciliation(
    project: Project, start: datetime.date, end: datetime.date
) -> Reconciliation:
    """Money allocated to the project and not yet paid out."""
    entries = LedgerEntry.objects.unscoped("the money of a project the caller holds").filter(
        Q(project=project)
        | Q(allocation__project=project)
        | Q(reverses__project=project)
        | Q(reverses__allocation__project=project)
    )
    return _reconcile(entries, Kind.ALLOCATION, Kind.DISBURSEMENT, start, end)


def heads_of(household_ids) -> dict[int, Member]:
    """The active head of each household, for notices and lists, in one query."""
    heads = Member.objects.filter(
        household_id__in=list(household_ids), is_active=True, relation=Member.Relation.HEAD
    ).unscoped("heads of the households of rows the caller holds (a notice's beneficiaries)")
    return {m.household_id: m for m in heads}


def loans_for_list(user, *, today: datetime.date | None = None) -> list[Loan]:
    today = today or datetime.date.today()
    late = Repayment.objects.filter(loan=OuterRef("pk"), paid_on__isnull=True, due_date__lt=today)
    return list(
        Loan.objects.visible_to(user)
        .select_related("household__village", "subsidy_fund")
        .annotate(overdue=Exists(late))
        .order_by("household__village__code", "disbursed_on")
    )
