"""Requesting, building, retrying and sweeping report runs."""

import datetime
import logging
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from households.models import Household
from reporting.models import ReportRun
from reporting.pdf import render_pdf
from township import background

log = logging.getLogger(__name__)
Status = ReportRun.Status
# A run sent this long ago and still waiting is sent again (see report_runs_sweep).
RESEND_AFTER = datetime.timedelta(minutes=5)


def scope_key(
    *,
    township,
    village=None,
    cadre=None,
    household=None,
    help_unit=None,
    project=None,
    fund=None,
    county=None,
) -> str:
    if township is None and county is not None:
        return f"county:{county.pk}"
    if project is not None:
        return f"project:{project.pk}"
    if fund is not None:
        return f"fund:{fund.pk}"
    if help_unit is not None:
        return f"unit:{help_unit.pk}:{township.pk}"
    if household is not None:
        return f"household:{household.pk}"
    if help_unit is not None:
        return f"help_unit:{help_unit.pk}:{township.pk}"
    if cadre is not None:
        return f"cadre:{cadre.pk}"
    if village is not None:
        return f"village:{village.pk}"
    return f"township:{township.pk}"


def _send(run_id: int) -> bool:
    from reporting.tasks import build_report

    return background.send(build_report, ReportRun, run_id)


def _needs_sending(run: ReportRun, now: datetime.datetime) -> bool:
    """A waiting run whose message was never sent, or was sent long ago and not taken
    (lost by a broker restarted without its data): sending again is harmless, since the
    first message to arrive claims the run and the others find it taken."""
    if run.status != Status.QUEUED:
        return False
    return run.dispatched_at is None or run.dispatched_at < background.silent_since(now)


def report_request(
    *,
    kind: str,
    year: int,
    township=None,
    county=None,
    key: str | None = None,
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
    30 June, 31 December), 31 December for the other reports. A county-wide run (``county``
    without ``township``) is built a township a part (:func:`report_part_build`); ``key``
    names what an export covers. A run in progress that never
    started (the broker was down) or whose worker was lost is revived and sent again: it
    never blocks the report it stands for.
    """
    from reporting.selectors import phase_date

    as_of = as_of or phase_date(kind, year)
    if as_of.year != year:
        raise ValueError("A report is drawn up to a day of its own year.")
    key = key or scope_key(
        township=township,
        village=village,
        cadre=cadre,
        household=household,
        help_unit=help_unit,
        project=project,
        fund=fund,
        county=county,
    )
    same = ReportRun.objects.filter(kind=kind, scope_key=key, year=year, as_of=as_of)
    in_progress = same.filter(status__in=ReportRun.IN_PROGRESS)
    with transaction.atomic():
        existing = in_progress.first()
        if existing is not None:
            now = timezone.now()
            if _requeue_if_silent(existing, now) or _needs_sending(existing, now):
                transaction.on_commit(lambda: _send(existing.pk))
            return existing
        last = same.aggregate(v=Max("version"))["v"]
        try:
            with transaction.atomic():
                run = ReportRun.objects.create(
                    kind=kind,
                    year=year,
                    as_of=as_of,
                    township=township,
                    county=county,
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
        transaction.on_commit(lambda: _send(run.pk))
    return run


def report_retry(*, run: ReportRun, user) -> ReportRun:
    return report_request(
        kind=run.kind,
        year=run.year,
        as_of=run.as_of,
        township=run.township,
        county=run.county,
        key=run.scope_key,
        village=run.village,
        cadre=run.cadre,
        household=run.household,
        help_unit=run.help_unit,
        project=run.project,
        fund=run.fund,
        params=run.params,
        user=user,
    )


def progress_set(run_id: int, attempt: int, percent: int, stage: str = "") -> None:
    ReportRun.objects.filter(pk=run_id, status=Status.RUNNING, attempt=attempt).update(
        progress=min(max(percent, 0), 99), stage=stage, heartbeat_at=timezone.now()
    )


def _lost_message() -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return _(
            "The build stopped without finishing (its worker died or it ran too long). "
            "Build it again."
        )


def _claim(run_id: int) -> int | None:
    """Take the run for this worker: the attempt number, or None when it is not ours.

    Ours when it waits, or when it runs but its worker fell silent (a message delivered
    again after its worker died). The row lock closes the race of two deliveries at once.
    """
    now = timezone.now()
    with transaction.atomic():
        run = ReportRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None:
            return None
        silent = run.status == Status.RUNNING and (
            run.heartbeat_at is None or run.heartbeat_at < background.silent_since(now)
        )
        if not (run.status == Status.QUEUED or silent):
            return None
        if silent:
            run.workers_lost += 1
            if run.workers_lost >= settings.BANGFU_TASK_MAX_LOST:
                ReportRun.objects.filter(pk=run_id).update(
                    status=Status.FAILED,
                    workers_lost=run.workers_lost,
                    error=_lost_message(),
                    finished_at=now,
                )
                return None
        run.attempt += 1
        ReportRun.objects.filter(pk=run_id).update(
            status=Status.RUNNING,
            attempt=run.attempt,
            workers_lost=run.workers_lost,
            started_at=now,
            heartbeat_at=now,
            progress=1,
            stage="",
            error="",
        )
    return run.attempt


def report_build(*, run_id: int, in_parts: bool = True) -> None:
    """Build one run. Safe to call again for the same run (a redelivered task).

    A long township report's sections are drawn by part tasks, in parallel when there are
    workers to take them (``reporting.parts``); ``in_parts=False`` draws them here, for a
    build that must end with its PDF (``manage.py build_report``)."""
    attempt = _claim(run_id)
    if attempt is None:
        return
    mine = ReportRun.objects.filter(pk=run_id, status=Status.RUNNING, attempt=attempt)
    with background.heartbeat(ReportRun, run_id, attempt, status=Status.RUNNING):
        _build(run_id, attempt, mine, in_parts)


def _build(run_id: int, attempt: int, mine, in_parts: bool) -> None:
    from reporting.builders import BUILDERS

    run = ReportRun.objects.select_related(
        "township", "county", "village", "cadre", "household", "help_unit", "project", "fund"
    ).get(pk=run_id)
    if run.county_id and not run.township_id:
        from reporting import parts

        parts.parts_start(run, attempt)  # the parts and their merge finish the run
        return
    # Each attempt writes its own file: a worker given up on that still finishes can never
    # overwrite the file of the attempt that owns the run.
    suffix = "" if attempt == 1 else f"-{attempt}"
    if run.kind == ReportRun.Kind.EXPORT:
        name = f"reports/exports/{run.created_at:%Y}/{run.pk}{suffix}-{run.params['filename']}"
    else:
        scope = run.scope_key.replace(":", "-")
        name = f"reports/{run.year}/{run.kind}-{scope}-{run.as_of:%m%d}-v{run.version}{suffix}.pdf"
    try:
        with translation.override(settings.LANGUAGE_CODE):
            if run.kind == ReportRun.Kind.EXPORT:
                from reporting.exports import export_build

                figures = export_build(
                    run, name, lambda p, stage="rows": progress_set(run_id, attempt, p, stage)
                )
            else:
                template, context, figures = BUILDERS[run.kind](
                    run, lambda p: progress_set(run_id, attempt, p, "gather")
                )
                progress_set(run_id, attempt, 65, "render")
                context = {"run": run, **report_frame(run, figures), **context}
                if in_parts:
                    from reporting import parts

                    if parts.sections_start(run, attempt, name, template, context, figures):
                        return  # the sections and their merge finish the run
                progress_set(run_id, attempt, 70, "pdf")
                render_pdf(template, context, name)
    except Exception as exc:
        log.exception("report run %s failed", run_id)
        run_failed(mine, exc)
        return
    run_finished(mine, run_id, attempt, name, figures)


def run_failed(mine, exc: Exception) -> None:
    mine.update(
        status=Status.FAILED,
        error=f"{exc.__class__.__name__}: {exc}"[:2000],
        finished_at=timezone.now(),
    )


def run_finished(mine, run_id: int, attempt: int, name: str, figures: dict) -> None:
    finished = mine.update(
        status=Status.DONE,
        progress=100,
        stage="",
        file=name,
        figures=figures,
        finished_at=timezone.now(),
    )
    if not finished:  # given up on while building: another attempt owns the run
        log.warning("report run %s: attempt %s finished too late, file dropped", run_id, attempt)
        (Path(settings.MEDIA_ROOT) / name).unlink(missing_ok=True)


def _requeue_if_silent(run: ReportRun, now: datetime.datetime) -> bool:
    """Put a run whose worker fell silent back in the queue (True), or fail it after too
    many lost workers. Conditional on what was read, so a late heartbeat wins the race."""
    if run.status != Status.RUNNING or (
        run.heartbeat_at is not None and run.heartbeat_at >= background.silent_since(now)
    ):
        return False
    same = ReportRun.objects.filter(
        pk=run.pk, status=Status.RUNNING, attempt=run.attempt, heartbeat_at=run.heartbeat_at
    )
    if run.workers_lost + 1 >= settings.BANGFU_TASK_MAX_LOST:
        same.update(
            status=Status.FAILED,
            workers_lost=run.workers_lost + 1,
            error=_lost_message(),
            finished_at=now,
        )
        return False
    requeued = same.update(
        status=Status.QUEUED,
        workers_lost=run.workers_lost + 1,
        stage="",
        dispatched_at=None,
    )
    if requeued:
        run.status, run.dispatched_at = Status.QUEUED, None
    return bool(requeued)


def report_frame(run: ReportRun, figures: dict) -> dict:
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
    """Every minute (Celery beat): runs that lost their worker go back in the queue (or
    fail after too many lost workers); runs the broker never got are sent again; runs sent
    but never started for twice the time limit are failed. Returns the runs touched."""
    now = now or timezone.now()
    limit = datetime.timedelta(minutes=settings.BANGFU_REPORT_STALE_MINUTES)
    touched = 0
    silent = ReportRun.objects.filter(status=Status.RUNNING).filter(
        Q(heartbeat_at__lt=background.silent_since(now)) | Q(heartbeat_at__isnull=True)
    )
    for run in silent.order_by("pk"):
        touched += 1
        if _requeue_if_silent(run, now):
            _send(run.pk)
    waiting = ReportRun.objects.filter(status=Status.QUEUED)
    # Unsent for a minute: the page's own send failed (and did not just happen).
    unsent = waiting.filter(
        dispatched_at__isnull=True, created_at__lt=now - datetime.timedelta(minutes=1)
    )
    never = waiting.filter(
        created_at__lt=now - 2 * limit, started_at__isnull=True, dispatched_at__isnull=False
    )
    touched += never.update(status=Status.FAILED, error=_lost_message(), finished_at=now)
    # Sent a while ago and still not taken: the message may be lost (a broker restarted
    # without its data). A second message is harmless: the first to arrive claims the run.
    forgotten = waiting.filter(dispatched_at__lt=now - RESEND_AFTER)
    for run in [*unsent.order_by("pk"), *forgotten.order_by("pk")]:
        touched += 1
        _send(run.pk)
    return touched


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
