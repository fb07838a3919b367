"""A year-end report through the web pages, built by a real Celery worker over Redis."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse

from reporting.models import ReportRun
from tests.reporting_helpers import pdf_fonts, pdf_text
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


def _database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker(settings, tmp_path):
    media = tmp_path / "shared-media"
    settings.MEDIA_ROOT = media
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False  # this process sends; the worker builds
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "township.test_settings",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": BROKER,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "MEDIA_ROOT": str(media),
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "township",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    log = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # wait until the worker listens
        line = process.stdout.readline()
        log.append(line)
        if " ready." in line:
            break
        if not line and process.poll() is not None:
            pytest.fail("the worker did not start:\n" + "".join(log))
    yield process
    celery_app.conf.task_always_eager = eager
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def test_a_year_end_report_is_requested_watched_and_downloaded(worker, world, client):
    client.force_login(world.profiles.leader.user)
    response = client.post(
        reverse("reporting:list"), {"kind": "year_end", "year": "2025", "village": ""}
    )
    run = ReportRun.objects.get(kind="year_end", year=2025)
    assert response["Location"] == reverse("reporting:run", args=[run.pk])

    seen_progress = set()
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        fragment = client.get(
            reverse("reporting:run", args=[run.pk]), HTTP_HX_REQUEST="true"
        ).content.decode()
        run.refresh_from_db()
        seen_progress.add(run.status)
        if run.is_finished:
            break
        assert 'hx-trigger="every 1s"' in fragment
        time.sleep(0.5)
    else:
        worker.terminate()
        pytest.fail(
            "the worker did not finish in time:\n" + (worker.stdout.read() if worker.stdout else "")
        )

    assert run.status == ReportRun.Status.DONE, run.error
    page = client.get(reverse("reporting:run", args=[run.pk])).content.decode()
    assert reverse("reporting:download", args=[run.pk]) in page
    download = client.get(reverse("reporting:download", args=[run.pk]))
    assert download["Content-Type"] == "application/pdf"
    pdf = Path(settings.MEDIA_ROOT) / "downloaded.pdf"
    pdf.write_bytes(b"".join(download.streaming_content))
    text = pdf_text(pdf)
    assert "年底审账" in text and "资金对账" in text
    assert world.households.neighbour.members.get(relation="head").name in text
    assert "Noto-Sans-CJK" in pdf_fonts(pdf) or "NotoSansCJK" in pdf_fonts(pdf)
