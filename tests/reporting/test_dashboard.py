"""The leaders' dashboard: each tile equals the list it links to, and a second count."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from households.models import Household, MonitoringCase
from households.services import status_change_record
from tests import factories as f
from township.models import TownshipYear, VillageYear

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(world):
    today = timezone.localdate()
    hh = world.households
    status_change_record(
        household=hh.neighbour,
        status="exited",
        effective_on=today,
        source="card",
        user=world.profiles.staff.user,
        people=3,
    )
    returned = f.HouseholdFactory(village=world.villages.a2, status="returned")
    f.HeadFactory(household=returned)
    # Out of poverty in an earlier year: exited, but not this year's exit.
    f.HouseholdFactory(
        village=world.villages.a2, status="exited", facts__exited_on=datetime.date(2019, 12, 31)
    )
    MonitoringCase.objects.create(
        household=hh.colleague, category="hardship", reason="x", opened_on=today
    )
    TownshipYear.objects.create(
        township=world.township, year=today.year, exit_target=5, exit_target_people=12
    )
    VillageYear.objects.create(village=world.villages.a1, year=today.year, rural_population=100)
    f.VisitFactory(household=hh.own, visited_on=today)
    plan = f.PlanFactory(household=hh.own, year=today.year, cadre=world.profiles.cadre)
    f.PlanItemFactory(
        plan=plan, due_date=today - datetime.timedelta(days=1), status="done", closed_on=today
    )
    f.PlanItemFactory(plan=plan, due_date=today - datetime.timedelta(days=1))
    return world


def test_every_tile_is_the_count_of_the_list_it_links_to(client, scene):
    client.force_login(scene.profiles.leader.user)
    tiles = client.get(reverse("home")).context["dashboard"]["figures"]
    checked = 0
    for tile in tiles:
        if tile.url.split("?")[0] != reverse("households:list"):
            continue
        listed = client.get(tile.url).context["page"].paginator.count
        assert tile.value == listed, tile.label
        checked += 1
    assert checked == 5
    monitored = next(t for t in tiles if t.key == "monitored")
    assert monitored.value == client.get(monitored.url).context["page"].paginator.count == 1


def test_the_figures_equal_independent_counts(client, scene):
    client.force_login(scene.profiles.leader.user)
    dashboard = client.get(reverse("home")).context["dashboard"]
    counts = dashboard["counts"]
    in_township = [h for h in Household.objects.all() if h.village.township_id == scene.township.pk]
    assert counts["registered"] == len(in_township) == 5
    assert counts["poor"] == sum(1 for h in in_township if h.status == "poor") == 2
    assert counts["returned"] == 1
    assert counts["exited_this_year"] == 1  # the 2019 exit is not this year's
    assert dashboard["exit_progress"] == {
        "households": 1,
        "people": 3,
        "target_households": 5,
        "target_people": 12,
    }
    assert counts["monitored"] == 1
    assert counts["delivery_rate"] == "50%"
    # Registered households without a visit in the interval: all but `own`.
    assert counts["overdue_visits"] == 4
    a1 = next(r for r in dashboard["incidence"] if r.village.pk == scene.villages.a1.pk)
    assert a1.incidence == Decimal("2.00")  # own and colleague heads: 2 poor people of 100
    page = client.get(reverse("home")).content.decode()
    assert "目标 5 户" in page or "target 5 households" in page


def test_a_cadre_sees_what_waits_for_them(client, world):
    client.force_login(world.profiles.cadre.user)
    queue = client.get(reverse("home")).context["queue"]
    assert queue.counts["visit"] == 1  # `own` has never been visited
    assert queue.counts["workflow"] == 1  # its exit case waits for an assessment
    assert "dashboard" not in client.get(reverse("home")).context
