"""The roster template (农户花名册模板) offered on the import page.

Its first sheet is the one the import reads, with the two heading rows and nothing else, so
the template filled in and the household list's export both import the same way. Around it:
drop-down lists for every coded column (and the user's villages), number checks, ID-number
columns kept as text (Excel would turn 18 digits into 5.2E+17), an example household on its
own sheet (never read; its people are refused if copied into the roster), and notes.
"""

import datetime
import io

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from households.imports.roster import COLUMNS, EXAMPLE, HEADER_ROWS

ROSTER_SHEET = "花名册 Roster"
EXAMPLE_SHEET = "示例 Example"
NOTES_SHEET = "填写说明 Notes"
LISTS_SHEET = "代码表 Lists"
# Rows of the roster sheet given drop-downs, checks and text format (members, not households).
ROWS = 5000
REQUIRED_FILL = PatternFill("solid", fgColor="FDE2E2")
HEADING_FILL = PatternFill("solid", fgColor="EEEEEE")
ID_COLUMNS = {"head_id", "id_number", "phone"}


def _labels(choices) -> list[str]:
    with translation.override("zh-hans"):
        return [str(label) for _value, label in choices.choices]


def _headings(sheet) -> None:
    sheet.append([c.zh for c in COLUMNS])
    sheet.append([c.en for c in COLUMNS])
    for index, column in enumerate(COLUMNS, start=1):
        for row in (1, 2):
            cell = sheet.cell(row=row, column=index)
            cell.font = Font(bold=row == 1)
            cell.fill = REQUIRED_FILL if column.required else HEADING_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = 22 if column.key in ID_COLUMNS else 14
    sheet.freeze_panes = f"A{HEADER_ROWS + 1}"


def _range(letter: str) -> str:
    return f"{letter}{HEADER_ROWS + 1}:{letter}{HEADER_ROWS + ROWS}"


def roster_template(*, villages: list[str]) -> bytes:
    """The template as an .xlsx file; ``villages`` are the names (or codes) the user may use."""
    book = Workbook()
    roster = book.active
    roster.title = ROSTER_SHEET
    _headings(roster)

    lists = book.create_sheet(LISTS_SHEET)
    coded = [(c, _labels(c.choices)) for c in COLUMNS if c.choices]
    coded.insert(0, (next(c for c in COLUMNS if c.key == "village"), villages))
    for index, (column, values) in enumerate(coded, start=1):
        letter = get_column_letter(index)
        lists.cell(row=1, column=index, value=column.zh).font = Font(bold=True)
        for row, value in enumerate(values, start=2):
            lists.cell(row=row, column=index, value=value)
        if not values:
            continue
        where = get_column_letter(COLUMNS.index(column) + 1)
        check = DataValidation(
            type="list",
            formula1=f"'{LISTS_SHEET}'!${letter}$2:${letter}${len(values) + 1}",
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=column.zh,
            error=_("Choose one of the values in the list."),
        )
        check.add(_range(where))
        roster.add_data_validation(check)
    lists.sheet_state = "hidden"

    this_year = datetime.date.today().year
    numbers = {
        "disability_grade": ("whole", 1, 4),
        "migrant_months": ("whole", 0, 12),
        "year_identified": ("whole", 2000, this_year),
        "income_year": ("whole", 2000, this_year),
        "wage_income": ("decimal", 0, 10**9),
        "business_income": ("decimal", 0, 10**9),
        "property_income": ("decimal", 0, 10**9),
        "transfer_income": ("decimal", 0, 10**9),
        "production_cost": ("decimal", 0, 10**9),
    }
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        if column.key in numbers:
            kind, low, high = numbers[column.key]
            check = DataValidation(
                type=kind,
                operator="between",
                formula1=str(low),
                formula2=str(high),
                allow_blank=True,
                showErrorMessage=True,
                errorTitle=column.zh,
                error=_("A number from %(low)s to %(high)s.") % {"low": low, "high": high},
            )
            check.add(_range(letter))
            roster.add_data_validation(check)
        if column.key in ID_COLUMNS:
            # The whole column as text: what is typed or pasted below keeps every digit.
            roster.column_dimensions[letter].number_format = "@"

    example = book.create_sheet(EXAMPLE_SHEET)
    _headings(example)
    for person in EXAMPLE:
        example.append([person.get(c.key, "") for c in COLUMNS])
    for row in example.iter_rows(min_row=HEADER_ROWS + 1):
        for cell in row:
            cell.font = Font(italic=True, color="666666")

    notes = book.create_sheet(NOTES_SHEET)
    notes.column_dimensions["A"].width = 110
    for line in _notes(villages):
        notes.append([line])
        notes.cell(row=notes.max_row, column=1).alignment = Alignment(wrap_text=True)
    notes.cell(row=1, column=1).font = Font(bold=True, size=13)

    book.move_sheet(lists, offset=len(book.worksheets) - 1 - book.index(lists))
    book.active = 0
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _notes(villages: list[str]) -> list[str]:
    required = "、".join(c.zh for c in COLUMNS if c.required)
    return [
        _("How to fill in the roster"),
        _(
            "Fill in the first sheet (%(sheet)s) only; the import reads no other sheet. Keep "
            "its two heading rows (Chinese, then English) as they are and start on row 3."
        )
        % {"sheet": ROSTER_SHEET},
        _(
            "One row a member. Every member's row repeats the household's columns; members "
            "are grouped by the head's ID number, and the household's own columns and its "
            "income are read from the head's own row."
        ),
        _("Required columns (shaded red): %(columns)s.") % {"columns": required},
        _(
            "Coded columns (sex, relation, education, schooling, health, labour, attribute, "
            "housing, main cause) and the village have drop-down lists: choose from them."
        ),
        _(
            "Village: its name, or its 12-digit division code when two villages share a name. "
            "Villages you may import into: %(villages)s."
        )
        % {"villages": "、".join(villages) or "—"},
        _(
            "ID numbers: 18 characters (15-digit numbers from before 1999 are converted); the "
            "ID and phone columns are formatted as text so that Excel keeps every digit."
        ),
        _(
            "Income: one year a household, on the head's row; amounts in yuan, never "
            "negative; leave the income columns empty to change no income."
        ),
        _(
            "The sheet %(sheet)s shows a filled-in household. Its people do not exist: "
            "copied into the roster, they are refused."
        )
        % {"sheet": EXAMPLE_SHEET},
        _(
            "Nothing is written when the file is uploaded: the check lists every problem and "
            "the households it would create or change; you confirm, then all is written or "
            "nothing."
        ),
        _(
            "The Excel export of the household list is in this same format: export, correct, "
            "and import it back."
        ),
    ]
