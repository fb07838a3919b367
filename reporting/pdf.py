"""HTML to PDF with WeasyPrint, written to a temporary name and moved into place.

WeasyPrint holds the layout of a whole document until it is written: a township's year-end
account of 2,500 households (300 pages) took more than a gigabyte. A report whose template
can be drawn in sections (``SECTIONED``) is therefore rendered a section at a time when it
is long: its opening with the first rows of its household table, the table's further rows
``BANGFU_REPORT_SECTION_ROWS`` at a time, then its closing sections. The sections are merged
with pypdf and numbered "n / N" at the foot of every page. A report built by the workers has
its sections drawn by tasks of their own, in parallel (``reporting.parts``).
"""

import io
import shutil
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
)
from weasyprint import HTML

from reporting.files import BUILDING, built_file

# Templates that draw a ``section`` ("head", "rows" or "tail") of themselves when asked.
SECTIONED = {"reporting/pdf/reconciliation.html"}


def render_pdf(template: str, context: dict, relative_path: str, *, numbered=True) -> str:
    """Render ``template`` into MEDIA_ROOT/``relative_path``, a section at a time when it
    is long and can be; ``numbered=False`` leaves the page numbers to whoever merges it."""
    htmls = sections_of(template, context)
    if htmls is None:
        return write_pdf(render_to_string(template, context), relative_path)
    return merge_pdfs(
        (PdfReader(io.BytesIO(pdf_of(html))) for html in htmls), relative_path, numbered=numbered
    )


def sections_of(template: str, context: dict) -> Iterator[str] | None:
    """The HTML documents a long sectioned report is drawn in, one a section, in order: its
    opening with the first rows, the further rows ``BANGFU_REPORT_SECTION_ROWS`` at a time,
    its closing sections. None for a report drawn whole."""
    rows = context.get("rows") or []
    size = settings.BANGFU_REPORT_SECTION_ROWS
    if template not in SECTIONED or len(rows) <= size:
        return None

    def sections():
        for start in range(0, len(rows), size):
            section = "head" if start == 0 else "rows"
            chunk = rows[start : start + size]
            yield render_to_string(
                template, {**context, "rows": chunk, "section": section, "part": True}
            )
        yield render_to_string(template, {**context, "rows": [], "section": "tail", "part": True})

    return sections()


def pdf_of(html: str) -> bytes:
    """The PDF WeasyPrint draws of ``html`` (what it links to found under BASE_DIR)."""
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def merge_pdfs(pdfs: Iterable, relative_path: str, *, numbered=True) -> str:
    """Put PDFs (readers, paths or files) together into MEDIA_ROOT/``relative_path``,
    atomically, numbered "n / N" at the foot of every page unless ``numbered`` is False."""
    with built_file(Path(settings.MEDIA_ROOT) / relative_path, ".pdf") as tmp:
        writer = PdfWriter()
        for pdf in pdfs:
            writer.append(pdf)
        if numbered:
            stamp_page_numbers(writer)
        with open(tmp, "wb") as out:
            writer.write(out)
    return relative_path


def write_pdf(html: str, relative_path: str) -> str:
    """Render ``html`` into MEDIA_ROOT/``relative_path`` atomically (``files.built_file``);
    return the path."""
    with built_file(Path(settings.MEDIA_ROOT) / relative_path, ".pdf") as tmp:
        pause = getattr(settings, "BANGFU_TEST_BUILD_PAUSE_SECONDS", 0)
        if pause:  # set by the test settings only: time to kill a worker mid-build
            time.sleep(pause)
        HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(tmp)
    return relative_path


def temp_files_sweep(*, now: float | None = None) -> int:
    """Remove the temporary files of builds that died with their worker (``kill -9`` leaves
    them behind): half-written reports and exports, and the parts of county-wide runs. Only
    files older than the build time limit and a margin: no build can still be writing them.
    Returns how many were removed."""
    root = Path(settings.MEDIA_ROOT) / "reports"
    if not root.is_dir():
        return 0
    older_than = (now or time.time()) - (settings.BANGFU_REPORT_STALE_MINUTES + 5) * 60
    removed = 0
    for path in root.rglob(f"{BUILDING}*"):
        try:
            if path.stat().st_mtime < older_than:
                path.unlink()
                removed += 1
        except FileNotFoundError:  # removed meanwhile
            continue
    # The parts of county-wide runs whose merge never came (reporting/parts.py).
    parts = root / "parts"
    for folder in parts.iterdir() if parts.is_dir() else ():
        try:
            newest = max([folder.stat().st_mtime, *(p.stat().st_mtime for p in folder.iterdir())])
        except FileNotFoundError:
            continue
        if newest < older_than:
            removed += sum(1 for p in folder.iterdir() if p.is_file())
            shutil.rmtree(folder, ignore_errors=True)
    return removed


# Helvetica's widths (1/1000 em) of what a page number is written with.
_WIDTHS = {**dict.fromkeys("0123456789", 556), " ": 278, "/": 278}
_NUMBER_SIZE = 8  # points
_NUMBER_FROM_BOTTOM = 22  # points, about 8 mm: in the bottom margin


def stamp_page_numbers(writer: PdfWriter) -> None:
    """Write "n / N" centred at the foot of every page, on top of what the page holds."""
    font = writer._add_object(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica"),
                NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
            }
        )
    )
    save = writer._add_object(_stream(b"q\n"))
    total = len(writer.pages)
    for number, page in enumerate(writer.pages, start=1):
        resources = page.get("/Resources")
        if resources is None:
            resources = DictionaryObject()
            page[NameObject("/Resources")] = resources
        resources = resources.get_object()
        fonts = resources.get("/Font")
        if fonts is None:
            fonts = DictionaryObject()
            resources[NameObject("/Font")] = fonts
        fonts.get_object()[NameObject("/BangfuPageNumber")] = font
        text = f"{number} / {total}"
        width = sum(_WIDTHS[c] for c in text) * _NUMBER_SIZE / 1000
        box = page.mediabox
        x = float(box.left) + (float(box.width) - width) / 2
        y = float(box.bottom) + _NUMBER_FROM_BOTTOM
        stamp = (
            f"Q\nq BT /BangfuPageNumber {_NUMBER_SIZE} Tf 0.33 g "
            f"1 0 0 1 {x:.2f} {y:.2f} Tm ({text}) Tj ET Q\n"
        ).encode()
        raw = page.raw_get("/Contents") if "/Contents" in page else None
        if isinstance(raw, IndirectObject) and isinstance(raw.get_object(), ArrayObject):
            raw = raw.get_object()
        streams = list(raw) if isinstance(raw, ArrayObject) else ([raw] if raw else [])
        page[NameObject("/Contents")] = ArrayObject(
            [save, *streams, writer._add_object(_stream(stamp))]
        )


def _stream(data: bytes) -> DecodedStreamObject:
    stream = DecodedStreamObject()
    stream.set_data(data)
    return stream
