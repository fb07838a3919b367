"""Who saw full ID numbers: every reveal, export and search by a full ID leaves a record."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class IdAccess(models.Model):
    """One showing of full national ID numbers: who, whose (a card, or how many), when, why.

    Written by ``households.audit.id_access_record`` from the pages that show full numbers
    (the card's edit form), the exports that carry them (households.xlsx for the roles that
    may) and the search by a full ID number. The searched number itself is not kept.
    Never edited or deleted.
    """

    class Action(models.TextChoices):
        CARD_EDIT = "card_edit", _("Card opened for editing: its full ID numbers shown")
        EXPORT = "export", _("Export with full ID numbers")
        SEARCH = "search", _("Search by a full ID number")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="id_accesses",
        verbose_name=_("who"),
    )
    at = models.DateTimeField(_("when"), auto_now_add=True)
    action = models.CharField(_("what"), max_length=10, choices=Action.choices)
    household = models.ForeignKey(
        "households.Household",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="id_accesses",
        verbose_name=_("whose card"),
    )
    households_count = models.PositiveIntegerField(_("households"), default=0)
    reason = models.CharField(_("why"), max_length=200)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        verbose_name = _("full ID access")
        verbose_name_plural = _("full ID accesses")
        indexes = [
            # The admin's list and a user's history: newest first, per user.
            models.Index(fields=["user", "-at"], name="id_access_by_user"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.get_action_display()}"
