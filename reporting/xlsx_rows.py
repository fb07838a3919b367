"""A worksheet that writes a whole row of cells in one pass, in constant-memory mode.

XlsxWriter keeps each cell of a row in a table and writes it out when the next row starts,
through about ten calls a cell. A county's household list is five million cells, and those
calls were four fifths of its export's time. ``RowSheet.write_cells`` writes the XML of a
row at once: the same XML that ``write_string``, ``write_number``, ``write_datetime`` and
``write_boolean`` would write, in-line strings included (tests/reporting/test_xlsx_rows.py
compares the two byte for byte, so that a new XlsxWriter that writes otherwise is noticed).
Everything else (the workbook, its formats, the sheet around the rows) is XlsxWriter's.
"""

import datetime
import math
from decimal import Decimal

from xlsxwriter.utility import (
    _preserve_whitespace,
    _utf16_len,
    _utf16_truncate,
    xl_rowcol_to_cell_fast,
)
from xlsxwriter.worksheet import Worksheet

_DATES = datetime.date | datetime.time | datetime.timedelta


class RowSheet(Worksheet):
    """Add with ``workbook.add_worksheet(name, worksheet_class=RowSheet)``, in a workbook
    made with ``{"constant_memory": True}``. A row is written whole, by one call."""

    _last_written = -1  # the last row write_cells wrote

    def write_cells(self, row: int, cells: list) -> None:
        """Write row ``row`` (zero-based, after every row written so far) of ``cells``:
        ``(column, value, cell_format or None)`` in column order, the value a non-empty
        ``str``, a ``bool``, an ``int``, ``float`` or ``Decimal``, or a date."""
        if not self.constant_memory:
            raise ValueError("RowSheet writes rows in constant-memory mode only")
        if row < self.previous_row or (
            row == self.previous_row and (self.table or self._last_written == row)
        ):
            raise ValueError(f"row {row} is not after the rows already written")
        if not cells:
            return
        if self._check_dimensions(row, cells[0][0]) or self._check_dimensions(row, cells[-1][0]):
            raise ValueError(f"row {row} is outside the worksheet")
        # The last row written by XlsxWriter's own calls (the headings) goes out first.
        self._write_single_row(row)
        info = self.row_info.get(row)
        self._write_row(row, None, info)
        # A cell without a format of its own takes its row's, else its column's.
        row_format = info.row_format if info is not None else None
        inherited = row_format or self.col_info
        out = []
        for column, value, cell_format in cells:
            ref = xl_rowcol_to_cell_fast(row, column)
            if cell_format is None and isinstance(value, _DATES):
                cell_format = self.default_date_format  # as write_datetime() gives them
            if cell_format is None and inherited:
                cell_format = row_format or getattr(
                    self.col_info.get(column), "column_format", None
                )
            if isinstance(value, str):
                out.append(_inline_string(ref, _style(cell_format), value, self.xls_strmax))
            elif isinstance(value, bool):
                out.append(f'<c r="{ref}"{_style(cell_format)} t="b"><v>{int(value)}</v></c>')
            elif isinstance(value, int | float | Decimal):
                if not math.isfinite(value):
                    raise TypeError("NaN and infinities are not written")
                out.append(f'<c r="{ref}"{_style(cell_format)}><v>{value:.16G}</v></c>')
            elif isinstance(value, _DATES):
                serial = self._convert_date_time(value)
                out.append(f'<c r="{ref}"{_style(cell_format)}><v>{serial:.16G}</v></c>')
            else:
                raise TypeError(f"a cell cannot hold {type(value).__name__}")
        self.fh.write("".join(out))
        self._xml_end_tag("row")
        self._last_written = row

    def _write_single_row(self, current_row_num=0) -> None:
        # XlsxWriter writes out its last row when the next one starts (and at the end): a
        # row write_cells wrote is out already, its row format included.
        if self.previous_row == self._last_written and not self.table:
            self.previous_row = current_row_num
            return
        super()._write_single_row(current_row_num)


def _style(cell_format) -> str:
    """The ``s`` attribute of a cell of ``cell_format`` (none without a format)."""
    return f' s="{cell_format._get_xf_index()}"' if cell_format else ""


def _inline_string(ref: str, style: str, text: str, longest: int) -> str:
    if len(text) > longest // 2 and _utf16_len(text) > longest:
        text = _utf16_truncate(text, longest)
    if not text.isprintable() or "_x" in text:
        # Control characters as _xHHHH_, and such text already in the string escaped.
        text = Worksheet._escape_control_characters(text)
    preserve = (
        ' xml:space="preserve"'
        if (text[:1].isspace() or text[-1:].isspace()) and _preserve_whitespace(text)
        else ""
    )
    if "&" in text or "<" in text or ">" in text:
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f'<c r="{ref}"{style} t="inlineStr"><is><t{preserve}>{text}</t></is></c>'
