"""Pairings (结对帮扶): which cadre answers for which household, over which period."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from households.models.card import Household, in_scope
from township.access import Scope, scope_for
from township.models import StaffProfile
from township.scoping import ScopedQuerySet


class PairingQuerySet(ScopedQuerySet):
    def visible_to(self, user) -> "PairingQuerySet":
        """The pairings, past and present, of the households ``user`` may see: the
        households' condition joined, not their ids listed (a page of pairings looks up
        its own households instead of the database hashing every household of a county)."""
        if scope_for(user).level == Scope.Level.NONE:
            return self.none()
        return self.filter(in_scope(user, village="household__village", household="household_id"))

    def current(self) -> "PairingQuerySet":
        return self.filter(end_date__isnull=True)


class Pairing(models.Model):
    """A pairing cadre (帮扶责任人) answering for a household from start to end date."""

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="pairings", verbose_name=_("household")
    )
    cadre = models.ForeignKey(
        StaffProfile,
        on_delete=models.PROTECT,
        related_name="pairings",
        limit_choices_to={"role": StaffProfile.Role.CADRE},
        verbose_name=_("pairing cadre"),
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    history = HistoricalRecords()

    objects = PairingQuerySet.as_manager()

    class Meta:
        verbose_name = _("pairing")
        verbose_name_plural = _("pairings")
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(end_date__isnull=True),
                name="pairing_one_current_per_household",
                violation_error_message=_("This household already has a current pairing cadre."),
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="pairing_ends_after_start",
                violation_error_message=_("A pairing ends after it starts."),
            ),
        ]
        indexes = [
            # A cadre's scope and "my households": the cadre's current pairings.
            models.Index(
                fields=["cadre", "household"],
                condition=Q(end_date__isnull=True),
                name="pairing_current_by_cadre",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cadre.name} → {self.household}"
