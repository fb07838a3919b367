"""Projects (扶贫项目): from the project library to acceptance, with their beneficiaries."""

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from households.models import Household
from township.access import Scope, scope_for
from township.models import Township, Village
from township.scoping import ScopedQuerySet


class ProjectQuerySet(ScopedQuerySet):
    def visible_to(self, user) -> "ProjectQuerySet":
        """Township roles see their township's projects; a village team or a cadre those
        in their villages (see ``township.access``)."""
        scope = scope_for(user)
        match scope.level:
            case Scope.Level.ALL:
                return self.all()
            case Scope.Level.COUNTY:
                return self.filter(township__county_id=scope.county_id)
            case Scope.Level.TOWNSHIP:
                return self.filter(township_id=scope.township_id)
            case Scope.Level.VILLAGE | Scope.Level.CADRE:
                villages = Village.objects.visible_to(user).values("pk")
                return self.filter(
                    Exists(
                        Project.villages.through.objects.filter(
                            project_id=OuterRef("pk"), village_id__in=villages
                        )
                    )
                )
        return self.none()


class Project(models.Model):
    class Kind(models.TextChoices):
        ROAD = "road", _("Road")
        BRIDGE = "bridge", _("Bridge")
        WATER = "water", _("Drinking water")
        PHOTOVOLTAIC = "photovoltaic", _("Photovoltaic station")
        INDUSTRY = "industry", _("Industry")
        HOUSING = "housing", _("Housing")
        WHOLE_VILLAGE = "whole_village", _("Whole-village promotion")

    class Stage(models.TextChoices):
        LIBRARY = "library", _("In the project library")
        APPROVED = "approved", _("Approved")
        IN_PROGRESS = "in_progress", _("In progress")
        ACCEPTED = "accepted", _("Accepted")

    NEXT_STAGE = {
        Stage.LIBRARY: Stage.APPROVED,
        Stage.APPROVED: Stage.IN_PROGRESS,
        Stage.IN_PROGRESS: Stage.ACCEPTED,
    }

    township = models.ForeignKey(
        Township, on_delete=models.PROTECT, related_name="projects", verbose_name=_("township")
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=15, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    villages = models.ManyToManyField(Village, related_name="projects", verbose_name=_("villages"))
    budget = models.DecimalField(_("budget (yuan)"), max_digits=14, decimal_places=2)
    implementing_unit = models.CharField(_("implementing unit"), max_length=100)
    stage = models.CharField(
        _("stage"), max_length=12, choices=Stage.choices, default=Stage.LIBRARY
    )
    benefit_mechanism = models.TextField(_("benefit mechanism (带贫机制)"), blank=True)
    performance_target = models.TextField(_("performance target"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords(m2m_fields=[villages])

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        constraints = [
            models.CheckConstraint(
                condition=Q(budget__gt=0),
                name="project_budget_positive",
                violation_error_message=_("A project's budget is above zero."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def next_stage(self) -> str | None:
        return self.NEXT_STAGE.get(self.stage)


class ProjectStageChange(models.Model):
    """Who moved a project to which stage, and when."""

    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="stage_changes", verbose_name=_("project")
    )
    stage = models.CharField(_("stage"), max_length=12, choices=Project.Stage.choices)
    changed_on = models.DateField(_("date"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("project stage change")
        verbose_name_plural = _("project stage changes")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "stage"],
                name="project_stage_once",
                violation_error_message=_("The project has already reached this stage."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} → {self.get_stage_display()}"


class ProjectBeneficiary(models.Model):
    """A household that benefits from a project, and how."""

    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="beneficiaries", verbose_name=_("project")
    )
    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        related_name="project_benefits",
        verbose_name=_("household"),
    )
    how = models.CharField(_("how the household benefits"), max_length=200)
    # The day the household was entered as a beneficiary: after acceptance, the list the
    # project is publicised and audited with is still completed, never replaced.
    added_on = models.DateField(_("added on"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("beneficiary household")
        verbose_name_plural = _("beneficiary households")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "household"],
                name="project_beneficiary_once",
                violation_error_message=_("This household already benefits from the project."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project}: {self.household}"
