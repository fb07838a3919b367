"""A worker killed mid-build (kill -9 of its main process): the report is still built, once.

Two real Celery workers over Redis on the test database, as in production: the first one
is killed while it writes the PDF (the test settings slow that step down), a second one
starts, and the sweeper that Celery beat sends every minute hands it the run as soon as the
dead worker's heartbeat falls silent. The message Redis hands back after the visibility
timeout (35 minutes in production: forced here) must then build nothing.
"""

import os
import signal
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse
from kombu import Connection

from reporting import pdf
from reporting.models import ReportRun
from reporting.tasks import report_runs_sweep
from tests.reporting_helpers import pdf_text, start_worker
from township.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]
BROKER = settings.CELERY_BROKER_URL
# CI always has PostgreSQL and Redis: there this test runs; elsewhere it needs them too.
pytestmark = [
    pytest.mark.skipif(
        not (BROKER.startswith("redis://") and connection.vendor == "postgresql")
        and not os.environ.get("CI"),
        reason="needs a Redis broker and PostgreSQL (as in CI)",
    ),
    pytest.mark.django_db(transaction=True),
]
# Seconds, shortened from production's 20 and 120 so the test takes seconds, not minutes.
FAST = {"BANGFU_HEARTBEAT_SECONDS": 1, "BANGFU_WORKER_SILENT_SECONDS": 3}


def wait_for(condition, *, seconds: float, what: str, workers=()):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.3)
    logs = "".join(line for w in workers for line in getattr(w, "lines", []))
    pytest.fail(f"{what} did not happen within {seconds} s\n{logs}")


@pytest.fixture
def workers(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "shared-media"
    settings.BANGFU_WORKER_SILENT_SECONDS = FAST["BANGFU_WORKER_SILENT_SECONDS"]
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False  # this process sends; the workers build
    # This test counts the builds a worker is handed: no message left by an earlier run.
    with Connection(BROKER, transport_options={"visibility_timeout": 0}) as conn:
        conn.default_channel.qos.restore_visible(start=0, num=1000, interval=1)
    celery_app.control.purge()
    started = []

    def start(**env):
        started.append(start_worker(ROOT, media=settings.MEDIA_ROOT, broker=BROKER, **FAST, **env))
        return started[-1]

    yield start
    celery_app.conf.task_always_eager = eager
    for process in started:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except Exception:
                process.kill()


def test_a_report_whose_worker_is_killed_mid_build_is_built_exactly_once(workers, world, client):
    first = workers(BANGFU_TEST_BUILD_PAUSE_SECONDS=60)
    client.force_login(world.profiles.leader.user)
    client.post(reverse("reporting:list"), {"kind": "register", "year": "2025", "village": ""})
    run = ReportRun.objects.get(kind="register", year=2025)

    def writing_the_pdf():
        run.refresh_from_db()
        return run.status == "running" and run.stage == "pdf"

    wait_for(writing_the_pdf, seconds=40, what="the first build", workers=[first])
    first.send_signal(signal.SIGKILL)  # the worker's main process: no goodbye, no ack
    first.wait(timeout=10)
    reports = Path(settings.MEDIA_ROOT) / "reports"
    leftovers = list(reports.rglob(".building-*.pdf"))
    assert [p.stat().st_size for p in leftovers] == [0]

    second = workers()

    def built():
        run.refresh_from_db()
        silent = run.heartbeat_at and time.time() - run.heartbeat_at.timestamp() > 3
        if run.status == "running" and silent:
            report_runs_sweep.delay()  # what Celery beat sends every minute
        return run.status in ("done", "failed")

    wait_for(built, seconds=60, what="the second build", workers=[second])
    assert run.status == "done", run.error
    assert (run.attempt, run.workers_lost, run.version) == (2, 1, 1)
    assert ReportRun.objects.filter(kind="register", year=2025).count() == 1
    final = Path(settings.MEDIA_ROOT) / run.file.name
    assert final.read_bytes().startswith(b"%PDF") and "村有册" in pdf_text(final)

    # Now Redis hands the dead worker's message back (as after the visibility timeout).
    def builds(worker, word):
        return sum("reporting.tasks.build_report[" in x and word in x for x in worker.lines)

    assert (builds(second, "received"), builds(second, "succeeded")) == (1, 1)
    finished = run.finished_at
    with Connection(BROKER, transport_options={"visibility_timeout": 0}) as conn:
        conn.default_channel.qos.restore_visible(start=0, num=100, interval=1)
    wait_for(
        lambda: builds(second, "succeeded") == 2,
        seconds=20,
        what="the redelivery",
        workers=[second],
    )
    run.refresh_from_db()
    assert (run.status, run.attempt, run.finished_at) == ("done", 2, finished)
    assert sorted(final.parent.glob("*.pdf")) == sorted([final, leftovers[0]])

    # The dead build's empty temporary file is swept once no build can still be writing it.
    later = time.time() + (settings.BANGFU_REPORT_STALE_MINUTES + 6) * 60
    assert pdf.temp_files_sweep(now=later) == 1
    assert list(final.parent.glob("*.pdf")) == [final]
