"""The microfinance policy of a year (扶贫小额信贷政策): limits the loan form and service check."""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class LoanPolicy(models.Model):
    """Limits for loans disbursed in a year, as the county sets them ("5万元以下、3年以内、
    免担保免抵押、基准利率放贷、财政贴息、县建风险补偿金"). Policy data, editable per year."""

    year = models.PositiveSmallIntegerField(gettext_lazy("year"), unique=True)
    max_principal = models.DecimalField(
        gettext_lazy("largest principal (yuan)"), max_digits=12, decimal_places=2
    )
    max_term_months = models.PositiveSmallIntegerField(gettext_lazy("longest term (months)"))
    base_rate = models.DecimalField(
        gettext_lazy("benchmark annual rate (%)"),
        max_digits=5,
        decimal_places=2,
        help_text=gettext_lazy("Loans are lent at no more than this rate."),
    )
    subsidy_share = models.DecimalField(
        gettext_lazy("share of interest subsidised (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("100"),
    )
    note = models.CharField(gettext_lazy("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = gettext_lazy("microfinance policy")
        verbose_name_plural = gettext_lazy("microfinance policies")
        constraints = [
            models.CheckConstraint(
                condition=Q(max_principal__gt=0, max_term_months__gte=1, base_rate__gte=0),
                name="loan_policy_limits_positive",
                violation_error_message=gettext_lazy("The loan limits must be more than zero."),
            ),
            models.CheckConstraint(
                condition=Q(subsidy_share__gte=0, subsidy_share__lte=100),
                name="loan_policy_share_a_percentage",
                violation_error_message=gettext_lazy(
                    "The subsidised share is a percentage from 0 to 100."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}: ≤{self.max_principal} / ≤{self.max_term_months} / ≤{self.base_rate}%"

    def problems(self, *, principal: Decimal, term_months: int, annual_rate: Decimal) -> list[str]:
        """What in a loan breaks this year's limits (nothing: an empty list)."""
        out = []
        if principal > self.max_principal:
            out.append(
                _("The principal is above this year's limit of %(max)s yuan.")
                % {"max": self.max_principal}
            )
        if term_months > self.max_term_months:
            out.append(
                _("The term is longer than this year's limit of %(max)s months.")
                % {"max": self.max_term_months}
            )
        if annual_rate > self.base_rate:
            out.append(
                _("The rate is above this year's benchmark rate of %(max)s%%.")
                % {"max": self.base_rate}
            )
        return out
