"""The village's own books: its development plan (村级发展规划) with the project library,
its mutual-aid fund (贫困村互助资金) with a small ledger of its own, and the resident work
team's presence in the village (驻村考勤)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from assistance.models.projects import Project
from households.models import Household
from township.models import StaffProfile, Village


class VillageRecordQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(village__in=Village.objects.visible_to(user))


class VillagePlan(models.Model):
    """村级发展规划: the village's plan over some years, which the work team helps draw up."""

    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="plans", verbose_name=_("village")
    )
    title = models.CharField(_("title"), max_length=100)
    start_year = models.PositiveSmallIntegerField(_("first year"))
    end_year = models.PositiveSmallIntegerField(_("last year"))
    goals = models.TextField(_("goals"))
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    history = HistoricalRecords()

    objects = VillageRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("village development plan")
        verbose_name_plural = _("village development plans")
        constraints = [
            models.UniqueConstraint(
                fields=["village", "start_year"],
                name="village_plan_once",
                violation_error_message=_("The village already has a plan for these years."),
            ),
            models.CheckConstraint(
                condition=Q(end_year__gte=models.F("start_year")),
                name="village_plan_years_in_order",
                violation_error_message=_("A plan's last year cannot come before its first."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.village} {self.start_year}–{self.end_year}"


class LibraryEntryQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(plan__village__in=Village.objects.visible_to(user))


class LibraryEntry(models.Model):
    """A project proposed in the village's plan (项目库); once the township takes it up it
    becomes a township project and points to it."""

    plan = models.ForeignKey(
        VillagePlan, on_delete=models.PROTECT, related_name="entries", verbose_name=_("plan")
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=15, choices=Project.Kind.choices)
    year = models.PositiveSmallIntegerField(_("planned year"))
    estimated_budget = models.DecimalField(
        _("estimated budget (yuan)"), max_digits=14, decimal_places=2
    )
    priority = models.PositiveSmallIntegerField(_("priority"), default=1)
    description = models.TextField(_("what and why"), blank=True)
    project = models.OneToOneField(
        Project,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="library_entry",
        verbose_name=_("township project"),
    )
    history = HistoricalRecords()

    objects = LibraryEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("project library entry")
        verbose_name_plural = _("project library entries")
        constraints = [
            models.CheckConstraint(
                condition=Q(estimated_budget__gt=0),
                name="library_budget_positive",
                violation_error_message=_("The budget must be more than zero."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class MutualAidFund(models.Model):
    """互助资金: the village's revolving fund lent to its members, kept by the village."""

    village = models.OneToOneField(
        Village, on_delete=models.PROTECT, related_name="mutual_aid_fund", verbose_name=_("village")
    )
    name = models.CharField(_("name"), max_length=100)
    established_on = models.DateField(_("established on"))
    max_loan = models.DecimalField(
        _("largest loan to a member (yuan)"), max_digits=12, decimal_places=2
    )
    fee_rate = models.DecimalField(
        _("use fee a year (%)"), max_digits=5, decimal_places=2, default=0
    )
    history = HistoricalRecords()

    objects = VillageRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("mutual-aid fund")
        verbose_name_plural = _("mutual-aid funds")
        constraints = [
            models.CheckConstraint(
                condition=Q(max_loan__gt=0, fee_rate__gte=0),
                name="mutual_aid_limits_valid",
                violation_error_message=_("The mutual-aid fund's limits must be more than zero."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class MutualAidMember(models.Model):
    """A household that joined the fund (入社), and may borrow from it."""

    fund = models.ForeignKey(
        MutualAidFund, on_delete=models.PROTECT, related_name="members", verbose_name=_("fund")
    )
    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        related_name="mutual_aid_memberships",
        verbose_name=_("household"),
    )
    joined_on = models.DateField(_("joined on"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("mutual-aid member")
        verbose_name_plural = _("mutual-aid members")
        constraints = [
            models.UniqueConstraint(
                fields=["fund", "household"],
                name="mutual_aid_member_once",
                violation_error_message=_("This household is already a member."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.fund}: {self.household}"


class MutualAidEntry(models.Model):
    """One immutable line of the mutual-aid fund's own ledger. Balances are derived: money in
    hand = capital + repayments + fees − loans; a loan's outstanding = loan − its repayments;
    a reversal cancels one entry in full."""

    class Kind(models.TextChoices):
        CAPITAL = "capital", _("Capital paid in")
        LOAN = "loan", _("Loan to a member")
        REPAYMENT = "repayment", _("Repayment")
        FEE = "fee", _("Use fee")
        REVERSAL = "reversal", _("Reversal")

    fund = models.ForeignKey(
        MutualAidFund, on_delete=models.PROTECT, related_name="entries", verbose_name=_("fund")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    voucher = models.CharField(_("voucher number"), max_length=40)
    entry_date = models.DateField(_("date"))
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2)
    purpose = models.CharField(_("purpose"), max_length=200)
    member = models.ForeignKey(
        MutualAidMember,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entries",
        verbose_name=_("member"),
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    loan = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="repayments",
        verbose_name=_("against loan"),
    )
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
        verbose_name=_("reverses"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("mutual-aid entry")
        verbose_name_plural = _("mutual-aid entries")
        constraints = [
            models.UniqueConstraint(
                fields=["fund", "voucher"],
                name="mutual_aid_voucher_once",
                violation_error_message=_("This voucher number is already used in the fund."),
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="mutual_aid_amount_positive",
                violation_error_message=_("An amount must be more than zero."),
            ),
            models.CheckConstraint(
                condition=Q(kind="capital", loan__isnull=True, reverses__isnull=True)
                | Q(
                    kind="loan",
                    member__isnull=False,
                    due_on__isnull=False,
                    loan__isnull=True,
                    reverses__isnull=True,
                )
                | Q(kind__in=["repayment", "fee"], loan__isnull=False, reverses__isnull=True)
                | Q(kind="reversal", reverses__isnull=False, loan__isnull=True),
                name="mutual_aid_links_match_kind",
                violation_error_message=_("The entry's links do not match its kind."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.fund} {self.voucher} {self.get_kind_display()} {self.amount}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ValueError("Mutual-aid entries are immutable; record a reversal instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Mutual-aid entries are never deleted; record a reversal instead.")


class TeamAttendance(models.Model):
    """驻村考勤: where a member of the village's work team was on a day."""

    class Presence(models.TextChoices):
        IN_VILLAGE = "in_village", _("In the village")
        ON_DUTY = "on_duty", _("Away on official duty")
        LEAVE = "leave", _("On leave")
        ABSENT = "absent", _("Absent")

    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="attendance", verbose_name=_("village")
    )
    person = models.ForeignKey(
        StaffProfile,
        on_delete=models.PROTECT,
        related_name="attendance",
        verbose_name=_("team member"),
    )
    day = models.DateField(_("day"))
    presence = models.CharField(_("presence"), max_length=10, choices=Presence.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    history = HistoricalRecords()

    objects = VillageRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("work team attendance")
        verbose_name_plural = _("work team attendance")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "day"],
                name="attendance_once_a_day",
                violation_error_message=_("The day is already logged."),
            ),
        ]
        indexes = [
            # The month's grid of a village: its rows by day.
            models.Index(fields=["village", "day"], name="attendance_village_day"),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.day} {self.get_presence_display()}"
