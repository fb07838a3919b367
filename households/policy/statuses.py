"""What a household's status means for counting, and its status on a day from dated facts.

- In the register (建档立卡户): not yet out of poverty, out of poverty, or returned to it.
  Applicants are not yet registered; removed households (销户) are no longer.
- Poor on a day (counted in the poverty incidence and as "remaining"): not yet out of
  poverty, or returned to poverty.
- Out of poverty in year Y: an exit fact (a status change to "out of poverty") dated in Y.
"""

import datetime
from collections.abc import Iterable

from households.models import Household

Status = Household.Status
REGISTERED = frozenset({Status.POOR, Status.EXITED, Status.RETURNED})
POOR = frozenset({Status.POOR, Status.RETURNED})

# Which status may follow which: the one order of a household's life in the register.
TRANSITIONS = {
    None: {Status.APPLICANT, Status.POOR},
    Status.APPLICANT: {Status.POOR, Status.REMOVED},
    Status.POOR: {Status.EXITED, Status.REMOVED},
    Status.EXITED: {Status.RETURNED, Status.REMOVED},
    Status.RETURNED: {Status.EXITED, Status.REMOVED},
    Status.REMOVED: set(),
}


def may_follow(current: str | None, new: str) -> bool:
    return new in TRANSITIONS.get(current, set())


def status_on(facts: Iterable, day: datetime.date) -> str | None:
    """The status on ``day`` from a household's facts (any order); None before the first."""
    status, latest = None, None
    for fact in facts:
        key = (fact.effective_on, fact.pk or 0)
        if fact.effective_on <= day and (latest is None or key > latest):
            status, latest = fact.status, key
    return status


def is_exit_in_year(fact, year: int) -> bool:
    return fact.status == Status.EXITED and fact.effective_on.year == year


def exits_by_year(facts: Iterable) -> dict[int, int]:
    """How many exits each year saw (a household exiting twice counts in both years)."""
    out: dict[int, int] = {}
    for fact in facts:
        if fact.status == Status.EXITED:
            out[fact.effective_on.year] = out.get(fact.effective_on.year, 0) + 1
    return out
