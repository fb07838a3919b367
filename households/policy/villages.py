"""Poverty incidence (贫困发生率) and village exit (贫困村出列), as of a year's data.

Incidence is poor people (members of households poor on the day) over the village's rural
population of that year, in percent. A village that is a registered poor village in a year
may exit in it when its incidence is below that year's threshold, its collective income
reaches that year's figure, and it meets every further condition kept for the year (roads,
clinics …). A village that is not a registered poor village that year, or that exited in an
earlier year, has nothing to exit from. Every figure is the year's, passed in.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

CENT = Decimal("0.01")


def incidence(poor_people: int, population: int | None) -> Decimal | None:
    """Poor people per hundred of the rural population; None without a population."""
    if not population:
        return None
    return (Decimal(poor_people * 100) / population).quantize(CENT, ROUND_HALF_UP)


@dataclass
class VillageExit:
    village: object
    poor_people: int
    population: int | None
    incidence: Decimal | None
    collective_income: Decimal | None
    conditions: list = field(default_factory=list)  # (name, met: bool | None)
    reasons: list = field(default_factory=list)
    is_poor_village: bool = False
    exit_year: int | None = None

    @property
    def applicable(self) -> bool:
        return not {"not_poor_village", "exited"} & set(self.reasons)

    @property
    def qualifies(self) -> bool:
        return not self.reasons

    @property
    def explanations(self) -> list[str]:
        """Why the village may not exit, in words."""
        fixed = {
            "not_poor_village": _("not a registered poor village"),
            "exited": _("exited in an earlier year"),
            "no_line": _("no thresholds for this year"),
            "no_population": _("rural population not entered"),
            "incidence": _("poverty incidence too high"),
            "no_income": _("collective income not entered"),
            "income": _("collective income too low"),
        }
        out = []
        for reason in self.reasons:
            kind, _sep, name = reason.partition(":")
            if kind == "condition":
                out.append(_("condition not met: %(name)s") % {"name": name})
            elif kind == "unchecked":
                out.append(_("condition not checked: %(name)s") % {"name": name})
            else:
                out.append(fixed[reason])
        return out


def village_exit(
    *,
    village,
    year: int,
    poor_people: int,
    population: int | None,
    is_poor_village: bool,
    exit_year: int | None,
    collective_income: Decimal | None,
    line,
    conditions: list[tuple[str, bool | None]],
) -> VillageExit:
    """Whether ``village`` may exit in ``year``, with every reason it may not.

    ``population``, ``is_poor_village``, ``exit_year`` and ``collective_income`` are the
    village's figures of the year (None where not entered); ``line`` is the year's
    PovertyLine (its exit thresholds) or None; ``conditions`` the year's further conditions
    with whether the village meets each (None: not checked).
    """
    rate = incidence(poor_people, population)
    result = VillageExit(village, poor_people, population, rate, collective_income, conditions)
    result.is_poor_village, result.exit_year = is_poor_village, exit_year
    reasons = result.reasons
    if not is_poor_village:
        reasons.append("not_poor_village")
        return result
    if exit_year is not None and exit_year < year:
        reasons.append("exited")
        return result
    if line is None:
        reasons.append("no_line")
        return result
    if rate is None:
        reasons.append("no_population")
    elif rate >= line.exit_incidence_threshold:
        reasons.append("incidence")
    if collective_income is None:
        reasons.append("no_income")
    elif collective_income < line.village_collective_income:
        reasons.append("income")
    for name, met in conditions:
        if met is None:
            reasons.append(f"unchecked:{name}")
        elif not met:
            reasons.append(f"condition:{name}")
    return result
