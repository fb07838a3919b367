"""Writes of pairings, plans, projects and loans: atomic, validated, recorded in history."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assistance.models import (
    AssistancePlan,
    Delivery,
    Loan,
    MeasureCause,
    MeasureKind,
    PlanItem,
    Project,
    ProjectBeneficiary,
    ProjectStageChange,
    Repayment,
)
from households.models import Household, Pairing
from township.models import StaffProfile


def _check_cadre(cadre: StaffProfile) -> None:
    if cadre.role != StaffProfile.Role.CADRE:
        raise ValidationError(_("%(name)s is not a pairing cadre.") % {"name": cadre.name})


def _assign(
    *, household: Household, cadre: StaffProfile, start_date: datetime.date, reason: str, user
) -> Pairing:
    current = (
        Pairing.objects.select_for_update()
        .filter(household=household, end_date__isnull=True)
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
    return pairing


@transaction.atomic
def pairing_assign(
    *, household: Household, cadre: StaffProfile, start_date: datetime.date, reason: str, user
) -> Pairing:
    """Pair ``cadre`` with ``household`` from ``start_date``, ending the current pairing."""
    _check_cadre(cadre)
    # Race: two staff reassigning one household at once. Locking the household row makes
    # the second wait and then end the pairing the first one created.
    Household.objects.select_for_update().get(pk=household.pk)
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
        Household.objects.select_for_update()
        .filter(
            pk__in=[h.pk for h in households],
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
    if AssistancePlan.objects.filter(household=household, year=year).exists():
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
) -> Delivery:
    import secrets

    item = PlanItem.objects.select_for_update().get(pk=item.pk)
    if item.status != PlanItem.Status.OPEN:
        raise ValidationError(
            _("This item is %(status)s: nothing more is delivered against it.")
            % {"status": item.get_status_display()}
        )
    delivery = Delivery(
        item=item,
        delivered_on=delivered_on,
        amount=amount,
        quantity=quantity,
        note=note,
        recorded_by=user,
        token=secrets.token_hex(8),
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
    item = PlanItem.objects.select_for_update().get(pk=item.pk)
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
    project = Project.objects.select_for_update().get(pk=project.pk)
    next_stage = project.next_stage
    if next_stage is None:
        raise ValidationError(_("The project is already accepted."))
    project.stage = next_stage
    project._history_user = user
    project.save()
    ProjectStageChange.objects.create(
        project=project, stage=next_stage, changed_on=on, changed_by=user, note=note
    )
    return project


@transaction.atomic
def project_beneficiary_add(
    *, project: Project, household: Household, how: str, user
) -> ProjectBeneficiary:
    if household.village.township_id != project.township_id:
        raise ValidationError(_("The household lives in another township than the project."))
    if ProjectBeneficiary.objects.filter(project=project, household=household).exists():
        raise ValidationError(_("This household is already a beneficiary."))
    row = ProjectBeneficiary(project=project, household=household, how=how)
    row._history_user = user
    row.save()
    return row


def _add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    return datetime.date(day.year + month // 12, month % 12 + 1, min(day.day, 28))


@transaction.atomic
def loan_create(*, fields: dict, user) -> Loan:
    """A loan and its schedule: interest every quarter, the principal with the last payment."""
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
    loan = repayment.loan
    if not loan.repayments.filter(paid_on__isnull=True).exists():
        loan.status = Loan.Status.REPAID
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
