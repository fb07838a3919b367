"""Requesting, building, retrying and sweeping report runs."""

import datetime
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from households.models import Household
from reporting.models import ReportRun
from reporting.pdf import write_pdf

log = logging.getLogger(__name__)
Status = ReportRun.Status


def scope_key(
    *, township, village=None, cadre=None, household=None, help_unit=None, project=None, fund=None
) -> str:
    if project is not None:
        return f"project:{project.pk}"
    if fund is not None:
        return f"fund:{fund.pk}"
    if help_unit is not None:
        return f"unit:{help_unit.pk}:{township.pk}"
    if household is not None:
        return f"household:{household.pk}"
    if cadre is not None:
        return f"cadre:{cadre.pk}"
    if village is not None:
        return f"village:{village.pk}"
    return f"township:{township.pk}"


def report_request(
    *,
    kind: str,
    year: int,
    township,
    village=None,
    cadre=None,
    household=None,
    help_unit=None,
    project=None,
    fund=None,
    params: dict | None = None,
    user=None,
    as_of: datetime.date | None = None,
) -> ReportRun:
    """The run in progress for this report, or a new version queued for building.

    ``as_of`` is the day the report is drawn up to: by default the account's day (31 January,
    30 June, 31 December), 31 December for the other reports.
    """
    from reporting.selectors import phase_date
    from reporting.tasks import build_report

    as_of = as_of or phase_date(kind, year)
    if as_of.year != year:
        raise ValueError("A report is drawn up to a day of its own year.")
    key = scope_key(
        township=township,
        village=village,
        cadre=cadre,
        household=household,
        help_unit=help_unit,
        project=project,
        fund=fund,
    )
    same = ReportRun.objects.filter(kind=kind, scope_key=key, year=year, as_of=as_of)
    in_progress = same.filter(status__in=ReportRun.IN_PROGRESS)
    with transaction.atomic():
        existing = in_progress.first()
        if existing is not None:
            return existing
        last = same.aggregate(v=Max("version"))["v"]
        try:
            with transaction.atomic():
                run = ReportRun.objects.create(
                    kind=kind,
                    year=year,
                    as_of=as_of,
                    township=township,
                    village=village,
                    cadre=cadre,
                    household=household,
                    help_unit=help_unit,
                    project=project,
                    fund=fund,
                    params=params or {},
                    scope_key=key,
                    version=(last or 0) + 1,
                    requested_by=user,
                )
        except IntegrityError:
            # Race: the same report was requested at the same moment; both get that run.
            return in_progress.get()
        transaction.on_commit(lambda: build_report.delay(run.pk))
    return run


def report_retry(*, run: ReportRun, user) -> ReportRun:
    return report_request(
        kind=run.kind,
        year=run.year,
        as_of=run.as_of,
        township=run.township,
        village=run.village,
        cadre=run.cadre,
        household=run.household,
        help_unit=run.help_unit,
        project=run.project,
        fund=run.fund,
        params=run.params,
        user=user,
    )


def _progress(run_id: int, percent: int, stage: str = "") -> None:
    ReportRun.objects.filter(pk=run_id, status=Status.RUNNING).update(
        progress=min(max(percent, 0), 99), stage=stage
    )


def report_build(*, run_id: int) -> None:
    """Build one run. Safe to call again for the same run (a redelivered task)."""
    from reporting.builders import BUILDERS

    # Claim the run: queued, or running but handed to us again after its worker died.
    claimed = ReportRun.objects.filter(pk=run_id, status__in=ReportRun.IN_PROGRESS).update(
        status=Status.RUNNING, started_at=timezone.now(), progress=1, error=""
    )
    if not claimed:
        return
    run = ReportRun.objects.select_related(
        "township", "village", "cadre", "household", "help_unit", "project", "fund"
    ).get(pk=run_id)
    try:
        with translation.override(settings.LANGUAGE_CODE):
            template, context, figures = BUILDERS[run.kind](
                run, lambda p: _progress(run_id, p, "gather")
            )
            _progress(run_id, 65, "render")
            html = render_to_string(
                template, {"run": run, **_report_frame(run, figures), **context}
            )
            _progress(run_id, 70, "pdf")
            scope = run.scope_key.replace(":", "-")
            name = write_pdf(
                html, f"reports/{run.year}/{run.kind}-{scope}-{run.as_of:%m%d}-v{run.version}.pdf"
            )
    except Exception as exc:
        log.exception("report run %s failed", run_id)
        ReportRun.objects.filter(pk=run_id).update(
            status=Status.FAILED,
            error=f"{exc.__class__.__name__}: {exc}"[:2000],
            finished_at=timezone.now(),
        )
        return
    ReportRun.objects.filter(pk=run_id).update(
        status=Status.DONE,
        progress=100,
        stage="",
        file=name,
        figures=figures,
        finished_at=timezone.now(),
    )


def _report_frame(run: ReportRun, figures: dict) -> dict:
    """What every report shows around its figures: who prepared it, whether it was built
    before its day, and what changed since its first version."""
    prepared_by = ""
    if run.requested_by_id:
        profile = getattr(run.requested_by, "profile", None)
        prepared_by = profile.name if profile else run.requested_by.get_username()
    frame = {
        "prepared_by": prepared_by,
        "provisional": timezone.localdate() < run.as_of,
        "changes": None,
    }
    first = (
        ReportRun.objects.filter(
            kind=run.kind,
            scope_key=run.scope_key,
            year=run.year,
            as_of=run.as_of,
            status=Status.DONE,
        )
        .exclude(pk=run.pk)
        .order_by("version")
        .first()
    )
    if first is not None and "rows" in first.figures and "rows" in figures:
        from reporting.selectors import row_changes

        names = {
            str(h.pk): f"{h.village.name} {h.card_number}"
            for h in Household.objects.filter(
                pk__in=[int(k) for k in set(first.figures["rows"]) | set(figures["rows"])]
            ).select_related("village")
        }
        frame["first_version"] = first
        frame["changes"] = row_changes(first.figures["rows"], figures["rows"], names)
    return frame


def report_runs_sweep(*, now: datetime.datetime | None = None) -> int:
    """Mark runs failed that have run (or waited) far longer than any build takes."""
    now = now or timezone.now()
    limit = datetime.timedelta(minutes=settings.BANGFU_REPORT_STALE_MINUTES)
    stale = ReportRun.objects.filter(status=Status.RUNNING, started_at__lt=now - limit)
    never = ReportRun.objects.filter(status=Status.QUEUED, created_at__lt=now - 2 * limit)
    with translation.override(settings.LANGUAGE_CODE):
        message = _(
            "The build stopped without finishing (its worker died or it ran too long). "
            "Build it again."
        )
    return stale.update(status=Status.FAILED, error=message, finished_at=now) + never.update(
        status=Status.FAILED, error=message, finished_at=now
    )


def reports_scheduled(*, today: datetime.date | None = None) -> list[ReportRun]:
    """On the configured dates, request the reconciliation reports of every township."""
    from township.models import Township

    today = today or timezone.localdate()
    due = [kind for day, kind in settings.BANGFU_REPORT_SCHEDULE if day == (today.month, today.day)]
    return [
        report_request(kind=kind, year=today.year, township=township)
        for kind in due
        for township in Township.objects.order_by("pk")
    ]
