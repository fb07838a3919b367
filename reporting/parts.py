"""Reports built in parts, in parallel by the workers, and merged into one PDF.

A county's report in one process would hold the whole county's layout in memory (a
township of 2,500 households already takes a gigabyte). So the run is split: the build
task sends one part task a township; each worker renders its township's part without page
numbers into a temporary folder and records it done under the run's row lock; the part
that completes the set sends the merge task, which counts each part's pages, renders the
table of contents, puts them together and stamps continuous page numbers on every page.
A worker holds one township at a time, whatever the county's size.

A township's long report is split the same way a section a part (a year-end account of
2,500 households is eight sections, each a WeasyPrint document of its own): the build task
gathers the data, writes each section's HTML and sends one part task a section; the part
tasks turn them into PDFs; the merge puts them in order and numbers the pages.

This is a chord kept in the database rather than in a Celery result backend: the same
code runs on the file-system broker of ``make run`` and on Redis, and a part or merge
delivered twice finds its work done (every write is conditional on the run's attempt).
The parts folder is removed once merged or failed, and swept with the other temporary
files if a worker died before (:func:`reporting.pdf.temp_files_sweep`).
"""

import io
import json
import logging
import shutil
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.template.loader import render_to_string
from django.utils import timezone, translation
from pypdf import PdfReader, PdfWriter

from reporting.files import built_file
from reporting.models import ReportRun
from reporting.pdf import (
    merge_pdfs,
    pdf_of,
    render_pdf,
    sections_of,
    stamp_page_numbers,
    write_pdf,
)
from township import background
from township.models import Township

log = logging.getLogger(__name__)
Status = ReportRun.Status
PARTS_DIR = "reports/parts"
# Progress while the parts are built: from 5 % to 90 %; the merge takes the rest.
PARTS_FROM, PARTS_TO = 5, 90
# A township's sections start once its data is gathered and its sections written.
SECTIONS_FROM = 70


def parts_dir(run_id: int, attempt: int) -> Path:
    return Path(settings.MEDIA_ROOT) / PARTS_DIR / f"{run_id}-{attempt}"


def _mine(run_id: int, attempt: int):
    return ReportRun.objects.filter(pk=run_id, status=Status.RUNNING, attempt=attempt)


def _townships(run: ReportRun):
    return Township.objects.filter(county_id=run.county_id).order_by("code")


def parts_start(run: ReportRun, attempt: int) -> None:
    """Send one part task a township of the run's county."""
    from reporting.services import run_failed
    from reporting.tasks import build_report_part

    townships = list(_townships(run).values_list("pk", flat=True))
    mine = _mine(run.pk, attempt)
    if not townships:
        run_failed(mine, ValueError("The county has no township."))
        return
    mine.update(
        progress=PARTS_FROM,
        stage=f"0/{len(townships)}",
        figures={"parts": {"total": len(townships), "done": []}},
        heartbeat_at=timezone.now(),
    )
    for township_id in townships:
        background.send(build_report_part, ReportRun, run.pk, attempt, township_id)


def _part_run(run: ReportRun, township: Township) -> ReportRun:
    """The run as a township's report: what the builders take (never saved)."""
    return ReportRun(
        kind=run.kind,
        year=run.year,
        as_of=run.as_of,
        township=township,
        county_id=run.county_id,
        params=run.params,
        scope_key=f"township:{township.pk}",
        version=run.version,
        requested_by=run.requested_by,
    )


def sections_start(
    run: ReportRun, attempt: int, name: str, template: str, context: dict, figures: dict
) -> bool:
    """Write a long township report's sections as HTML and send one part task each; the
    merge writes ``name``. False, with nothing sent, for a report drawn whole."""
    from reporting.tasks import build_report_section

    htmls = sections_of(template, context)
    if htmls is None:
        return False
    folder = parts_dir(run.pk, attempt)
    folder.mkdir(parents=True, exist_ok=True)
    total = 0
    for index, html in enumerate(htmls):
        (folder / f"{index:03d}.html").write_text(html, encoding="utf-8")
        total = index + 1
    # The figures are kept on the run until the merge finishes it with them.
    parts = {"total": total, "done": [], "from": SECTIONS_FROM, "file": name}
    _mine(run.pk, attempt).update(
        progress=SECTIONS_FROM,
        stage=f"0/{total}",
        figures={**figures, "parts": parts},
        heartbeat_at=timezone.now(),
    )
    # The closing sections (every fund's ledger, the projects, the exceptions) take longest
    # to draw, two row sections' time for a township of 2,500 households: sent first, they
    # do not start last while the other worker has nothing left to draw.
    for index in [total - 1, *range(total - 1)]:
        background.send(build_report_section, ReportRun, run.pk, attempt, index)
    return True


def report_section_build(*, run_id: int, attempt: int, index: int) -> None:
    """Turn one section's HTML into a PDF; the section that completes the set sends the
    merge."""
    from reporting.services import run_failed

    mine = _mine(run_id, attempt)
    if not mine.exists():  # failed, given up on, or another attempt's
        return
    folder = parts_dir(run_id, attempt)
    pdf = folder / f"{index:03d}.pdf"
    with background.heartbeat(ReportRun, run_id, attempt, status=Status.RUNNING):
        if not pdf.exists():  # a section delivered twice is drawn once
            try:
                html = (folder / f"{index:03d}.html").read_text(encoding="utf-8")
                write_pdf(html, str(pdf.relative_to(settings.MEDIA_ROOT)))
            except Exception as exc:
                log.exception("report run %s: section %s failed", run_id, index)
                run_failed(mine, exc)
                shutil.rmtree(folder, ignore_errors=True)
                return
    if _part_done(run_id, attempt, index):
        from reporting.tasks import merge_report_parts

        background.send(merge_report_parts, ReportRun, run_id, attempt)


def report_part_build(*, run_id: int, attempt: int, township_id: int) -> None:
    """Render one township's part; the part that completes the set sends the merge."""
    from reporting.builders import BUILDERS
    from reporting.services import report_frame, run_failed

    mine = _mine(run_id, attempt)
    run = mine.select_related("county", "requested_by").first()
    if run is None:  # failed, given up on, or another attempt's
        return
    township = Township.objects.get(pk=township_id)
    folder = parts_dir(run_id, attempt)
    pdf = folder / f"{township.code}.pdf"
    with background.heartbeat(ReportRun, run_id, attempt, status=Status.RUNNING):
        if not pdf.exists():  # a part delivered twice is built once
            try:
                part = _part_run(run, township)
                with translation.override(settings.LANGUAGE_CODE):
                    template, context, figures = BUILDERS[run.kind](part, lambda p: None)
                    frame = {**report_frame(part, {}), "changes": None}
                    figures.pop("rows", None)  # one row a household: kept by township runs only
                    folder.mkdir(parents=True, exist_ok=True)
                    (folder / f"{township.code}.json").write_text(
                        json.dumps(figures, default=str, ensure_ascii=False)
                    )
                    render_pdf(
                        template,
                        {"run": part, "part": True, **frame, **context},
                        str(pdf.relative_to(settings.MEDIA_ROOT)),
                        numbered=False,  # numbered through the whole document at the merge
                    )
            except Exception as exc:
                log.exception("report run %s: part %s failed", run_id, township.code)
                run_failed(mine, exc)
                shutil.rmtree(folder, ignore_errors=True)
                return
    if _part_done(run_id, attempt, township_id):
        from reporting.tasks import merge_report_parts

        background.send(merge_report_parts, ReportRun, run_id, attempt)


def _part_done(run_id: int, attempt: int, part: int) -> bool:
    """Record the part; True for the one part that completes the set."""
    with transaction.atomic():
        run = _mine(run_id, attempt).select_for_update().first()
        if run is None:
            return False
        parts = run.figures.get("parts") or {"total": 0, "done": []}
        done = sorted(set(parts["done"]) | {part})
        complete = len(done) >= parts["total"] and not parts.get("merging")
        parts.update(done=done, merging=bool(parts.get("merging") or complete))
        start = parts.get("from", PARTS_FROM)
        share = (PARTS_TO - start) * len(done) // max(parts["total"], 1)
        _mine(run_id, attempt).update(
            figures={**run.figures, "parts": parts},
            progress=start + share,
            stage=f"{len(done)}/{parts['total']}",
            heartbeat_at=timezone.now(),
        )
    return complete


def report_parts_merge(*, run_id: int, attempt: int) -> None:
    """One PDF: a county's table of contents, then each township's part; or a township's
    sections in order. Numbered throughout."""
    from reporting.services import run_failed, run_finished

    mine = _mine(run_id, attempt)
    run = mine.select_related("county").first()
    if run is None:
        return
    folder = parts_dir(run_id, attempt)
    if run.township_id:  # a township's report drawn in sections
        name = run.figures["parts"]["file"]
    else:
        name = f"reports/{run.year}/{run.kind}-county-{run.county_id}-{run.as_of:%m%d}"
        name += f"-v{run.version}" + ("" if attempt == 1 else f"-{attempt}") + ".pdf"
    with background.heartbeat(ReportRun, run_id, attempt, status=Status.RUNNING):
        try:
            with translation.override(settings.LANGUAGE_CODE):
                if run.township_id:
                    figures = _merge_sections(run, folder, name)
                else:
                    figures = _merge(run, folder, Path(settings.MEDIA_ROOT) / name)
        except Exception as exc:
            log.exception("report run %s: merge failed", run_id)
            run_failed(mine, exc)
            shutil.rmtree(folder, ignore_errors=True)
            return
    run_finished(mine, run_id, attempt, name, figures)
    shutil.rmtree(folder, ignore_errors=True)


def _merge_sections(run: ReportRun, folder: Path, name: str) -> dict:
    """The sections' PDFs in order; the figures the build kept on the run."""
    total = run.figures["parts"]["total"]
    merge_pdfs((str(folder / f"{index:03d}.pdf") for index in range(total)), name)
    return {key: value for key, value in run.figures.items() if key != "parts"}


def _merge(run: ReportRun, folder: Path, final: Path) -> dict:
    parts = []
    for township in _townships(run):
        pdf = folder / f"{township.code}.pdf"
        figures = json.loads((folder / f"{township.code}.json").read_text())
        parts.append({"township": township, "pdf": pdf, "figures": figures})
        parts[-1]["pages"] = len(PdfReader(pdf).pages)
    # The contents' own length moves every part's first page: render until it holds still.
    toc_pages, toc = 1, b""
    for _ in range(3):
        first = toc_pages + 1
        for part in parts:
            part["first_page"] = first
            first += part["pages"]
        toc = _toc_pdf(run, parts)
        if len(PdfReader(io.BytesIO(toc)).pages) == toc_pages:
            break
        toc_pages = len(PdfReader(io.BytesIO(toc)).pages)
    writer = PdfWriter()
    writer.append(io.BytesIO(toc))
    for part in parts:
        writer.append(str(part["pdf"]), outline_item=part["township"].name)
    stamp_page_numbers(writer)
    with built_file(final, ".pdf") as tmp, open(tmp, "wb") as out:
        writer.write(out)
    return _county_figures(run, parts, first - 1)


def _toc_pdf(run: ReportRun, parts: list[dict]) -> bytes:
    totals = {}
    for key in ("exited", "exited_people", "remaining"):
        values = [p["figures"].get(key) for p in parts]
        if all(isinstance(v, int) for v in values):
            totals[key] = sum(values)
    html = render_to_string(
        "reporting/pdf/county_contents.html",
        {"run": run, "part": True, "parts": parts, "totals": totals},
    )
    return pdf_of(html)


def _county_figures(run: ReportRun, parts: list[dict], pages: int) -> dict:
    figures = {"as_of": run.as_of.isoformat(), "pages": pages, "townships": {}}
    for part in parts:
        figures["townships"][part["township"].code] = {
            "name": part["township"].name,
            "first_page": part["first_page"],
            "pages": part["pages"],
            **part["figures"],
        }
        for key, value in part["figures"].items():
            if isinstance(value, int) and not isinstance(value, bool):
                figures[key] = figures.get(key, 0) + value
    if run.kind == ReportRun.Kind.EXIT:
        from township.models import TownshipYear

        targets = TownshipYear.objects.filter(
            township__county_id=run.county_id, year=run.year
        ).aggregate(households=Sum("exit_target"), people=Sum("exit_target_people"))
        figures["target_households"] = targets["households"]
        figures["target_people"] = targets["people"]
    return figures
