"""The leaders' dashboard: the figures of the scope, each with the list behind it."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

import pygal
from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from assistance import ledger
from assistance.models import Fund, PlanItem
from households.models import Household, Member, MonitoringCase, Pairing, Visit, WorkflowCase
from reporting.builders.exit_report import CHART_STYLE
from township.models import TownshipYear, Village


def dashboard(user, *, today: datetime.date | None = None) -> dict:
    today = today or datetime.date.today()
    year = today.year
    households = Household.objects.visible_to(user)
    by_status = dict(households.order_by().values_list("status").annotate(n=Count("pk")))
    exited_this_year = WorkflowCase.objects.filter(
        household__in=households,
        kind=WorkflowCase.Kind.EXIT,
        status=WorkflowCase.Status.COMPLETED,
        finished_at__year=year,
    ).count()
    villages = list(Village.objects.visible_to(user).order_by("code"))
    target = (
        TownshipYear.objects.filter(township__villages__in=villages, year=year)
        .distinct()
        .aggregate(t=Sum("exit_target"))["t"]
    )
    monitored = (
        MonitoringCase.objects.filter(household__in=households).exclude(status="removed").count()
    )
    items = PlanItem.objects.filter(
        plan__household__in=households, plan__year=year, due_date__lte=today
    ).exclude(status=PlanItem.Status.CANCELLED)
    due, done = items.count(), items.filter(status=PlanItem.Status.DONE).count()
    since = today - datetime.timedelta(days=settings.BANGFU_VISIT_INTERVAL_DAYS)
    overdue_visits = (
        households.filter(Exists(Pairing.objects.current().filter(household=OuterRef("pk"))))
        .exclude(Exists(Visit.objects.filter(household=OuterRef("pk"), visited_on__gte=since)))
        .count()
    )
    poor_people = dict(
        Member.objects.filter(
            is_active=True,
            household__in=households,
            household__status__in=[Household.Status.POOR, Household.Status.RETURNED],
        )
        .values_list("household__village_id")
        .annotate(n=Count("pk"))
    )
    incidence = []
    for village in villages:
        base = village.rural_population
        value = (
            (Decimal(poor_people.get(village.pk, 0) * 100) / base).quantize(
                Decimal("0.01"), ROUND_HALF_UP
            )
            if base
            else None
        )
        incidence.append(
            {"village": village, "poor_people": poor_people.get(village.pk, 0), "incidence": value}
        )
    funds = {}
    for fund in Fund.objects.visible_to(user).filter(year=year):
        balance = ledger.fund_balance(fund)
        row = funds.setdefault(
            fund.get_source_display(), {"received": Decimal("0.00"), "disbursed": Decimal("0.00")}
        )
        row["received"] += balance.received
        row["disbursed"] += balance.disbursed
    chart = pygal.Bar(
        style=CHART_STYLE,
        width=640,
        height=280,
        show_legend=False,
        disable_xml_declaration=True,
        js=[],
        title=_("Poverty incidence by village (%)"),
    )
    chart.x_labels = [row["village"].name for row in incidence]
    chart.add(_("Incidence"), [float(row["incidence"] or 0) for row in incidence])
    households_url = reverse("households:list")
    return {
        "year": year,
        "figures": [
            {
                "label": _("Households registered"),
                "value": sum(by_status.values()),
                "url": households_url,
            },
            {
                "label": _("Out of poverty this year"),
                "value": exited_this_year,
                "extra": _("target %(n)s") % {"n": target} if target else "",
                "url": f"{households_url}?status=exited",
            },
            {
                "label": _("Remaining"),
                "value": by_status.get("poor", 0) + by_status.get("returned", 0),
                "url": f"{households_url}?status=poor",
            },
            {"label": _("Monitored"), "value": monitored, "url": reverse("households:monitoring")},
            {
                "label": _("Plan delivery rate"),
                "value": f"{round(100 * done / due) if due else 100}%",
                "extra": f"{done}/{due}",
                "url": reverse("reporting:export_plans"),
            },
            {
                "label": _("Visits overdue"),
                "value": overdue_visits,
                "url": f"{households_url}?no_visit_days={settings.BANGFU_VISIT_INTERVAL_DAYS}",
            },
        ],
        "incidence": incidence,
        "incidence_chart": chart.render(is_unicode=True),
        "funds": [{"source": k, **v} for k, v in funds.items()],
        "counts": {
            "registered": sum(by_status.values()),
            "exited_this_year": exited_this_year,
            "remaining": by_status.get("poor", 0) + by_status.get("returned", 0),
            "monitored": monitored,
            "items_due": due,
            "items_done": done,
            "overdue_visits": overdue_visits,
        },
    }


def needs_attention(user, *, today: datetime.date | None = None) -> dict:
    """What waits for this user: overdue visits, plan items due, workflow steps for their role."""
    from households import workflows
    from township.access import profile_for

    today = today or datetime.date.today()
    profile = profile_for(user)
    role = profile.role if profile else None
    since = today - datetime.timedelta(days=settings.BANGFU_VISIT_INTERVAL_DAYS)
    mine = Household.objects.visible_to(user)
    overdue = (
        mine.exclude(
            Exists(Visit.objects.filter(household=OuterRef("pk"), visited_on__gte=since))
        ).count()
        if role == "cadre"
        else 0
    )
    items = PlanItem.objects.filter(
        plan__household__in=mine,
        status=PlanItem.Status.OPEN,
        due_date__lte=today + datetime.timedelta(days=30),
    )
    if role == "cadre":
        items = items.filter(responsible=profile)
    steps_for_role = [
        (kind, s.key) for kind, steps in workflows.STEPS.items() for s in steps if role in s.roles
    ]
    waiting = (
        WorkflowCase.objects.filter(household__in=mine, status=WorkflowCase.Status.OPEN)
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
