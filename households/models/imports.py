"""Roster imports: an uploaded spreadsheet, its check, and its application."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from township.background import BackgroundWork


class ImportJob(BackgroundWork):
    class Status(models.TextChoices):
        CHECKING = "checking", _("Being checked")
        CHECKED = "checked", _("Checked: waiting for confirmation")
        REFUSED = "refused", _("Has problems: nothing can be written")
        APPLYING = "applying", _("Being written")
        APPLIED = "applied", _("Written")
        FAILED = "failed", _("Failed")

    file = models.FileField(_("file"), upload_to="imports/")
    filename = models.CharField(_("file name"), max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.CHECKING
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    problems = models.JSONField(_("problems"), default=list, blank=True)
    # The households the check found to create and to change, with their key fields.
    preview = models.JSONField(_("preview"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    # The uploader's language: the background check writes its messages in it.
    language = models.CharField(_("language"), max_length=10, default=settings.LANGUAGE_CODE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="import_jobs",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    applied_at = models.DateTimeField(_("written at"), null=True, blank=True)

    class Meta:
        verbose_name = _("roster import")
        verbose_name_plural = _("roster imports")

    def __str__(self) -> str:
        return self.filename

    @property
    def is_working(self) -> bool:
        return self.status in (self.Status.CHECKING, self.Status.APPLYING)

    @property
    def is_unsent(self) -> bool:
        """Waiting for its check, but the broker could not be reached: the sweeper sends it
        again."""
        return self.status == self.Status.CHECKING and self.dispatched_at is None
