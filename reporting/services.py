"""Requesting, building, retrying and sweeping report runs."""

import datetime
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from reporting.models import ReportRun
from reporting.pdf import write_pdf

log = logging.getLogger(__name__)
Status = ReportRun.Status


def scope_key(*, township, village=None, cadre=None, household=None) -> str:
    if household is not None:
        return f"household:{household.pk}"
    if cadre is not None:
        return f"cadre:{cadre.pk}"
    if village is not None:
        return f"village:{village.pk}"
    return f"township:{township.pk}"


def report_request(
    *, kind: str, year: int, township, village=None, cadre=None, household=None, user=None
) -> ReportRun:
    """The run in progress for this report, or a new version queued for building."""
    from reporting.tasks import build_report

    key = scope_key(township=township, village=village, cadre=cadre, household=household)
    in_progress = ReportRun.objects.filter(
        kind=kind, scope_key=key, year=year, status__in=ReportRun.IN_PROGRESS
    )
    with transaction.atomic():
        existing = in_progress.first()
        if existing is not None:
            return existing
        last = ReportRun.objects.filter(kind=kind, scope_key=key, year=year).aggregate(
            v=Max("version")
        )["v"]
        try:
            with transaction.atomic():
                run = ReportRun.objects.create(
                    kind=kind,
                    year=year,
                    township=township,
                    village=village,
                    cadre=cadre,
                    household=household,
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
        township=run.township,
        village=run.village,
        cadre=run.cadre,
        household=run.household,
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
    run = ReportRun.objects.select_related("township", "village", "cadre", "household").get(
        pk=run_id
    )
    try:
        with translation.override(settings.LANGUAGE_CODE):
            template, context, figures = BUILDERS[run.kind](
                run, lambda p: _progress(run_id, p, "gather")
            )
            _progress(run_id, 65, "render")
            html = render_to_string(template, {"run": run, **context})
            _progress(run_id, 70, "pdf")
            scope = run.scope_key.replace(":", "-")
            name = write_pdf(html, f"reports/{run.year}/{run.kind}-{scope}-v{run.version}.pdf")
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
