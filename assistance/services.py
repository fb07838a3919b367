"""Writes of pairings, plans, projects and loans: atomic, validated, recorded in history."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from assistance import ledger
from assistance.models import (
    AssistancePlan,
    Delivery,
    LedgerEntry,
    Loan,
    LoanPolicy,
    MeasureCause,
    MeasureKind,
    PlanItem,
    Project,
    ProjectBeneficiary,
    ProjectDocument,
    ProjectEvaluation,
    ProjectStageChange,
    Repayment,
)
from households.models import Household, Pairing
from households.services import household_cadres_refresh
from township.models import StaffProfile


def _check_cadre(cadre: StaffProfile) -> None:
    if cadre.role != StaffProfile.Role.CADRE:
        raise ValidationError(_("%(name)s is not a pairing cadre.") % {"name": cadre.name})


def _assign(
    *, household: Household, cadre: StaffProfile, start_date: datetime.date, reason: str, user
) -> Pairing:
    current = (
        Pairing.objects.inside(household=household)
        .select_for_update()
        .filter(end_date__isnull=True)
        .first()
    )
    if current is not None:
        if current.cadre_id == cadre.pk:
            raise ValidationError(
                _("%(name)s is already this household's cadre.") % {"name": cadre.name}
            )
        if start_date < current.start_date:
            raise ValidationError(_("The new pairing cannot start before the current one started."))
        current.end_date = start_date
        current.reason = f"{current.reason}; {reason}".strip("; ") if current.reason else reason
        current._history_user = user
        current.save()
    pairing = Pairing(household=household, cadre=cadre, start_date=start_date, reason=reason)
    pairing._history_user = user
    pairing.save()
    household_cadres_refresh(household_ids=[household.pk])
    return pairing


@transaction.atomic
def pairing_assign(
    *, household: Household, cadre: StaffProfile, start_date: datetime.date, reason: str, user
) -> Pairing:
    """Pair ``cadre`` with ``household`` from ``start_date``, ending the current pairing."""
    _check_cadre(cadre)
    # Race: two staff reassigning one household at once. Locking the household row makes
    # the second wait and then end the pairing the first one created.
    Household.objects.locked(household)
    return _assign(
        household=household, cadre=cadre, start_date=start_date, reason=reason, user=user
    )


@transaction.atomic
def pairing_bulk_reassign(
    *,
    from_cadre: StaffProfile,
    to_cadre: StaffProfile,
    households,
    start_date: datetime.date,
    reason: str,
    user,
) -> int:
    """Move the given households of a leaving cadre to another, all or none."""
    _check_cadre(to_cadre)
    if from_cadre.pk == to_cadre.pk:
        raise ValidationError(_("Choose another cadre."))
    moved = 0
    for household in (
        Household.objects.inside(pk__in=list(households))
        .select_for_update()
        .filter(
            pairings__cadre=from_cadre,
            pairings__end_date__isnull=True,
        )
        .order_by("pk")
    ):
        _assign(
            household=household, cadre=to_cadre, start_date=start_date, reason=reason, user=user
        )
        moved += 1
    return moved


@transaction.atomic
def plan_create(
    *,
    household: Household,
    year: int,
    cadre: StaffProfile,
    target_income: Decimal,
    required_visits: int,
    user,
) -> AssistancePlan:
    if AssistancePlan.objects.inside(household=household).filter(year=year).exists():
        raise ValidationError(_("This household already has a plan for %(year)s.") % {"year": year})
    plan = AssistancePlan(
        household=household,
        year=year,
        cadre=cadre,
        target_income=target_income,
        required_visits=required_visits,
        created_by=user,
    )
    plan._history_user = user
    plan.save()
    return plan


@transaction.atomic
def plan_item_add(
    *,
    plan: AssistancePlan,
    kind: MeasureKind,
    description: str,
    planned_amount: Decimal,
    due_date: datetime.date,
    responsible: StaffProfile,
    user,
) -> PlanItem:
    item = PlanItem(
        plan=plan,
        kind=kind,
        description=description,
        planned_amount=planned_amount,
        due_date=due_date,
        responsible=responsible,
    )
    item._history_user = user
    item.save()
    return item


def delivered_so_far(item: PlanItem) -> Decimal:
    """The money delivered against ``item`` until now."""
    return item.deliveries.aggregate(total=Sum("amount"))["total"] or Decimal("0")


BEYOND_PLAN_MESSAGE = _(
    "This takes the measure to %(total)s yuan, more than the %(planned)s planned: tick the "
    "box to confirm (it is flagged in the reconciliation reports)."
)


@transaction.atomic
def plan_item_deliver(
    *,
    item: PlanItem,
    delivered_on: datetime.date,
    amount: Decimal,
    quantity: str,
    note: str,
    evidence: UploadedFile | None,
    completes: bool,
    user,
    allocation: LedgerEntry | None = None,
    voucher: str = "",
    purpose: str = "",
    beyond_plan: bool = False,
) -> Delivery:
    """Record a delivery against a plan item. Money paid from a fund names the allocation
    that pays it: the ledger's disbursement is written here, in the same transaction, and
    the delivery points to it. Going beyond the planned amount needs ``beyond_plan``."""
    import secrets

    item = PlanItem.objects.locked(item)
    if item.status != PlanItem.Status.OPEN:
        raise ValidationError(
            _("This item is %(status)s: nothing more is delivered against it.")
            % {"status": item.get_status_display()}
        )
    total = delivered_so_far(item) + amount
    if item.planned_amount > 0 and total > item.planned_amount and not beyond_plan:
        raise ValidationError(
            {"beyond_plan": BEYOND_PLAN_MESSAGE % {"total": total, "planned": item.planned_amount}}
        )
    disbursement = None
    if allocation is not None:
        if allocation.plan_item_id != item.pk:
            raise ValidationError(
                {"allocation": _("The allocation is earmarked to another measure.")}
            )
        if amount <= 0:
            raise ValidationError({"amount": _("Give the amount paid from the allocation.")})
        if not voucher.strip():
            raise ValidationError({"voucher": _("Give the voucher number of the payment.")})
        try:
            disbursement = ledger.ledger_disburse(
                allocation=allocation,
                amount=amount,
                voucher=voucher.strip(),
                entry_date=delivered_on,
                purpose=purpose or item.description,
                user=user,
            )
        except ledger.LedgerRefused as refused:
            raise _refused(refused) from refused
    delivery = Delivery(
        item=item,
        delivered_on=delivered_on,
        amount=amount,
        quantity=quantity,
        note=note,
        recorded_by=user,
        token=secrets.token_hex(8),
        disbursement=disbursement,
        beyond_plan=item.planned_amount > 0 and total > item.planned_amount,
    )
    if evidence is not None:
        delivery.evidence.save(evidence.name, evidence, save=False)
    delivery._history_user = user
    delivery.save()
    if completes:
        item.status, item.closed_on = PlanItem.Status.DONE, delivered_on
        item._history_user = user
        item.save()
    return delivery


@transaction.atomic
def plan_item_cancel(
    *, item: PlanItem, reason: str, user, on: datetime.date | None = None
) -> PlanItem:
    item = PlanItem.objects.locked(item)
    if item.status != PlanItem.Status.OPEN:
        raise ValidationError(_("Only an open item can be cancelled."))
    if not reason.strip():
        raise ValidationError(_("Say why the item is cancelled."))
    item.status, item.cancel_reason = PlanItem.Status.CANCELLED, reason.strip()
    item.closed_on = on or timezone.localdate()
    item._history_user = user
    item.save()
    return item


@transaction.atomic
def project_advance(*, project: Project, on: datetime.date, note: str, user) -> Project:
    """Move the project to its next stage on the day that happened (the approval's date, the
    day works began, the acceptance's date), never before its previous stage."""
    project = Project.objects.locked(project)
    next_stage = project.next_stage
    if next_stage is None:
        raise ValidationError(_("The project is already accepted."))
    last = (
        project.stage_changes.order_by("-changed_on", "-pk")
        .values_list("changed_on", flat=True)
        .first()
    )
    if last is not None and on < last:
        raise ValidationError(
            _("A stage cannot be dated before the previous one (%(day)s).") % {"day": last}
        )
    project.stage = next_stage
    project._history_user = user
    project.save()
    ProjectStageChange.objects.create(
        project=project, stage=next_stage, changed_on=on, changed_by=user, note=note
    )
    return project


@transaction.atomic
def project_beneficiary_add(
    *,
    project: Project,
    household: Household,
    how: str,
    user,
    added_on: datetime.date | None = None,
) -> ProjectBeneficiary:
    if household.village.township_id != project.township_id:
        raise ValidationError(_("The household lives in another township than the project."))
    if ProjectBeneficiary.objects.filter(project=project, household=household).exists():
        raise ValidationError(_("This household is already a beneficiary."))
    row = ProjectBeneficiary(
        project=project, household=household, how=how, added_on=added_on or timezone.localdate()
    )
    row._history_user = user
    row.save()
    return row


@transaction.atomic
def project_document_add(
    *, project: Project, stage: str, kind: str, title: str, upload: UploadedFile, user
) -> ProjectDocument:
    """Attach a document (checked by its content in the form) to one of the project's stages."""
    import secrets

    reached = {Project.Stage.LIBRARY, project.stage} | set(
        project.stage_changes.values_list("stage", flat=True)
    )
    if stage not in reached:
        raise ValidationError(_("The project has not reached that stage."))
    document = ProjectDocument(
        project=project,
        stage=stage,
        kind=kind,
        title=title,
        content_type=upload.content_type,
        token=secrets.token_hex(8),
        uploaded_by=user,
    )
    document.file.save(upload.name, upload, save=False)
    document.save()
    return document


@transaction.atomic
def project_evaluation_add(*, project: Project, fields: dict, user) -> ProjectEvaluation:
    """项目前评估 before approval, 后跟踪 once works are under way or accepted."""
    kind = fields["kind"]
    if kind == ProjectEvaluation.Kind.FOLLOW_UP and project.stage not in (
        Project.Stage.IN_PROGRESS,
        Project.Stage.ACCEPTED,
    ):
        raise ValidationError(_("A follow-up is made once works have begun."))
    if kind == ProjectEvaluation.Kind.FOLLOW_UP and fields.get("actual_value") is None:
        raise ValidationError(_("A follow-up records the value actually reached."))
    return ProjectEvaluation.objects.create(project=project, recorded_by=user, **fields)


def _add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    return datetime.date(day.year + month // 12, month % 12 + 1, min(day.day, 28))


def loan_policy_problems(
    *, disbursed_on: datetime.date, principal: Decimal, term_months: int, annual_rate: Decimal
) -> list[str]:
    """What in a loan breaks the microfinance policy of its year (none kept: nothing)."""
    policy = LoanPolicy.objects.filter(year=disbursed_on.year).first()
    if policy is None:
        return []
    return policy.problems(principal=principal, term_months=term_months, annual_rate=annual_rate)


@transaction.atomic
def loan_create(*, fields: dict, user) -> Loan:
    """A loan and its schedule: interest every quarter, the principal with the last payment.

    The loan must keep within the year's policy (``LoanPolicy``) when one is kept."""
    problems = loan_policy_problems(
        disbursed_on=fields["disbursed_on"],
        principal=fields["principal"],
        term_months=fields["term_months"],
        annual_rate=fields["annual_rate"],
    )
    if problems:
        raise ValidationError(problems)
    loan = Loan(**fields)
    loan._history_user = user
    loan.save()
    quarters = max(1, -(-loan.term_months // 3))
    quarterly = (loan.principal * loan.annual_rate / Decimal(400)).quantize(
        Decimal("0.01"), ROUND_HALF_UP
    )
    for n in range(1, quarters + 1):
        months = min(n * 3, loan.term_months)
        Repayment.objects.create(
            loan=loan,
            due_date=_add_months(loan.disbursed_on, months),
            interest_due=quarterly,
            principal_due=loan.principal if n == quarters else Decimal("0"),
        )
    return loan


@transaction.atomic
def repayment_record(*, repayment: Repayment, paid_on: datetime.date, user) -> Repayment:
    repayment = Repayment.objects.select_for_update().get(pk=repayment.pk)
    if repayment.paid_on is not None:
        raise ValidationError(_("This instalment is already paid."))
    repayment.paid_on = paid_on
    repayment._history_user = user
    repayment.save()
    loan = Loan.objects.locked(repayment.loan)
    if (
        loan.status == Loan.Status.ACTIVE
        and not loan.repayments.filter(paid_on__isnull=True).exists()
    ):
        loan.status, loan.closed_on = Loan.Status.REPAID, paid_on
        loan._history_user = user
        loan.save()
    return repayment


def can_keep_measures(user) -> bool:
    """The measure catalogue is the county's."""
    if user.is_superuser:
        return True
    profile = getattr(user, "profile", None) if user.is_authenticated else None
    return profile is not None and profile.role == StaffProfile.Role.COUNTY_ADMIN


@transaction.atomic
def measure_kind_save(*, user, kind: MeasureKind | None, fields: dict, causes: list[str]):
    """Add a kind of measure to the catalogue or change one (retire it with ``is_active``:
    plans already made keep it); the causes it answers are listed with it."""
    if not can_keep_measures(user):
        raise PermissionDenied
    kind = kind or MeasureKind()
    before = sorted(kind.causes.values_list("cause", flat=True)) if kind.pk else []
    for name, value in fields.items():
        setattr(kind, name, value)
    kind.full_clean()
    kind._history_user = user
    if before != sorted(causes):
        kind._change_reason = f"{','.join(before) or '—'} → {','.join(sorted(causes)) or '—'}"[:100]
    kind.save()
    if before != sorted(causes):
        kind.causes.exclude(cause__in=causes).delete()
        for cause in causes:
            MeasureCause.objects.get_or_create(kind=kind, cause=cause)
    return kind


LoanUse = LedgerEntry.LoanUse


def _loan_fund(loan: Loan, use: str):
    fund = loan.subsidy_fund if use == LoanUse.INTEREST_SUBSIDY else loan.risk_fund
    if fund is None:
        raise ValidationError(
            _("The loan names no interest-subsidy fund.")
            if use == LoanUse.INTEREST_SUBSIDY
            else _("The loan names no risk-compensation fund.")
        )
    return fund


def _refused(refused: ledger.LedgerRefused) -> ValidationError:
    return ValidationError(refused.message)


@transaction.atomic
def loan_money_allocate(
    *,
    loan: Loan,
    use: str,
    amount: Decimal,
    voucher: str,
    entry_date: datetime.date,
    purpose: str,
    user,
) -> LedgerEntry:
    """Earmark money for a loan's interest subsidy (贴息) or risk compensation (风险补偿金),
    from the fund the loan names for it."""
    try:
        return ledger.ledger_allocate(
            fund=_loan_fund(loan, use),
            amount=amount,
            voucher=voucher,
            entry_date=entry_date,
            purpose=purpose,
            user=user,
            loan=loan,
            loan_use=use,
        )
    except ledger.LedgerRefused as refused:
        raise _refused(refused) from refused


def _disburse_for_loan(*, loan: Loan, use: str, amount, voucher, entry_date, purpose, user):
    allocations = [
        a
        for a in ledger.open_allocations(loan=loan, loan_use=use)
        if a.fund_id == _loan_fund(loan, use).pk and a.remaining >= amount
    ]
    if not allocations:
        raise ValidationError(
            _("No allocation to this loan from %(fund)s has %(amount)s yuan left: allocate first.")
            % {"fund": _loan_fund(loan, use), "amount": amount}
        )
    try:
        return ledger.ledger_disburse(
            allocation=allocations[0],
            amount=amount,
            voucher=voucher,
            entry_date=entry_date,
            purpose=purpose,
            user=user,
        )
    except ledger.LedgerRefused as refused:
        raise _refused(refused) from refused


def interest_subsidy_due(repayment: Repayment, *, policy: LoanPolicy | None = None) -> Decimal:
    """The interest subsidy an instalment is due: its interest times the share of the loan's
    year (all of it when no policy is kept); ``policy`` saves the query for a whole loan."""
    if policy is None:
        policy = LoanPolicy.objects.filter(year=repayment.loan.disbursed_on.year).first()
    share = policy.subsidy_share if policy else Decimal("100")
    return (repayment.interest_due * share / Decimal(100)).quantize(Decimal("0.01"), ROUND_HALF_UP)


@transaction.atomic
def loan_interest_subsidise(
    *,
    repayment: Repayment,
    amount: Decimal,
    voucher: str,
    entry_date: datetime.date,
    user,
) -> LedgerEntry:
    """Pay the interest subsidy of an instalment the household has paid (先缴后补), from the
    loan's allocation, and mark the instalment subsidised."""
    repayment = Repayment.objects.select_for_update().select_related("loan").get(pk=repayment.pk)
    if repayment.paid_on is None:
        raise ValidationError(_("The instalment is subsidised once the household has paid it."))
    if (
        repayment.subsidy_entry_id
        and not LedgerEntry.objects.inside(reverses=repayment.subsidy_entry).exists()
    ):
        raise ValidationError(_("This instalment's interest is already subsidised."))
    if amount > repayment.interest_due:
        raise ValidationError(_("The subsidy cannot exceed the instalment's interest."))
    entry = _disburse_for_loan(
        loan=repayment.loan,
        use=LoanUse.INTEREST_SUBSIDY,
        amount=amount,
        voucher=voucher,
        entry_date=entry_date,
        purpose=_("Interest subsidy for the instalment due %(day)s") % {"day": repayment.due_date},
        user=user,
    )
    repayment.subsidy_entry = entry
    repayment._history_user = user
    repayment.save()
    return entry


@transaction.atomic
def loan_compensate(
    *,
    loan: Loan,
    amount: Decimal,
    voucher: str,
    entry_date: datetime.date,
    reason: str,
    user,
) -> LedgerEntry:
    """The risk-compensation fund pays the bank for a loan in default (代偿): only a loan
    still being repaid with an instalment overdue on that day."""
    loan = Loan.objects.locked(loan)
    if loan.status != Loan.Status.ACTIVE:
        raise ValidationError(_("Only a loan still being repaid can be compensated."))
    if not any(r.is_overdue(entry_date) for r in loan.repayments.all()):
        raise ValidationError(_("The loan has no overdue instalment on that day."))
    if not reason.strip():
        raise ValidationError(_("Say why the loan is compensated."))
    entry = _disburse_for_loan(
        loan=loan,
        use=LoanUse.RISK_COMPENSATION,
        amount=amount,
        voucher=voucher,
        entry_date=entry_date,
        purpose=reason.strip(),
        user=user,
    )
    loan.status, loan.closed_on, loan.close_reason = (
        Loan.Status.COMPENSATED,
        entry_date,
        reason.strip(),
    )
    loan._history_user = user
    loan.save()
    return entry


@transaction.atomic
def loan_write_off(*, loan: Loan, on: datetime.date, reason: str, user) -> Loan:
    """The bank writes off what cannot be recovered (核销), after compensation or without."""
    loan = Loan.objects.locked(loan)
    if loan.status not in (Loan.Status.ACTIVE, Loan.Status.COMPENSATED):
        raise ValidationError(_("Only an unpaid loan can be written off."))
    if not loan.repayments.filter(paid_on__isnull=True).exists():
        raise ValidationError(_("Every instalment is paid: nothing is left to write off."))
    if not reason.strip():
        raise ValidationError(_("Say why the loan is written off."))
    if loan.closed_on is not None and on < loan.closed_on:
        raise ValidationError(_("A write-off cannot be dated before the compensation."))
    loan.status, loan.closed_on, loan.close_reason = Loan.Status.WRITTEN_OFF, on, reason.strip()
    loan._history_user = user
    loan.save()
    return loan
