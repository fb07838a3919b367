"""The leaders' dashboard: each figure against a second, independent count."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from assistance.models import PlanItem
from households.models import Household, MonitoringCase, WorkflowCase
from tests import factories as f
from township.models import TownshipYear, Village

pytestmark = pytest.mark.django_db


def test_the_dashboard_figures_equal_independent_counts(client, world):
    today = datetime.date.today()
    hh = world.households
    Household.objects.filter(pk=hh.neighbour.pk).update(status="exited")
    WorkflowCase.objects.filter(household=hh.neighbour).update(
        status="completed", finished_at=timezone.now()
    )
    MonitoringCase.objects.create(
        household=hh.colleague, category="hardship", reason="x", opened_on=today
    )
    TownshipYear.objects.create(township=world.township, year=today.year, exit_target=5)
    Village.objects.filter(pk=world.villages.a1.pk).update(rural_population=100)
    f.VisitFactory(household=hh.own, visited_on=today)
    plan = f.PlanFactory(household=hh.own, year=today.year, cadre=world.profiles.cadre)
    f.PlanItemFactory(plan=plan, due_date=today - datetime.timedelta(days=1), status="done")
    f.PlanItemFactory(plan=plan, due_date=today - datetime.timedelta(days=1))
    client.force_login(world.profiles.leader.user)
    counts = client.get(reverse("home")).context["dashboard"]["counts"]

    in_township = [h for h in Household.objects.all() if h.village.township_id == world.township.pk]
    assert counts["registered"] == len(in_township) == 3
    assert (
        counts["remaining"] == sum(1 for h in in_township if h.status in ("poor", "returned")) == 2
    )
    assert counts["exited_this_year"] == 1
    assert counts["monitored"] == 1
    due = [
        i
        for i in PlanItem.objects.all()
        if i.plan.household.village.township_id == world.township.pk
        and i.plan.year == today.year
        and i.due_date <= today
        and i.status != "cancelled"
    ]
    assert (
        (counts["items_due"], counts["items_done"])
        == (len(due), sum(1 for i in due if i.status == "done"))
        == (2, 1)
    )
    # Paired households without a visit in the interval: colleague and neighbour.
    assert counts["overdue_visits"] == 2
    page = client.get(reverse("home")).content.decode()
    assert "目标 5" in page or "target 5" in page
    rows = client.get(reverse("home")).context["dashboard"]["incidence"]
    a1 = next(r for r in rows if r["village"].pk == world.villages.a1.pk)
    assert a1["incidence"] == Decimal("2.00")  # own and colleague heads: 2 poor people of 100


def test_a_cadre_sees_what_waits_for_them(client, world):
    client.force_login(world.profiles.cadre.user)
    attention = client.get(reverse("home")).context["attention"]
    assert attention["overdue_visits"] == 1  # `own` has never been visited
    assert attention["steps_waiting"] == 1  # its exit case waits for an assessment
    assert "dashboard" not in client.get(reverse("home")).context
