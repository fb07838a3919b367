"""The domain's rules, each one plain function of data and a date, in one place.

Every page, gate, list, dashboard, check and report calls these; nothing else computes
them (``tests/test_one_rule_one_place.py`` fails if a second copy appears):

- ``criteria``: a household's exit criteria (一达标、两不愁、三保障, safe water) on a day;
- ``statuses``: which statuses count as registered and as poor, a household's status on a
  day from its dated facts, exits in a year;
- ``villages``: poverty incidence and village exit eligibility;
- ``monitoring``: the rules that flag households at risk of returning to poverty;
- ``accounts``: visits due and required, measures overdue or done on time, in the cadre's
  account;
- ``income``: income growth from year to year, and against the county's average.

Policy figures (lines, thresholds, targets, conditions) are data kept per year; these
functions receive them, they never hold them.
"""

from households.policy.accounts import (
    is_item_due,
    is_item_on_time,
    is_item_overdue,
    next_visit_due,
    share_percent,
    visit_due_since,
    visits_required,
)
from households.policy.criteria import (
    MET,
    NOT_MET,
    UNKNOWN,
    Criterion,
    exit_criteria,
    income_above_line,
    income_year,
    is_eligible,
    member_present,
    unmet,
)
from households.policy.income import growth_percent, outgrows
from households.policy.monitoring import is_hardship_case, is_unstable_exit, monitoring_year
from households.policy.statuses import (
    POOR,
    REGISTERED,
    exits_by_year,
    is_exit_in_year,
    may_follow,
    status_on,
)
from households.policy.villages import VillageExit, incidence, village_exit

__all__ = [
    "MET",
    "NOT_MET",
    "POOR",
    "REGISTERED",
    "UNKNOWN",
    "Criterion",
    "VillageExit",
    "exit_criteria",
    "exits_by_year",
    "growth_percent",
    "incidence",
    "income_above_line",
    "income_year",
    "is_eligible",
    "is_exit_in_year",
    "is_hardship_case",
    "is_item_due",
    "is_item_on_time",
    "is_item_overdue",
    "is_unstable_exit",
    "may_follow",
    "member_present",
    "monitoring_year",
    "next_visit_due",
    "outgrows",
    "share_percent",
    "status_on",
    "unmet",
    "village_exit",
    "visit_due_since",
    "visits_required",
]
