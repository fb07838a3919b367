"""The figures reports are built on, as they stood on each report's own date.

A run is drawn up to ``run.as_of``: households in the register that day (from their dated
status facts), the pairing in force that day, cards and members as recorded then, plan items
with their status that day, deliveries and visits up to it, the income of the report's year.
Every rule comes from ``households.policy``. The same functions serve the PDF, the frozen
figures stored on the run, and the tests that check every total a second way.
"""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy

from assistance import ledger
from assistance.models import (
    AssistancePlan,
    Delivery,
    Fund,
    PlanItem,
    Project,
    ProjectStageChange,
)
from assistance.selectors import fund_reconciliation, project_reconciliation
from households import asof, policy
from households.models import Household, HouseholdIncome, PovertyLine, Visit
from reporting.models import ReportRun

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
PHASE_DATE = {  # the day each account is drawn up to
    ReportRun.Kind.YEAR_START: (1, 31),
    ReportRun.Kind.MID_YEAR: (6, 30),
    ReportRun.Kind.YEAR_END: (12, 31),
}


def phase_date(kind: str, year: int) -> datetime.date:
    """The default day a report of ``kind`` for ``year`` is drawn up to."""
    month, day = PHASE_DATE.get(kind, (12, 31))
    return datetime.date(year, month, day)


def households_in_scope(run: ReportRun) -> QuerySet:
    """The run's area on its date: a household, the cadre's households that day, a help
    unit's (paired that day with one of its cadres), a village, or the township."""
    qs = Household.objects.filter(village__township=run.township).unscoped(
        "a report's area was checked against its requester's scope when it was asked for"
    )
    if run.help_unit_id:
        return qs.filter(pk__in=asof.paired_with_unit_on(run.help_unit_id, run.as_of).values("pk"))
    if run.household_id:
        return qs.filter(pk=run.household_id)
    if run.cadre_id:
        return qs.filter(pk__in=asof.paired_with_on(run.cadre_id, run.as_of).values("pk"))
    if run.village_id:
        return qs.filter(village_id=run.village_id)
    return qs


def households_of(run: ReportRun) -> QuerySet:
    """The households of the run's area that were in the register on its date."""
    return asof.registered_on(households_in_scope(run), run.as_of)


def _money(value) -> Decimal:
    return (value or ZERO).quantize(CENT)


def household_rows(run: ReportRun, *, progress=None) -> list[dict]:
    """One row a household, as it stood on ``run.as_of``: head, cadre, plan, deliveries,
    visits, income, status and the exit criteria."""
    year, day = run.year, run.as_of
    scope = households_of(run)
    households = list(scope.select_related("village").order_by("village__code", "card_number"))
    ids = [h.pk for h in households]
    statuses = asof.statuses_on(scope, day)
    cards, entered_later = asof.cards_as_of(scope, day)
    members = asof.members_as_of(scope, day, entered_later=entered_later)
    pairings = asof.pairings_on(scope, day)
    facts = asof.facts_of(scope)
    plans = {
        p.household_id: p
        for p in AssistancePlan.objects.inside(household__in=households).filter(year=year)
    }
    items_by_household: dict[int, list[PlanItem]] = defaultdict(list)
    for item in (
        PlanItem.objects.inside(plan__household__in=households)
        .filter(plan__year=year)
        .select_related("kind", "responsible", "plan")
        .annotate(delivered=Sum("deliveries__amount", filter=Q(deliveries__delivered_on__lte=day)))
        .order_by("due_date", "pk")
    ):
        item.delivered = _money(item.delivered)
        item.status_then = item.status_on(day)
        item.overdue = policy.is_item_overdue(
            status_on_day=item.status_then, due_date=item.due_date, day=day
        )
        items_by_household[item.plan.household_id].append(item)
    visits = dict(
        Visit.objects.inside(household__in=households)
        .filter(visited_on__year=year, visited_on__lte=day)
        .values_list("household_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    lines = dict(PovertyLine.objects.values_list("year", "amount"))
    stable_years = dict(PovertyLine.objects.values_list("year", "stable_years"))
    line = lines.get(year)
    # The year's income, and the earlier years a stable exit looks back on.
    earliest = year - max(stable_years.get(year, 1), 1) + 1
    incomes_by_household: dict[int, list] = defaultdict(list)
    for i in HouseholdIncome.objects.filter(
        household_id__in=ids, year__gte=earliest, year__lte=year
    ):
        incomes_by_household[i.household_id].append(i)
    incomes = {
        hid: next((i for i in rows if i.year == year), None)
        for hid, rows in incomes_by_household.items()
    }
    rows = []
    for n, hh in enumerate(households):
        plan = plans.get(hh.pk)
        items = items_by_household.get(hh.pk, [])
        income = incomes.get(hh.pk)
        people = members.get(hh.pk, [])
        head = next((m for m in people if m.relation == "head"), None)
        criteria = policy.exit_criteria(
            household=cards.get(hh.pk, hh),
            members=people,
            incomes=incomes_by_household.get(hh.pk, []),
            lines=lines,
            day=day,
            stable_years=stable_years,
        )
        per_capita = income.per_capita_net_income if income else None
        pairing = pairings.get(hh.pk)
        exits = [f for f in facts.get(hh.pk, []) if policy.is_exit_in_year(f, year)]
        exits = [f for f in exits if f.effective_on <= day]
        live = [i for i in items if i.status_then != PlanItem.Status.CANCELLED]
        rows.append(
            {
                "household": hh,
                "card": cards.get(hh.pk, hh),
                "status": statuses.get(hh.pk),
                "status_label": Household.Status(statuses[hh.pk]).label,
                "head": head,
                "members": people,
                "size": len(people),
                "cadre": pairing.cadre.name if pairing else "",
                "cadre_profile": pairing.cadre if pairing else None,
                "plan": plan,
                "items": items,
                "planned": sum((i.planned_amount for i in live), ZERO),
                "delivered": sum((i.delivered for i in items), ZERO),
                "done": sum(1 for i in items if i.status_then == PlanItem.Status.DONE),
                "overdue": sum(1 for i in items if i.overdue),
                "open": sum(1 for i in items if i.status_then == PlanItem.Status.OPEN),
                "cancelled": sum(1 for i in items if i.status_then == PlanItem.Status.CANCELLED),
                "visits": visits.get(hh.pk, 0),
                "visits_required": policy.visits_required(
                    plan.required_visits if plan else None, day
                ),
                "income": income,
                "per_capita": per_capita,
                "line": line,
                "above_line": policy.income_above_line(per_capita, line),
                "criteria": criteria,
                "criteria_met": policy.is_eligible(criteria),
                "unmet": policy.unmet(criteria),
                "exited": statuses.get(hh.pk) == Household.Status.EXITED,
                "exits_this_year": exits,
            }
        )
        if progress and n % 200 == 0:
            progress(n / max(len(households), 1))
    return rows


# What a report states about each household, to tell which rows changed between builds.
ROW_FACTS = [
    ("head", gettext_lazy("Head of household")),
    ("size", gettext_lazy("People")),
    ("cadre", gettext_lazy("Pairing cadre")),
    ("status", gettext_lazy("Status")),
    ("planned", gettext_lazy("Planned")),
    ("delivered", gettext_lazy("Delivered")),
    ("done", gettext_lazy("Done")),
    ("overdue", gettext_lazy("Overdue")),
    ("visits", gettext_lazy("Visits")),
    ("per_capita", gettext_lazy("Per capita")),
    ("criteria", gettext_lazy("Criteria met")),
]


def row_facts(row: dict) -> list[str]:
    return [
        row["head"].name if row["head"] else "",
        str(row["size"]),
        row["cadre"],
        str(row["status"]),
        str(row["planned"]),
        str(row["delivered"]),
        str(row["done"]),
        str(row["overdue"]),
        str(row["visits"]),
        str(row["per_capita"] or "—"),
        " ".join(c.key for c in row["criteria"] if c.met),
    ]


def row_changes(before: dict, after: dict, names: dict[str, str]) -> list[dict]:
    """Rows that differ between two builds' ``{household id: row_facts}``."""
    changes = []
    for hid in sorted(set(before) | set(after), key=int):
        old, new = before.get(hid), after.get(hid)
        if old == new:
            continue
        if old is None or new is None:
            what = [str(gettext_lazy("added") if old is None else gettext_lazy("removed"))]
        else:
            what = [
                f"{label}: {a or '—'} → {b or '—'}"
                for (key, label), a, b in zip(ROW_FACTS, old, new, strict=True)
                if a != b
            ]
        changes.append({"name": names.get(hid, hid), "what": what})
    return changes


def fund_sections(run: ReportRun) -> list[dict]:
    """Per fund of the township and year: the reconciliation up to the report's date."""
    if run.village_id or run.cadre_id or run.household_id or run.help_unit_id:
        return []
    start, end = datetime.date(run.year, 1, 1), run.as_of
    return [
        {
            "fund": fund,
            "rec": fund_reconciliation(fund, start, end),
            "balance": ledger.fund_balance(fund, until=end),
        }
        for fund in Fund.objects.filter(township=run.township, year=run.year).order_by("name")
    ]


def project_stage_on(project: Project, day: datetime.date) -> str:
    """A project's stage on ``day`` from its dated stage changes."""
    last = (
        ProjectStageChange.objects.filter(project=project, changed_on__lte=day)
        .order_by("-changed_on", "-pk")
        .values_list("stage", flat=True)
        .first()
    )
    return last or Project.Stage.LIBRARY


def project_sections(run: ReportRun) -> list[dict]:
    if run.village_id or run.cadre_id or run.household_id or run.help_unit_id:
        return []
    start, end = datetime.date(run.year, 1, 1), run.as_of
    return [
        {
            "project": p,
            "stage": Project.Stage(project_stage_on(p, end)).label,
            "rec": project_reconciliation(p, start, end),
        }
        for p in Project.objects.filter(township=run.township, year=run.year).order_by("name")
    ]


def exceptions(run: ReportRun, rows: list[dict]) -> list[dict]:
    """Everything that does not reconcile on the report's date, one line each."""
    out = []
    year_end = run.kind == ReportRun.Kind.YEAR_END
    for row in rows:
        hh = row["household"]
        name = row["head"].name if row["head"] else hh.card_number
        for item in row["items"]:
            if item.overdue:
                out.append(
                    {"household": hh, "name": name, "what": item.description, "problem": "overdue"}
                )
            elif year_end and item.status_then == PlanItem.Status.OPEN:
                out.append(
                    {
                        "household": hh,
                        "name": name,
                        "what": item.description,
                        "problem": "open_at_year_end",
                    }
                )
            if item.delivered > item.planned_amount and item.planned_amount > 0:
                out.append(
                    {
                        "household": hh,
                        "name": name,
                        "what": f"{item.description}：{item.delivered} > {item.planned_amount}",
                        "problem": "over_delivered",
                    }
                )
        if row["visits"] < row["visits_required"]:
            out.append(
                {
                    "household": hh,
                    "name": name,
                    "what": f"{row['visits']}/{row['visits_required']}",
                    "problem": "visits_short",
                }
            )
        if row["exited"] and row["above_line"] is False:
            out.append(
                {
                    "household": hh,
                    "name": name,
                    "what": str(row["per_capita"]),
                    "problem": "exited_below_line",
                }
            )
    return out


def totals(rows: list[dict]) -> dict:
    return {
        "households": len(rows),
        "people": sum(r["size"] for r in rows),
        "items": sum(len(r["items"]) for r in rows),
        "items_done": sum(r["done"] for r in rows),
        "items_overdue": sum(r["overdue"] for r in rows),
        "planned": str(sum((r["planned"] for r in rows), ZERO)),
        "delivered": str(sum((r["delivered"] for r in rows), ZERO)),
        "visits": sum(r["visits"] for r in rows),
        "visits_required": sum(r["visits_required"] for r in rows),
        "criteria_met": sum(1 for r in rows if r["criteria_met"]),
        "exited": sum(1 for r in rows if r["exited"]),
        "exited_this_year": sum(1 for r in rows if r["exits_this_year"]),
        "poor": sum(1 for r in rows if r["status"] in policy.POOR),
    }


def measures_by_kind(run: ReportRun) -> list[dict]:
    """Measures of the year's plans by kind: done by the report's date, and money delivered."""
    day = run.as_of
    households = households_of(run)
    items = list(
        PlanItem.objects.inside(plan__household__in=households)
        .filter(plan__year=run.year)
        .select_related("kind")
        .order_by("kind__order", "pk")
    )
    delivered = dict(
        Delivery.objects.filter(item__in=items, delivered_on__lte=day)
        .values_list("item__kind_id")
        .annotate(s=Sum("amount"))
        .order_by()
    )
    out: dict[int, dict] = {}
    for item in items:
        row = out.setdefault(
            item.kind_id,
            {"kind": item.kind.name, "items": 0, "done": 0, "delivered": ZERO},
        )
        row["items"] += 1
        row["done"] += item.status_on(day) == PlanItem.Status.DONE
    for kind_id, amount in delivered.items():
        out[kind_id]["delivered"] = _money(amount)
    return list(out.values())


def fund_use_by_source(township, year: int, until: datetime.date) -> list[dict]:
    by_source: dict[str, dict] = {}
    for fund in Fund.objects.filter(township=township, year=year).order_by("source", "name"):
        balance = ledger.fund_balance(fund, until=until)
        entry = by_source.setdefault(
            fund.source,
            {"source": fund.get_source_display(), "received": ZERO, "disbursed": ZERO},
        )
        entry["received"] += balance.received
        entry["disbursed"] += balance.disbursed
    return list(by_source.values())
