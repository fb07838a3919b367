"""Exit eligibility (一达标、两不愁、三保障 and safe water), computed from the card with reasons.

Each criterion is met, not met or unknown, with the figure behind it, so a leader can see
why a household may or may not exit. The data comes in from the caller (the card page has
it loaded already), so computing it costs no query.
"""

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _

from households.models import Household, HouseholdIncome, Member, PovertyLine

MET, NOT_MET, UNKNOWN = "met", "not_met", "unknown"
SCHOOL_AGES = range(6, 16)  # compulsory education: primary and junior middle school
IN_SCHOOL = {
    Member.Schooling.PRIMARY,
    Member.Schooling.JUNIOR,
    Member.Schooling.SENIOR,
    Member.Schooling.SECONDARY_VOCATIONAL,
    Member.Schooling.HIGHER,
}


@dataclass(frozen=True)
class Criterion:
    key: str
    label: str
    state: str
    figure: str


def _age_at(member: Member, day: datetime.date) -> int | None:
    return member.age_on(day)


def exit_eligibility(
    household: Household,
    *,
    members: list[Member],
    incomes: list[HouseholdIncome],
    lines: dict[int, PovertyLine],
    year: int | None = None,
) -> list[Criterion]:
    active = [m for m in members if m.is_active]
    income = next(
        (i for i in sorted(incomes, key=lambda i: -i.year) if year is None or i.year == year), None
    )
    criteria = []
    if income is None:
        criteria.append(
            Criterion(
                "income",
                _("Per-capita net income above the line"),
                UNKNOWN,
                _("No income recorded."),
            )
        )
    elif income.year not in lines:
        criteria.append(
            Criterion(
                "income",
                _("Per-capita net income above the line"),
                UNKNOWN,
                _("No poverty line for %(year)s.") % {"year": income.year},
            )
        )
    else:
        line = lines[income.year].amount
        per_capita = income.per_capita_net_income
        state = MET if per_capita > line else NOT_MET
        criteria.append(
            Criterion(
                "income",
                _("Per-capita net income above the line"),
                state,
                f"{income.year}: {per_capita} {'>' if state == MET else '≤'} {line}",
            )
        )
    for key, label, value in (
        ("food", _("No worry about food"), household.no_worry_food),
        ("clothing", _("No worry about clothing"), household.no_worry_clothing),
        ("housing", _("Safe housing"), household.housing_safe),
        ("water", _("Safe drinking water"), household.water_safe),
    ):
        figure = (
            household.get_housing_display()
            if key == "housing"
            else (_("yes") if value else _("no"))
        )
        criteria.append(Criterion(key, label, MET if value else NOT_MET, figure))
    school_day = datetime.date((year or datetime.date.today().year), 9, 1)
    ages = [(m, _age_at(m, school_day)) for m in active]
    if any(age is None for _m, age in ages):
        criteria.append(
            Criterion(
                "schooling",
                _("Compulsory education guaranteed"),
                UNKNOWN,
                _("A member's age is unknown."),
            )
        )
    else:
        children = [m for m, age in ages if age in SCHOOL_AGES]
        in_school = [m for m in children if m.schooling in IN_SCHOOL]
        criteria.append(
            Criterion(
                "schooling",
                _("Compulsory education guaranteed"),
                MET if len(in_school) == len(children) else NOT_MET,
                _("%(n)d of %(total)d school-age children in school")
                % {"n": len(in_school), "total": len(children)},
            )
        )
    insured = [m for m in active if m.medical_insurance]
    criteria.append(
        Criterion(
            "medical",
            _("Basic medical insurance for every member"),
            UNKNOWN if not active else (MET if len(insured) == len(active) else NOT_MET),
            _("%(n)d of %(total)d members insured") % {"n": len(insured), "total": len(active)},
        )
    )
    return criteria


def is_eligible(criteria: list[Criterion]) -> bool:
    return all(c.state == MET for c in criteria)
