"""A township's long report drawn a section a task (reporting/parts.py) and merged: the same
document as drawn in one process, each section drawn once however often it is delivered."""

import os
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection
from pypdf import PdfReader

from reporting import parts, services
from reporting.models import ReportRun
from reporting.selectors import phase_date
from tests.reporting_helpers import finished, took, two_workers

ROOT = Path(__file__).resolve().parents[2]
BROKER = django_settings.CELERY_BROKER_URL

pytestmark = pytest.mark.django_db


def new_run(world, version: int) -> ReportRun:
    return ReportRun.objects.create(
        kind="year_end",
        year=2025,
        as_of=phase_date("year_end", 2025),
        scope_key=services.scope_key(township=world.township),
        township=world.township,
        version=version,
    )


def page_texts(run: ReportRun) -> list[str]:
    """Each page's text, its run's own version and time of making left out."""
    texts = [page.extract_text() for page in PdfReader(run.file.path).pages]
    return [re.sub(r"版本 \d+ · 生成于 [\d-]+ [\d:]+", "版本 · 生成于", t, count=1) for t in texts]


def test_the_sections_are_tasks_and_make_the_document_one_process_makes(
    world, monkeypatch, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    settings.BANGFU_REPORT_SECTION_ROWS = 1  # three households: four sections
    drawn = []
    section_build = parts.report_section_build

    def recorded(**kwargs):
        drawn.append(kwargs["index"])
        section_build(**kwargs)

    monkeypatch.setattr(parts, "report_section_build", recorded)
    # Both are later versions of a first one, so both list the changes since it.
    services.report_build(run_id=new_run(world, 1).pk, in_parts=False)
    here = new_run(world, 2)
    services.report_build(run_id=here.pk, in_parts=False)
    assert drawn == []  # every section drawn in the building process
    by_tasks = new_run(world, 3)
    services.report_build(run_id=by_tasks.pk)  # the tasks run in this process (eager)
    assert drawn == [3, 0, 1, 2]
    here.refresh_from_db()
    by_tasks.refresh_from_db()
    assert here.status == by_tasks.status == ReportRun.Status.DONE, by_tasks.error
    assert by_tasks.progress == 100 and by_tasks.file.name.endswith("-v3.pdf")
    assert by_tasks.figures == here.figures  # the builder's, kept on the run until the merge
    assert "parts" not in by_tasks.figures
    texts, expected = page_texts(by_tasks), page_texts(here)
    assert len(texts) == len(expected) >= 4
    assert "版本 · 生成于" in texts[0]
    assert texts == expected  # page numbers "n / N" included
    assert not (tmp_path / parts.PARTS_DIR).exists() or not any(
        (tmp_path / parts.PARTS_DIR).iterdir()
    )


def test_a_section_delivered_twice_is_drawn_once_and_the_merge_sent_once(
    world, monkeypatch, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    settings.BANGFU_REPORT_SECTION_ROWS = 1
    sent = []
    monkeypatch.setattr(
        "township.background.send", lambda task, model, pk, *args: sent.append((task.name, args))
    )
    run = new_run(world, 1)
    services.report_build(run_id=run.pk)
    run.refresh_from_db()
    attempt = run.attempt
    # The closing sections first, the longest to draw; then the rows in order.
    assert sent == [("reporting.tasks.build_report_section", (attempt, i)) for i in (3, 0, 1, 2)]
    assert run.status == ReportRun.Status.RUNNING
    assert (run.progress, run.stage) == (parts.SECTIONS_FROM, "0/4")
    folder = parts.parts_dir(run.pk, attempt)
    sent.clear()

    parts.report_section_build(run_id=run.pk, attempt=attempt, index=0)
    drawn_at = (folder / "000.pdf").stat().st_mtime_ns
    parts.report_section_build(run_id=run.pk, attempt=attempt, index=0)  # delivered again
    assert (folder / "000.pdf").stat().st_mtime_ns == drawn_at
    parts.report_section_build(run_id=run.pk, attempt=attempt, index=2)
    run.refresh_from_db()
    assert (run.stage, run.progress) == ("2/4", parts.SECTIONS_FROM + (90 - 70) * 2 // 4)
    assert sent == []
    parts.report_section_build(run_id=run.pk, attempt=attempt, index=3)
    parts.report_section_build(run_id=run.pk, attempt=attempt, index=1)  # the last: merge
    parts.report_section_build(run_id=run.pk, attempt=attempt, index=1)  # again: no merge
    assert sent == [("reporting.tasks.merge_report_parts", (attempt,))]

    parts.report_parts_merge(run_id=run.pk, attempt=attempt)
    run.refresh_from_db()
    assert run.status == ReportRun.Status.DONE, run.error
    numbers = [text.split()[-3:] for text in page_texts(run)]
    assert numbers == [[str(n), "/", str(len(numbers))] for n in range(1, len(numbers) + 1)]
    assert not folder.exists()
    # A section of a finished run, delivered late, draws nothing.
    parts.report_section_build(run_id=run.pk, attempt=attempt, index=0)
    assert not folder.exists()


def test_a_section_that_fails_fails_the_run(world, monkeypatch, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.BANGFU_REPORT_SECTION_ROWS = 1
    monkeypatch.setattr("township.background.send", lambda *args: True)
    run = new_run(world, 1)
    services.report_build(run_id=run.pk)
    run.refresh_from_db()
    folder = parts.parts_dir(run.pk, run.attempt)
    (folder / "001.html").unlink()  # as if lost
    parts.report_section_build(run_id=run.pk, attempt=run.attempt, index=1)
    run.refresh_from_db()
    assert run.status == ReportRun.Status.FAILED and "001.html" in run.error
    assert not folder.exists()


@pytest.mark.skipif(
    not (BROKER.startswith("redis://") and connection.vendor == "postgresql")
    and not os.environ.get("CI"),
    reason="needs a Redis broker and PostgreSQL (as in CI)",
)
@pytest.mark.django_db(transaction=True)
def test_two_workers_draw_the_sections_of_one_report(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "shared-media"
    settings.BANGFU_REPORT_SECTION_ROWS = 1
    services.report_build(run_id=new_run(world, 1).pk, in_parts=False)
    here = new_run(world, 2)
    services.report_build(run_id=here.pk, in_parts=False)
    here.refresh_from_db()
    with two_workers(
        ROOT, media=settings.MEDIA_ROOT, broker=BROKER, BANGFU_REPORT_SECTION_ROWS=1
    ) as workers:
        run = services.report_request(kind="year_end", year=2025, township=world.township)
        logs = finished(run, workers)
        # Both workers drew a section.
        assert all(took(w, "build_report_section") for w in workers), logs
        assert page_texts(run) == page_texts(here)
