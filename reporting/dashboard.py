"""The leaders' dashboard: the figures of the scope, each the count of the list it links to.

A tile names the list filters it stands for; its figure counts the households matching exactly
the conditions that list applies (``households.selectors.household_filter``), so a tile and
its list cannot disagree. Every rule behind a figure comes from ``households.policy``.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

import pygal
from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from assistance.models import Fund, LedgerEntry, PlanItem
from households.models import Household, MonitoringCase, StatusChange
from households.selectors import household_filter, households_filtered, village_exits
from reporting.builders.charts import CHART_STYLE
from township.models import Township, TownshipYear, Village


@dataclass
class Tile:
    key: str
    label: str
    value: object
    url: str
    extra: str = ""


def _list_url(**filters) -> str:
    return f"{reverse('households:list')}?{urlencode(filters)}"


def household_specs(*, today: datetime.date) -> list[tuple[str, str, dict]]:
    """The household figures: (key, label, the list filters each counts)."""
    year = today.year
    interval = settings.BANGFU_VISIT_INTERVAL_DAYS
    return [
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


def household_tiles(user, *, today: datetime.date) -> list[Tile]:
    """The household figures of the home page, each with the list it counts."""
    specs = household_specs(today=today)
    # One query: each figure counts the households its list shows (the same conditions).
    counts = Household.objects.visible_to(user).aggregate(
        **{
            key: Count("pk", filter=household_filter(today=today, **filters))
            for key, _label, filters in specs
        }
    )
    return [Tile(key, label, counts[key], _list_url(**filters)) for key, label, filters in specs]


def monitored_cases(user) -> QuerySet:
    """The households monitored now (监测对象) in ``user``'s scope."""
    return MonitoringCase.objects.visible_to(user).open()


def items_due(user, *, today: datetime.date) -> QuerySet:
    """This year's plan items due by ``today`` and not cancelled: the delivery rate's base."""
    return (
        PlanItem.objects.inside(plan__household__in=Household.objects.visible_to(user))
        .filter(plan__year=today.year, due_date__lte=today)
        .exclude(status=PlanItem.Status.CANCELLED)
    )


def delivery_rate(*, done: int, due: int) -> str:
    """Measures due so far that are done, as a percentage (all done when none is due)."""
    return f"{round(100 * done / due) if due else 100}%"


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


# A township's villages fit one bar chart; a county's 240 do not (130 KB of SVG no one can
# read): its home shows the townships side by side and links to the village-exit page.
CHART_VILLAGES_MOST = 40


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
    monitored = monitored_cases(user).count()
    tiles.insert(
        4,
        Tile("monitored", _("Monitored households"), monitored, reverse("households:monitoring")),
    )
    items = items_due(user, today=today)
    due, done = items.count(), items.filter(status=PlanItem.Status.DONE).count()
    tiles.append(
        Tile(
            "delivery_rate",
            _("Measures due so far that are done"),
            delivery_rate(done=done, due=due),
            reverse("reporting:export_plans"),
            f"{done}/{due}",
        )
    )
    # The villages' incidence as the chart draws it: a township's, not a county's (kept
    # with the figures, 240 villages' rows cost each county page more than its drawing).
    villages = list(Village.objects.visible_to(user).order_by("code")[: CHART_VILLAGES_MOST + 1])
    incidence, chart = [], ""
    if len(villages) <= CHART_VILLAGES_MOST:
        incidence = village_exits(villages, year=year, today=today)
        bars = pygal.Bar(
            style=CHART_STYLE,
            width=640,
            height=280,
            show_legend=False,
            disable_xml_declaration=True,
            js=[],
            title=_("Poverty incidence by village (%)"),
        )
        bars.x_labels = [row.village.name for row in incidence]
        bars.add(_("Incidence"), [float(row.incidence or 0) for row in incidence])
        chart = bars.render(is_unicode=True)
    return {
        "year": year,
        "figures": tiles,
        "incidence": incidence,
        "incidence_chart": chart,
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


@dataclass
class TownshipRow:
    township: Township
    registered: int = 0
    exited_this_year: int = 0
    exit_target: int | None = None
    monitored: int = 0
    due: int = 0
    done: int = 0
    overdue_visits: int = 0
    urls: dict = field(default_factory=dict)

    @property
    def delivery_rate(self) -> str:
        return delivery_rate(done=self.done, due=self.due)


def _per_township(qs: QuerySet, path: str) -> dict[int, int]:
    """One GROUP BY: the number of distinct rows of ``qs`` per township at ``path``."""
    rows = qs.order_by().values(path).annotate(n=Count("pk", distinct=True)).values_list(path, "n")
    return dict(rows)


def township_table(user, *, today: datetime.date | None = None) -> list[TownshipRow]:
    """The county home: each township's figures side by side, computed by the querysets the
    township dashboard counts (one GROUP BY per figure), each linking to its list."""
    today = today or datetime.date.today()
    year = today.year
    townships = list(Township.objects.visible_to(user).order_by("code"))
    specs = {key: filters for key, _label, filters in household_specs(today=today)}
    per_household = {
        key: _per_township(
            households_filtered(user, today=today, **specs[key]), "village__township_id"
        )
        for key in ("registered", "exited_this_year", "overdue_visits")
    }
    monitored = _per_township(monitored_cases(user), "household__village__township_id")
    delivery = {
        row["plan__household__village__township_id"]: row
        for row in items_due(user, today=today)
        .order_by()
        .values("plan__household__village__township_id")
        .annotate(due=Count("pk"), done=Count("pk", filter=Q(status=PlanItem.Status.DONE)))
    }
    targets = dict(
        TownshipYear.objects.filter(township__in=townships, year=year).values_list(
            "township_id", "exit_target"
        )
    )
    rows = []
    for township in townships:
        t = township.pk
        row = TownshipRow(
            township,
            registered=per_household["registered"].get(t, 0),
            exited_this_year=per_household["exited_this_year"].get(t, 0),
            exit_target=targets.get(t),
            monitored=monitored.get(t, 0),
            due=delivery.get(t, {}).get("due", 0),
            done=delivery.get(t, {}).get("done", 0),
            overdue_visits=per_household["overdue_visits"].get(t, 0),
        )
        row.urls = {
            key: _list_url(township=t, **specs[key])
            for key in ("registered", "exited_this_year", "overdue_visits")
        }
        row.urls["township"] = _list_url(township=t)
        rows.append(row)
    return rows
