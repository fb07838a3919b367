"""The thematic registers the work plans count and report (专项台账), each record linked to
the household, to the plan item its money is earmarked to, and so to the fund ledger:

- 危房改造: dilapidated-house renovation (grade, subsidy, start, acceptance);
- 雨露计划: Rain-and-Dew students (school, school year, subsidy);
- 技能培训: training sessions with their attendance and outcome (labour transfer);
- 资产收益: cooperatives and enterprises, dividend contracts with households, payments;
- 大病救助: serious-illness relief (expenses and reimbursements).

Money paid to a household under a register goes through the ledger against an allocation to
the record's plan item (``assistance.ledger``); the register reads what was paid from there.
"""

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from assistance.models.plans import PlanItem
from households.models import Household, Member
from township.access import Scope, scope_for
from township.models import Township, Village
from township.scoping import ScopedQuerySet


class HouseholdRecordQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        return self.filter(household__in=Household.objects.visible_to(user))


def _money(verbose_name, **kwargs) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=12, decimal_places=2, **kwargs)


def _plan_item(related_name: str, *, null: bool = False) -> models.ForeignKey:
    return models.ForeignKey(
        PlanItem,
        on_delete=models.PROTECT,
        null=null,
        blank=null,
        related_name=related_name,
        verbose_name=_("plan item"),
    )


def _recorded_by() -> models.ForeignKey:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )


class HousingRenovation(models.Model):
    """危房改造: one household's renovation, from approval to acceptance."""

    class Grade(models.TextChoices):
        C = "C", _("Grade C")
        D = "D", _("Grade D")

    class Method(models.TextChoices):
        REPAIR = "repair", _("Repair and reinforcement")
        REBUILD = "rebuild", _("Demolition and rebuilding")

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="renovations", verbose_name=_("household")
    )
    plan_item = _plan_item("renovations")
    year = models.PositiveSmallIntegerField(_("year"))
    grade = models.CharField(_("dilapidation grade"), max_length=1, choices=Grade.choices)
    method = models.CharField(_("method"), max_length=8, choices=Method.choices)
    subsidy = _money(_("subsidy (yuan)"))
    started_on = models.DateField(_("works started on"), null=True, blank=True)
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    accepted_by = models.CharField(_("accepted by"), max_length=100, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = _recorded_by()
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    objects = HouseholdRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("housing renovation")
        verbose_name_plural = _("housing renovations")
        constraints = [
            models.UniqueConstraint(
                fields=["plan_item"],
                name="renovation_once_an_item",
                violation_error_message=_("This measure already has its renovation record."),
            ),
            models.CheckConstraint(
                condition=Q(subsidy__gt=0),
                name="renovation_subsidy_positive",
                violation_error_message=_("The renovation subsidy must be more than zero."),
            ),
            models.CheckConstraint(
                condition=Q(accepted_on__isnull=True)
                | Q(started_on__isnull=False, accepted_on__gte=models.F("started_on")),
                name="renovation_accepted_after_start",
                violation_error_message=_("A renovation is accepted after its works started."),
            ),
        ]
        indexes = [
            # The register's list and the reports: a township's renovations of a year.
            models.Index(fields=["year", "household"], name="renovation_year"),
        ]

    def __str__(self) -> str:
        return f"{self.household} {self.year} {self.get_grade_display()}"

    def status_on(self, day) -> str:
        if self.accepted_on is not None and self.accepted_on <= day:
            return "accepted"
        if self.started_on is not None and self.started_on <= day:
            return "started"
        return "approved"


class RainDewStudent(models.Model):
    """雨露计划: a student of a poor household in vocational or higher schooling, one school
    year's subsidy."""

    class Level(models.TextChoices):
        SECONDARY = "secondary", _("Secondary vocational school")
        TECHNICAL = "technical", _("Technical school")
        HIGHER = "higher", _("Higher vocational college")
        UNDERGRADUATE = "undergraduate", _("University")

    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        related_name="rain_dew_students",
        verbose_name=_("household"),
    )
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="rain_dew", verbose_name=_("student")
    )
    plan_item = _plan_item("rain_dew_students")
    school = models.CharField(_("school"), max_length=100)
    level = models.CharField(_("level"), max_length=14, choices=Level.choices)
    enrolled_year = models.PositiveSmallIntegerField(_("year enrolled"))
    school_year = models.PositiveSmallIntegerField(
        _("school year"), help_text=_("The year the school year starts, e.g. 2025 for 2025–2026.")
    )
    subsidy = _money(_("subsidy (yuan)"))
    recorded_by = _recorded_by()
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    objects = HouseholdRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("Rain-and-Dew student")
        verbose_name_plural = _("Rain-and-Dew students")
        constraints = [
            models.UniqueConstraint(
                fields=["member", "school_year"],
                name="rain_dew_once_a_school_year",
                violation_error_message=_("This student is already recorded for the school year."),
            ),
            models.CheckConstraint(
                condition=Q(subsidy__gt=0),
                name="rain_dew_subsidy_positive",
                violation_error_message=_("The subsidy must be more than zero."),
            ),
            models.CheckConstraint(
                condition=Q(school_year__gte=models.F("enrolled_year")),
                name="rain_dew_year_after_enrolment",
                violation_error_message=_("The school year cannot come before enrolment."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.school} {self.school_year}"


class TrainingSessionQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """Township roles see their township's sessions; a village team or a cadre those held
        for their villages or attended by their households."""
        scope = scope_for(user)
        match scope.level:
            case Scope.Level.ALL:
                return self.all()
            case Scope.Level.COUNTY:
                return self.filter(township__county_id=scope.county_id)
            case Scope.Level.TOWNSHIP:
                return self.filter(township_id=scope.township_id)
            case Scope.Level.VILLAGE | Scope.Level.CADRE:
                attended = TrainingAttendance.objects.filter(
                    session=OuterRef("pk"), household__in=Household.objects.visible_to(user)
                )
                villages = Village.objects.visible_to(user).values("pk")
                return self.filter(Q(village__in=villages) | Q(Exists(attended)))
        return self.none()


class TrainingSession(models.Model):
    """技能培训: a training session held for poor households' labour."""

    township = models.ForeignKey(
        Township, on_delete=models.PROTECT, related_name="trainings", verbose_name=_("township")
    )
    village = models.ForeignKey(
        Village,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="trainings",
        verbose_name=_("village"),
        help_text=_("Leave empty for a session of the whole township."),
    )
    title = models.CharField(_("title"), max_length=100)
    skill = models.CharField(_("skill taught"), max_length=60)
    organiser = models.CharField(_("organiser"), max_length=100)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    recorded_by = _recorded_by()
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    objects = TrainingSessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="training_ends_after_start",
                violation_error_message=_("A training ends after it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.starts_on})"


class TrainingAttendance(models.Model):
    """One trainee of a session, whether they completed it, and what came of it."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Not yet known")
        LOCAL_JOB = "local_job", _("Employed locally")
        MIGRANT = "migrant", _("Migrant work (labour transfer)")
        SELF_EMPLOYED = "self_employed", _("Own business or farming")
        NONE = "none", _("No employment")

    TRANSFERRED = (Outcome.LOCAL_JOB, Outcome.MIGRANT, Outcome.SELF_EMPLOYED)

    session = models.ForeignKey(
        TrainingSession,
        on_delete=models.PROTECT,
        related_name="attendances",
        verbose_name=_("training session"),
    )
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="trainings", verbose_name=_("household")
    )
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="trainings", verbose_name=_("trainee")
    )
    plan_item = _plan_item("trainings", null=True)
    completed = models.BooleanField(_("completed the course"), default=False)
    outcome = models.CharField(
        _("outcome"), max_length=14, choices=Outcome.choices, default=Outcome.PENDING
    )
    employer = models.CharField(_("employer or place of work"), max_length=100, blank=True)
    monthly_wage = _money(_("monthly wage (yuan)"), null=True, blank=True)
    recorded_by = _recorded_by()
    history = HistoricalRecords()

    objects = HouseholdRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("trainee")
        verbose_name_plural = _("trainees")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "member"],
                name="training_member_once",
                violation_error_message=_("This person is already on the attendance list."),
            ),
            models.CheckConstraint(
                condition=Q(monthly_wage__isnull=True) | Q(monthly_wage__gte=0),
                name="training_wage_not_negative",
                violation_error_message=_("A wage cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session}: {self.member}"


class EnterpriseQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """Township roles see their township's enterprises; a village team or a cadre those
        with a contract with one of their households."""
        scope = scope_for(user)
        match scope.level:
            case Scope.Level.ALL:
                return self.all()
            case Scope.Level.COUNTY:
                return self.filter(township__county_id=scope.county_id)
            case Scope.Level.TOWNSHIP:
                return self.filter(township_id=scope.township_id)
            case Scope.Level.VILLAGE | Scope.Level.CADRE:
                contracts = DividendContract.objects.filter(
                    enterprise=OuterRef("pk"), household__in=Household.objects.visible_to(user)
                )
                return self.filter(Exists(contracts))
        return self.none()


class Enterprise(models.Model):
    """A cooperative or enterprise that drives poor households' income (带贫主体)."""

    class Kind(models.TextChoices):
        COOPERATIVE = "cooperative", _("Farmers' cooperative")
        ENTERPRISE = "enterprise", _("Leading enterprise")
        FAMILY_FARM = "family_farm", _("Family farm or large grower")
        COLLECTIVE = "collective", _("Village collective economy")

    township = models.ForeignKey(
        Township, on_delete=models.PROTECT, related_name="enterprises", verbose_name=_("township")
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    industry = models.CharField(_("industry"), max_length=60, help_text=_("E.g. tea, pigs."))
    legal_person = models.CharField(_("legal representative"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    history = HistoricalRecords()

    objects = EnterpriseQuerySet.as_manager()

    class Meta:
        verbose_name = _("cooperative or enterprise")
        verbose_name_plural = _("cooperatives and enterprises")
        constraints = [
            models.UniqueConstraint(
                fields=["township", "name"],
                name="enterprise_name_once",
                violation_error_message=_(
                    "An enterprise of this name already exists in the township."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class DividendContract(models.Model):
    """资产收益/分红协议: an enterprise's promise to pay a household dividends each year."""

    class Basis(models.TextChoices):
        FUND_SHARES = "fund_shares", _("Assistance funds invested as the household's shares")
        LAND = "land", _("Land leased or invested")
        OWN_SHARES = "own_shares", _("The household's own shares")
        OTHER = "other", _("Other")

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("enterprise")
    )
    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        related_name="dividend_contracts",
        verbose_name=_("household"),
    )
    plan_item = _plan_item("dividend_contracts", null=True)
    basis = models.CharField(_("basis"), max_length=12, choices=Basis.choices)
    invested = _money(_("amount invested (yuan)"), default=0)
    annual_dividend = _money(_("dividend a year (yuan)"))
    signed_on = models.DateField(_("signed on"))
    start_year = models.PositiveSmallIntegerField(_("first year"))
    end_year = models.PositiveSmallIntegerField(_("last year"))
    recorded_by = _recorded_by()
    history = HistoricalRecords()

    objects = HouseholdRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("dividend contract")
        verbose_name_plural = _("dividend contracts")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_year__gte=models.F("start_year")),
                name="dividend_years_in_order",
                violation_error_message=_("A contract's last year cannot come before its first."),
            ),
            models.CheckConstraint(
                condition=Q(annual_dividend__gt=0, invested__gte=0),
                name="dividend_amounts_positive",
                violation_error_message=_("The dividend amounts must be more than zero."),
            ),
            models.UniqueConstraint(
                fields=["enterprise", "household", "start_year"],
                name="dividend_contract_once",
                violation_error_message=_(
                    "This household already has a contract with this enterprise."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} → {self.household}"


class DividendPayment(models.Model):
    """One dividend paid under a contract: the household's property income of its year."""

    contract = models.ForeignKey(
        DividendContract,
        on_delete=models.PROTECT,
        related_name="payments",
        verbose_name=_("contract"),
    )
    year = models.PositiveSmallIntegerField(_("for the year"))
    paid_on = models.DateField(_("paid on"))
    amount = _money(_("amount (yuan)"))
    voucher = models.CharField(_("voucher number"), max_length=40)
    recorded_by = _recorded_by()
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("dividend payment")
        verbose_name_plural = _("dividend payments")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="dividend_payment_positive",
                violation_error_message=_("A payment must be more than zero."),
            ),
            models.UniqueConstraint(
                fields=["contract", "voucher"],
                name="dividend_voucher_once_a_contract",
                violation_error_message=_("This voucher number is already used for the contract."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract} {self.year} {self.amount}"

    def save(self, *args, **kwargs):
        # A payment is income already counted: it is never edited.
        if self.pk is not None and not self._state.adding:
            raise ValueError("Dividend payments are immutable.")
        super().save(*args, **kwargs)


class HealthRelief(models.Model):
    """大病救助: one illness's expenses and what insurance and relief paid back."""

    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        related_name="health_reliefs",
        verbose_name=_("household"),
    )
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="health_reliefs", verbose_name=_("patient")
    )
    plan_item = _plan_item("health_reliefs")
    year = models.PositiveSmallIntegerField(_("year"))
    illness = models.CharField(_("illness"), max_length=100)
    hospital = models.CharField(_("hospital"), max_length=100)
    admitted_on = models.DateField(_("admitted on"))
    expenses = _money(_("medical expenses (yuan)"))
    basic_insurance = _money(_("paid by basic medical insurance"), default=0)
    serious_illness_insurance = _money(_("paid by serious-illness insurance"), default=0)
    relief = _money(
        _("medical relief approved (yuan)"),
        help_text=_("Paid from the fund against the plan item."),
    )
    recorded_by = _recorded_by()
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    objects = HouseholdRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("serious-illness relief")
        verbose_name_plural = _("serious-illness relief")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    expenses__gt=0,
                    basic_insurance__gte=0,
                    serious_illness_insurance__gte=0,
                    relief__gte=0,
                ),
                name="health_relief_amounts_valid",
                violation_error_message=_("The amounts cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(
                    expenses__gte=models.F("basic_insurance")
                    + models.F("serious_illness_insurance")
                    + models.F("relief")
                ),
                name="health_relief_within_expenses",
                violation_error_message=_("Reimbursements cannot exceed the expenses."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.illness} {self.admitted_on}"

    @property
    def reimbursed(self):
        return self.basic_insurance + self.serious_illness_insurance + self.relief

    @property
    def out_of_pocket(self):
        return self.expenses - self.reimbursed
