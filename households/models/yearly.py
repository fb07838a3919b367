"""Yearly figures leaders keep as data: the county's average rural income and the exit
targets that the year's assessment (考核) measures each help unit, village and cadre by."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from township.models import County, HelpUnit, StaffProfile, Village


class CountyIncome(models.Model):
    """全县农村居民人均可支配收入: the county's average rural income per person of a year,
    which one plan asks beneficiaries' income to outgrow."""

    county = models.ForeignKey(
        County, on_delete=models.PROTECT, related_name="incomes", verbose_name=_("county")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    per_capita = models.DecimalField(
        _("average rural income per person (yuan)"), max_digits=10, decimal_places=2
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("county average rural income")
        verbose_name_plural = _("county average rural incomes")
        constraints = [
            models.UniqueConstraint(
                fields=["county", "year"],
                name="county_income_once_a_year",
                violation_error_message=_(
                    "The county's average income of this year is already recorded."
                ),
            ),
            models.CheckConstraint(
                condition=Q(per_capita__gt=0),
                name="county_income_positive",
                violation_error_message=_("The county's average income must be more than zero."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.county} {self.year}: {self.per_capita}"


class ExitTarget(models.Model):
    """How many households a help unit, a village or a cadre is to bring out of poverty in a
    year (脱贫任务). The township's own target is ``TownshipYear.exit_target``."""

    year = models.PositiveSmallIntegerField(_("year"))
    help_unit = models.ForeignKey(
        HelpUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="exit_targets",
        verbose_name=_("help unit"),
    )
    village = models.ForeignKey(
        Village,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="exit_targets",
        verbose_name=_("village"),
    )
    cadre = models.ForeignKey(
        StaffProfile,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="exit_targets",
        verbose_name=_("pairing cadre"),
    )
    households = models.PositiveIntegerField(_("households to bring out of poverty"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("exit target")
        verbose_name_plural = _("exit targets")
        constraints = [
            models.CheckConstraint(
                condition=Q(help_unit__isnull=False, village__isnull=True, cadre__isnull=True)
                | Q(help_unit__isnull=True, village__isnull=False, cadre__isnull=True)
                | Q(help_unit__isnull=True, village__isnull=True, cadre__isnull=False),
                name="exit_target_one_subject",
                violation_error_message=_(
                    "A target is set for one help unit, one village or one cadre."
                ),
            ),
            models.UniqueConstraint(
                fields=["year", "help_unit"],
                condition=Q(help_unit__isnull=False),
                name="exit_target_unit_once",
                violation_error_message=_("This help unit already has a target for the year."),
            ),
            models.UniqueConstraint(
                fields=["year", "village"],
                condition=Q(village__isnull=False),
                name="exit_target_village_once",
                violation_error_message=_("This village already has a target for the year."),
            ),
            models.UniqueConstraint(
                fields=["year", "cadre"],
                condition=Q(cadre__isnull=False),
                name="exit_target_cadre_once",
                violation_error_message=_("This cadre already has a target for the year."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.help_unit or self.village or self.cadre}: {self.households}"
