"""The household roster spreadsheet (农户花名册): its columns, reading and checking it.

One sheet, one row a member, with the household's columns repeated on each row: this is how
township offices already keep their rosters. Row 1 holds the Chinese headings, row 2 the
English ones, data starts on row 3. Members are grouped into households by the head's ID
number (户主身份证号); the household's own columns and its income are read from the head's
row. The export of the household list writes this same format, so an export imports back
unchanged.
"""

import datetime
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl.utils.datetime import from_excel

from households.models import Household, Member, PovertyCause
from township.validators import id_check_char, validate_id_number


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: str
    level: str  # "household", "member" or "income"
    required: bool = False
    choices: type | None = None


COLUMNS = [
    Column("village", "村", "Village (name or 12-digit code)", "household", True),
    Column("group_name", "村民小组", "Villager group", "household"),
    Column("head_id", "户主身份证号", "Head's ID number", "household", True),
    Column("name", "姓名", "Name", "member", True),
    Column("id_number", "身份证号", "ID number", "member", True),
    Column("sex", "性别", "Sex", "member", True, Member.Sex),
    Column("relation", "与户主关系", "Relation to head", "member", True, Member.Relation),
    Column("ethnicity", "民族", "Ethnicity", "member"),
    Column("education", "文化程度", "Education level", "member", False, Member.Education),
    Column("schooling", "在校情况", "Current schooling", "member", False, Member.Schooling),
    Column("health", "健康状况", "Health", "member", False, Member.Health),
    Column("disability_grade", "残疾等级", "Disability grade", "member"),
    Column("labour", "劳动技能", "Labour ability", "member", False, Member.Labour),
    Column("migrant_months", "务工时间（月）", "Months of migrant work", "member"),
    Column("phone", "联系电话", "Mobile number", "household"),
    Column("address", "家庭住址", "Address", "household"),
    Column(
        "attribute", "贫困户属性", "Household attribute", "household", False, Household.Attribute
    ),
    Column("year_identified", "识别年度", "Year identified", "household"),
    Column("housing", "住房情况", "Housing", "household", False, Household.Housing),
    Column("main_cause", "主要致贫原因", "Main cause of poverty", "household", False, PovertyCause),
    Column("income_year", "收入年度", "Income year", "income"),
    Column("wage_income", "工资性收入", "Wage income", "income"),
    Column("business_income", "生产经营性收入", "Production and business income", "income"),
    Column("property_income", "财产性收入", "Property income", "income"),
    Column("transfer_income", "转移性收入", "Transfer income", "income"),
    Column("production_cost", "生产经营性支出", "Production costs", "income"),
]
# The template's example household (its own sheet, never read): fictitious people whose ID
# numbers are refused if the rows are copied into the roster unchanged.
EXAMPLE = [
    {
        "village": "新田村",
        "group_name": "一组",
        "head_id": "110101197001010016",
        "name": "张示例",
        "id_number": "110101197001010016",
        "sex": "男",
        "relation": "户主",
        "ethnicity": "汉族",
        "education": "初中",
        "schooling": "非在校生",
        "health": "健康",
        "labour": "普通劳动力",
        "migrant_months": 6,
        "phone": "13800000000",
        "address": "新田村一组1号",
        "attribute": "一般贫困户",
        "year_identified": 2016,
        "housing": "安全",
        "main_cause": "因病",
        "income_year": 2025,
        "wage_income": "12000.00",
        "business_income": "3500.00",
        "property_income": "0.00",
        "transfer_income": "1800.00",
        "production_cost": "900.00",
    },
    {
        "village": "新田村",
        "group_name": "一组",
        "head_id": "110101197001010016",
        "name": "李示例",
        "id_number": "110101197203040029",
        "sex": "女",
        "relation": "配偶",
        "ethnicity": "汉族",
        "education": "小学",
        "schooling": "非在校生",
        "health": "长期慢性病",
        "labour": "弱劳动力或半劳动力",
        "migrant_months": 0,
    },
]
EXAMPLE_IDS = {row["id_number"] for row in EXAMPLE}
BY_ZH = {c.zh: c for c in COLUMNS}
BY_EN = {c.en.lower(): c for c in COLUMNS}
HEADER_ROWS = 2
MONEY = ["wage_income", "business_income", "property_income", "transfer_income", "production_cost"]
_SPACES = re.compile(r"\s+")
_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


@dataclass
class Problem:
    row: int
    column: str
    value: str
    message: str

    def as_dict(self) -> dict:
        return {
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
        }


@dataclass
class RosterHousehold:
    head_id: str
    row: int
    fields: dict = field(default_factory=dict)
    main_cause: str = ""
    income: dict | None = None
    members: list[tuple[int, dict]] = field(default_factory=list)


class RosterError(Exception):
    """The file as a whole cannot be read; nothing row by row to say."""


def normalise(value) -> str:
    """Full-width digits and letters to ASCII, stray spaces removed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKC", str(value))
    return _SPACES.sub(" ", text).strip()


def id_from_legacy(value: str) -> str:
    """A 15-digit ID number (before 1999) as its 18-digit form: century 19, check digit added."""
    first17 = value[:6] + "19" + value[6:]
    return first17 + id_check_char(first17)


def parse_year(value) -> int | None:
    """A year from what Excel really holds: 2016, "2016", a date, a serial number, a text date."""
    if isinstance(value, datetime.datetime | datetime.date):
        return value.year
    if isinstance(value, int | float) and 1900 <= value <= 2100:
        return int(value)
    if isinstance(value, int | float) and value > 2100:  # an Excel serial date
        return from_excel(value).year
    text = normalise(value)
    if re.fullmatch(r"\d{4}", text):
        return int(text)
    match = _DATE_TEXT.match(text)
    return int(match.group(1)) if match else None


def _choice_lookup(choices) -> dict[str, str]:
    lookup = {}
    for value, label in choices.choices:
        lookup[value.lower()] = value
        lookup[str(label).lower()] = value
        with translation.override("zh-hans"):
            lookup[str(choices(value).label)] = value
    return lookup


_CHOICES = {c.key: _choice_lookup(c.choices) for c in COLUMNS if c.choices}


def read_rows(path, *, max_rows: int) -> Iterator[tuple[int, dict[str, object]]]:
    """Stream the sheet's data rows as {column key: raw value}; raise RosterError for the file."""
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(path, read_only=True, data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as exc:
        raise RosterError(
            _(
                "This is not an .xlsx workbook, or it is protected by a password. "
                "Save it from Excel as "
                '"Excel Workbook (.xlsx)" without a password and upload it again.'
            )
        ) from exc
    try:
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(values_only=False)
        headings = [normalise(c.value) for c in next(rows, [])]
        columns = {}
        for index, heading in enumerate(headings):
            column = BY_ZH.get(heading) or BY_EN.get(heading.lower())
            if column is not None:
                columns[index] = column
        missing = [c.zh for c in COLUMNS if c.required and c not in columns.values()]
        if missing:
            raise RosterError(
                _("Required columns are missing: %(names)s.") % {"names": "、".join(missing)}
            )
        next(rows, None)  # the English headings
        data_rows = 0
        for number, row in enumerate(rows, start=HEADER_ROWS + 1):
            values = {}
            for index, cell in enumerate(row):
                column = columns.get(index)
                if column is None:
                    continue
                if getattr(cell, "data_type", None) == "f":
                    values[column.key] = _Formula(cell.value)
                else:
                    values[column.key] = cell.value
            if any(normalise(v) for v in values.values()):
                # Only rows with data count: a sheet formatted far down is no bigger.
                data_rows += 1
                if data_rows > max_rows:
                    raise RosterError(
                        _("The sheet has more than %(n)d rows: split it into smaller files.")
                        % {"n": max_rows}
                    )
                yield number, values
    finally:
        book.close()


def estimate_rows(path) -> int | None:
    """The data rows the sheet says it has (from its dimension), for the progress bar."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True)
        total = book.worksheets[0].max_row
        book.close()
    except Exception:  # the real read reports what is wrong with the file
        return None
    return max((total or 0) - HEADER_ROWS, 1)


class _Formula(str):
    """A cell holding a formula rather than a value."""


def _money(raw, row, column, problems) -> Decimal | None:
    text = normalise(raw).replace(",", "")
    if not text:
        return Decimal("0.00")
    try:
        value = Decimal(text).quantize(Decimal("0.01"))
    except InvalidOperation:
        problems.append(Problem(row, column.zh, normalise(raw), _("This is not a number.")))
        return None
    if value < 0:
        problems.append(Problem(row, column.zh, text, _("An amount cannot be negative.")))
        return None
    return value


def _id(raw, row, column, problems) -> str | None:
    text = normalise(raw).upper()
    if re.fullmatch(r"\d{15}", text):
        text = id_from_legacy(text)
    try:
        validate_id_number(text)
    except ValidationError as error:
        problems.append(Problem(row, column.zh, normalise(raw), error.messages[0]))
        return None
    return text


def parse(
    rows, *, villages: dict[str, object], progress=None
) -> tuple[list[RosterHousehold], list[Problem]]:
    """Group rows into households and check every value; collect every problem found."""
    problems: list[Problem] = []
    households: dict[str, RosterHousehold] = {}
    seen_ids: dict[str, int] = {}
    columns = {c.key: c for c in COLUMNS}
    for count, (row, raw) in enumerate(rows):
        if progress and count % 1000 == 0:
            progress(count)
        for key, value in raw.items():
            if isinstance(value, _Formula):
                problems.append(
                    Problem(
                        row,
                        columns[key].zh,
                        str(value),
                        _("This cell holds a formula: paste it as a value."),
                    )
                )
        if any(isinstance(v, _Formula) for v in raw.values()):
            continue
        missing = [
            columns[k].zh
            for k in ("village", "head_id", "name", "id_number", "sex", "relation")
            if not normalise(raw.get(k))
        ]
        for name in missing:
            problems.append(
                Problem(row, name, "", _("This column is required (merged cells leave it empty)."))
            )
        if missing:
            continue
        member_id = _id(raw["id_number"], row, columns["id_number"], problems)
        if member_id in EXAMPLE_IDS:
            problems.append(
                Problem(
                    row,
                    columns["id_number"].zh,
                    member_id,
                    _("This is the template's example, not a real person: delete this row."),
                )
            )
            continue
        if normalise(raw["head_id"]) == normalise(raw["id_number"]):
            head_id = member_id  # the head's own row: one number, checked once
        else:
            head_id = _id(raw["head_id"], row, columns["head_id"], problems)
        if member_id and member_id in seen_ids:
            problems.append(
                Problem(
                    row,
                    columns["id_number"].zh,
                    member_id,
                    _("The same ID number is already on row %(row)d.")
                    % {"row": seen_ids[member_id]},
                )
            )
            continue
        if member_id:
            seen_ids[member_id] = row
        member = {"name": normalise(raw["name"]), "id_number": member_id}
        for key in ("sex", "relation", "education", "schooling", "health", "labour"):
            text = normalise(raw.get(key))
            if not text:
                continue
            value = _CHOICES[key].get(text.lower()) or _CHOICES[key].get(text)
            if value is None:
                problems.append(
                    Problem(row, columns[key].zh, text, _("Not one of the allowed values."))
                )
            else:
                member[key] = value
        if normalise(raw.get("ethnicity")):
            member["ethnicity"] = normalise(raw["ethnicity"])
        for key, low, high in (("disability_grade", 1, 4), ("migrant_months", 0, 12)):
            text = normalise(raw.get(key))
            if not text:
                continue
            if not text.isdigit() or not low <= int(text) <= high:
                problems.append(
                    Problem(
                        row,
                        columns[key].zh,
                        text,
                        _("A whole number from %(low)d to %(high)d.") % {"low": low, "high": high},
                    )
                )
            else:
                member[key] = int(text)
        if head_id is None or member_id is None:
            continue
        village_text = normalise(raw["village"])
        village = villages.get(village_text)
        if village is None:
            problems.append(
                Problem(
                    row,
                    columns["village"].zh,
                    village_text,
                    _("Unknown village, or a village outside your area."),
                )
            )
            continue
        household = households.get(head_id)
        if household is None:
            household = households[head_id] = RosterHousehold(head_id=head_id, row=row)
        household.members.append((row, member))
        if member_id != head_id:
            continue
        # The head's row carries the household's columns and its income.
        fields = {
            "village": village,
            "group_name": normalise(raw.get("group_name")),
            "phone": normalise(raw.get("phone")),
            "address": normalise(raw.get("address")),
        }
        for key in ("attribute", "housing", "main_cause"):
            text = normalise(raw.get(key))
            if text:
                value = _CHOICES[key].get(text.lower()) or _CHOICES[key].get(text)
                if value is None:
                    problems.append(
                        Problem(row, columns[key].zh, text, _("Not one of the allowed values."))
                    )
                elif key == "main_cause":
                    household.main_cause = value
                else:
                    fields[key] = value
        year_raw = raw.get("year_identified")
        if normalise(year_raw):
            year = parse_year(year_raw)
            if year is None or not 2000 <= year <= datetime.date.today().year:
                problems.append(
                    Problem(
                        row,
                        columns["year_identified"].zh,
                        normalise(year_raw),
                        _("A year such as 2016, or a date."),
                    )
                )
            else:
                fields["year_identified"] = year
        household.fields, household.row = fields, row
        if normalise(raw.get("income_year")):
            year = parse_year(raw["income_year"])
            if year is None:
                problems.append(
                    Problem(
                        row,
                        columns["income_year"].zh,
                        normalise(raw["income_year"]),
                        _("A year such as 2016, or a date."),
                    )
                )
            else:
                income = {"year": year}
                for key in MONEY:
                    income[key] = _money(raw.get(key), row, columns[key], problems)
                if None not in income.values():
                    household.income = income
    for household in households.values():
        if not household.fields:
            problems.append(
                Problem(
                    household.members[0][0],
                    columns["head_id"].zh,
                    household.head_id,
                    _("No row for the head of this household (the head's own ID number)."),
                )
            )
    return list(households.values()), problems
