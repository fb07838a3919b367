"""Writes of the village's own books: development plan and project library, the mutual-aid
fund's small ledger, and the work team's attendance.

The mutual-aid ledger follows the fund ledger's rules on a smaller scale: every write locks
the fund's row, checks the balances the entry could break, then appends; nothing is edited,
a wrong entry is cancelled by a reversal; balances are sums, never stored.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from assistance.models import (
    LibraryEntry,
    MutualAidEntry,
    MutualAidFund,
    MutualAidMember,
    Project,
    TeamAttendance,
    VillagePlan,
)
from households.models import Household
from township.models import StaffProfile, Village

ZERO = Decimal("0.00")
Kind = MutualAidEntry.Kind


# Development plan and project library -----------------------------------------------------


@transaction.atomic
def village_plan_save(
    *, village: Village, plan: VillagePlan | None, fields: dict, user
) -> VillagePlan:
    if fields["end_year"] < fields["start_year"]:
        raise ValidationError(_("The last year cannot come before the first."))
    plan = plan or VillagePlan(village=village)
    for name, value in fields.items():
        setattr(plan, name, value)
    taken = VillagePlan.objects.filter(village=village, start_year=plan.start_year)
    if taken.exclude(pk=plan.pk).exists():
        raise ValidationError(_("The village already has a plan starting that year."))
    plan._history_user = user
    plan.save()
    return plan


@transaction.atomic
def library_entry_add(*, plan: VillagePlan, fields: dict, user) -> LibraryEntry:
    if not plan.start_year <= fields["year"] <= plan.end_year:
        raise ValidationError(
            _("The plan runs from %(first)s to %(last)s.")
            % {"first": plan.start_year, "last": plan.end_year}
        )
    entry = LibraryEntry(plan=plan, **fields)
    entry._history_user = user
    entry.save()
    return entry


@transaction.atomic
def library_entry_promote(*, entry: LibraryEntry, implementing_unit: str, user) -> Project:
    """The township takes a village's library entry into its projects (项目入库): a township
    project in the library stage, for the village, with the entry's name, kind and budget."""
    entry = (
        LibraryEntry.objects.select_for_update().select_related("plan__village").get(pk=entry.pk)
    )
    if entry.project_id is not None:
        raise ValidationError(_("This entry is already a township project."))
    if not implementing_unit.strip():
        raise ValidationError(_("Name the implementing unit."))
    village = entry.plan.village
    project = Project(
        township=village.township,
        name=entry.name,
        kind=entry.kind,
        year=entry.year,
        budget=entry.estimated_budget,
        implementing_unit=implementing_unit.strip(),
        performance_target=entry.description,
    )
    project._history_user = user
    project.save()
    project.villages.set([village])
    entry.project = project
    entry._history_user = user
    entry.save()
    return project


# The mutual-aid fund's ledger -----------------------------------------------------------


@dataclass(frozen=True)
class MutualAidBalance:
    capital: Decimal
    lent: Decimal
    repaid: Decimal
    fees: Decimal

    @property
    def in_hand(self) -> Decimal:
        return self.capital + self.repaid + self.fees - self.lent

    @property
    def outstanding(self) -> Decimal:
        return self.lent - self.repaid


def _sum(entries) -> Decimal:
    return (entries.aggregate(s=Sum("amount"))["s"] or ZERO).quantize(ZERO)


def _effective(entries, kind: str) -> Decimal:
    return _sum(entries.filter(kind=kind)) - _sum(
        entries.filter(kind=Kind.REVERSAL, reverses__kind=kind)
    )


def mutual_aid_balance(
    fund: MutualAidFund, *, until: datetime.date | None = None
) -> MutualAidBalance:
    entries = MutualAidEntry.objects.filter(fund=fund)
    if until is not None:
        entries = entries.filter(entry_date__lte=until)
    return MutualAidBalance(
        capital=_effective(entries, Kind.CAPITAL),
        lent=_effective(entries, Kind.LOAN),
        repaid=_effective(entries, Kind.REPAYMENT),
        fees=_effective(entries, Kind.FEE),
    )


def loan_outstanding(loan: MutualAidEntry) -> Decimal:
    """What a member still owes on one loan (zero once the loan is reversed)."""
    if MutualAidEntry.objects.filter(reverses=loan).exists():
        return ZERO
    repaid = _sum(
        MutualAidEntry.objects.filter(loan=loan, kind=Kind.REPAYMENT, reversed_by__isnull=True)
    )
    return loan.amount - repaid


def open_loans(fund: MutualAidFund) -> list[MutualAidEntry]:
    """The fund's loans with something still owed, each with ``outstanding``."""
    loans = []
    for loan in (
        MutualAidEntry.objects.filter(fund=fund, kind=Kind.LOAN, reversed_by__isnull=True)
        .select_related("member__household__village")
        .order_by("entry_date", "pk")
    ):
        loan.outstanding = loan_outstanding(loan)
        if loan.outstanding > 0:
            loans.append(loan)
    return loans


def _lock(fund: MutualAidFund) -> MutualAidFund:
    return MutualAidFund.objects.select_for_update().get(pk=fund.pk)


def _append(**fields) -> MutualAidEntry:
    amount = fields["amount"]
    if amount is None or amount <= 0:
        raise ValidationError(_("An amount must be more than zero."))
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError(_("Amounts are in yuan with at most two decimal places."))
    if MutualAidEntry.objects.filter(fund=fields["fund"], voucher=fields["voucher"]).exists():
        raise ValidationError(
            _("Voucher number %(voucher)s is already used in this fund.")
            % {"voucher": fields["voucher"]}
        )
    return MutualAidEntry.objects.create(**fields)


@transaction.atomic
def mutual_aid_fund_create(*, village: Village, fields: dict, user) -> MutualAidFund:
    if MutualAidFund.objects.filter(village=village).exists():
        raise ValidationError(_("The village already has its mutual-aid fund."))
    fund = MutualAidFund(village=village, **fields)
    fund._history_user = user
    fund.save()
    return fund


@transaction.atomic
def mutual_aid_member_add(
    *, fund: MutualAidFund, household: Household, joined_on: datetime.date, user
) -> MutualAidMember:
    if household.village_id != fund.village_id:
        raise ValidationError(_("The household lives in another village."))
    if MutualAidMember.objects.filter(fund=fund, household=household).exists():
        raise ValidationError(_("The household is already a member."))
    member = MutualAidMember(fund=fund, household=household, joined_on=joined_on)
    member._history_user = user
    member.save()
    return member


@transaction.atomic
def mutual_aid_capital(
    *,
    fund: MutualAidFund,
    amount: Decimal,
    voucher: str,
    entry_date: datetime.date,
    purpose: str,
    user,
    member: MutualAidMember | None = None,
) -> MutualAidEntry:
    """Money paid into the fund: seed capital from a fund above, or a member's share."""
    fund = _lock(fund)
    return _append(
        fund=fund,
        kind=Kind.CAPITAL,
        amount=amount,
        voucher=voucher,
        entry_date=entry_date,
        purpose=purpose,
        member=member,
        recorded_by=user,
    )


@transaction.atomic
def mutual_aid_lend(
    *,
    fund: MutualAidFund,
    member: MutualAidMember,
    amount: Decimal,
    voucher: str,
    entry_date: datetime.date,
    due_on: datetime.date,
    purpose: str,
    user,
) -> MutualAidEntry:
    """A loan to a member: within the fund's limit, with money in hand, one loan at a time."""
    fund = _lock(fund)
    if member.fund_id != fund.pk:
        raise ValidationError(_("The household is not a member of this fund."))
    if amount > fund.max_loan:
        raise ValidationError(_("A member borrows at most %(max)s yuan.") % {"max": fund.max_loan})
    if due_on <= entry_date:
        raise ValidationError(_("A loan falls due after the day it is lent."))
    if any(loan.member_id == member.pk for loan in open_loans(fund)):
        raise ValidationError(_("The member has a loan still to repay."))
    in_hand = mutual_aid_balance(fund).in_hand
    if amount > in_hand:
        raise ValidationError(_("The fund has only %(left)s yuan in hand.") % {"left": in_hand})
    return _append(
        fund=fund,
        kind=Kind.LOAN,
        amount=amount,
        voucher=voucher,
        entry_date=entry_date,
        due_on=due_on,
        purpose=purpose,
        member=member,
        recorded_by=user,
    )


@transaction.atomic
def mutual_aid_repay(
    *,
    loan: MutualAidEntry,
    amount: Decimal,
    voucher: str,
    entry_date: datetime.date,
    user,
    fee: bool = False,
) -> MutualAidEntry:
    """A repayment of a loan (no more than is owed), or the use fee (占用费) paid on it."""
    fund = _lock(loan.fund)
    loan = MutualAidEntry.objects.get(pk=loan.pk)
    if loan.kind != Kind.LOAN:
        raise ValidationError(_("A repayment is made against a loan."))
    if not fee:
        owed = loan_outstanding(loan)
        if amount > owed:
            raise ValidationError(_("Only %(left)s yuan is owed on this loan.") % {"left": owed})
    return _append(
        fund=fund,
        kind=Kind.FEE if fee else Kind.REPAYMENT,
        amount=amount,
        voucher=voucher,
        entry_date=entry_date,
        purpose=_("Use fee") if fee else _("Repayment"),
        member=loan.member,
        loan=loan,
        recorded_by=user,
    )


@transaction.atomic
def mutual_aid_reverse(
    *, entry: MutualAidEntry, voucher: str, entry_date: datetime.date, reason: str, user
) -> MutualAidEntry:
    fund = _lock(entry.fund)
    entry = MutualAidEntry.objects.get(pk=entry.pk)
    if entry.kind == Kind.REVERSAL:
        raise ValidationError(_("A reversal cannot itself be reversed: record the entry again."))
    if MutualAidEntry.objects.filter(reverses=entry).exists():
        raise ValidationError(_("This entry is already reversed."))
    if not reason.strip():
        raise ValidationError(_("Say why the entry is reversed."))
    if entry.kind == Kind.LOAN and entry.repayments.filter(reversed_by__isnull=True).exists():
        raise ValidationError(_("Repayments were made on this loan: reverse those first."))
    if entry.kind in (Kind.CAPITAL, Kind.REPAYMENT, Kind.FEE):
        in_hand = mutual_aid_balance(fund).in_hand
        if entry.amount > in_hand:
            raise ValidationError(_("The fund has only %(left)s yuan in hand.") % {"left": in_hand})
    return _append(
        fund=fund,
        kind=Kind.REVERSAL,
        amount=entry.amount,
        voucher=voucher,
        entry_date=entry_date,
        purpose=reason.strip(),
        member=entry.member,
        reverses=entry,
        recorded_by=user,
    )


# The work team's attendance -------------------------------------------------------------


def team_of(village: Village):
    """The resident work team of a village: its village-team staff."""
    return StaffProfile.objects.filter(
        role=StaffProfile.Role.VILLAGE_TEAM, village=village
    ).order_by("name")


@transaction.atomic
def attendance_record(
    *,
    village: Village,
    person: StaffProfile,
    day: datetime.date,
    presence: str,
    note: str,
    user,
) -> TeamAttendance:
    """Where a team member was on a day; a second record of the day corrects the first (the
    change stays in its history)."""
    if not team_of(village).filter(pk=person.pk).exists():
        raise ValidationError(_("%(name)s is not in this village's work team.") % {"name": person})
    if day > datetime.date.today():
        raise ValidationError(_("Attendance is recorded for today or earlier."))
    row = TeamAttendance.objects.select_for_update().filter(person=person, day=day).first()
    row = row or TeamAttendance(person=person, day=day, village=village)
    row.presence, row.note, row.recorded_by = presence, note, user
    row._history_user = user
    row.save()
    return row


def attendance_days(village: Village, start: datetime.date, end: datetime.date) -> dict:
    """Days in the village per team member between two days: {profile id: count}."""
    rows = (
        TeamAttendance.objects.filter(
            village=village,
            day__gte=start,
            day__lte=end,
            presence=TeamAttendance.Presence.IN_VILLAGE,
        )
        .values_list("person_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return dict(rows)
