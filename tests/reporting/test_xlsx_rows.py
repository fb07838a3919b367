"""RowSheet writes a row's XML itself: it must be the XML XlsxWriter's own calls write."""

import datetime
import zipfile
from decimal import Decimal

import pytest
import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from reporting.xlsx_rows import RowSheet

OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
    "default_date_format": "yyyy-mm-dd",
}
LONG = "长" * 40_000  # past Excel's 32,767 units a cell: cut
EMOJI = "a" + "😀" * 16_384  # a character of two units across the limit: cut before it


def rows(quoted, money):
    """(row, [(column, value, format)]): every kind of cell the exports write."""
    return [
        (1, [(0, "王小明", None), (1, 3, None), (2, Decimal("1234.50"), money)]),
        (2, [(0, 'a & b < c > d "e"', None), (2, 0.1, None), (5, -7, None)]),
        (3, [(0, " leading", None), (1, "trailing ", None), (2, "two\nlines", None)]),
        (
            4,
            [(0, "bell\x07and\x1fus", None), (1, "_x0041_ literal", None), (2, "\u3000全角", None)],
        ),
        (5, [(0, "=HYPERLINK(1)", quoted), (1, "#N/A", quoted), (3, "+86", quoted)]),
        (
            6,
            [
                (0, datetime.date(2026, 11, 30), None),
                (1, datetime.datetime(2026, 1, 2, 3, 4), None),
            ],
        ),
        (7, [(0, True, None), (1, False, None), (4, "列", None)]),
        (9, [(0, LONG, None), (1, EMOJI, None)]),  # row 8 left empty
        (10, [(1, "row format", None), (2, 5, None), (3, datetime.date(2025, 1, 1), None)]),
        (11, [(6, "column format", None), (6 + 1, "after it", None)]),
    ]


def _standard(sheet: Worksheet, row: int, cells) -> None:
    for column, value, cell_format in cells:
        if isinstance(value, str):
            sheet.write_string(row, column, value, cell_format)
        elif isinstance(value, bool):
            sheet.write_boolean(row, column, value, cell_format)
        elif isinstance(value, datetime.date):
            sheet.write_datetime(row, column, value, cell_format)
        else:
            sheet.write_number(row, column, value, cell_format)


def _book(path, fast: bool) -> None:
    book = xlsxwriter.Workbook(str(path), {**OPTIONS, "tmpdir": str(path.parent)})
    quoted = book.add_format({"quote_prefix": True})
    money = book.add_format({"num_format": "0.00"})
    shaded = book.add_format({"bg_color": "#EEEEEE"})
    sheet = book.add_worksheet("户", worksheet_class=RowSheet if fast else None)
    sheet.set_column(6, 6, 20, shaded)  # a column's format, taken by its cells without one
    sheet.write_string(0, 0, "姓名")  # the headings through XlsxWriter's own calls, in both
    sheet.write_string(0, 1, "人数")
    for row, cells in rows(quoted, money):
        if row == 10:
            sheet.set_row(10, None, shaded)  # a row's format, likewise
        if fast:
            sheet.write_cells(row, cells)
        else:
            _standard(sheet, row, cells)
    book.close()


def _parts(path) -> dict:
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist() if not name.startswith("docProps")}


def test_a_row_written_at_once_is_the_xml_xlsxwriter_writes(tmp_path):
    _book(tmp_path / "standard.xlsx", fast=False)
    _book(tmp_path / "fast.xlsx", fast=True)
    standard, fast = _parts(tmp_path / "standard.xlsx"), _parts(tmp_path / "fast.xlsx")
    sheet = "xl/worksheets/sheet1.xml"
    assert b"_x005F_x0041_" in standard[sheet] and b'xml:space="preserve"' in standard[sheet]
    assert fast[sheet].decode() == standard[sheet].decode()
    assert fast == standard


def test_rows_are_written_once_and_in_order(tmp_path):
    book = xlsxwriter.Workbook(str(tmp_path / "order.xlsx"), OPTIONS)
    sheet = book.add_worksheet(worksheet_class=RowSheet)
    sheet.write_cells(0, [(0, "a", None)])
    with pytest.raises(ValueError):
        sheet.write_cells(0, [(1, "again", None)])
    sheet.write_cells(3, [(0, "d", None)])
    with pytest.raises(ValueError):
        sheet.write_cells(2, [(0, "c", None)])
    with pytest.raises(TypeError):
        sheet.write_cells(4, [(0, float("nan"), None)])
    book.close()


def test_only_in_constant_memory_mode(tmp_path):
    book = xlsxwriter.Workbook(str(tmp_path / "memory.xlsx"))
    sheet = book.add_worksheet(worksheet_class=RowSheet)
    with pytest.raises(ValueError):
        sheet.write_cells(0, [(0, "a", None)])
    book.close()
