"""The yearly assistance plan (帮扶台账): the cadre's account of what a household will get."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from assistance.models.measures import MeasureKind
from households.models import Household
from township.choices import QuickChoiceDisplay
from township.models import StaffProfile
from township.scoping import ScopedQuerySet


class AssistancePlanQuerySet(ScopedQuerySet):
    def visible_to(self, user) -> "AssistancePlanQuerySet":
        return self.filter(household__in=Household.objects.visible_to(user))


class AssistancePlan(QuickChoiceDisplay, models.Model):
    """年初建账: one household's plan for one year."""

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="plans", verbose_name=_("household")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    cadre = models.ForeignKey(
        StaffProfile,
        on_delete=models.PROTECT,
        related_name="plans",
        verbose_name=_("responsible cadre"),
    )
    target_income = models.DecimalField(
        _("target per-capita net income"), max_digits=12, decimal_places=2, default=0
    )
    required_visits = models.PositiveSmallIntegerField(_("required visits"), default=12)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    objects = AssistancePlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("assistance plan")
        verbose_name_plural = _("assistance plans")
        constraints = [
            models.UniqueConstraint(
                fields=["household", "year"],
                name="plan_once_a_year",
                violation_error_message=_("This household already has a plan for this year."),
            ),
            models.CheckConstraint(
                condition=Q(target_income__gte=0),
                name="plan_target_not_negative",
                violation_error_message=_("The target income cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(year__gte=2000, year__lte=2100),
                name="plan_year_plausible",
                violation_error_message=_("The year is between 2000 and 2100."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household} {self.year}"


class PlanItemQuerySet(ScopedQuerySet):
    def visible_to(self, user) -> "PlanItemQuerySet":
        return self.filter(plan__household__in=Household.objects.visible_to(user))

    def overdue(self, today: datetime.date) -> "PlanItemQuerySet":
        return self.filter(status=PlanItem.Status.OPEN, due_date__lt=today)


class PlanItem(QuickChoiceDisplay, models.Model):
    """One promised measure: what, how much, by when, by whom."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    plan = models.ForeignKey(
        AssistancePlan, on_delete=models.PROTECT, related_name="items", verbose_name=_("plan")
    )
    kind = models.ForeignKey(
        MeasureKind, on_delete=models.PROTECT, related_name="+", verbose_name=_("measure kind")
    )
    description = models.CharField(_("what exactly"), max_length=200)
    planned_amount = models.DecimalField(
        _("planned amount (yuan)"), max_digits=12, decimal_places=2, default=0
    )
    due_date = models.DateField(_("due date"))
    responsible = models.ForeignKey(
        StaffProfile,
        on_delete=models.PROTECT,
        related_name="plan_items",
        verbose_name=_("responsible cadre"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=200, blank=True)
    # The day the item was done (its completing delivery) or cancelled: a report drawn up to
    # an earlier day sees it still open.
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    history = HistoricalRecords()

    objects = PlanItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("plan item")
        verbose_name_plural = _("plan items")
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_amount__gte=0),
                name="plan_item_amount_not_negative",
                violation_error_message=_("An amount cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(status="cancelled") & ~Q(cancel_reason="") | ~Q(status="cancelled"),
                name="plan_item_cancel_has_reason",
                violation_error_message=_("A cancelled item needs its reason."),
            ),
            models.CheckConstraint(
                condition=Q(status="open", closed_on__isnull=True)
                | ~Q(status="open") & Q(closed_on__isnull=False),
                name="plan_item_closed_has_date",
                violation_error_message=_(
                    "A done or cancelled measure has the day it was closed; an open one has none."
                ),
            ),
        ]
        indexes = [
            # Items due and overdue for a cadre's home and the mid-year account.
            models.Index(fields=["responsible", "status", "due_date"], name="plan_item_due"),
            # The office's queue of open items by due date: read in order, the first few.
            models.Index(fields=["status", "due_date", "id"], name="plan_item_open_by_due"),
        ]

    def __str__(self) -> str:
        return self.description

    def is_overdue(self, today: datetime.date) -> bool:
        from households.policy import is_item_overdue

        return is_item_overdue(
            status_on_day=self.status_on(today), due_date=self.due_date, day=today
        )

    def status_on(self, day: datetime.date) -> str:
        """The item's status as it stood on ``day``."""
        if self.closed_on is None or self.closed_on > day:
            return self.Status.OPEN
        return self.status


def _evidence_path(delivery: "Delivery", filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower()
    return f"deliveries/{delivery.delivered_on:%Y/%m}/{delivery.item_id}-{delivery.token}.{ext}"


class Delivery(models.Model):
    """A delivery against a plan item: money paid, goods given, training held."""

    item = models.ForeignKey(
        PlanItem, on_delete=models.PROTECT, related_name="deliveries", verbose_name=_("plan item")
    )
    delivered_on = models.DateField(_("date delivered"))
    amount = models.DecimalField(
        _("amount (yuan)"), max_digits=12, decimal_places=2, default=Decimal("0")
    )
    quantity = models.CharField(
        _("quantity"), max_length=50, blank=True, help_text=_("E.g. 20 chicks, 3 days.")
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    token = models.CharField(max_length=32, editable=False, blank=True)
    evidence = models.FileField(
        _("evidence (photo or document)"), upload_to=_evidence_path, blank=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    # Money paid from a fund: the ledger's disbursement (against an allocation to this item)
    # written in the same transaction as the delivery, so the account and the ledger agree.
    disbursement = models.OneToOneField(
        "assistance.LedgerEntry",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="delivery",
        verbose_name=_("paid by the disbursement"),
    )
    # The one who recorded it confirmed that it takes the item beyond its planned amount.
    beyond_plan = models.BooleanField(_("more than planned, confirmed"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="delivery_amount_not_negative",
                violation_error_message=_("An amount cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0) | ~Q(quantity=""),
                name="delivery_has_amount_or_quantity",
                violation_error_message=_("Give the amount or the quantity delivered."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item} {self.delivered_on}"
