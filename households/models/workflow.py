"""Identification (精准识别) and exit (脱贫退出) as cases moving through named steps."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from households.models.card import Household
from township.choices import QuickChoiceDisplay
from township.scoping import ScopedQuerySet


class WorkflowCaseQuerySet(ScopedQuerySet):
    def visible_to(self, user) -> "WorkflowCaseQuerySet":
        return self.filter(household__in=Household.objects.visible_to(user))


class WorkflowCase(QuickChoiceDisplay, models.Model):
    class Kind(models.TextChoices):
        IDENTIFICATION = "identification", _("Identification")
        EXIT = "exit", _("Exit")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        COMPLETED = "completed", _("Completed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        related_name="workflow_cases",
        verbose_name=_("household"),
    )
    kind = models.CharField(_("kind"), max_length=15, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    step = models.CharField(_("next step"), max_length=30)
    override_reason = models.TextField(
        _("leader's reason for starting despite unmet criteria"), blank=True
    )
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("overridden by"),
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("started by"),
    )
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = WorkflowCaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("workflow case")
        verbose_name_plural = _("workflow cases")
        constraints = [
            models.UniqueConstraint(
                fields=["household", "kind"],
                condition=Q(status="open"),
                name="workflow_one_open_case_per_kind",
                violation_error_message=_("This household already has an open case of this kind."),
            ),
            models.CheckConstraint(
                condition=Q(override_reason="") | Q(override_by__isnull=False),
                name="workflow_override_names_who",
                violation_error_message=_("An override names the leader who gave it."),
            ),
        ]
        indexes = [
            # Cases waiting at a step, by village: the township's bulk approval and to-do lists.
            models.Index(fields=["kind", "status", "step"], name="workflow_waiting"),
        ]

    def __str__(self) -> str:
        return f"{self.household} {self.get_kind_display()}"


def _document_path(step: "WorkflowStep", filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower()
    return f"workflow/{step.case_id}/{step.step}-{step.token}.{ext}"


class WorkflowStep(QuickChoiceDisplay, models.Model):
    """One step done (or a rejection) in a case: who, when, a comment, any document."""

    class Action(models.TextChoices):
        DONE = "done", _("Done")
        REJECTED = "rejected", _("Sent back")

    case = models.ForeignKey(
        WorkflowCase, on_delete=models.PROTECT, related_name="steps", verbose_name=_("case")
    )
    step = models.CharField(_("step"), max_length=30)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    comment = models.TextField(_("comment"), blank=True)
    token = models.CharField(max_length=32, blank=True, editable=False)
    document = models.FileField(_("document"), upload_to=_document_path, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("workflow step")
        verbose_name_plural = _("workflow steps")
        constraints = [
            models.CheckConstraint(
                condition=Q(action="done") | ~Q(comment=""),
                name="workflow_rejection_has_reason",
                violation_error_message=_("Say why the case is sent back."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.step} {self.action}"


class NoticeCorrection(models.Model):
    """A corrected posting date of a public notice (公示): the board went up later than the
    day it was recorded. Never earlier: a notice cannot be backdated."""

    step = models.ForeignKey(
        WorkflowStep,
        on_delete=models.PROTECT,
        related_name="corrections",
        verbose_name=_("notice step"),
    )
    posted_from_before = models.DateField(_("posted from, before"))
    posted_from = models.DateField(_("posted from, corrected"))
    reason = models.TextField(_("reason"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("notice date correction")
        verbose_name_plural = _("notice date corrections")
        constraints = [
            models.CheckConstraint(
                condition=~Q(reason=""),
                name="notice_correction_has_reason",
                violation_error_message=_("A correction of a posting date needs its reason."),
            ),
            models.CheckConstraint(
                condition=Q(posted_from__gte=models.F("posted_from_before")),
                name="notice_correction_not_backdated",
                violation_error_message=_("A posting date can only be corrected to a later day."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.step}: {self.posted_from_before} → {self.posted_from}"


class NoticeObjection(models.Model):
    """An objection (异议) received while a notice was posted, recorded against its case.
    The step after the notice waits until every objection is answered."""

    case = models.ForeignKey(
        WorkflowCase, on_delete=models.PROTECT, related_name="objections", verbose_name=_("case")
    )
    step = models.CharField(_("notice"), max_length=30)
    received_on = models.DateField(_("received on"))
    objector = models.CharField(
        _("raised by"), max_length=100, blank=True, help_text=_("May be left empty.")
    )
    content = models.TextField(_("objection"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    resolution = models.TextField(_("how it was answered"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    resolved_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("objection to a notice")
        verbose_name_plural = _("objections to notices")
        constraints = [
            models.CheckConstraint(
                condition=~Q(content=""),
                name="objection_has_content",
                violation_error_message=_("An objection says what it is."),
            ),
            models.CheckConstraint(
                condition=Q(resolution="") | Q(resolved_by__isnull=False),
                name="objection_answer_names_who",
                violation_error_message=_("An answer to an objection names who answered."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.received_on}"

    @property
    def is_open(self) -> bool:
        return not self.resolution
