"""The annual poverty-exit report a leader signs, drawn up to its date.

Exits are the dated exit facts of the year (``StatusChange``), each shown with the criteria
as they stood when it was decided and any leader's override; remaining households are those
poor on the report's date, with the criteria they do not yet meet; village exit comes from
the same rule and data as the village-exit page.
"""

import datetime
from collections import defaultdict

import pygal
from django.db.models import Count
from django.utils.translation import gettext as _

from assistance.models import Project
from households import asof, policy
from households.models import PovertyLine
from households.selectors import village_exits
from reporting import selectors
from reporting.builders.charts import chart
from reporting.registers import income_comparison, register_lines
from township.models import TownshipYear, Village


def build(run, progress):
    year, day = run.year, run.as_of
    line = PovertyLine.objects.filter(year=year).first()
    scope = selectors.households_in_scope(run)
    rows = selectors.household_rows(run, progress=lambda f: progress(10 + int(f * 40)))
    by_household = {r["household"].pk: r for r in rows}
    exits = asof.exits_between(scope, datetime.date(year, 1, 1), day)
    exited = []
    for fact in exits:
        row = by_household.get(fact.household_id)
        exited.append(
            {
                "fact": fact,
                "household": fact.household,
                "head": row["head"] if row else None,
                "people": fact.people,
                "criteria": [policy.Criterion.from_evidence(e) for e in fact.evidence],
                "override_by": _person(fact.override_by) if fact.override_by_id else "",
            }
        )
    remaining = [r for r in rows if r["status"] in policy.POOR]
    progress(55)

    villages = list(
        Village.objects.filter(pk__in=scope.values("village_id")).order_by("code")
        if run.village_id or run.cadre_id or run.household_id or run.help_unit_id
        else run.township.villages.order_by("code")
    )
    village_rows = village_exits(villages, year=year, day=day)
    exits_by_village = defaultdict(lambda: {"households": 0, "people": 0})
    for e in exited:
        v = exits_by_village[e["household"].village_id]
        v["households"] += 1
        v["people"] += e["people"] or 0
    remaining_by_village = defaultdict(int)
    for r in remaining:
        remaining_by_village[r["household"].village_id] += 1
    for v in village_rows:
        v.exited = exits_by_village[v.village.pk]
        v.remaining = remaining_by_village[v.village.pk]

    target = (
        TownshipYear.objects.filter(township=run.township, year=year).first()
        if not (run.village_id or run.cadre_id or run.household_id or run.help_unit_id)
        else None
    )
    years = list(range(year - 4, year + 1))
    exit_counts = policy.exits_by_year(
        fact
        for facts in asof.facts_of(scope).values()
        for fact in facts
        if fact.effective_on <= day
    )
    remaining_at = []
    for y in years:
        end = min(datetime.date(y, 12, 31), day)
        remaining_at.append(
            sum(1 for s in asof.statuses_on(scope, end).values() if s in policy.POOR)
        )
    progress(65)
    charts = {
        "exits": chart(
            pygal.Bar,
            _("Households out of poverty, by year"),
            [str(y) for y in years],
            [exit_counts.get(y, 0) for y in years],
        ),
        "remaining": chart(
            pygal.Line,
            _("Households not yet out of poverty at year end"),
            [str(y) for y in years],
            remaining_at,
        ),
        "incidence": chart(
            pygal.Bar,
            _("Poverty incidence by village (%)"),
            [v.village.name for v in village_rows],
            [float(v.incidence or 0) for v in village_rows],
        ),
    }
    measures = selectors.measures_by_kind(run)
    projects = [
        {
            "project": p,
            "stage": Project.Stage(selectors.project_stage_on(p, day)).label,
            "beneficiaries": p.n,
        }
        for p in Project.objects.filter(township=run.township, year=year)
        .annotate(n=Count("beneficiaries"))
        .order_by("name")
    ]
    funds = selectors.fund_use_by_source(run.township, year, day)
    registers = register_lines(run)
    incomes = income_comparison(run, rows)
    people_exited = sum(e["people"] or 0 for e in exited)
    figures_overrides = sum(1 for e in exited if e["fact"].override_reason)
    figures = {
        "as_of": day.isoformat(),
        "exited": len(exited),
        "exited_people": people_exited,
        "target_households": target.exit_target if target else None,
        "target_people": target.exit_target_people if target else None,
        "remaining": len(remaining),
        "overrides": figures_overrides,
        "eligible_villages": [v.village.name for v in village_rows if v.qualifies],
        "incidence": {v.village.name: str(v.incidence) for v in village_rows},
        "exits_by_year": {str(y): exit_counts.get(y, 0) for y in years},
        "funds": [
            {
                "source": f["source"],
                "received": str(f["received"]),
                "disbursed": str(f["disbursed"]),
            }
            for f in funds
        ],
        "rows": {str(r["household"].pk): selectors.row_facts(r) for r in rows},
        "registers": {line["key"]: line["figures"] for line in registers},
        "income_growth": {
            k: (str(v) if v is not None else None) for k, v in (incomes or {}).items()
        },
    }
    context = {
        "register_lines": registers,
        "incomes": incomes,
        "line": line,
        "exited": exited,
        "people_exited": people_exited,
        "overrides": figures_overrides,
        "target": target,
        "remaining": remaining,
        "villages": village_rows,
        "measures": measures,
        "projects": projects,
        "funds": funds,
        "charts": charts,
    }
    return "reporting/pdf/exit.html", context, figures


def _person(user) -> str:
    profile = getattr(user, "profile", None)
    return f"{profile.name}（{profile.get_role_display()}）" if profile else user.get_username()
