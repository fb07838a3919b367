"""Writes of the thematic registers and of the money they pay through the fund ledger.

Money for a household's measure goes the ledger's one way: an allocation from a fund to the
plan item, then a disbursement against it (``plan_item_pay``), which is also recorded as the
item's delivery so the cadre's account and the ledger state the same amount.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from assistance import ledger, services
from assistance.models import (
    DividendContract,
    DividendPayment,
    Enterprise,
    Fund,
    HealthRelief,
    HousingRenovation,
    LedgerEntry,
    PlanItem,
    RainDewStudent,
    TrainingAttendance,
    TrainingSession,
)
from households import services as household_services
from households.models import Household, Member
from township.models import Township, Village


def _refused(refused: ledger.LedgerRefused) -> ValidationError:
    return ValidationError(refused.message)


def _check_item(item: PlanItem | None, household: Household, *, required: bool = True) -> None:
    if item is None:
        if required:
            raise ValidationError(_("Choose the plan item the money is earmarked to."))
        return
    if item.plan.household_id != household.pk:
        raise ValidationError(_("The plan item belongs to another household."))


def _matching_item(household: Household, register: str, year: int) -> PlanItem | None:
    """The household's plan item of the year that a record of ``register`` answers, if one."""
    from assistance.register_selectors import ITEM_KINDS

    return (
        PlanItem.objects.inside(plan__household=household)
        .filter(plan__year=year, kind__code=ITEM_KINDS[register])
        .exclude(status=PlanItem.Status.CANCELLED)
        .order_by("pk")
        .first()
    )


def _check_member(member: Member, household: Household) -> None:
    if member.household_id != household.pk or not member.is_active:
        raise ValidationError(_("The person is not a member of this household."))


# Money against a household's measure ---------------------------------------------------


@transaction.atomic
def plan_item_allocate(
    *,
    item: PlanItem,
    fund: Fund,
    amount: Decimal,
    voucher: str,
    entry_date: datetime.date,
    purpose: str,
    user,
) -> LedgerEntry:
    """Earmark money of ``fund`` for a household's measure."""
    try:
        return ledger.ledger_allocate(
            fund=fund,
            amount=amount,
            voucher=voucher,
            entry_date=entry_date,
            purpose=purpose,
            user=user,
            plan_item=item,
        )
    except ledger.LedgerRefused as refused:
        raise _refused(refused) from refused


@transaction.atomic
def plan_item_pay(
    *,
    item: PlanItem,
    allocation: LedgerEntry,
    amount: Decimal,
    voucher: str,
    entry_date: datetime.date,
    purpose: str,
    completes: bool,
    user,
    beyond_plan: bool = False,
) -> LedgerEntry:
    """Pay a household money earmarked to its measure: the ledger's disbursement against the
    allocation, and, while the item is open, its delivery of the same amount on the same day,
    both written by ``plan_item_deliver`` (an item already done had its delivery recorded
    then; the money follows it)."""
    if allocation.plan_item_id != item.pk:
        raise ValidationError(_("The allocation is earmarked to another measure."))
    item = PlanItem.objects.inside(pk=item).get()
    if item.status == PlanItem.Status.CANCELLED:
        raise ValidationError(_("The measure is cancelled: nothing is paid against it."))
    if item.status == PlanItem.Status.OPEN:
        delivery = services.plan_item_deliver(
            item=item,
            delivered_on=entry_date,
            amount=amount,
            quantity="",
            note=_("Paid from %(fund)s, voucher %(voucher)s")
            % {"fund": allocation.fund, "voucher": voucher},
            evidence=None,
            completes=completes,
            user=user,
            allocation=allocation,
            voucher=voucher,
            purpose=purpose,
            beyond_plan=beyond_plan,
        )
        return delivery.disbursement
    try:
        return ledger.ledger_disburse(
            allocation=allocation,
            amount=amount,
            voucher=voucher,
            entry_date=entry_date,
            purpose=purpose,
            user=user,
        )
    except ledger.LedgerRefused as refused:
        raise _refused(refused) from refused


# 危房改造 -------------------------------------------------------------------------------


@transaction.atomic
def renovation_create(
    *, household: Household, plan_item: PlanItem, fields: dict, user
) -> HousingRenovation:
    _check_item(plan_item, household)
    if HousingRenovation.objects.inside(plan_item=plan_item).exists():
        raise ValidationError(_("This plan item already has its renovation."))
    started_on = fields.get("started_on")
    if started_on and started_on.year > fields["year"] + 1:
        raise ValidationError(_("The works start in the renovation's year or the next."))
    renovation = HousingRenovation(
        household=household, plan_item=plan_item, recorded_by=user, **fields
    )
    renovation._history_user = user
    renovation.save()
    return renovation


@transaction.atomic
def renovation_start(*, renovation: HousingRenovation, on: datetime.date, user):
    renovation = HousingRenovation.objects.locked(renovation)
    if renovation.accepted_on is not None:
        raise ValidationError(_("The renovation is already accepted."))
    renovation.started_on = on
    renovation._history_user = user
    renovation.save()
    return renovation


@transaction.atomic
def renovation_accept(
    *, renovation: HousingRenovation, on: datetime.date, accepted_by: str, user
) -> HousingRenovation:
    """验收: the renovated house is accepted as safe, and the card's housing says so."""
    renovation = HousingRenovation.objects.locked(renovation)
    if renovation.accepted_on is not None:
        raise ValidationError(_("The renovation is already accepted."))
    if renovation.started_on is None or on < renovation.started_on:
        raise ValidationError(_("A renovation is accepted after its works started."))
    if not accepted_by.strip():
        raise ValidationError(_("Say who accepted the works."))
    renovation.accepted_on, renovation.accepted_by = on, accepted_by.strip()
    renovation._history_user = user
    renovation.save()
    household_services.housing_record(
        household=renovation.household,
        housing=Household.Housing.SAFE,
        user=user,
        reason=_("Renovation accepted on %(day)s") % {"day": on},
    )
    return renovation


# 雨露计划 -------------------------------------------------------------------------------


@transaction.atomic
def rain_dew_create(
    *, household: Household, member: Member, plan_item: PlanItem, fields: dict, user
) -> RainDewStudent:
    _check_item(plan_item, household)
    _check_member(member, household)
    if (
        RainDewStudent.objects.inside(member=member)
        .filter(school_year=fields["school_year"])
        .exists()
    ):
        raise ValidationError(_("This student is already registered for that school year."))
    if fields["school_year"] < fields["enrolled_year"]:
        raise ValidationError(_("The school year cannot come before the year enrolled."))
    student = RainDewStudent(
        household=household, member=member, plan_item=plan_item, recorded_by=user, **fields
    )
    student._history_user = user
    student.save()
    return student


# 技能培训 -------------------------------------------------------------------------------


@transaction.atomic
def training_create(
    *, township: Township, village: Village | None, fields: dict, user
) -> TrainingSession:
    if village is not None and village.township_id != township.pk:
        raise ValidationError(_("The village is in another township."))
    if fields["ends_on"] < fields["starts_on"]:
        raise ValidationError(_("A session ends on or after the day it starts."))
    session = TrainingSession(township=township, village=village, recorded_by=user, **fields)
    session._history_user = user
    session.save()
    return session


@transaction.atomic
def attendance_save(
    *,
    session: TrainingSession,
    member: Member,
    plan_item: PlanItem | None,
    completed: bool,
    outcome: str,
    employer: str,
    monthly_wage: Decimal | None,
    user,
) -> TrainingAttendance:
    """Enter a trainee, or record what came of their training (labour transfer)."""
    household = member.household
    if household.village.township_id != session.township_id:
        raise ValidationError(_("The trainee lives in another township than the session."))
    _check_member(member, household)
    _check_item(plan_item, household, required=False)
    row = TrainingAttendance.objects.inside(session=session, member=member).select_for_update()
    row = row.first() or TrainingAttendance(
        session=session, member=member, household=household, recorded_by=user
    )
    row.plan_item = (
        plan_item or row.plan_item or _matching_item(household, "training", session.starts_on.year)
    )
    row.completed, row.outcome = completed, outcome
    row.employer, row.monthly_wage = employer, monthly_wage
    row._history_user = user
    row.save()
    return row


# 资产收益 -------------------------------------------------------------------------------


@transaction.atomic
def enterprise_create(*, township: Township, fields: dict, user) -> Enterprise:
    same_name = Enterprise.objects.filter(township=township, name=fields["name"])
    if same_name.unscoped("a name is unique in the township, whoever sees the other").exists():
        raise ValidationError(_("An enterprise of this name is already registered."))
    enterprise = Enterprise(township=township, **fields)
    enterprise._history_user = user
    enterprise.save()
    return enterprise


@transaction.atomic
def contract_create(
    *,
    enterprise: Enterprise,
    household: Household,
    plan_item: PlanItem | None,
    fields: dict,
    user,
) -> DividendContract:
    if household.village.township_id != enterprise.township_id:
        raise ValidationError(_("The household lives in another township than the enterprise."))
    _check_item(plan_item, household, required=False)
    plan_item = plan_item or _matching_item(household, "dividends", fields["start_year"])
    if fields["end_year"] < fields["start_year"]:
        raise ValidationError(_("The last year cannot come before the first."))
    contract = DividendContract(
        enterprise=enterprise,
        household=household,
        plan_item=plan_item,
        recorded_by=user,
        **fields,
    )
    contract._history_user = user
    contract.save()
    return contract


def dividends_of(household: Household, year: int) -> Decimal:
    """What the household was paid under its contracts for ``year``."""
    total = DividendPayment.objects.filter(contract__household=household, year=year).aggregate(
        s=Sum("amount")
    )["s"]
    return (total or Decimal("0")).quantize(Decimal("0.01"))


@transaction.atomic
def dividend_pay(
    *,
    contract: DividendContract,
    year: int,
    paid_on: datetime.date,
    amount: Decimal,
    voucher: str,
    user,
) -> DividendPayment:
    """Record a dividend paid to a household; it is the household's property income of that
    year (``HouseholdIncome.property_dividends``), so its per-capita income moves with it."""
    # Race: two payments to one household at once. The household's row lock orders them,
    # so each recomputes the year's dividends with the other's already counted.
    household = Household.objects.inside(dividend_contracts=contract).select_for_update().get()
    if not contract.start_year <= year <= contract.end_year:
        raise ValidationError(
            _("The contract pays for %(first)s to %(last)s.")
            % {"first": contract.start_year, "last": contract.end_year}
        )
    if paid_on.year < year:
        raise ValidationError(_("A year's dividend is paid in that year or later."))
    if amount <= 0:
        raise ValidationError(_("An amount must be more than zero."))
    if DividendPayment.objects.filter(contract=contract, voucher=voucher).exists():
        raise ValidationError(
            _("Voucher number %(voucher)s is already used in this contract.") % {"voucher": voucher}
        )
    payment = DividendPayment.objects.create(
        contract=contract,
        year=year,
        paid_on=paid_on,
        amount=amount,
        voucher=voucher,
        recorded_by=user,
    )
    household_services.income_dividends_set(
        household=household, year=year, amount=dividends_of(household, year), user=user
    )
    return payment


# 大病救助 -------------------------------------------------------------------------------


@transaction.atomic
def health_relief_create(
    *, household: Household, member: Member, plan_item: PlanItem, fields: dict, user
) -> HealthRelief:
    _check_item(plan_item, household)
    _check_member(member, household)
    reimbursed = fields["basic_insurance"] + fields["serious_illness_insurance"] + fields["relief"]
    if reimbursed > fields["expenses"]:
        raise ValidationError(_("Reimbursements and relief cannot exceed the expenses."))
    relief = HealthRelief(
        household=household, member=member, plan_item=plan_item, recorded_by=user, **fields
    )
    relief._history_user = user
    relief.save()
    return relief
