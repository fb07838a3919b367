"""Monitoring against return to poverty (防返贫监测): hardships, flags and cases."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from households.models.card import Household
from township.choices import QuickChoiceDisplay
from township.models import StaffProfile
from township.scoping import ScopedQuerySet


class Hardship(models.Model):
    """A sudden severe hardship a household suffered (突发严重困难)."""

    class Kind(models.TextChoices):
        ILLNESS = "illness", _("Serious illness")
        DISASTER = "disaster", _("Disaster")
        ACCIDENT = "accident", _("Accident")
        JOB_LOSS = "job_loss", _("Loss of work")

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="hardships", verbose_name=_("household")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    occurred_on = models.DateField(_("date"))
    note = models.CharField(_("what happened"), max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("sudden hardship")
        verbose_name_plural = _("sudden hardships")

    def __str__(self) -> str:
        return f"{self.household} {self.get_kind_display()}"


class MonitoringCaseQuerySet(ScopedQuerySet):
    def visible_to(self, user) -> "MonitoringCaseQuerySet":
        return self.filter(household__in=Household.objects.visible_to(user))

    def open(self) -> "MonitoringCaseQuerySet":
        """Households still monitored (监测对象): every case neither closed by removing the
        risk nor by the household's return to poverty."""
        return self.exclude(status__in=MonitoringCase.CLOSED)


class MonitoringCase(QuickChoiceDisplay, models.Model):
    class Category(models.TextChoices):
        UNSTABLE = "unstable", _("Unstable exited household")
        MARGINAL = "marginal", _("Marginal household prone to poverty")
        HARDSHIP = "hardship", _("Sudden severe hardship household")

    class Status(models.TextChoices):
        OPEN = "open", _("Monitored")
        VERIFIED = "verified", _("Stable again: verified")
        NOTICED = "noticed", _("Stable again: publicly noticed")
        REMOVED = "removed", _("Risk removed")
        RETURN_PROPOSED = "returning", _("Return to poverty proposed")
        RETURNED = "returned", _("Returned to poverty")

    CLOSED = (Status.REMOVED, Status.RETURNED)

    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        related_name="monitoring_cases",
        verbose_name=_("household"),
    )
    category = models.CharField(_("category"), max_length=10, choices=Category.choices)
    reason = models.CharField(_("why flagged"), max_length=200)
    opened_on = models.DateField(_("opened on"))
    cadre = models.ForeignKey(
        StaffProfile,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible cadre"),
    )
    measures = models.TextField(_("measures"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    return_reason = models.TextField(_("why the household returns to poverty"), blank=True)
    return_proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("return proposed by"),
    )
    return_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("return decided by"),
    )
    history = HistoricalRecords()

    objects = MonitoringCaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("monitoring case")
        verbose_name_plural = _("monitoring cases")
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=~Q(status__in=["removed", "returned"]),
                name="monitoring_one_open_case",
                violation_error_message=_("This household is already monitored."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household} {self.get_category_display()}"
