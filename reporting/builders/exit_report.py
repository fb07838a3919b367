"""The annual poverty-exit report for leaders."""

import datetime

import pygal
from django.utils.translation import gettext as _
from pygal.style import Style

from households.models import Household, PovertyLine
from reporting import selectors

CHART_STYLE = Style(
    font_family="Noto Sans CJK SC",
    background="white",
    plot_background="white",
    colors=("#9b1c1c", "#1d4ed8"),
    title_font_size=14,
    label_font_size=11,
    major_label_font_size=11,
    value_font_size=10,
)


def _chart(chart_class, title, labels, values) -> str:
    chart = chart_class(
        style=CHART_STYLE,
        width=640,
        height=300,
        show_legend=False,
        title=title,
        disable_xml_declaration=True,
        js=[],
        print_values=True,
    )
    chart.x_labels = labels
    chart.add(title, values)
    return chart.render(is_unicode=True)


def build(run, progress):
    township, year = run.township, run.year
    line = PovertyLine.objects.filter(year=year).first()
    rows = selectors.household_rows(run, progress=lambda f: progress(10 + int(f * 40)))
    timeline = selectors.status_timeline(township)
    exits = selectors.exits_by_year(timeline)
    exited_this_year = {
        hid
        for hid, changes in timeline.items()
        if any(status == Household.Status.EXITED and when.year == year for when, status in changes)
    }
    exited = [r for r in rows if r["household"].pk in exited_this_year and r["exited"]]
    remaining = [
        r
        for r in rows
        if r["household"].status in (Household.Status.POOR, Household.Status.RETURNED)
    ]
    incidence = selectors.incidence_by_village(township)
    threshold = line.exit_incidence_threshold if line else None
    eligible = [
        v
        for v in incidence
        if v["incidence"] is not None and threshold is not None and v["incidence"] < threshold
    ]
    years = list(range(year - 4, year + 1))
    progress(70)
    charts = {
        "exits": _chart(
            pygal.Bar,
            _("Households out of poverty, by year"),
            [str(y) for y in years],
            [exits.get(y, 0) for y in years],
        ),
        "remaining": _chart(
            pygal.Line,
            _("Households not yet out of poverty at year end"),
            [str(y) for y in years],
            [selectors.poor_at_year_end(timeline, y) for y in years],
        ),
        "incidence": _chart(
            pygal.Bar,
            _("Poverty incidence by village (%)"),
            [v["village"].name for v in incidence],
            [float(v["incidence"] or 0) for v in incidence],
        ),
    }
    funds = selectors.fund_use_by_source(township, year)
    figures = {
        "exited": len(exited),
        "remaining": len(remaining),
        "eligible_villages": [v["village"].name for v in eligible],
        "incidence": {v["village"].name: str(v["incidence"]) for v in incidence},
        "funds": [
            {
                "source": f["source"],
                "received": str(f["received"]),
                "disbursed": str(f["disbursed"]),
            }
            for f in funds
        ],
    }
    context = {
        "line": line,
        "exited": exited,
        "remaining": remaining,
        "incidence": incidence,
        "eligible": eligible,
        "threshold": threshold,
        "funds": funds,
        "charts": charts,
        "generated": datetime.date.today(),
    }
    return "reporting/pdf/exit.html", context, figures
