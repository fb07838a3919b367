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
                condition=Q(year__gte=2000, year__lte=2100),
                name="income_year_plausible",
                violation_error_message=_("The year is between 2000 and 2100."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household} {self.year}"

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
