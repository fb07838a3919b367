"""Spreadsheet exports (.xlsx): the household list as filtered, plans, ledger entries, registers.

Written with openpyxl's write-only mode, row by row, so a county-size list stays small in
memory. Column headings are in the user's language; ID numbers are exported in full only
to the staff who keep the cards (the list pages mask them for everyone).
"""

import io
from collections.abc import Iterable

from django.http import HttpResponse
from openpyxl import Workbook


def xlsx_response(
    filename: str, sheets: Iterable[tuple[str, list, Iterable[list]]]
) -> HttpResponse:
    """Sheets of (title, headings, rows); headings is one row, or a list of rows."""
    book = Workbook(write_only=True)
    for title, headings, rows in sheets:
        sheet = book.create_sheet(title[:31])
        for heading_row in headings if headings and isinstance(headings[0], list) else [headings]:
            sheet.append(heading_row)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
