import pytest
from django.urls import reverse

from households.models import Household

pytestmark = pytest.mark.django_db


def test_anonymous_visitors_are_sent_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_login_page_is_in_chinese_by_default(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert "登录" in response.content.decode()


def test_a_leader_lands_on_the_townships_counts(client, world):
    world.households.neighbour.status = Household.Status.EXITED
    world.households.neighbour.save()
    client.force_login(world.profiles.leader.user)
    response = client.get(reverse("home"))
    page = response.content.decode()
    assert response.context["total_households"] == 3
    counts = {row["status"]: row["count"] for row in response.context["status_rows"]}
    assert counts["poor"] == 2 and counts["exited"] == 1
    assert "新田镇" in page
    assert [row["village__name"] for row in response.context["by_village"]] == ["新田村", "石门村"]


def test_a_county_administrator_lands_on_the_countys_counts(client, world):
    client.force_login(world.profiles.county.user)
    response = client.get(reverse("home"))
    assert response.context["total_households"] == 3
    assert "青山县" in response.content.decode()
    # Its townships side by side, not every village of the county.
    assert response.context["by_village"] == [] and response.context["townships"]


def test_a_village_team_lands_on_its_village(client, world):
    client.force_login(world.profiles.team.user)
    response = client.get(reverse("home"))
    assert response.context["total_households"] == 2
    assert "新田村" in response.content.decode()


def test_a_cadre_lands_on_their_households(client, world):
    client.force_login(world.profiles.cadre.user)
    response = client.get(reverse("home"))
    assert response.context["total_households"] == 1
    assert response.context["people"] == 1


def test_a_user_without_a_profile_is_told_what_to_do(client, world):
    client.force_login(world.nobody)
    response = client.get(reverse("home"))
    assert response.context["total_households"] == 0
    assert "管理员" in response.content.decode()


def test_the_home_page_costs_the_same_queries_with_more_households(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests import factories as f

    client.force_login(world.profiles.leader.user)
    client.get(reverse("login"))  # the session's first write, out of the counts
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("home"))
    for _ in range(20):
        f.HeadFactory(household=f.HouseholdFactory(village=world.villages.a2))
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse("home")).status_code == 200
    assert len(many) == len(few)
