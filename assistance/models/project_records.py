"""What a project keeps beside its stages: the documents of each stage and the plans'
pre-evaluation and follow-up (项目前评估、后跟踪) with the performance target's values."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from assistance.models.projects import Project


def _document_path(document: "ProjectDocument", filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower()
    return f"projects/{document.project_id}/{document.stage}-{document.token}.{ext}"


class ProjectDocument(models.Model):
    """A document of one stage: the approval, the acceptance report, photos of the works."""

    class Kind(models.TextChoices):
        APPROVAL = "approval", _("Approval document")
        CONTRACT = "contract", _("Contract or tender")
        ACCEPTANCE = "acceptance", _("Acceptance report")
        PHOTO = "photo", _("Photo")
        OTHER = "other", _("Other document")

    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="documents", verbose_name=_("project")
    )
    stage = models.CharField(_("stage"), max_length=12, choices=Project.Stage.choices)
    kind = models.CharField(_("kind of document"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=100)
    file = models.FileField(_("file"), upload_to=_document_path)
    content_type = models.CharField(max_length=40, editable=False)
    token = models.CharField(max_length=32, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("project document")
        verbose_name_plural = _("project documents")

    def __str__(self) -> str:
        return f"{self.project}: {self.title}"


class ProjectEvaluation(models.Model):
    """项目前评估 before approval, 后跟踪 after acceptance: the performance target's indicator,
    its target value and (in a follow-up) the value actually reached."""

    class Kind(models.TextChoices):
        PRE = "pre", _("Pre-evaluation")
        FOLLOW_UP = "follow_up", _("Follow-up")

    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="evaluations", verbose_name=_("project")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    evaluated_on = models.DateField(_("date"))
    evaluator = models.CharField(_("evaluated by"), max_length=100)
    indicator = models.CharField(
        _("performance indicator"), max_length=100, help_text=_("E.g. households benefiting.")
    )
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    target_value = models.DecimalField(_("target value"), max_digits=14, decimal_places=2)
    actual_value = models.DecimalField(
        _("actual value"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    findings = models.TextField(_("findings"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("project evaluation")
        verbose_name_plural = _("project evaluations")
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="follow_up") | Q(actual_value__isnull=False),
                name="project_follow_up_has_actual_value",
                violation_error_message=_("A follow-up record gives the actual value reached."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} {self.get_kind_display()} {self.evaluated_on}"

    @property
    def reached(self) -> bool | None:
        """Whether the actual value reaches the target (None before a follow-up)."""
        if self.actual_value is None:
            return None
        return self.actual_value >= self.target_value
