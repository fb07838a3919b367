"""Identification (精准识别) and exit (脱贫退出) as cases moving through named steps."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from households.models.card import Household


class WorkflowCaseQuerySet(models.QuerySet):
    def visible_to(self, user) -> "WorkflowCaseQuerySet":
        return self.filter(household__in=Household.objects.visible_to(user))


class WorkflowCase(models.Model):
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


class WorkflowStep(models.Model):
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
