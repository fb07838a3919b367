"""County-wide reports: a township a part, built by workers in parallel, merged into one PDF
with a table of contents and page numbers running through it."""

import io
import os
import re
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse
from pypdf import PdfReader

from reporting.models import ReportRun
from reporting.pdf import temp_files_sweep
from tests import factories as f
from tests.reporting_helpers import finished, pdf_text, took, two_workers

ROOT = Path(__file__).resolve().parents[2]
BROKER = settings.CELERY_BROKER_URL


@pytest.fixture
def second_township(world):
    """A second township of county A, with a poor household of its own."""
    other = f.TownshipFactory(county=world.counties[0], name="石桥镇", code="520399200000")
    village = f.VillageFactory(township=other, name="石桥村", code="520399200201")
    household = f.HouseholdFactory(village=village)
    f.MemberFactory(household=household, relation="head", name="石桥户主")
    return other


def request_county_report(client, world, kind="exit"):
    client.force_login(world.profiles.county.user)
    response = client.post(
        reverse("reporting:list"), {"kind": kind, "year": "2025", "whole_county": "on"}
    )
    run = ReportRun.objects.get(kind=kind, county=world.counties[0])
    assert response["Location"] == reverse("reporting:run", args=[run.pk])
    assert run.township is None and run.scope_key == f"county:{world.counties[0].pk}"
    return run


def download(client, run) -> bytes:
    response = client.get(reverse("reporting:download", args=[run.pk]))
    assert response["Content-Type"] == "application/pdf"
    return b"".join(response.streaming_content)


def check_merged(pdf: bytes, tmp_path, townships, title: str = "脱贫") -> None:
    """The contents list each township and the page it starts on; that page is the first
    of its part; every page carries "n / N", n running from 1 to N."""
    reader = PdfReader(io.BytesIO(pdf))
    total = len(reader.pages)
    texts = [page.extract_text() for page in reader.pages]
    for number, text in enumerate(texts, start=1):
        assert re.search(rf"(?<!\d){number} / {total}(?!\d)", text), (number, text[-200:])
    path = tmp_path / "merged.pdf"
    path.write_bytes(pdf)
    contents = pdf_text(path).split("\f")[0]
    assert "目录" in contents or "Contents" in contents
    starts = []
    for township in townships:
        line = next(line for line in contents.splitlines() if township.name in line)
        starts.append(int(line.split()[-1]))
    assert starts == sorted(starts) and starts[0] == 2
    names = {t.name for t in townships}
    outline = {
        item.title: reader.get_destination_page_number(item) + 1
        for item in reader.outline
        if not isinstance(item, list) and item.title in names
    }
    assert outline == {t.name: s for t, s in zip(townships, starts, strict=True)}
    pages = pdf_text(path).split("\f")
    for township, start in zip(townships, starts, strict=True):
        # Each part begins on its page: the township's header and the report's title.
        assert township.name in pages[start - 1] and title in pages[start - 1]


@pytest.mark.django_db
@pytest.mark.parametrize("kind, title", [("exit", "脱贫"), ("year_end", "年底审账")])
def test_a_county_report_merges_every_townships_part(
    world, second_township, client, django_capture_on_commit_callbacks, tmp_path, kind, title
):
    with django_capture_on_commit_callbacks(execute=True):
        run = request_county_report(client, world, kind)
    run.refresh_from_db()
    assert run.status == ReportRun.Status.DONE, run.error
    townships = [world.township, second_township]
    assert set(run.figures["townships"]) == {t.code for t in townships}
    if kind == "exit":
        assert run.figures["remaining"] == sum(
            part["remaining"] for part in run.figures["townships"].values()
        )
    ordered = sorted(townships, key=lambda t: t.code)
    check_merged(download(client, run), tmp_path, ordered, title)
    # The parts were temporary: nothing is left of them.
    assert not any((Path(settings.MEDIA_ROOT) / "reports" / "parts").glob("*/*"))


@pytest.mark.django_db
def test_only_the_county_asks_for_a_county_report_and_only_of_some_kinds(
    world, second_township, client
):
    client.force_login(world.profiles.county.user)
    response = client.post(
        reverse("reporting:list"), {"kind": "register", "year": "2025", "whole_county": "on"}
    )
    assert "whole_county" in response.context["form"].errors
    client.force_login(world.profiles.leader.user)
    assert "whole_county" not in client.get(reverse("reporting:list")).context["form"].fields
    client.post(reverse("reporting:list"), {"kind": "exit", "year": "2025", "whole_county": "on"})
    run = ReportRun.objects.get(kind="exit", requested_by=world.profiles.leader.user)
    assert (run.township, run.county) == (world.township, None)  # their township's, no more


@pytest.mark.django_db
def test_parts_left_by_a_dead_worker_are_swept(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    folder = tmp_path / "reports" / "parts" / "7-1"
    folder.mkdir(parents=True)
    (folder / "520399100000.pdf").write_bytes(b"%PDF")
    assert temp_files_sweep() == 0  # young: a worker may still be building it
    assert temp_files_sweep(now=time.time() + 3600) == 1
    assert not folder.exists()


@pytest.mark.skipif(
    not (BROKER.startswith("redis://") and connection.vendor == "postgresql")
    and not os.environ.get("CI"),
    reason="needs a Redis broker and PostgreSQL (as in CI)",
)
@pytest.mark.django_db(transaction=True)
def test_two_workers_build_a_county_report_in_parts(
    world, second_township, client, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "shared-media"
    with two_workers(ROOT, media=settings.MEDIA_ROOT, broker=BROKER) as workers:
        run = request_county_report(client, world)
        logs = finished(run, workers)
        # Both workers took a part.
        assert all(took(w, "build_report_part") for w in workers), logs
        check_merged(
            download(client, run),
            tmp_path,
            sorted([world.township, second_township], key=lambda t: t.code),
        )
