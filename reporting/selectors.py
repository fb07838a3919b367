"""The figures reports are built on, gathered in a fixed number of queries per report.

The same functions serve the PDF, the frozen figures stored on the run, and the tests that
check every total against the database and the ledger.
"""

import datetime
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, QuerySet, Sum

from assistance import ledger
from assistance.models import AssistancePlan, Fund, PlanItem, Project
from assistance.selectors import fund_reconciliation, project_reconciliation
from households.models import Household, HouseholdIncome, Member, Pairing, PovertyLine, Visit
from reporting.models import ReportRun

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
PHASE_DATE = {  # the day each account is drawn up to
    ReportRun.Kind.YEAR_START: (1, 31),
    ReportRun.Kind.MID_YEAR: (6, 30),
    ReportRun.Kind.YEAR_END: (12, 31),
}


def households_of(run: ReportRun) -> QuerySet:
    qs = Household.objects.filter(village__township=run.township)
    if run.household_id:
        return qs.filter(pk=run.household_id)
    if run.village_id:
        qs = qs.filter(village_id=run.village_id)
    if run.cadre_id:
        qs = qs.filter(pairings__cadre_id=run.cadre_id, pairings__end_date__isnull=True)
    return qs.exclude(status=Household.Status.REMOVED)


def phase_date(kind: str, year: int) -> datetime.date:
    month, day = PHASE_DATE.get(kind, (12, 31))
    return datetime.date(year, month, day)


def _money(value) -> Decimal:
    return (value or ZERO).quantize(CENT)


def household_rows(run: ReportRun, *, progress=None) -> list[dict]:
    """One row a household: head, cadre, plan, deliveries, visits, income, criteria."""
    year, until = run.year, phase_date(run.kind, run.year)
    households = list(
        households_of(run).select_related("village").order_by("village__code", "card_number")
    )
    ids = [h.pk for h in households]
    heads = {
        m.household_id: m
        for m in Member.objects.filter(household_id__in=ids, is_active=True, relation="head")
    }
    sizes = dict(
        Member.objects.filter(household_id__in=ids, is_active=True)
        .values_list("household_id")
        .annotate(n=Count("pk"))
    )
    cadres = dict(
        Pairing.objects.current()
        .filter(household_id__in=ids)
        .values_list("household_id", "cadre__name")
    )
    plans = {
        p.household_id: p for p in AssistancePlan.objects.filter(household_id__in=ids, year=year)
    }
    items_by_household: dict[int, list[PlanItem]] = defaultdict(list)
    for item in (
        PlanItem.objects.filter(plan__household_id__in=ids, plan__year=year)
        .select_related("kind", "responsible", "plan")
        .annotate(
            delivered=Sum("deliveries__amount", filter=Q(deliveries__delivered_on__lte=until))
        )
        .order_by("due_date", "pk")
    ):
        item.delivered = _money(item.delivered)
        item.overdue = item.status == PlanItem.Status.OPEN and item.due_date < until
        items_by_household[item.plan.household_id].append(item)
    visits = dict(
        Visit.objects.filter(household_id__in=ids, visited_on__year=year, visited_on__lte=until)
        .values_list("household_id")
        .annotate(n=Count("pk"))
    )
    incomes = {
        i.household_id: i for i in HouseholdIncome.objects.filter(household_id__in=ids, year=year)
    }
    line = PovertyLine.objects.filter(year=year).first()
    months = until.month
    rows = []
    for n, hh in enumerate(households):
        plan = plans.get(hh.pk)
        items = items_by_household.get(hh.pk, [])
        income = incomes.get(hh.pk)
        per_capita = income.per_capita_net_income if income else None
        required = round((plan.required_visits if plan else 12) * months / 12)
        criteria = [
            hh.no_worry_food,
            hh.no_worry_clothing,
            hh.education_guaranteed,
            hh.medical_guaranteed,
            hh.housing_safe,
            hh.water_safe,
        ]
        rows.append(
            {
                "household": hh,
                "head": heads.get(hh.pk),
                "size": sizes.get(hh.pk, 0),
                "cadre": cadres.get(hh.pk, ""),
                "plan": plan,
                "items": items,
                "planned": sum(
                    (i.planned_amount for i in items if i.status != PlanItem.Status.CANCELLED), ZERO
                ),
                "delivered": sum((i.delivered for i in items), ZERO),
                "done": sum(1 for i in items if i.status == PlanItem.Status.DONE),
                "overdue": sum(1 for i in items if i.overdue),
                "open": sum(1 for i in items if i.status == PlanItem.Status.OPEN),
                "cancelled": sum(1 for i in items if i.status == PlanItem.Status.CANCELLED),
                "visits": visits.get(hh.pk, 0),
                "visits_required": required,
                "income": income,
                "per_capita": per_capita,
                "above_line": None
                if per_capita is None or line is None
                else per_capita > line.amount,
                "criteria_met": all(criteria),
                "exited": hh.status == Household.Status.EXITED,
            }
        )
        if progress and n % 200 == 0:
            progress(n / max(len(households), 1))
    return rows


def fund_sections(run: ReportRun) -> list[dict]:
    """Per fund and per project of the township and year: the reconciliation identity."""
    if run.village_id or run.cadre_id or run.household_id:
        return []
    start, end = datetime.date(run.year, 1, 1), phase_date(run.kind, run.year)
    sections = []
    for fund in Fund.objects.filter(township=run.township, year=run.year).order_by("name"):
        rec = fund_reconciliation(fund, start, end)
        balance = ledger.fund_balance(fund)
        sections.append({"fund": fund, "rec": rec, "balance": balance})
    return sections


def project_sections(run: ReportRun) -> list[dict]:
    if run.village_id or run.cadre_id or run.household_id:
        return []
    start, end = datetime.date(run.year, 1, 1), phase_date(run.kind, run.year)
    return [
        {
            "project": p,
            "rec": project_reconciliation(p, start, end),
            "allocated": ledger.project_allocated(p),
        }
        for p in Project.objects.filter(township=run.township, year=run.year).order_by("name")
    ]


def exceptions(run: ReportRun, rows: list[dict]) -> list[dict]:
    """Everything that does not reconcile, one line each."""
    out = []
    year_end = run.kind == ReportRun.Kind.YEAR_END
    for row in rows:
        hh, name = (
            row["household"],
            row["head"].name if row["head"] else row["household"].card_number,
        )
        for item in row["items"]:
            if item.overdue:
                out.append(
                    {"household": hh, "name": name, "what": item.description, "problem": "overdue"}
                )
            elif year_end and item.status == PlanItem.Status.OPEN:
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
                        "what": item.description,
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
        "exited": sum(1 for r in rows if r["exited"]),
    }


def incidence_by_village(township) -> list[dict]:
    """Poverty incidence per village, now: poor people / rural population."""
    poor = (
        Member.objects.filter(
            is_active=True,
            household__village__township=township,
            household__status__in=[Household.Status.POOR, Household.Status.RETURNED],
        )
        .values("household__village_id")
        .annotate(n=Count("pk"))
    )
    poor_people = {r["household__village_id"]: r["n"] for r in poor}
    rows = []
    for village in township.villages.order_by("code"):
        people = poor_people.get(village.pk, 0)
        base = village.rural_population or 0
        incidence = (Decimal(people * 100) / base).quantize(CENT, ROUND_HALF_UP) if base else None
        rows.append(
            {"village": village, "poor_people": people, "population": base, "incidence": incidence}
        )
    return rows


def status_timeline(township) -> dict[int, list[tuple[datetime.datetime, str]]]:
    """Each household's status changes, oldest first, from the card's history."""
    timeline: dict[int, list] = defaultdict(list)
    for hid, status, when in (
        Household.history.filter(village__township=township)
        .order_by("history_date", "history_id")
        .values_list("id", "status", "history_date")
    ):
        if not timeline[hid] or timeline[hid][-1][1] != status:
            timeline[hid].append((when, status))
    return timeline


def exits_by_year(timeline) -> dict[int, int]:
    """How many households first reached "out of poverty" in each year."""
    out: dict[int, int] = defaultdict(int)
    for changes in timeline.values():
        first = next((when for when, status in changes if status == Household.Status.EXITED), None)
        if first is not None:
            out[first.year] += 1
    return dict(out)


def poor_at_year_end(timeline, year: int) -> int:
    """Households not yet out of poverty (or returned) on 31 December of ``year``."""
    end = datetime.datetime(year, 12, 31, 23, 59, tzinfo=datetime.UTC)
    count = 0
    for changes in timeline.values():
        status = None
        for when, value in changes:
            if when > end:
                break
            status = value
        if status in (Household.Status.POOR, Household.Status.RETURNED):
            count += 1
    return count


def fund_use_by_source(township, year: int) -> list[dict]:
    rows = []
    for fund in Fund.objects.filter(township=township, year=year).order_by("source", "name"):
        balance = ledger.fund_balance(fund)
        rows.append({"fund": fund, "received": balance.received, "disbursed": balance.disbursed})
    by_source: dict[str, dict] = {}
    for row in rows:
        entry = by_source.setdefault(
            row["fund"].source,
            {"source": row["fund"].get_source_display(), "received": ZERO, "disbursed": ZERO},
        )
        entry["received"] += row["received"]
        entry["disbursed"] += row["disbursed"]
    return list(by_source.values())
