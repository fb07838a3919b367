"""The leaders' dashboard: the figures of the scope, each the count of the list it links to.

A tile names the list filters it stands for; its figure is the count of exactly the queryset
that list shows (``households.selectors.households_filtered``), so a tile and its list
cannot disagree. Every rule behind a figure comes from ``households.policy``.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

import pygal
from django.conf import settings
from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from assistance.models import Fund, LedgerEntry, PlanItem
from households import policy
from households.models import Household, MonitoringCase, StatusChange, WorkflowCase
from households.selectors import households_filtered, village_exits
from reporting.builders.charts import CHART_STYLE
from township.models import StaffProfile, TownshipYear, Village


@dataclass
class Tile:
    key: str
    label: str
    value: object
    url: str
    extra: str = ""


def _list_url(**filters) -> str:
    return f"{reverse('households:list')}?{urlencode(filters)}"


def household_tiles(user, *, today: datetime.date) -> list[Tile]:
    """The household figures of the home page, each with the list it counts."""
    year = today.year
    interval = settings.BANGFU_VISIT_INTERVAL_DAYS
    specs = [
        ("registered", _("Registered households"), {"status": "registered"}),
        ("exited_this_year", _("Out of poverty in %(year)s") % {"year": year}, {"exit_year": year}),
        ("poor", _("Not yet out of poverty"), {"status": Household.Status.POOR}),
        ("returned", _("Returned to poverty"), {"status": Household.Status.RETURNED}),
        (
            "overdue_visits",
            _("No visit for more than %(n)d days") % {"n": interval},
            {"status": "registered", "no_visit_days": interval},
        ),
    ]
    return [
        Tile(
            key,
            label,
            households_filtered(user, today=today, **filters).count(),
            _list_url(**filters),
        )
        for key, label, filters in specs
    ]


def exit_progress(user, *, year: int) -> dict:
    """Exits of the year against the township targets, in households and in people."""
    households = Household.objects.visible_to(user)
    exits = StatusChange.objects.exits().in_year(year).filter(household__in=households)
    done = exits.aggregate(households=Count("household", distinct=True), people=Sum("people"))
    villages = Village.objects.visible_to(user)
    targets = TownshipYear.objects.filter(
        township__in=villages.values("township"), year=year
    ).aggregate(households=Sum("exit_target"), people=Sum("exit_target_people"))
    return {
        "households": done["households"] or 0,
        "people": done["people"] or 0,
        "target_households": targets["households"],
        "target_people": targets["people"],
    }


def dashboard(user, *, today: datetime.date | None = None) -> dict:
    today = today or datetime.date.today()
    year = today.year
    tiles = household_tiles(user, today=today)
    progress = exit_progress(user, year=year)
    exited = next(t for t in tiles if t.key == "exited_this_year")
    exited.extra = _("%(people)s people") % {"people": progress["people"]}
    if progress["target_households"]:
        exited.extra += " · " + _("target %(n)s households") % {"n": progress["target_households"]}
        if progress["target_people"]:
            exited.extra += _(", %(n)s people") % {"n": progress["target_people"]}
    households = Household.objects.visible_to(user)
    monitored = MonitoringCase.objects.visible_to(user).open().count()
    tiles.insert(
        4,
        Tile("monitored", _("Monitored households"), monitored, reverse("households:monitoring")),
    )
    items = (
        PlanItem.objects.inside(plan__household__in=households)
        .filter(plan__year=year, due_date__lte=today)
        .exclude(status=PlanItem.Status.CANCELLED)
    )
    due, done = items.count(), items.filter(status=PlanItem.Status.DONE).count()
    tiles.append(
        Tile(
            "delivery_rate",
            _("Measures due so far that are done"),
            f"{round(100 * done / due) if due else 100}%",
            reverse("reporting:export_plans"),
            f"{done}/{due}",
        )
    )
    villages = list(Village.objects.visible_to(user).order_by("code"))
    incidence = village_exits(villages, year=year, today=today)
    chart = pygal.Bar(
        style=CHART_STYLE,
        width=640,
        height=280,
        show_legend=False,
        disable_xml_declaration=True,
        js=[],
        title=_("Poverty incidence by village (%)"),
    )
    chart.x_labels = [row.village.name for row in incidence]
    chart.add(_("Incidence"), [float(row.incidence or 0) for row in incidence])
    return {
        "year": year,
        "figures": tiles,
        "incidence": incidence,
        "incidence_chart": chart.render(is_unicode=True),
        "funds": fund_use(user, year=year, until=today),
        "counts": {t.key: t.value for t in tiles},
        "exit_progress": progress,
    }


def fund_use(user, *, year: int, until: datetime.date) -> list[dict]:
    """Received and disbursed by source, net of reversals, up to ``until``: one query."""
    Kind = LedgerEntry.Kind

    def net(kind):
        entries = Q(entries__entry_date__lte=until)
        return Sum("entries__amount", filter=entries & Q(entries__kind=kind)), Sum(
            "entries__amount",
            filter=entries & Q(entries__kind=Kind.REVERSAL, entries__reverses__kind=kind),
        )

    (r, rr), (d, rd) = net(Kind.RECEIPT), net(Kind.DISBURSEMENT)
    rows = (
        Fund.objects.visible_to(user)
        .filter(year=year)
        .values("source")
        .annotate(r=r, rr=rr, d=d, rd=rd)
        .order_by("source")
    )
    labels = dict(Fund.Source.choices)
    zero, cent = Decimal("0"), Decimal("0.01")
    return [
        {
            "source": labels[row["source"]],
            "received": ((row["r"] or zero) - (row["rr"] or zero)).quantize(cent),
            "disbursed": ((row["d"] or zero) - (row["rd"] or zero)).quantize(cent),
        }
        for row in rows
    ]


def needs_attention(user, *, today: datetime.date | None = None) -> dict:
    """What waits for this user: overdue visits, plan items due, workflow steps for their role."""
    from households import workflows
    from township.access import profile_for

    today = today or datetime.date.today()
    profile = profile_for(user)
    role = profile.role if profile else None
    mine = Household.objects.visible_to(user)
    since = policy.visit_due_since(today)
    overdue = (
        mine.filter(status__in=policy.REGISTERED)
        .filter(Q(last_visit_on__isnull=True) | Q(last_visit_on__lt=since))
        .count()
        if role == StaffProfile.Role.CADRE
        else 0
    )
    items = PlanItem.objects.inside(plan__household__in=mine).filter(
        status=PlanItem.Status.OPEN,
        due_date__lte=today + datetime.timedelta(days=30),
    )
    if role == StaffProfile.Role.CADRE:
        items = items.filter(responsible=profile)
    steps_for_role = [
        (kind, s.key) for kind, steps in workflows.STEPS.items() for s in steps if role in s.roles
    ]
    waiting = (
        WorkflowCase.objects.inside(household__in=mine)
        .filter(status=WorkflowCase.Status.OPEN)
        .filter(_any_step(steps_for_role))
        .count()
        if steps_for_role
        else 0
    )
    return {"overdue_visits": overdue, "items_due": items.count(), "steps_waiting": waiting}


def _any_step(pairs) -> Q:
    """Cases waiting at any of these (kind, step) pairs."""
    q = Q(pk__in=[])
    for kind, step in pairs:
        q |= Q(kind=kind, step=step)
    return q
