"""Report runs: one build of one report over one scope and year, frozen once done."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from households.models import Household
from township.access import Scope, scope_for
from township.background import BackgroundWork
from township.models import County, StaffProfile, Township, Village


class ReportRunQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ReportRunQuerySet":
        """Township roles see their township's runs; a village team its village's; a cadre
        the runs over their own households. An export holds what its requester may see
        (full ID numbers for some): it is theirs only."""
        if user is None or not user.is_authenticated:
            return self.none()
        export = Q(kind=ReportRun.Kind.EXPORT)
        mine = export & Q(requested_by=user)
        scoped = self._scope_q(user)
        return self.filter(mine if scoped is None else (mine | (~export & scoped)))

    @staticmethod
    def _scope_q(user) -> Q | None:
        scope = scope_for(user)
        match scope.level:
            case Scope.Level.ALL:
                return Q()
            case Scope.Level.COUNTY:
                return Q(township__county_id=scope.county_id) | Q(county_id=scope.county_id)
            case Scope.Level.TOWNSHIP:
                return Q(township_id=scope.township_id)
            case Scope.Level.VILLAGE:
                return Q(village_id=scope.village_id, cadre__isnull=True) | Q(
                    household__village_id=scope.village_id
                )
            case Scope.Level.CADRE:
                return Q(cadre_id=scope.profile_id) | Q(
                    household__in=Household.objects.visible_to(user)
                )
        return None


class ReportRun(BackgroundWork):
    class Kind(models.TextChoices):
        YEAR_START = "year_start", _("Year-start account (年初建账)")
        MID_YEAR = "mid_year", _("Mid-year reconciliation (年中对账)")
        YEAR_END = "year_end", _("Year-end audit (年底审账)")
        EXIT = "exit", _("Annual poverty-exit report")
        REGISTER = "register", _("Village register (村有册)")
        CARDS = "cards", _("Household archive cards")
        IDENT_NOTICE = "ident_notice", _("Identification: first public notice (公示)")
        IDENT_SECOND = "ident_second", _("Identification: second public notice (公示)")
        IDENT_ANNOUNCE = "ident_announce", _("Identification: announcement (公告)")
        EXIT_NOTICE = "exit_notice", _("Exit: public notice (公示)")
        EXIT_ANNOUNCE = "exit_announce", _("Exit: announcement (公告)")
        PROJECT_NOTICE = "project_notice", _("Project notice (公示)")
        FUND_NOTICE = "fund_notice", _("Fund notice (公示)")
        LOAN_NOTICE = "loan_notice", _("Microcredit notice (公示)")
        ASSESSMENT = "assessment", _("Assessment of the year's work (考核)")
        EXPORT = "export", _("Spreadsheet export")

    # The notices for the village board: one village (or one project, one fund) each.
    NOTICES = (
        Kind.IDENT_NOTICE,
        Kind.IDENT_SECOND,
        Kind.IDENT_ANNOUNCE,
        Kind.EXIT_NOTICE,
        Kind.EXIT_ANNOUNCE,
        Kind.PROJECT_NOTICE,
        Kind.FUND_NOTICE,
        Kind.LOAN_NOTICE,
    )
    VILLAGE_NOTICES = NOTICES[:5] + (Kind.LOAN_NOTICE,)
    # The accounts of the year, which a help unit's report can be.
    ACCOUNTS = (Kind.YEAR_START, Kind.MID_YEAR, Kind.YEAR_END)
    # What a county-wide run can be: built a township a part, in parallel, then merged.
    COUNTY_KINDS = (Kind.EXIT, Kind.YEAR_START, Kind.MID_YEAR, Kind.YEAR_END)

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    IN_PROGRESS = (Status.QUEUED, Status.RUNNING)

    kind = models.CharField(_("report"), max_length=20, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    # The day the report is drawn up to: every figure is as it stood at the end of that day.
    as_of = models.DateField(_("drawn up to"))
    # Empty for a county-wide run (``county`` then says which) and for an export.
    township = models.ForeignKey(
        Township,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="report_runs",
        verbose_name=_("township"),
    )
    county = models.ForeignKey(
        County,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="report_runs",
        verbose_name=_("county"),
    )
    village = models.ForeignKey(
        Village,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="report_runs",
        verbose_name=_("village"),
    )
    cadre = models.ForeignKey(
        StaffProfile,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="report_runs",
        verbose_name=_("pairing cadre"),
    )
    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="report_runs",
        verbose_name=_("household"),
    )
    # A help unit's households in the township: those paired with its cadres that day.
    help_unit = models.ForeignKey(
        "township.HelpUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="report_runs",
        verbose_name=_("help unit"),
    )
    project = models.ForeignKey(
        "assistance.Project",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="report_runs",
        verbose_name=_("project"),
    )
    fund = models.ForeignKey(
        "assistance.Fund",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="report_runs",
        verbose_name=_("fund"),
    )
    # What a notice says beyond its figures: the contact for objections.
    params = models.JSONField(_("notice details"), default=dict, blank=True)
    # "township:3", "village:17", "cadre:5", "household:88", "unit:4", "project:9",
    # "fund:2", "county:1", "export:<user>:<digest>": what the run covers, as one key.
    scope_key = models.CharField(max_length=40, editable=False)
    version = models.PositiveIntegerField(_("version"), default=1)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    stage = models.CharField(_("stage"), max_length=100, blank=True)
    file = models.FileField(_("file"), upload_to="reports/", blank=True)
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = ReportRunQuerySet.as_manager()

    class Meta:
        verbose_name = _("report run")
        verbose_name_plural = _("report runs")
        constraints = [
            # Two requests for the same report at once produce one run.
            models.UniqueConstraint(
                fields=["kind", "scope_key", "year", "as_of"],
                condition=Q(status__in=["queued", "running"]),
                name="report_one_run_in_progress",
                violation_error_message=_("This report is already being built."),
            ),
            models.UniqueConstraint(
                fields=["kind", "scope_key", "year", "as_of", "version"],
                name="report_version_once",
                violation_error_message=_("This version of the report already exists."),
            ),
            models.CheckConstraint(
                condition=Q(progress__lte=100),
                name="report_progress_at_most_100",
                violation_error_message=_("Progress is at most 100 percent."),
            ),
            models.CheckConstraint(
                condition=Q(as_of__year=models.F("year")),
                name="report_as_of_in_its_year",
                violation_error_message=_("A report is drawn up to a day of its own year."),
            ),
        ]
        indexes = [
            # The stale-run sweeper: runs still running.
            models.Index(fields=["status", "started_at"], name="report_status_started"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.year} {self.scope_label} v{self.version}"

    @property
    def scope_label(self) -> str:
        if self.kind == self.Kind.EXPORT:
            return self.params.get("filename", "")
        if self.county_id and not self.township_id:
            return self.county.name
        if self.project_id:
            return self.project.name
        if self.fund_id:
            return self.fund.name
        if self.help_unit_id:
            return f"{self.township.name} {self.help_unit.name}"
        if self.household_id:
            return str(self.household)
        if self.cadre_id:
            return self.cadre.name
        if self.village_id:
            return f"{self.township.name} {self.village.name}"
        return self.township.name

    @property
    def is_spreadsheet(self) -> bool:
        return self.file.name.endswith(".xlsx") if self.file else self.kind == self.Kind.EXPORT

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def is_unsent(self) -> bool:
        """Waiting, but the broker could not be reached: the sweeper sends it again."""
        return self.status == self.Status.QUEUED and self.dispatched_at is None
