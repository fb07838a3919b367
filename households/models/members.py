"""Household members (家庭成员)."""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Right
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from households.models.card import Household
from township.choices import QuickChoiceDisplay
from township.scoping import ScopedQuerySet
from township.validators import id_birth_date, normalize_id_number, validate_id_number


class IdNumberField(models.CharField):
    """An 18-character national ID number, stored upper-case (a trailing x becomes X)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 18)
        super().__init__(*args, **kwargs)
        self.validators.append(validate_id_number)

    def to_python(self, value):
        value = super().to_python(value)
        return normalize_id_number(value) if value is not None else value

    def pre_save(self, model_instance, add):
        value = normalize_id_number(getattr(model_instance, self.attname))
        setattr(model_instance, self.attname, value)
        return value


class MemberQuerySet(ScopedQuerySet):
    def visible_to(self, user) -> "MemberQuerySet":
        """The members of the households ``user`` may see."""
        return self.filter(household__in=Household.objects.visible_to(user))


class Member(QuickChoiceDisplay, models.Model):
    class Sex(models.TextChoices):
        MALE = "M", _("Male")
        FEMALE = "F", _("Female")

    class Relation(models.TextChoices):
        HEAD = "head", _("Head of household")
        SPOUSE = "spouse", _("Spouse")
        SON = "son", _("Son")
        DAUGHTER = "daughter", _("Daughter")
        CHILD_IN_LAW = "child_in_law", _("Son- or daughter-in-law")
        GRANDCHILD = "grandchild", _("Grandchild")
        PARENT = "parent", _("Parent")
        GRANDPARENT = "grandparent", _("Grandparent")
        SIBLING = "sibling", _("Brother or sister")
        OTHER = "other", _("Other relative")

    class Education(models.TextChoices):
        NONE = "none", _("Illiterate or semi-literate")
        PRESCHOOL = "preschool", _("Preschool")
        PRIMARY = "primary", _("Primary school")
        JUNIOR = "junior", _("Junior middle school")
        SENIOR = "senior", _("Senior middle school")
        VOCATIONAL = "vocational", _("Vocational school")
        COLLEGE = "college", _("College or above")

    class Schooling(models.TextChoices):
        NOT_IN_SCHOOL = "not_in_school", _("Not in school")
        PRESCHOOL = "preschool", _("In preschool")
        PRIMARY = "primary", _("In primary school")
        JUNIOR = "junior", _("In junior middle school")
        SENIOR = "senior", _("In senior middle school")
        SECONDARY_VOCATIONAL = "sec_vocational", _("In secondary vocational school")
        HIGHER = "higher", _("In college or university")
        DROPPED_OUT = "dropped_out", _("Dropped out")

    class Health(models.TextChoices):
        HEALTHY = "healthy", _("Healthy")
        CHRONIC = "chronic", _("Chronic illness")
        SERIOUS = "serious", _("Serious illness")
        DISABLED = "disabled", _("Disabled")

    class Labour(models.TextChoices):
        NORMAL = "normal", _("Normal labour")
        WEAK = "weak", _("Weak labour")
        LOST = "lost", _("Lost labour ability")
        NONE = "none", _("No labour ability")

    class LeftReason(models.TextChoices):
        DEATH = "death", _("Death")
        MARRIAGE = "marriage", _("Married out")
        MOVED = "moved", _("Household registration moved")
        ERROR = "error", _("Entered in error")

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="members", verbose_name=_("household")
    )
    name = models.CharField(_("name"), max_length=50)
    id_number = IdNumberField(_("ID number"))
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    relation = models.CharField(_("relation to head"), max_length=15, choices=Relation.choices)
    ethnicity = models.CharField(_("ethnicity"), max_length=20, default="汉族")
    education = models.CharField(
        _("education level"), max_length=12, choices=Education.choices, default=Education.PRIMARY
    )
    schooling = models.CharField(
        _("current schooling"),
        max_length=15,
        choices=Schooling.choices,
        default=Schooling.NOT_IN_SCHOOL,
    )
    health = models.CharField(
        _("health"), max_length=10, choices=Health.choices, default=Health.HEALTHY
    )
    disability_grade = models.PositiveSmallIntegerField(
        _("disability grade"), null=True, blank=True, help_text=_("1 (most severe) to 4.")
    )
    labour = models.CharField(
        _("labour ability"), max_length=10, choices=Labour.choices, default=Labour.NORMAL
    )
    migrant_months = models.PositiveSmallIntegerField(_("months of migrant work"), default=0)
    skills = models.CharField(_("skills"), max_length=200, blank=True)
    medical_insurance = models.BooleanField(_("enrolled in medical insurance"), default=False)
    pension_insurance = models.BooleanField(_("enrolled in pension insurance"), default=False)
    is_active = models.BooleanField(_("in the household"), default=True)
    left_on = models.DateField(_("left on"), null=True, blank=True)
    left_reason = models.CharField(
        _("reason for leaving"), max_length=10, choices=LeftReason.choices, blank=True
    )
    history = HistoricalRecords()

    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("household member")
        verbose_name_plural = _("household members")
        constraints = [
            models.UniqueConstraint(
                fields=["id_number"],
                condition=Q(is_active=True),
                name="member_in_one_active_household",
                violation_error_message=_(
                    "This ID number already belongs to a member of another household."
                ),
            ),
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(is_active=True, relation="head"),
                name="member_one_head_per_household",
                violation_error_message=_("This household already has a head."),
            ),
            models.CheckConstraint(
                condition=Q(id_number__regex=r"^[0-9]{17}[0-9X]$"),
                name="member_id_number_format",
                violation_error_message=_("An ID number is 17 digits followed by a digit or X."),
            ),
            models.CheckConstraint(
                condition=Q(migrant_months__lte=12),
                name="member_migrant_months_at_most_12",
                violation_error_message=_("A year has at most 12 months of migrant work."),
            ),
            models.CheckConstraint(
                condition=Q(
                    health="disabled",
                    disability_grade__isnull=False,
                    disability_grade__gte=1,
                    disability_grade__lte=4,
                )
                | Q(~Q(health="disabled"), disability_grade__isnull=True),
                name="member_disability_grade_iff_disabled",
                violation_error_message=_(
                    "Give a disability grade for a disabled member, and only then."
                ),
            ),
            models.CheckConstraint(
                condition=Q(is_active=True, left_on__isnull=True, left_reason="")
                | Q(is_active=False, left_on__isnull=False) & ~Q(left_reason=""),
                name="member_left_has_date_and_reason",
                violation_error_message=_("A member who left needs the date and the reason."),
            ),
        ]
        indexes = [
            # Searching by the last digits of an ID number: `Right(id_number, 4) = '1234'`.
            models.Index(Right("id_number", 4), name="member_id_last4"),
            # Searching members by name (prefix matches).
            models.Index(fields=["name"], name="member_name"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def birth_date(self) -> datetime.date | None:
        return id_birth_date(self.id_number) if self.id_number else None

    def age_on(self, day: datetime.date) -> int | None:
        born = self.birth_date
        if born is None:
            return None
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    def clean(self) -> None:
        errors = {}
        if self.id_number and len(self.id_number) == 18 and self.sex:
            id_sex = self.Sex.MALE if int(self.id_number[16]) % 2 else self.Sex.FEMALE
            if id_sex != self.sex:
                errors["sex"] = _("The sex does not match the ID number, which says %(sex)s.") % {
                    "sex": id_sex.label
                }
        if self.health == self.Health.DISABLED and not self.disability_grade:
            errors["disability_grade"] = _("Give the disability grade (1 to 4).")
        if self.health != self.Health.DISABLED and self.disability_grade:
            errors["disability_grade"] = _("Only a disabled member has a disability grade.")
        if self.disability_grade is not None and not 1 <= self.disability_grade <= 4:
            errors["disability_grade"] = _("The disability grade is 1 to 4.")
        if self.migrant_months > 12:
            errors["migrant_months"] = _("A year has at most 12 months of migrant work.")
        if not self.is_active and (not self.left_on or not self.left_reason):
            errors["left_reason"] = _("A member who left needs the date and the reason.")
        if errors:
            raise ValidationError(errors)
