"""Places (county › township › village) and the people who work in them."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history import register
from simple_history.models import HistoricalRecords

from township.validators import validate_division_code, validate_mobile

_TWELVE_DIGITS = r"^[0-9]{12}$"


class County(models.Model):
    """县: one deployment serves one county and all its townships."""

    name = models.CharField(_("name"), max_length=50)
    code = models.CharField(
        _("division code"),
        max_length=12,
        unique=True,
        validators=[validate_division_code],
        help_text=_("12-digit statistical division code, ending in 000000."),
    )

    class Meta:
        verbose_name = _("county")
        verbose_name_plural = _("counties")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[0-9]{6}0{6}$"),
                name="county_code_is_county_level",
                violation_error_message=_("A county's code ends in 000000."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class TownshipQuerySet(models.QuerySet):
    def visible_to(self, user) -> "TownshipQuerySet":
        """The townships whose data ``user`` may see (a cadre: those of their households)."""
        from township.access import scope_for

        scope = scope_for(user)
        match scope.level:
            case scope.Level.ALL:
                return self.all()
            case scope.Level.COUNTY:
                return self.filter(county_id=scope.county_id)
            case scope.Level.TOWNSHIP:
                return self.filter(pk=scope.township_id)
            case scope.Level.VILLAGE | scope.Level.CADRE:
                return self.filter(villages__in=Village.objects.visible_to(user)).distinct()
        return self.none()


class Township(models.Model):
    """乡/镇: the unit whose staff enter data and whose leaders read it all."""

    county = models.ForeignKey(
        County, on_delete=models.PROTECT, related_name="townships", verbose_name=_("county")
    )
    name = models.CharField(_("name"), max_length=50)
    code = models.CharField(
        _("division code"),
        max_length=12,
        unique=True,
        validators=[validate_division_code],
        help_text=_("12-digit statistical division code, ending in 000."),
    )

    objects = TownshipQuerySet.as_manager()

    class Meta:
        verbose_name = _("township")
        verbose_name_plural = _("townships")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=_TWELVE_DIGITS),
                name="township_code_12_digits",
                violation_error_message=_("A township's code has 12 digits."),
            ),
            models.CheckConstraint(
                condition=Q(code__endswith="000"),
                name="township_code_is_township_level",
                violation_error_message=_("A township's code ends in 000."),
            ),
            models.CheckConstraint(
                condition=~Q(code__endswith="000000"),
                name="township_code_not_county_level",
                violation_error_message=_("A township's code is not a county's code."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.county_id and self.code and self.code[:6] != self.county.code[:6]:
            raise ValidationError(
                {
                    "code": _(
                        "A township's code must start with its county's six digits %(prefix)s."
                    )
                    % {"prefix": self.county.code[:6]}
                }
            )


class VillageQuerySet(models.QuerySet):
    def visible_to(self, user) -> "VillageQuerySet":
        """The villages ``user`` may see (see ``township.access``)."""
        from township.access import scope_for

        scope = scope_for(user)
        match scope.level:
            case scope.Level.ALL:
                return self.all()
            case scope.Level.COUNTY:
                return self.filter(township__county_id=scope.county_id)
            case scope.Level.TOWNSHIP:
                return self.filter(township_id=scope.township_id)
            case scope.Level.VILLAGE:
                return self.filter(pk=scope.village_id)
            case scope.Level.CADRE:
                return self.filter(
                    households__pairings__cadre_id=scope.profile_id,
                    households__pairings__end_date__isnull=True,
                ).distinct()
        return self.none()


class Village(models.Model):
    """行政村: an administrative village, with its register of archive cards (村有册)."""

    township = models.ForeignKey(
        Township, on_delete=models.PROTECT, related_name="villages", verbose_name=_("township")
    )
    name = models.CharField(_("name"), max_length=50)
    code = models.CharField(
        _("division code"),
        max_length=12,
        unique=True,
        validators=[validate_division_code],
        help_text=_("12-digit statistical division code."),
    )

    objects = VillageQuerySet.as_manager()

    class Meta:
        verbose_name = _("village")
        verbose_name_plural = _("villages")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=_TWELVE_DIGITS),
                name="village_code_12_digits",
                violation_error_message=_("A village's code has 12 digits."),
            ),
            models.CheckConstraint(
                condition=~Q(code__endswith="000"),
                name="village_code_is_village_level",
                violation_error_message=_("A village's code does not end in 000."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.township_id and self.code and self.code[:9] != self.township.code[:9]:
            raise ValidationError(
                {
                    "code": _(
                        "A village's code must start with its township's nine digits %(prefix)s."
                    )
                    % {"prefix": self.township.code[:9]}
                }
            )


class VillageYear(models.Model):
    """A village's figures for one year, as the township keeps them: the base of its poverty
    incidence, whether it is a registered poor village, the year it exited (出列), and its
    collective income. Village exit (贫困村出列) and incidence read the year's row."""

    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="years", verbose_name=_("village")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    rural_population = models.PositiveIntegerField(
        _("rural population"),
        null=True,
        blank=True,
        help_text=_("Registered rural population, the base of the poverty incidence."),
    )
    is_poor_village = models.BooleanField(_("registered poor village"), default=False)
    exit_year = models.PositiveSmallIntegerField(
        _("year the village exited (出列)"), null=True, blank=True
    )
    collective_income = models.DecimalField(
        _("collective income (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("village year")
        verbose_name_plural = _("village years")
        constraints = [
            models.UniqueConstraint(
                fields=["village", "year"],
                name="village_year_once",
                violation_error_message=_("This village already has figures for this year."),
            ),
            models.CheckConstraint(
                condition=Q(collective_income__gte=0),
                name="village_collective_income_not_negative",
                violation_error_message=_("Collective income cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(exit_year__isnull=True) | Q(exit_year__lte=models.F("year")),
                name="village_exit_year_not_after_the_year",
                violation_error_message=_("The exit year cannot come after the year."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.village} {self.year}"


class VillageExitCriterion(models.Model):
    """A further condition of village exit (贫困村出列) in a year, beyond incidence and
    collective income: e.g. a hardened road, a clinic, broadband. Kept as data per year."""

    year = models.PositiveSmallIntegerField(_("year"))
    name = models.CharField(_("condition"), max_length=100)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("village exit condition")
        verbose_name_plural = _("village exit conditions")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "name"],
                name="village_criterion_once",
                violation_error_message=_("This condition is already kept for this year."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.name}"


class VillageCriterionCheck(models.Model):
    """Whether one village meets one further exit condition of the year."""

    village = models.ForeignKey(
        Village,
        on_delete=models.PROTECT,
        related_name="criterion_checks",
        verbose_name=_("village"),
    )
    criterion = models.ForeignKey(
        VillageExitCriterion,
        on_delete=models.PROTECT,
        related_name="checks",
        verbose_name=_("condition"),
    )
    met = models.BooleanField(_("met"), default=False)
    note = models.CharField(_("note"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("village exit condition check")
        verbose_name_plural = _("village exit condition checks")
        constraints = [
            models.UniqueConstraint(
                fields=["village", "criterion"],
                name="village_check_once",
                violation_error_message=_("This condition is already checked for this village."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.village} {self.criterion}"


class TownshipYear(models.Model):
    """A township's targets for one year, as its leaders set them."""

    township = models.ForeignKey(
        Township, on_delete=models.PROTECT, related_name="years", verbose_name=_("township")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    exit_target = models.PositiveIntegerField(_("households to bring out of poverty"))
    exit_target_people = models.PositiveIntegerField(
        _("people to bring out of poverty"), null=True, blank=True
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("township target")
        verbose_name_plural = _("township targets")
        constraints = [
            models.UniqueConstraint(
                fields=["township", "year"],
                name="township_year_once",
                violation_error_message=_("This township already has targets for this year."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.township} {self.year}"


class HelpUnitQuerySet(models.QuerySet):
    def visible_to(self, user) -> "HelpUnitQuerySet":
        """The county's units for its administrators, leaders and staff; a village team the
        units that answer for its village; a cadre their own unit."""
        from township.access import scope_for

        scope = scope_for(user)
        match scope.level:
            case scope.Level.ALL:
                return self.all()
            case scope.Level.COUNTY:
                return self.filter(county_id=scope.county_id)
            case scope.Level.TOWNSHIP:
                return self.filter(county__townships=scope.township_id)
            case scope.Level.VILLAGE:
                return self.filter(villages=scope.village_id).distinct()
            case scope.Level.CADRE:
                return self.filter(staff=scope.profile_id)
        return self.none()


class HelpUnit(models.Model):
    """帮扶单位: a county bureau, an enterprise or a school whose cadres are paired with
    households, and which is responsible for villages (包村)."""

    class Kind(models.TextChoices):
        GOVERNMENT = "government", _("Government department")
        ENTERPRISE = "enterprise", _("Enterprise")
        SCHOOL = "school", _("School or hospital")
        OTHER = "other", _("Other")

    county = models.ForeignKey(
        County, on_delete=models.PROTECT, related_name="help_units", verbose_name=_("county")
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.GOVERNMENT)
    villages = models.ManyToManyField(
        Village,
        blank=True,
        related_name="help_units",
        verbose_name=_("villages it is responsible for"),
    )
    history = HistoricalRecords(m2m_fields=[villages])

    objects = HelpUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("help unit")
        verbose_name_plural = _("help units")
        constraints = [
            models.UniqueConstraint(
                fields=["county", "name"],
                name="help_unit_name_once",
                violation_error_message=_("A help unit of this name already exists in the county."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class StaffProfileQuerySet(models.QuerySet):
    def visible_to(self, user) -> "StaffProfileQuerySet":
        """The people ``user`` may see: those working in their county, township or village,
        and themselves (a cadre sees only themselves)."""
        from township.access import scope_for

        scope = scope_for(user)
        mine = Q(pk=scope.profile_id) if scope.profile_id else Q(pk__in=[])
        match scope.level:
            case scope.Level.ALL:
                return self.all()
            case scope.Level.COUNTY:
                c = scope.county_id
                return self.filter(
                    mine
                    | Q(county_id=c)
                    | Q(township__county_id=c)
                    | Q(village__township__county_id=c)
                )
            case scope.Level.TOWNSHIP:
                t = scope.township_id
                return self.filter(mine | Q(township_id=t) | Q(village__township_id=t))
            case scope.Level.VILLAGE | scope.Level.CADRE:
                return self.filter(mine)
        return self.none()


class StaffProfile(models.Model):
    """A user's role and where they work: the basis of what they may see."""

    class Role(models.TextChoices):
        COUNTY_ADMIN = "county_admin", _("County administrator")
        LEADER = "leader", _("Township leader")
        TOWNSHIP_STAFF = "township_staff", _("Township staff")
        VILLAGE_TEAM = "village_team", _("Village work team")
        CADRE = "cadre", _("Pairing cadre")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="profile",
        verbose_name=_("user"),
    )
    name = models.CharField(_("name"), max_length=50)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    unit = models.CharField(
        _("work unit"),
        max_length=100,
        blank=True,
        help_text=_("E.g. county public security bureau."),
    )
    help_unit = models.ForeignKey(
        HelpUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("help unit"),
    )
    title = models.CharField(_("post"), max_length=50, blank=True)
    phone = models.CharField(
        _("mobile number"), max_length=11, blank=True, validators=[validate_mobile]
    )
    county = models.ForeignKey(
        County,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("county"),
    )
    township = models.ForeignKey(
        Township,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("township"),
    )
    village = models.ForeignKey(
        Village,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("village"),
    )
    must_change_password = models.BooleanField(
        _("must change the password at the next login"), default=False
    )
    history = HistoricalRecords()

    objects = StaffProfileQuerySet.as_manager()

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")
        constraints = [
            # Each role works at exactly one level of place; a cadre's scope is their
            # pairings, so a cadre may name a home township but nothing else.
            models.CheckConstraint(
                condition=(
                    Q(
                        role="county_admin",
                        county__isnull=False,
                        township__isnull=True,
                        village__isnull=True,
                    )
                    | Q(
                        role__in=["leader", "township_staff"],
                        county__isnull=True,
                        township__isnull=False,
                        village__isnull=True,
                    )
                    | Q(
                        role="village_team",
                        county__isnull=True,
                        township__isnull=True,
                        village__isnull=False,
                    )
                    | Q(role="cadre", county__isnull=True, village__isnull=True)
                ),
                name="profile_place_matches_role",
                violation_error_message=_(
                    "The place of work must match the role (county, township or village)."
                ),
            ),
        ]
        indexes = [
            # Lists of people by name (the pairing cadres of a county: 4,000 sorted otherwise).
            models.Index(fields=["name", "id"], name="profile_by_name"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"

    def clean(self) -> None:
        needs = {
            self.Role.COUNTY_ADMIN: {"county"},
            self.Role.LEADER: {"township"},
            self.Role.TOWNSHIP_STAFF: {"township"},
            self.Role.VILLAGE_TEAM: {"village"},
            self.Role.CADRE: set(),
        }.get(self.role, set())
        allowed = needs | ({"township"} if self.role == self.Role.CADRE else set())
        errors = {}
        for place in ("county", "township", "village"):
            given = getattr(self, f"{place}_id") is not None
            if place in needs and not given:
                errors[place] = _("This role needs a %(place)s.") % {
                    "place": self._meta.get_field(place).verbose_name
                }
            elif given and place not in allowed:
                errors[place] = _("This role works at another level: leave this empty.")
        if errors:
            raise ValidationError(errors)


# Accounts themselves (active or not, names, e-mail) keep their history too: who deactivated
# whom, and when. Password hashes and login times are left out of it.
register(
    get_user_model(),
    app=__package__,
    excluded_fields=["password", "last_login"],
    table_name="township_historicaluser",
)
