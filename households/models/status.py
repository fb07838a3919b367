"""Status changes (状态变更): the dated facts of a household's life in the register.

A household is registered (识别纳入), leaves poverty (脱贫), may return to it (返贫) and may
be removed (销户). Each of these is a fact with the day it took effect. The card's ``status``
is the status of its latest fact, written by the service that records the fact in the same
transaction. Reports ask what the status was on their own date from these facts, and "out of
poverty in year Y" counts the exit facts dated in Y: never the rows of the card's change
history, which say when something was typed, not when it happened.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from households.models.card import Household
from households.models.workflow import WorkflowCase
from township.choices import QuickChoiceDisplay


class StatusChangeQuerySet(models.QuerySet):
    def visible_to(self, user) -> "StatusChangeQuerySet":
        return self.filter(household__in=Household.objects.visible_to(user))

    def exits(self) -> "StatusChangeQuerySet":
        return self.filter(status=Household.Status.EXITED)

    def in_year(self, year: int) -> "StatusChangeQuerySet":
        return self.filter(effective_on__year=year)

    def chronological(self) -> "StatusChangeQuerySet":
        return self.order_by("household_id", "effective_on", "pk")


class StatusChange(QuickChoiceDisplay, models.Model):
    class Source(models.TextChoices):
        WORKFLOW = "workflow", _("Identification or exit case")
        CARD = "card", _("Entered on the archive card")
        IMPORT = "import", _("Roster import")
        CARRIED_OVER = "carried_over", _("Carried over from earlier records")
        MONITORING = "monitoring", _("Monitoring case: return to poverty")
        REMOVAL = "removal", _("Removal from the register")

    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        related_name="status_changes",
        verbose_name=_("household"),
    )
    status = models.CharField(_("status"), max_length=10, choices=Household.Status.choices)
    effective_on = models.DateField(_("effective on"))
    source = models.CharField(_("recorded from"), max_length=12, choices=Source.choices)
    case = models.ForeignKey(
        WorkflowCase,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="status_changes",
        verbose_name=_("case"),
    )
    # For an exit: the criteria as they stood when it was decided, each with its figure.
    evidence = models.JSONField(_("evidence"), default=list, blank=True)
    people = models.PositiveSmallIntegerField(
        _("people"), null=True, blank=True, help_text=_("Members of the household on that day.")
    )
    override_reason = models.TextField(
        _("leader's reason for an exit despite unmet criteria"), blank=True
    )
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("override approved by"),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    history = HistoricalRecords()

    objects = StatusChangeQuerySet.as_manager()

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        constraints = [
            models.CheckConstraint(
                condition=Q(effective_on__gte="2000-01-01", effective_on__lte="2100-12-31"),
                name="status_change_date_plausible",
                violation_error_message=_("The date must lie between 2000 and 2100."),
            ),
            models.CheckConstraint(
                condition=Q(override_reason="") | Q(override_by__isnull=False),
                name="status_change_override_names_who",
                violation_error_message=_("An override names the leader who approved it."),
            ),
        ]
        indexes = [
            # "Out of poverty in year Y": exits by date, for dashboards, lists and charts.
            models.Index(fields=["status", "effective_on"], name="status_change_by_date"),
            # A household's facts in order: its status on a report's date.
            models.Index(fields=["household", "effective_on"], name="status_change_household"),
        ]

    def __str__(self) -> str:
        return f"{self.household} {self.get_status_display()} {self.effective_on}"


class RemovalQuerySet(models.QuerySet):
    def visible_to(self, user) -> "RemovalQuerySet":
        return self.filter(household__in=Household.objects.visible_to(user))


class Removal(models.Model):
    """销户: a household leaves the register for good, proposed with its reason and approved
    by the county. The card stays, read-only, with its history."""

    class Reason(models.TextChoices):
        DECEASED = "deceased", _("The whole household has died")
        MOVED_AWAY = "moved_away", _("Moved away")
        WRONGLY_IDENTIFIED = "wrong", _("Wrongly identified")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed, waiting for approval")
        APPROVED = "approved", _("Approved: removed")
        REFUSED = "refused", _("Not approved")

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="removals", verbose_name=_("household")
    )
    reason = models.CharField(_("reason"), max_length=12, choices=Reason.choices)
    explanation = models.TextField(_("explanation and evidence"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    proposed_on = models.DateField(_("proposed on"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    history = HistoricalRecords()

    objects = RemovalQuerySet.as_manager()

    class Meta:
        verbose_name = _("removal from the register")
        verbose_name_plural = _("removals from the register")
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(status="proposed"),
                name="removal_one_proposal_per_household",
                violation_error_message=_(
                    "A removal of this household is already waiting for approval."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(explanation=""),
                name="removal_has_explanation",
                violation_error_message=_("A removal needs its explanation."),
            ),
            models.CheckConstraint(
                condition=Q(status="proposed") | Q(decided_by__isnull=False),
                name="removal_decision_names_who",
                violation_error_message=_("A decision on a removal names who decided."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household} {self.get_reason_display()}"
