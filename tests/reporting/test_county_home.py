"""The county home: its townships side by side, each row equal to that township's dashboard."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from households.models import MonitoringCase
from households.services import status_change_record
from tests import factories as f
from township.models import StaffProfile, TownshipYear

pytestmark = pytest.mark.django_db


@pytest.fixture
def county(world):
    """A second township in county A with its own leader, exits, cases, plans and visits."""
    today = timezone.localdate()
    second = f.TownshipFactory(county=world.counties[0], name="石桥乡", code="520399200000")
    village = f.VillageFactory(township=second, name="石桥村", code="520399200201")
    world.second = second
    world.second_leader = f.ProfileFactory(role=StaffProfile.Role.LEADER, township=second)
    households = [f.HouseholdFactory(village=village) for _ in range(4)]
    for hh in households:
        f.HeadFactory(household=hh)
    f.VisitFactory(household=households[0], visited_on=today)
    households[0].last_visit_on = today
    households[0].save(update_fields=["last_visit_on"])
    for hh in (households[1], world.households.neighbour):
        status_change_record(
            household=hh,
            status="exited",
            effective_on=today,
            source="card",
            user=world.profiles.staff.user,
            people=2,
        )
    MonitoringCase.objects.create(
        household=households[2], category="hardship", reason="病", opened_on=today
    )
    MonitoringCase.objects.create(
        household=households[3], category="marginal", reason="边缘", opened_on=today
    )
    MonitoringCase.objects.create(
        household=world.households.own, category="hardship", reason="病", opened_on=today
    )
    TownshipYear.objects.create(township=second, year=today.year, exit_target=3)
    TownshipYear.objects.create(township=world.township, year=today.year, exit_target=7)
    cadre = f.ProfileFactory(role=StaffProfile.Role.CADRE, township=second)
    plan = f.PlanFactory(household=households[0], year=today.year, cadre=cadre)
    yesterday = today - datetime.timedelta(days=1)
    f.PlanItemFactory(plan=plan, due_date=yesterday, status="done", closed_on=today)
    f.PlanItemFactory(plan=plan, due_date=yesterday)
    f.PlanItemFactory(plan=plan, due_date=yesterday)
    return world


def test_each_townships_row_equals_its_own_dashboard(client, county):
    client.force_login(county.profiles.county.user)
    rows = {row.township.pk: row for row in client.get(reverse("home")).context["townships"]}
    assert set(rows) == {county.township.pk, county.second.pk}  # county B's is not there
    for township, leader in (
        (county.township, county.profiles.leader),
        (county.second, county.second_leader),
    ):
        client.force_login(leader.user)
        dashboard = client.get(reverse("home")).context["dashboard"]
        counts, row = dashboard["counts"], rows[township.pk]
        assert row.registered == counts["registered"]
        assert row.exited_this_year == counts["exited_this_year"]
        assert row.exit_target == dashboard["exit_progress"]["target_households"]
        assert row.monitored == counts["monitored"]
        assert row.delivery_rate == counts["delivery_rate"]
        assert row.overdue_visits == counts["overdue_visits"]
    second = rows[county.second.pk]
    assert (second.registered, second.exited_this_year, second.exit_target) == (4, 1, 3)
    assert (second.monitored, second.delivery_rate, second.overdue_visits) == (2, "33%", 3)


def test_each_figure_links_to_the_list_it_counts(client, county):
    client.force_login(county.profiles.county.user)
    response = client.get(reverse("home"))
    page = response.content.decode()
    for row in response.context["townships"]:
        assert row.township.name in page
        for key in ("registered", "exited_this_year", "overdue_visits"):
            listed = client.get(row.urls[key]).context["page"].paginator.count
            assert listed == getattr(row, key), (row.township.name, key)


def test_township_leaders_get_no_county_table(client, county):
    client.force_login(county.profiles.leader.user)
    assert "townships" not in client.get(reverse("home")).context


def test_the_table_costs_the_same_queries_with_more_townships(client, county):
    client.force_login(county.profiles.county.user)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("home"))
    for n in range(3):
        township = f.TownshipFactory(county=county.counties[0], code=f"52039930{n}000")
        village = f.VillageFactory(township=township, code=f"52039930{n}201")
        f.HeadFactory(household=f.HouseholdFactory(village=village))
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("home"))
    assert len(response.context["townships"]) == 5
    assert len(many) == len(few)


def test_the_incidence_chart_draws_a_township_s_villages_not_a_county_s(
    client, world, county, monkeypatch
):
    from reporting import dashboard

    monkeypatch.setattr(dashboard, "CHART_VILLAGES_MOST", 2)  # the first township has 2
    client.force_login(world.profiles.leader.user)
    township = client.get(reverse("home")).content.decode()
    client.force_login(world.profiles.county.user)
    county_home = client.get(reverse("home")).content.decode()
    assert "<svg" in township
    assert "<svg" not in county_home and reverse("villages:exit") in county_home
