"""Visits (走访记录): what a cadre or a team member saw and did at a household."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from households.models.card import Household, in_scope
from township.access import Scope, scope_for
from township.choices import QuickChoiceDisplay
from township.models import Village
from township.scoping import ScopedQuerySet


class VisitQuerySet(ScopedQuerySet):
    def visible_to(self, user) -> "VisitQuerySet":
        """The visits to the households ``user`` may see, by the village kept on each visit:
        a township's newest visits are read without looking up each visit's household."""
        if scope_for(user).level == Scope.Level.NONE:
            return self.none()
        return self.filter(in_scope(user, household="household_id", listed=True))


class Visit(QuickChoiceDisplay, models.Model):
    class Kind(models.TextChoices):
        HOME = "home", _("Home visit")
        PHONE = "phone", _("Phone call")
        MEETING = "meeting", _("Meeting")

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="visits", verbose_name=_("household")
    )
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="visits",
        verbose_name=_("visitor"),
    )
    # The household's village, kept with the visit (``Household.save`` moves it along;
    # ``rebuild_household_facts`` checks it): the visit lists filter by it.
    village = models.ForeignKey(
        Village,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        db_index=False,
        verbose_name=_("village"),
    )
    visited_on = models.DateField(_("date of visit"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.HOME)
    findings = models.TextField(_("what was found"))
    help_given = models.TextField(_("help given"), blank=True)
    follow_up = models.TextField(_("problems to follow up"), blank=True)
    follow_up_closed = models.BooleanField(_("follow-up closed"), default=False)
    acknowledged = models.BooleanField(
        _("acknowledged by the household"),
        default=False,
        help_text=_("The household confirms the visit took place."),
    )
    acknowledged_by = models.CharField(_("acknowledged by"), max_length=50, blank=True)
    # Set by the browser when the form opens: a resubmission after a dropped connection
    # carries the same token and finds the visit already saved.
    client_token = models.UUIDField(_("submission token"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    history = HistoricalRecords()

    objects = VisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        constraints = [
            models.UniqueConstraint(
                fields=["client_token"],
                name="visit_submitted_once",
                violation_error_message=_("This visit was already recorded."),
            ),
            models.CheckConstraint(
                condition=Q(acknowledged=False) | ~Q(acknowledged_by=""),
                name="visit_acknowledgment_names_who",
                violation_error_message=_("Who in the household acknowledged the visit?"),
            ),
        ]
        indexes = [
            # The card's visit list and "last visit" subqueries: a household's latest visits.
            models.Index(fields=["household", "-visited_on"], name="visit_household_latest"),
            # A cadre's own visit list.
            models.Index(fields=["visitor", "-visited_on"], name="visit_visitor_latest"),
            # The visits list: newest first, `ORDER BY visited_on DESC, id DESC`.
            models.Index(fields=["-visited_on", "-id"], name="visit_newest_first"),
            # A village's visits, newest first.
            models.Index(fields=["village", "-visited_on", "-id"], name="visit_village_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.household} {self.visited_on}"

    def save(self, *args, **kwargs):
        if self.village_id is None:
            self.village_id = self.household.village_id
        super().save(*args, **kwargs)

    @property
    def has_open_follow_up(self) -> bool:
        return bool(self.follow_up) and not self.follow_up_closed


def _photo_path(photo: "VisitPhoto", filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower()
    return f"visits/{photo.visit.visited_on:%Y/%m}/{photo.visit_id}-{photo.token}.{ext}"


class VisitPhoto(models.Model):
    """A photo taken at a visit; served only through a scoped view, never from MEDIA_URL.

    The token is made by the phone when the photo is chosen (or by the server when a form
    without script sends it): a resend after a lost answer carries the same token, and the
    photo is not stored twice.
    """

    visit = models.ForeignKey(
        Visit, on_delete=models.PROTECT, related_name="photos", verbose_name=_("visit")
    )
    token = models.CharField(max_length=32, editable=False)
    image = models.ImageField(_("photo"), upload_to=_photo_path)
    content_type = models.CharField(max_length=30, editable=False)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )

    class Meta:
        verbose_name = _("visit photo")
        verbose_name_plural = _("visit photos")
        constraints = [
            models.UniqueConstraint(
                fields=["visit", "token"],
                name="visit_photo_stored_once",
                violation_error_message=_("This photo is already stored with the visit."),
            ),
        ]

    def __str__(self) -> str:
        return self.image.name
