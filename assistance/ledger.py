"""The one write path of the fund ledger, and the balances derived from it.

Every write locks the fund's row first (``select_for_update``), then checks the balances
the entry could break, then appends. Two writers on one fund therefore run one after the
other: the race where both see enough money and both spend it cannot happen.
"""

import datetime
import logging
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from assistance.models import Fund, LedgerEntry, Loan, PlanItem, Project

ZERO = Decimal("0.00")
Kind = LedgerEntry.Kind

logger = logging.getLogger(__name__)


class LedgerRefused(Exception):
    """The entry would break a rule of the ledger; nothing was written."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class FundBalance:
    received: Decimal
    allocated: Decimal
    disbursed: Decimal

    @property
    def unallocated(self) -> Decimal:
        return self.received - self.allocated

    @property
    def in_hand(self) -> Decimal:
        return self.received - self.disbursed


def _total(entries) -> Decimal:
    # SQLite hands sums back without their scale: quantize so 100000 shows as 100000.00.
    return (entries.aggregate(s=Sum("amount"))["s"] or ZERO).quantize(ZERO)


BALANCED_KINDS = (Kind.RECEIPT, Kind.ALLOCATION, Kind.DISBURSEMENT)


def balance_sums(path: str = "") -> dict:
    """The sums a fund's balances are derived from, as aggregates over its entries
    (``path``: the way to them, "entries__" from a fund): the entries of each kind, and the
    reversals of entries of that kind. One query for one fund or a page of funds."""
    sums = {}
    for kind in BALANCED_KINDS:
        sums[f"sum_{kind}"] = Sum(f"{path}amount", filter=Q(**{f"{path}kind": kind}))
        sums[f"sum_reversed_{kind}"] = Sum(
            f"{path}amount",
            filter=Q(**{f"{path}kind": Kind.REVERSAL, f"{path}reverses__kind": kind}),
        )
    return sums


def balance_of(sums: dict) -> "FundBalance":
    """The balances of the sums ``balance_sums`` gave: each kind less its reversals."""

    def net(kind: str) -> Decimal:
        # SQLite hands sums back without their scale: quantize so 100000 shows as 100000.00.
        done = sums[f"sum_{kind}"] or ZERO
        return (done - (sums[f"sum_reversed_{kind}"] or ZERO)).quantize(ZERO)

    return FundBalance(
        received=net(Kind.RECEIPT),
        allocated=net(Kind.ALLOCATION),
        disbursed=net(Kind.DISBURSEMENT),
    )


def fund_balance(fund: Fund, *, until: datetime.date | None = None) -> FundBalance:
    """The fund's balances now, or at the end of ``until`` (entries dated up to that day)."""
    entries = LedgerEntry.objects.inside(fund=fund)
    if until is not None:
        entries = entries.filter(entry_date__lte=until)
    return balance_of(entries.aggregate(**balance_sums()))


def allocation_remaining(allocation: LedgerEntry) -> Decimal:
    """What may still be disbursed against an allocation (zero once it is reversed)."""
    if LedgerEntry.objects.inside(reverses=allocation).exists():
        return ZERO
    disbursed = _total(allocation.disbursements.filter(reversed_by__isnull=True))
    return allocation.amount - disbursed


def project_allocated(project: Project) -> Decimal:
    return _total(
        LedgerEntry.objects.inside(project=project).filter(
            kind=Kind.ALLOCATION, reversed_by__isnull=True
        )
    )


def _net_disbursed(disbursements, reversals) -> Decimal:
    return _total(disbursements) - _total(reversals)


def paid_by_item(item_ids, *, until: datetime.date | None = None) -> dict[int, Decimal]:
    """Money disbursed against allocations to each plan item, net of reversals, up to the
    end of ``until`` (the registers' "paid" figure, and the reports' as of their day)."""
    out: dict[int, Decimal] = {}
    entries = LedgerEntry.objects.filter(
        kind__in=[Kind.DISBURSEMENT, Kind.REVERSAL],
    ).unscoped("money paid to plan items the caller chose in its scope, from any fund")
    if until is not None:
        entries = entries.filter(entry_date__lte=until)
    paid = (
        entries.filter(kind=Kind.DISBURSEMENT, allocation__plan_item_id__in=list(item_ids))
        .values_list("allocation__plan_item_id")
        .annotate(s=Sum("amount"))
        .order_by()
    )
    undone = (
        entries.filter(
            kind=Kind.REVERSAL,
            reverses__kind=Kind.DISBURSEMENT,
            reverses__allocation__plan_item_id__in=list(item_ids),
        )
        .values_list("reverses__allocation__plan_item_id")
        .annotate(s=Sum("amount"))
        .order_by()
    )
    for item_id, amount in paid:
        out[item_id] = out.get(item_id, ZERO) + amount.quantize(ZERO)
    for item_id, amount in undone:
        out[item_id] = out.get(item_id, ZERO) - amount.quantize(ZERO)
    return out


def loan_paid(loan: Loan, use: str, *, until: datetime.date | None = None) -> Decimal:
    """Money disbursed for a loan's interest subsidy or risk compensation, net of reversals."""
    entries = LedgerEntry.objects.unscoped("money paid for a loan the caller holds, from any fund")
    if until is not None:
        entries = entries.filter(entry_date__lte=until)
    return _net_disbursed(
        entries.filter(kind=Kind.DISBURSEMENT, allocation__loan=loan, allocation__loan_use=use),
        entries.filter(
            kind=Kind.REVERSAL,
            reverses__kind=Kind.DISBURSEMENT,
            reverses__allocation__loan=loan,
            reverses__allocation__loan_use=use,
        ),
    )


def loans_paid(loan_ids, *, until: datetime.date | None = None) -> dict[tuple[int, str], Decimal]:
    """``loan_paid`` for many loans at once: {(loan id, use): net amount}."""
    entries = LedgerEntry.objects.unscoped("money paid for loans the caller chose in its scope")
    if until is not None:
        entries = entries.filter(entry_date__lte=until)
    out: dict[tuple[int, str], Decimal] = {}
    for sign, kind, prefix in ((1, Kind.DISBURSEMENT, ""), (-1, Kind.REVERSAL, "reverses__")):
        rows = (
            entries.filter(kind=kind, **{f"{prefix}allocation__loan_id__in": list(loan_ids)})
            .filter(**({"reverses__kind": Kind.DISBURSEMENT} if prefix else {}))
            .values_list(f"{prefix}allocation__loan_id", f"{prefix}allocation__loan_use")
            .annotate(s=Sum("amount"))
            .order_by()
        )
        for loan_id, use, amount in rows:
            key = (loan_id, use)
            out[key] = out.get(key, ZERO) + sign * amount.quantize(ZERO)
    return out


def open_allocations(**target) -> list[LedgerEntry]:
    """Unreversed allocations to one target (``plan_item=``, ``project=`` or ``loan=`` with
    ``loan_use=``), each with what is left to disburse against it, oldest first."""
    use = {"loan_use": target.pop("loan_use")} if "loan_use" in target else {}
    allocations = list(
        LedgerEntry.objects.inside(**target)  # the plan item, project or loan held
        .filter(kind=Kind.ALLOCATION, reversed_by__isnull=True, **use)
        .select_related("fund")
        .order_by("entry_date", "pk")
    )
    for allocation in allocations:
        allocation.remaining = allocation_remaining(allocation)
    return allocations


def _append(**fields) -> LedgerEntry:
    amount = fields["amount"]
    if amount is None or amount <= 0:
        raise LedgerRefused(_("An amount must be more than zero."))
    if amount != amount.quantize(Decimal("0.01")):
        raise LedgerRefused(_("Amounts are in yuan with at most two decimal places."))
    if LedgerEntry.objects.inside(fund=fields["fund"]).filter(voucher=fields["voucher"]).exists():
        raise LedgerRefused(
            _("Voucher number %(voucher)s is already used in this fund.")
            % {"voucher": fields["voucher"]}
        )
    try:
        with transaction.atomic():
            return LedgerEntry.objects.create(**fields)
    except IntegrityError as exc:
        # The database's words name internal constraints: log them, tell the user plainly.
        logger.warning("ledger entry refused by the database: %s", exc)
        raise LedgerRefused(
            _(
                "The entry was refused: it conflicts with another entry or breaks a rule "
                "of the ledger."
            )
        ) from exc


def _lock(fund: Fund) -> Fund:
    return Fund.objects.locked(fund)


@transaction.atomic
def ledger_receive(
    *, fund: Fund, amount: Decimal, voucher: str, entry_date: datetime.date, purpose: str, user
) -> LedgerEntry:
    fund = _lock(fund)
    return _append(
        fund=fund,
        kind=Kind.RECEIPT,
        amount=amount,
        voucher=voucher,
        entry_date=entry_date,
        purpose=purpose,
        recorded_by=user,
    )


@transaction.atomic
def ledger_allocate(
    *,
    fund: Fund,
    amount: Decimal,
    voucher: str,
    entry_date: datetime.date,
    purpose: str,
    user,
    project: Project | None = None,
    plan_item: PlanItem | None = None,
    loan: Loan | None = None,
    loan_use: str = "",
) -> LedgerEntry:
    if sum(target is not None for target in (project, plan_item, loan)) != 1:
        raise LedgerRefused(_("Allocate either to a project or to a household's measure."))
    if (loan is None) != (not loan_use):
        raise LedgerRefused(_("Say what the money allocated to the loan pays for."))
    fund = _lock(fund)
    balance = fund_balance(fund)
    if amount > balance.unallocated:
        raise LedgerRefused(
            _("The fund has only %(left)s yuan not yet allocated.") % {"left": balance.unallocated}
        )
    if project is not None:
        project = Project.objects.locked(project)
        if project.township_id != fund.township_id:
            raise LedgerRefused(_("The project belongs to another township than the fund."))
        room = project.budget - project_allocated(project)
        if amount > room:
            raise LedgerRefused(
                _("The project's budget leaves room for only %(room)s yuan more.") % {"room": room}
            )
    if plan_item is not None and plan_item.plan.household.village.township_id != fund.township_id:
        raise LedgerRefused(_("The household belongs to another township than the fund."))
    if loan is not None and loan.household.village.township_id != fund.township_id:
        raise LedgerRefused(_("The household belongs to another township than the fund."))
    return _append(
        fund=fund,
        kind=Kind.ALLOCATION,
        amount=amount,
        voucher=voucher,
        entry_date=entry_date,
        purpose=purpose,
        recorded_by=user,
        project=project,
        plan_item=plan_item,
        loan=loan,
        loan_use=loan_use,
    )


@transaction.atomic
def ledger_disburse(
    *,
    allocation: LedgerEntry,
    amount: Decimal,
    voucher: str,
    entry_date: datetime.date,
    purpose: str,
    user,
) -> LedgerEntry:
    fund = _lock(allocation.fund)
    if allocation.kind != Kind.ALLOCATION:
        raise LedgerRefused(_("Money is disbursed against an allocation."))
    remaining = allocation_remaining(allocation)
    if amount > remaining:
        raise LedgerRefused(
            _("The allocation has only %(left)s yuan left to disburse.") % {"left": remaining}
        )
    in_hand = fund_balance(fund).in_hand
    if amount > in_hand:
        raise LedgerRefused(_("The fund has only %(left)s yuan in hand.") % {"left": in_hand})
    return _append(
        fund=fund,
        kind=Kind.DISBURSEMENT,
        amount=amount,
        voucher=voucher,
        entry_date=entry_date,
        purpose=purpose,
        recorded_by=user,
        allocation=allocation,
    )


@transaction.atomic
def ledger_reverse(
    *, entry: LedgerEntry, voucher: str, entry_date: datetime.date, reason: str, user
) -> LedgerEntry:
    """Cancel an earlier entry in full with a linked reversal: the only way to correct one."""
    fund = _lock(entry.fund)
    entry = LedgerEntry.objects.inside(pk=entry).get()
    if entry.kind == Kind.REVERSAL:
        raise LedgerRefused(_("A reversal cannot itself be reversed: record the entry again."))
    if LedgerEntry.objects.inside(reverses=entry).exists():
        raise LedgerRefused(_("This entry is already reversed."))
    balance = fund_balance(fund)
    if entry.kind == Kind.RECEIPT and entry.amount > min(balance.unallocated, balance.in_hand):
        raise LedgerRefused(
            _("This receipt is already allocated or spent: reverse those entries first.")
        )
    if (
        entry.kind == Kind.ALLOCATION
        and entry.disbursements.filter(reversed_by__isnull=True).exists()
    ):
        raise LedgerRefused(_("Money was disbursed against this allocation: reverse those first."))
    return _append(
        fund=fund,
        kind=Kind.REVERSAL,
        amount=entry.amount,
        voucher=voucher,
        entry_date=entry_date,
        purpose=reason,
        recorded_by=user,
        reverses=entry,
    )
