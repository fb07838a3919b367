"""Yearly household income (家庭收入) and the yearly poverty line it is measured against."""

from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.db.models import DecimalField, ExpressionWrapper, F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from households.models.card import Household

CENT = Decimal("0.01")


def _money(verbose_name, **kwargs) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=12, decimal_places=2, default=0, **kwargs)


class PovertyLine(models.Model):
    """The poverty line of a year, as leaders set it: policy data, never a constant in code."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    amount = models.DecimalField(
        _("poverty line (yuan per person per year)"), max_digits=10, decimal_places=2
    )
    monitoring_line = models.DecimalField(
        _("monitoring line (yuan per person per year)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Households near or below this line are watched against return to poverty."),
    )
    exit_incidence_threshold = models.DecimalField(
        _("village exit threshold (poverty incidence, %)"),
        max_digits=5,
        decimal_places=2,
        default=3,
        help_text=_(
            "A village may exit when its poverty incidence is below this (2% east, 3% west)."
        ),
    )
    village_collective_income = models.DecimalField(
        _("village exit: collective income (yuan a year)"),
        max_digits=12,
        decimal_places=2,
        default=50000,
        help_text=_("A village may exit when its collective income reaches this."),
    )
    stable_years = models.PositiveSmallIntegerField(
        _("years above the line for a stable exit"),
        default=1,
        help_text=_(
            "Income counts as stably above the line when the per-capita net income was above "
            "each year's line in this many years up to the year of the decision (1: that year)."
        ),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("poverty line")
        verbose_name_plural = _("poverty lines")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="poverty_line_positive",
                violation_error_message=_("The poverty line is above zero."),
            ),
            models.CheckConstraint(
                condition=Q(monitoring_line__isnull=True) | Q(monitoring_line__gte=F("amount")),
                name="poverty_monitoring_line_not_below_line",
                violation_error_message=_("The monitoring line is not below the poverty line."),
            ),
            models.CheckConstraint(
                condition=Q(stable_years__gte=1, stable_years__lte=5),
                name="poverty_stable_years_1_to_5",
                violation_error_message=_("Income must be above the line for 1 to 5 years."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.amount}"


class HouseholdIncomeQuerySet(models.QuerySet):
    def with_net(self) -> "HouseholdIncomeQuerySet":
        """Annotate ``net`` and ``per_capita`` computed by the database, for filters."""
        money = DecimalField(max_digits=14, decimal_places=2)
        net = ExpressionWrapper(
            F("wage_income")
            + F("business_income")
            + F("property_income")
            + F("transfer_income")
            - F("production_cost"),
            output_field=money,
        )
        return self.annotate(net=net).annotate(
            per_capita=ExpressionWrapper(F("net") / F("members_count"), output_field=money)
        )


class HouseholdIncome(models.Model):
    """One year's income of a household: components in, net and per-capita derived."""

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="incomes", verbose_name=_("household")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    members_count = models.PositiveSmallIntegerField(
        _("household size"), help_text=_("Members counted for this year's per-capita income.")
    )
    wage_income = _money(_("wage income"))
    business_income = _money(_("production and business income"))
    property_income = _money(_("property income"))
    transfer_income = _money(
        _("transfer income"),
        help_text=_("Subsidies, minimum-living payments, pensions, ecological compensation."),
    )
    # The parts of transfer income the plans count (转移性收入构成); what they leave of the
    # total is "other transfers", so a total entered alone (an import, an earlier year) stays
    # whole as "other".
    transfer_dibao = _money(_("minimum living guarantee payments (低保金)"))
    transfer_pension = _money(_("pensions (养老金)"))
    transfer_ecological = _money(_("ecological compensation (生态补偿)"))
    transfer_dividends = _money(_("industry dividends (产业分红)"))
    # The part of property income paid under dividend contracts (资产收益分红): kept equal to
    # the year's dividend payments by the service that records them.
    property_dividends = _money(_("dividends under contracts"))
    production_cost = _money(_("production costs"))
    history = HistoricalRecords()

    objects = HouseholdIncomeQuerySet.as_manager()

    class Meta:
        verbose_name = _("household income")
        verbose_name_plural = _("household incomes")
        constraints = [
            models.UniqueConstraint(
                fields=["household", "year"],
                name="income_once_a_year",
                violation_error_message=_(
                    "This year's income is already recorded: edit it instead."
                ),
            ),
            models.CheckConstraint(
                condition=Q(
                    wage_income__gte=0,
                    business_income__gte=0,
                    property_income__gte=0,
                    transfer_income__gte=0,
                    production_cost__gte=0,
                ),
                name="income_components_not_negative",
                violation_error_message=_("An amount cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(members_count__gte=1),
                name="income_members_at_least_one",
                violation_error_message=_("A household has at least one member."),
            ),
            models.CheckConstraint(
                condition=Q(
                    transfer_dibao__gte=0,
                    transfer_pension__gte=0,
                    transfer_ecological__gte=0,
                    transfer_dividends__gte=0,
                    property_dividends__gte=0,
                ),
                name="income_parts_not_negative",
                violation_error_message=_("No part of the income can be negative."),
            ),
            models.CheckConstraint(
                condition=Q(
                    transfer_income__gte=F("transfer_dibao")
                    + F("transfer_pension")
                    + F("transfer_ecological")
                    + F("transfer_dividends")
                ),
                name="income_transfer_parts_within_total",
                violation_error_message=_("The parts of transfer income cannot exceed its total."),
            ),
            models.CheckConstraint(
                condition=Q(property_income__gte=F("property_dividends")),
                name="income_dividends_within_property",
                violation_error_message=_("Dividends cannot exceed property income."),
            ),
            models.CheckConstraint(
                condition=Q(year__gte=2000, year__lte=2100),
                name="income_year_plausible",
                violation_error_message=_("The year is between 2000 and 2100."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household} {self.year}"

    @property
    def transfer_other(self) -> Decimal:
        """Transfers not in a named part (其他转移性收入)."""
        return (
            self.transfer_income
            - self.transfer_dibao
            - self.transfer_pension
            - self.transfer_ecological
            - self.transfer_dividends
        )

    @property
    def property_other(self) -> Decimal:
        """Property income other than contract dividends (rents, land transfer, interest)."""
        return self.property_income - self.property_dividends

    @property
    def gross_income(self) -> Decimal:
        return self.wage_income + self.business_income + self.property_income + self.transfer_income

    @property
    def net_income(self) -> Decimal:
        """纯收入: gross income minus production costs."""
        return self.gross_income - self.production_cost

    @property
    def per_capita_net_income(self) -> Decimal:
        """人均纯收入: the figure that, against the poverty line, decides exit."""
        return (self.net_income / self.members_count).quantize(CENT, rounding=ROUND_HALF_UP)
