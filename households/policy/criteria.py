"""Household exit criteria (一达标、两不愁、三保障 and safe water) as of a day.

一达标: per-capita net income of the day's year strictly above that year's poverty line, and
stably so: above each year's line in the last N years up to it, N being the year's
``PovertyLine.stable_years`` (policy data, 1 by default: that year alone).
两不愁: no worry about food, no worry about clothing (the card's assessment).
三保障: compulsory education (every member aged 6–15 at the start of the school year in
progress is in school), basic medical care (every member of the household that day has
medical insurance), safe housing; and safe drinking water.

Each criterion is met, not met or unknown, with the figures behind it, so a leader sees why.
The data comes in from the caller (a page's current rows, or a report's rows as they stood on
its date), so the rule costs no query and is the same for every page, gate and report.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from households.models import Household, Member
from township.validators import id_birth_date

MET, NOT_MET, UNKNOWN = "met", "not_met", "unknown"
SCHOOL_AGES = range(6, 16)  # compulsory education: primary and junior middle school
IN_SCHOOL = {
    Member.Schooling.PRIMARY,
    Member.Schooling.JUNIOR,
    Member.Schooling.SENIOR,
    Member.Schooling.SECONDARY_VOCATIONAL,
    Member.Schooling.HIGHER,
}
LABELS = {
    "income": gettext_lazy("Per-capita net income above the line"),
    "food": gettext_lazy("No worry about food"),
    "clothing": gettext_lazy("No worry about clothing"),
    "schooling": gettext_lazy("Compulsory education guaranteed"),
    "medical": gettext_lazy("Basic medical insurance for every member"),
    "housing": gettext_lazy("Safe housing"),
    "water": gettext_lazy("Safe drinking water"),
}
ORDER = list(LABELS)


@dataclass(frozen=True)
class Criterion:
    """One criterion's state with the raw figures behind it (language-free, storable)."""

    key: str
    state: str
    values: dict = field(default_factory=dict)

    @property
    def label(self) -> str:
        return str(LABELS[self.key])

    @property
    def met(self) -> bool:
        return self.state == MET

    @property
    def figure(self) -> str:
        v = self.values
        match self.key:
            case "income":
                if "per_capita" not in v:
                    if v.get("missing") == "line":
                        return _("No poverty line for %(year)s.") % {"year": v["year"]}
                    return _("No income recorded for %(year)s.") % {"year": v["year"]}
                return "；".join(_year_figure(y) for y in [v, *v.get("earlier", [])])
            case "schooling":
                if v.get("unknown_age"):
                    return _("A member's age is unknown.")
                return _("%(n)d of %(total)d school-age children in school") % v
            case "medical":
                return _("%(n)d of %(total)d members insured") % v
            case "housing":
                return str(Household.Housing(v["housing"]).label)
            case _:
                return _("yes") if self.state == MET else _("no")

    def as_evidence(self) -> dict:
        return {"key": self.key, "state": self.state, "values": self.values}

    @classmethod
    def from_evidence(cls, row: dict) -> "Criterion":
        return cls(row["key"], row["state"], row.get("values", {}))


def _year_figure(y: dict) -> str:
    above = income_above_line(Decimal(y["per_capita"]), Decimal(y["line"]))
    return f"{y['year']}: {y['per_capita']} {'>' if above else '≤'} {y['line']}"


def school_year_start(day: datetime.date) -> datetime.date:
    """1 September of the school year in progress on ``day``."""
    start = datetime.date(day.year, 9, 1)
    return start if day >= start else datetime.date(day.year - 1, 9, 1)


def income_year(day: datetime.date) -> int:
    """Exit is judged on the income of the year the decision falls in."""
    return day.year


def income_above_line(per_capita: Decimal | None, line: Decimal | None) -> bool | None:
    """一达标: per-capita net income strictly above the line; None when either is unknown."""
    if per_capita is None or line is None:
        return None
    return per_capita > line


def member_present(member, day: datetime.date) -> bool:
    """A member counts on ``day`` unless they had left the household by then."""
    if member.is_active:
        return True
    return member.left_on is not None and member.left_on > day


def _age(member, day: datetime.date) -> int | None:
    born = id_birth_date(member.id_number) if member.id_number else None
    if born is None:
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _income_criterion(
    incomes: Iterable, lines: dict[int, Decimal], year: int, stable_years: int
) -> Criterion:
    """一达标, stably: above the line in each of the ``stable_years`` years up to ``year``."""
    by_year = {i.year: i for i in incomes}
    checked = []
    for y in range(year, year - max(stable_years, 1), -1):
        income, line = by_year.get(y), lines.get(y)
        if income is None:
            return Criterion("income", UNKNOWN, {"year": y, "missing": "income"})
        if line is None:
            return Criterion("income", UNKNOWN, {"year": y, "missing": "line"})
        per_capita = income.per_capita_net_income
        checked.append(
            {
                "year": y,
                "per_capita": str(per_capita),
                "line": str(line),
                "above": income_above_line(per_capita, line),
            }
        )
    values = {k: checked[0][k] for k in ("year", "per_capita", "line")}
    if len(checked) > 1:
        values["earlier"] = [{k: c[k] for k in ("year", "per_capita", "line")} for c in checked[1:]]
    return Criterion("income", MET if all(c["above"] for c in checked) else NOT_MET, values)


def exit_criteria(
    *,
    household,
    members: Iterable,
    incomes: Iterable,
    lines: dict[int, Decimal],
    day: datetime.date,
    stable_years: dict[int, int] | None = None,
) -> list[Criterion]:
    """The exit criteria of ``household`` as they stood on ``day``.

    ``household`` and ``members`` may be current rows or their versions as of ``day``;
    ``incomes`` any of the household's yearly incomes; ``lines`` the poverty line by year;
    ``stable_years`` by year how many years up to it the income must be above the line
    (``PovertyLine.stable_years``; 1 for a year not given).
    """
    year = income_year(day)
    present = [m for m in members if member_present(m, day)]
    criteria = [_income_criterion(incomes, lines, year, (stable_years or {}).get(year, 1))]
    criteria.append(Criterion("food", MET if household.no_worry_food else NOT_MET))
    criteria.append(Criterion("clothing", MET if household.no_worry_clothing else NOT_MET))
    school_day = school_year_start(day)
    ages = [(m, _age(m, school_day)) for m in present]
    if any(age is None for _m, age in ages):
        criteria.append(Criterion("schooling", UNKNOWN, {"unknown_age": True}))
    else:
        children = [m for m, age in ages if age in SCHOOL_AGES]
        in_school = [m for m in children if m.schooling in IN_SCHOOL]
        criteria.append(
            Criterion(
                "schooling",
                MET if len(in_school) == len(children) else NOT_MET,
                {"n": len(in_school), "total": len(children)},
            )
        )
    insured = [m for m in present if m.medical_insurance]
    criteria.append(
        Criterion(
            "medical",
            UNKNOWN if not present else (MET if len(insured) == len(present) else NOT_MET),
            {"n": len(insured), "total": len(present)},
        )
    )
    criteria.append(
        Criterion(
            "housing",
            MET if household.housing == Household.Housing.SAFE else NOT_MET,
            {"housing": household.housing},
        )
    )
    criteria.append(Criterion("water", MET if household.water_safe else NOT_MET))
    return criteria


def is_eligible(criteria: list[Criterion]) -> bool:
    """A household may exit when every criterion is met (unknown is not met)."""
    return all(c.state == MET for c in criteria)


def unmet(criteria: list[Criterion]) -> list[Criterion]:
    return [c for c in criteria if c.state != MET]
