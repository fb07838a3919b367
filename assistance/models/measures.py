"""The measure catalogue (帮扶措施): kinds of help, each answering some causes of poverty."""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from households.models import PovertyCause


class MeasureKind(models.Model):
    """A kind of measure, kept as data so the township can extend the catalogue."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name (Chinese)"), max_length=50)
    name_en = models.CharField(_("name (English)"), max_length=80)
    is_active = models.BooleanField(_("in use"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("measure kind")
        verbose_name_plural = _("measure kinds")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.name_en if (get_language() or "").startswith("en") else self.name


class MeasureCause(models.Model):
    """A cause of poverty that a kind of measure answers ("measures follow causes")."""

    kind = models.ForeignKey(
        MeasureKind, on_delete=models.CASCADE, related_name="causes", verbose_name=_("measure kind")
    )
    cause = models.CharField(_("cause of poverty"), max_length=12, choices=PovertyCause.choices)

    class Meta:
        verbose_name = _("cause answered")
        verbose_name_plural = _("causes answered")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "cause"],
                name="measure_cause_once",
                violation_error_message=_("Each cause is linked to a measure once."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} ← {self.get_cause_display()}"
