"""The household archive card (建档立卡): one card for each registered poor household."""

import datetime

from django.db import models
from django.db.models import Exists, OuterRef, Q, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from township.access import Scope, scope_for
from township.choices import QuickChoiceDisplay
from township.models import Village
from township.scoping import ScopedQuerySet
from township.validators import validate_mobile


class PovertyCause(models.TextChoices):
    """致贫原因: the national categories of the archive card."""

    ILLNESS = "illness", _("Illness")
    DISABILITY = "disability", _("Disability")
    SCHOOLING = "schooling", _("Schooling costs")
    DISASTER = "disaster", _("Disaster")
    LAND = "land", _("Lack of land")
    WATER = "water", _("Lack of water")
    TECHNOLOGY = "technology", _("Lack of technology or skills")
    LABOUR = "labour", _("Lack of labour")
    FUNDS = "funds", _("Lack of funds")
    TRANSPORT = "transport", _("Poor transport")
    SELF_DRIVE = "self_drive", _("Lack of self-development drive")
    OTHER = "other", _("Other")


def in_scope(user, *, village: str = "village", household: str = "pk", listed: bool = False) -> Q:
    """The condition for a row to be in ``user``'s scope (``township.access`` has the rules),
    given the paths from the row to its village and to its household: one rule for the
    households and for what is kept with their village (a visit's ``village``).

    ``listed`` names a county's or township's villages by their ids (read first) instead of
    joining the villages: a list newest first then checks each row it scans without a join.
    """
    scope = scope_for(user)
    match scope.level:
        case Scope.Level.ALL:
            return Q()
        case Scope.Level.COUNTY | Scope.Level.TOWNSHIP if listed:
            return Q(**{f"{village}_id__in": _scope_village_ids(user, scope)})
        case Scope.Level.COUNTY:
            return Q(**{f"{village}__township__county_id": scope.county_id})
        case Scope.Level.TOWNSHIP:
            return Q(**{f"{village}__township_id": scope.township_id})
        case Scope.Level.VILLAGE:
            return Q(**{f"{village}_id": scope.village_id})
        case Scope.Level.CADRE:
            from households.models.pairing import Pairing

            return Q(
                Exists(
                    Pairing.objects.current().filter(
                        household=OuterRef(household), cadre_id=scope.profile_id
                    )
                )
            )
    return Q(pk__in=[])


def _scope_village_ids(user, scope: Scope) -> list[int]:
    """The ids of the villages of a county's or township's scope, read once a request."""
    ids = getattr(user, "_bangfu_village_ids", None)
    if ids is None:
        villages = Village.objects.filter(
            Q(township__county_id=scope.county_id)
            if scope.level == Scope.Level.COUNTY
            else Q(township_id=scope.township_id)
        )
        ids = user._bangfu_village_ids = list(villages.values_list("pk", flat=True))
    return ids


class HouseholdQuerySet(ScopedQuerySet):
    def visible_to(self, user) -> "HouseholdQuerySet":
        """The households ``user`` may see; see ``township.access`` for the rules."""
        if scope_for(user).level == Scope.Level.NONE:
            return self.none()
        return self.filter(in_scope(user))


# "Longest without a visit": the last visit's date, a household never visited before all.
NEVER_VISITED_FIRST = Coalesce("last_visit_on", Value(datetime.date(1900, 1, 1)))


class Household(QuickChoiceDisplay, models.Model):
    """建档立卡户: a registered household's archive card. Never deleted; its status changes."""

    class Attribute(models.TextChoices):
        GENERAL = "general", _("General poor household")
        DIBAO = "dibao", _("Minimum-living-guarantee household")
        TEKUN = "tekun", _("Extreme-poverty (five-guarantee) household")

    class Status(models.TextChoices):
        APPLICANT = "applicant", _("Applying (being identified)")
        POOR = "poor", _("Not yet out of poverty")
        EXITED = "exited", _("Out of poverty")
        RETURNED = "returned", _("Returned to poverty")
        REMOVED = "removed", _("Removed from the register")

    class Housing(models.TextChoices):
        SAFE = "safe", _("Safe")
        DILAPIDATED_C = "dilapidated_c", _("Dilapidated, grade C")
        DILAPIDATED_D = "dilapidated_d", _("Dilapidated, grade D")

    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="households", verbose_name=_("village")
    )
    card_number = models.CharField(
        _("archive card number"),
        max_length=20,
        unique=True,
        help_text=_("The village's 12-digit code followed by a 4-digit serial number."),
    )
    group_name = models.CharField(_("villager group"), max_length=40, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(
        _("mobile number"), max_length=11, blank=True, validators=[validate_mobile]
    )
    bank_name = models.CharField(_("bank for subsidies"), max_length=60, blank=True)
    bank_account = models.CharField(_("bank account for subsidies"), max_length=30, blank=True)
    attribute = models.CharField(
        _("household attribute"),
        max_length=10,
        choices=Attribute.choices,
        default=Attribute.GENERAL,
    )
    year_identified = models.PositiveSmallIntegerField(_("year identified"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.POOR
    )
    housing = models.CharField(
        _("housing"), max_length=15, choices=Housing.choices, default=Housing.SAFE
    )
    no_worry_food = models.BooleanField(_("no worry about food"), default=False)
    no_worry_clothing = models.BooleanField(_("no worry about clothing"), default=False)
    # Compulsory education and basic medical care are judged from the members (schooling of
    # every school-age child, insurance of every member) by ``households.policy``: no flag.
    water_safe = models.BooleanField(_("safe drinking water"), default=False)
    road_distance_km = models.DecimalField(
        _("distance to the road (km)"), max_digits=6, decimal_places=2, default=0
    )
    farmland_mu = models.DecimalField(
        _("farm land (mu)"), max_digits=8, decimal_places=2, default=0
    )
    forest_mu = models.DecimalField(
        _("forest land (mu)"), max_digits=8, decimal_places=2, default=0
    )
    # The day of the latest visit: a fact lists sort and filter by, kept by the service that
    # records a visit (``visit_log``) in the same transaction; ``rebuild_household_facts``
    # recomputes it from the visits.
    last_visit_on = models.DateField(_("last visit"), null=True, blank=True, editable=False)
    # The active head's name: how people know the household (its card number is for files);
    # with the head's ID number and how many members are active, what the lists show of the
    # members. Kept by the services that write members (``household_member_facts_refresh``),
    # rebuilt by ``rebuild_household_facts``.
    head_name = models.CharField(_("head of household"), max_length=50, blank=True, editable=False)
    head_id_number = models.CharField(
        _("head's ID number"), max_length=18, blank=True, editable=False
    )
    members_count = models.PositiveSmallIntegerField(_("members"), default=0, editable=False)
    # The cadre of the current pairing, what the lists show and filter by: kept by the
    # services that pair (``household_cadres_refresh``), rebuilt by ``rebuild_household_facts``.
    # Its index serves a cadre's list (?cadre=).
    current_cadre = models.ForeignKey(
        "township.StaffProfile",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("current pairing cadre"),
    )
    # Optimistic locking: a save must name the version it started from.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords(
        excluded_fields=[
            "updated_at",
            "last_visit_on",
            "head_name",
            "head_id_number",
            "members_count",
            "current_cadre",
        ]
    )

    objects = HouseholdQuerySet.as_manager()

    class Meta:
        verbose_name = _("household archive card")
        verbose_name_plural = _("household archive cards")
        constraints = [
            models.CheckConstraint(
                condition=Q(year_identified__gte=2000, year_identified__lte=2100),
                name="household_year_identified_plausible",
                violation_error_message=_("The year identified is between 2000 and this year."),
            ),
            models.CheckConstraint(
                condition=Q(road_distance_km__gte=0, farmland_mu__gte=0, forest_mu__gte=0),
                name="household_measures_not_negative",
                violation_error_message=_("Distances and areas cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(card_number__regex=r"^[0-9]{16}$"),
                name="household_card_number_16_digits",
                violation_error_message=_("An archive card number has 16 digits."),
            ),
        ]
        indexes = [
            # The household list and the home page count by village and status.
            models.Index(fields=["village", "status"], name="household_village_status"),
            # "Longest without a visit" and "no visit for N days" on the household list.
            models.Index(fields=["village", "last_visit_on"], name="household_last_visit"),
            # The same sort across a county: walked in order instead of sorting every row
            # (never visited first: the expression the list sorts by, on every database).
            models.Index(NEVER_VISITED_FIRST, "card_number", name="household_by_last_visit"),
        ]

    def __str__(self) -> str:
        """The head's name, the village when it is loaded already (never a query of its
        own), and the card number: "王大山 · 新田村 · 5203991002010001"."""
        village = self.village.name if Household.village.is_cached(self) else ""
        return " · ".join(p for p in (self.head_name, village, self.card_number) if p)

    # Facts the services keep with UPDATEs of their own, never through an instance: a card
    # saved from a copy read before a visit, a member or a pairing was written must not put
    # the old value back.
    KEPT_BY_SERVICES = frozenset(
        {"last_visit_on", "head_name", "head_id_number", "members_count", "current_cadre"}
    )

    def save(self, *args, **kwargs):
        if not self._state.adding and kwargs.get("update_fields") is None:
            deferred = self.get_deferred_fields()
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key
                and f.name not in self.KEPT_BY_SERVICES
                and f.attname not in deferred
            ]
        super().save(*args, **kwargs)
        # Its visits keep its village (``Visit.village``): they move with it.
        self.visits.exclude(village_id=self.village_id).update(village_id=self.village_id)

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("households:detail", args=[self.pk])

    @property
    def housing_safe(self) -> bool:
        return self.housing == self.Housing.SAFE


class HouseholdCause(QuickChoiceDisplay, models.Model):
    """One cause of a household's poverty; exactly one of them is the main cause."""

    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="causes", verbose_name=_("household")
    )
    cause = models.CharField(_("cause of poverty"), max_length=12, choices=PovertyCause.choices)
    is_main = models.BooleanField(_("main cause"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("cause of poverty")
        verbose_name_plural = _("causes of poverty")
        constraints = [
            models.UniqueConstraint(
                fields=["household", "cause"],
                name="household_cause_once",
                violation_error_message=_("Each cause of poverty is given once."),
            ),
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(is_main=True),
                name="household_one_main_cause",
                violation_error_message=_("A household has one main cause of poverty."),
            ),
        ]
        indexes = [
            # Filtering the household list by cause.
            models.Index(fields=["cause", "household"], name="household_cause_lookup"),
        ]

    def __str__(self) -> str:
        return self.get_cause_display()
