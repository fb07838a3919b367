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
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
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
    Column("status", "户状态", "Status", "household", False, Household.Status),
    Column("exit_year", "脱贫年度", "Year out of poverty", "household"),
    Column("housing", "住房情况", "Housing", "household", False, Household.Housing),
    Column("no_worry_food", "不愁吃", "No worry about food", "household"),
    Column("no_worry_clothing", "不愁穿", "No worry about clothing", "household"),
    Column("water_safe", "饮水安全", "Safe drinking water", "household"),
    Column("cadre", "帮扶责任人", "Pairing cadre", "household"),
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
    """Each choice by its value and its English and Chinese labels, normalised the way a
    cell is (full-width brackets and all), so that a label the export wrote reads back."""
    lookup = {}
    for value, label in choices.choices:
        lookup[value.lower()] = value
        with translation.override("en"):
            lookup[normalise(str(label)).lower()] = value
        with translation.override("zh-hans"):
            lookup[normalise(str(choices(value).label)).lower()] = value
    return lookup


# Yes and no as rosters write them: 是/否, √/×, yes/no, 1/0.
YES = {"是", "√", "✓", "yes", "y", "true", "1", "有"}
NO = {"否", "×", "✗", "no", "n", "false", "0", "无"}
BOOLEANS = ["no_worry_food", "no_worry_clothing", "water_safe"]


def parse_bool(value) -> bool | None:
    text = normalise(value).lower()
    if text in YES:
        return True
    if text in NO:
        return False
    return None


_CHOICES = {c.key: _choice_lookup(c.choices) for c in COLUMNS if c.choices}


NOT_XLSX = gettext_lazy(
    "This is not an .xlsx workbook, or it is protected by a password. "
    "Save it from Excel as "
    '"Excel Workbook (.xlsx)" without a password and upload it again.'
)


def check_archive(file) -> None:
    """Refuse a workbook that would unpack into far more than it weighs (a "zip bomb").

    An .xlsx is a zip archive; its central directory declares each part's packed and
    unpacked size, read here without inflating anything. Python's zipfile never inflates
    a part beyond its declared size, so these numbers bound what parsing can cost. The
    limits (settings ``BANGFU_IMPORT_MAX_UNPACKED_MB``, ``…_MAX_PARTS``, ``…_MAX_RATIO``)
    leave room for the largest real roster: 60,000 rows unpack to about 60 MB, at about
    11 to 1, in about ten parts.
    """
    try:
        with zipfile.ZipFile(file) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise RosterError(str(NOT_XLSX)) from exc
    finally:
        if hasattr(file, "seek"):
            file.seek(0)
    if len(parts) > settings.BANGFU_IMPORT_MAX_PARTS:
        raise RosterError(
            _(
                "This workbook holds %(n)d parts, far more than a roster needs (at most "
                "%(max)d): it is refused for safety. Copy the roster into a new workbook and "
                "upload that."
            )
            % {"n": len(parts), "max": settings.BANGFU_IMPORT_MAX_PARTS}
        )
    unpacked = sum(part.file_size for part in parts)
    if unpacked > settings.BANGFU_IMPORT_MAX_UNPACKED_MB * 1024 * 1024:
        raise RosterError(
            _(
                "This workbook unpacks to %(size)d MB, more than the %(max)d MB a roster may "
                "have: it is refused for safety. Split it into smaller files."
            )
            % {
                "size": unpacked // (1024 * 1024),
                "max": settings.BANGFU_IMPORT_MAX_UNPACKED_MB,
            }
        )
    for part in parts:
        ratio = part.file_size / max(part.compress_size, 1)
        # Small parts can pack oddly well; only a large part packed this tightly is a bomb.
        if part.file_size > 1024 * 1024 and ratio > settings.BANGFU_IMPORT_MAX_RATIO:
            raise RosterError(
                _(
                    "This workbook is packed far more tightly than Excel packs a roster "
                    "(%(ratio)d to 1): it is refused for safety. Save the roster from Excel "
                    "as a new workbook and upload that."
                )
                % {"ratio": ratio}
            )


def read_rows(path, *, max_rows: int, on_size=None) -> Iterator[tuple[int, dict[str, object]]]:
    """Stream the sheet's data rows as {column key: raw value}; raise RosterError for the file.

    The archive is checked before anything parses it, and the workbook is opened once:
    ``on_size`` is told the data rows the sheet says it has (for a progress bar).
    """
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    check_archive(path)
    try:
        book = load_workbook(path, read_only=True, data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as exc:
        raise RosterError(str(NOT_XLSX)) from exc
    try:
        sheet = book.worksheets[0]
        if on_size is not None:
            on_size(max((sheet.max_row or 0) - HEADER_ROWS, 1))
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


# A roster brings households in as they stand; returns to poverty and removals are dated
# steps of the card, not columns of a spreadsheet.
IMPORTABLE_STATUSES = {Household.Status.APPLICANT, Household.Status.POOR, Household.Status.EXITED}


def _status_fields(raw, row, columns, fields, problems) -> None:
    """The household's status and, for one out of poverty, the year it left."""
    text = normalise(raw.get("status"))
    status = Household.Status.POOR
    if text:
        status = _CHOICES["status"].get(text.lower()) or _CHOICES["status"].get(text)
        if status is None or status not in IMPORTABLE_STATUSES:
            problems.append(
                Problem(
                    row,
                    columns["status"].zh,
                    text,
                    _(
                        "A roster brings households in as applying, not yet or already out of "
                        "poverty; other changes are steps on the card."
                    ),
                )
            )
            return
        fields["status"] = status
    year_text = normalise(raw.get("exit_year"))
    if status != Household.Status.EXITED:
        if year_text:
            problems.append(
                Problem(
                    row,
                    columns["exit_year"].zh,
                    year_text,
                    _("Only a household out of poverty has a year out of poverty."),
                )
            )
        return
    year = parse_year(raw.get("exit_year")) if year_text else None
    identified = fields.get("year_identified")
    if year is None or not 2000 <= year <= datetime.date.today().year:
        problems.append(
            Problem(
                row,
                columns["exit_year"].zh,
                year_text,
                _("Give the year the household left poverty, such as 2019."),
            )
        )
    elif identified and year < identified:
        problems.append(
            Problem(
                row,
                columns["exit_year"].zh,
                year_text,
                _("The exit cannot come before the year identified."),
            )
        )
    else:
        fields["exit_year"] = year


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
        for key in BOOLEANS:
            text = normalise(raw.get(key))
            if text:
                value = parse_bool(text)
                if value is None:
                    problems.append(
                        Problem(row, columns[key].zh, text, _("Write 是 or 否 (yes or no)."))
                    )
                else:
                    fields[key] = value
        if normalise(raw.get("cadre")):
            fields["cadre"] = normalise(raw["cadre"])
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
        _status_fields(raw, row, columns, fields, problems)
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
