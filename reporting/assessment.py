"""考核: the year's work of each help unit, village and cadre, in the figures the plans judge
it by — visits held against required, measures delivered on time, households brought out of
poverty against the target — computed from the reports' own rows (``household_rows``, as of
the day asked) with the account rules of ``households.policy``.

A help unit answers for the households its cadres were paired with that day; a cadre for
their own; a village for its households. Targets are data (``ExitTarget``; the township's is
``TownshipYear``).
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from households import policy
from households.models import ExitTarget
from reporting import selectors
from reporting.models import ReportRun
from township.models import TownshipYear

_rate = policy.share_percent


@dataclass
class Assessment:
    """The figures of one subject (a help unit, a village, a cadre, the township)."""

    key: str
    name: str
    households: int = 0
    visits: int = 0
    visits_required: int = 0
    items_due: int = 0
    items_on_time: int = 0
    items_overdue: int = 0
    exited: int = 0
    target: int | None = None
    household_names: list = field(default_factory=list)

    @property
    def visit_rate(self) -> Decimal | None:
        return _rate(self.visits, self.visits_required)

    @property
    def on_time_rate(self) -> Decimal | None:
        return _rate(self.items_on_time, self.items_due)

    @property
    def exit_rate(self) -> Decimal | None:
        return _rate(self.exited, self.target) if self.target is not None else None

    @property
    def target_met(self) -> bool | None:
        return None if self.target is None else self.exited >= self.target

    def add(self, row: dict, day: datetime.date) -> None:
        self.households += 1
        self.visits += row["visits"]
        self.visits_required += row["visits_required"]
        for item in row["items"]:
            if policy.is_item_due(status_on_day=item.status_then, due_date=item.due_date, day=day):
                self.items_due += 1
                self.items_on_time += policy.is_item_on_time(
                    status_on_day=item.status_then,
                    closed_on=item.closed_on,
                    due_date=item.due_date,
                    day=day,
                )
            self.items_overdue += item.overdue
        self.exited += bool(row["exits_this_year"])

    def as_figures(self) -> dict:
        return {
            "name": self.name,
            "households": self.households,
            "visits": self.visits,
            "visits_required": self.visits_required,
            "items_due": self.items_due,
            "items_on_time": self.items_on_time,
            "items_overdue": self.items_overdue,
            "exited": self.exited,
            "target": self.target,
        }


@dataclass
class Tables:
    township: Assessment
    help_units: list[Assessment]
    villages: list[Assessment]
    cadres: list[Assessment]


def _group(rows, day, key_of, name_of) -> dict:
    groups: dict = {}
    for row in rows:
        key = key_of(row)
        if key is None:
            continue
        if key not in groups:
            groups[key] = Assessment(key=str(key), name=name_of(row))
        groups[key].add(row, day)
    return groups


def tables(run: ReportRun) -> Tables:
    """Every subject of the run's township (or of its narrower area), with its figures."""
    day, year = run.as_of, run.year
    rows = selectors.household_rows(run)
    whole = Assessment(key="township", name=run.scope_label)
    for row in rows:
        whole.add(row, day)
    if not (run.village_id or run.cadre_id or run.help_unit_id or run.household_id):
        target = TownshipYear.objects.filter(township=run.township, year=year).first()
        whole.target = target.exit_target if target else None
    units = _group(
        rows,
        day,
        lambda r: r["cadre_profile"].help_unit_id if r["cadre_profile"] else None,
        lambda r: r["cadre_profile"].help_unit.name,
    )
    villages = _group(
        rows, day, lambda r: r["household"].village_id, lambda r: r["household"].village.name
    )
    cadres = _group(
        rows,
        day,
        lambda r: r["cadre_profile"].pk if r["cadre_profile"] else None,
        lambda r: r["cadre_profile"].name,
    )
    targets = ExitTarget.objects.filter(year=year)
    for t in targets.filter(help_unit_id__in=list(units)):
        units[t.help_unit_id].target = t.households
    for t in targets.filter(village_id__in=list(villages)):
        villages[t.village_id].target = t.households
    for t in targets.filter(cadre_id__in=list(cadres)):
        cadres[t.cadre_id].target = t.households
    if run.help_unit_id:
        whole.target = units.get(run.help_unit_id, whole).target
    elif run.cadre_id:
        whole.target = cadres.get(run.cadre_id, whole).target
    elif run.village_id:
        whole.target = villages.get(run.village_id, whole).target

    def by_name(groups: dict) -> list[Assessment]:
        return sorted(groups.values(), key=lambda a: a.name)

    return Tables(whole, by_name(units), by_name(villages), by_name(cadres))


def draft_run(*, township, year: int, as_of: datetime.date, **subject) -> ReportRun:
    """An unsaved run that states the page's question (a township, a year, a day), so the
    page computes exactly what a built report would."""
    return ReportRun(
        kind=ReportRun.Kind.ASSESSMENT, year=year, as_of=as_of, township=township, **subject
    )
