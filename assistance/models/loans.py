"""Microfinance for poor households (扶贫小额信贷)."""

import datetime
from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from assistance.models.funds import Fund, LedgerEntry
from households.models import Household
from township.scoping import ScopedQuerySet


class LoanQuerySet(ScopedQuerySet):
    def visible_to(self, user) -> "LoanQuerySet":
        return self.filter(household__in=Household.objects.visible_to(user))


class Loan(models.Model):
    """A small unsecured loan to a household, its interest subsidised from a fund."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Being repaid")
        REPAID = "repaid", _("Repaid")
        COMPENSATED = "compensated", _("Compensated from the risk-compensation fund")
        WRITTEN_OFF = "written_off", _("Written off")

    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        related_name="loans",
        verbose_name=_("borrower household"),
    )
    bank = models.CharField(_("bank"), max_length=60)
    principal = models.DecimalField(_("principal (yuan)"), max_digits=12, decimal_places=2)
    disbursed_on = models.DateField(_("disbursed on"))
    term_months = models.PositiveSmallIntegerField(_("term (months)"))
    annual_rate = models.DecimalField(_("annual rate (%)"), max_digits=5, decimal_places=2)
    subsidy_fund = models.ForeignKey(
        Fund,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="subsidised_loans",
        verbose_name=_("interest subsidy paid from"),
    )
    risk_fund = models.ForeignKey(
        Fund,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="risk_covered_loans",
        verbose_name=_("risk-compensation fund (风险补偿金)"),
    )
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE
    )
    # The day the loan was repaid in full, compensated or written off.
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    close_reason = models.CharField(_("reason"), max_length=200, blank=True)
    history = HistoricalRecords()

    objects = LoanQuerySet.as_manager()

    class Meta:
        verbose_name = _("microfinance loan")
        verbose_name_plural = _("microfinance loans")
        constraints = [
            models.CheckConstraint(
                condition=Q(principal__gt=0),
                name="loan_principal_positive",
                violation_error_message=_("The principal is above zero."),
            ),
            models.CheckConstraint(
                condition=Q(term_months__gte=1, term_months__lte=60),
                name="loan_term_1_to_60",
                violation_error_message=_("A loan's term is from 1 to 60 months."),
            ),
            models.CheckConstraint(
                condition=Q(annual_rate__gte=0, annual_rate__lte=20),
                name="loan_rate_plausible",
                violation_error_message=_("The annual rate is from 0 to 20 percent."),
            ),
            models.CheckConstraint(
                condition=Q(status="active", closed_on__isnull=True)
                | ~Q(status="active") & Q(closed_on__isnull=False),
                name="loan_closed_has_date",
                violation_error_message=_("A closed loan has the day it was closed."),
            ),
            models.CheckConstraint(
                condition=~Q(status="written_off") | ~Q(close_reason=""),
                name="loan_write_off_has_reason",
                violation_error_message=_("A loan written off or compensated needs the reason."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household} {self.bank} {self.principal}"

    @property
    def maturity(self) -> datetime.date:
        month = self.disbursed_on.month - 1 + self.term_months
        year = self.disbursed_on.year + month // 12
        day = min(self.disbursed_on.day, 28)
        return datetime.date(year, month % 12 + 1, day)


class Repayment(models.Model):
    """One instalment of a loan's schedule, and whether and when it was paid."""

    loan = models.ForeignKey(
        Loan, on_delete=models.PROTECT, related_name="repayments", verbose_name=_("loan")
    )
    due_date = models.DateField(_("due date"))
    principal_due = models.DecimalField(
        _("principal due"), max_digits=12, decimal_places=2, default=Decimal("0")
    )
    interest_due = models.DecimalField(
        _("interest due"), max_digits=12, decimal_places=2, default=Decimal("0")
    )
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    # The ledger disbursement that subsidised this instalment's interest (贴息), if any.
    subsidy_entry = models.ForeignKey(
        LedgerEntry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="subsidised_repayments",
        verbose_name=_("interest subsidy entry"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("repayment")
        verbose_name_plural = _("repayments")
        constraints = [
            models.CheckConstraint(
                condition=Q(principal_due__gte=0, interest_due__gte=0),
                name="repayment_not_negative",
                violation_error_message=_("An amount cannot be negative."),
            ),
            models.UniqueConstraint(
                fields=["loan", "due_date"],
                name="repayment_once_a_date",
                violation_error_message=_("The loan already has a repayment on this date."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.loan} {self.due_date}"

    def is_overdue(self, today: datetime.date) -> bool:
        return self.paid_on is None and self.due_date < today
