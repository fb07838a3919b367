"""Each visit keeps its household's village (``Visit.village``, what the visit lists filter
by): set when it is logged, moved with its card, put right by ``rebuild_household_facts``."""

import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse

from households.models import Household, Visit
from households.services import visit_log
from tests.households.test_import import person, roster, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def tasks_run_at_once(monkeypatch):
    monkeypatch.setattr(
        "django.db.transaction.on_commit", lambda callback, *args, **kwargs: callback()
    )


def logged(world, household, day=datetime.date(2025, 5, 1)) -> Visit:
    visit, _created = visit_log(
        user=world.profiles.cadre.user,
        household=household,
        fields={"visited_on": day, "findings": f"看望{household.pk}"},
        photos=[],
        client_token=None,
    )
    return visit


def team_sees(client, world, visit) -> bool:
    client.force_login(world.profiles.team.user)  # village A1's team
    page = client.get(reverse("households:visit_list"), {"visitor": ""}).content.decode()
    return visit.findings in page


def test_a_visit_moves_with_its_card_and_the_village_lists_follow(client, world):
    own = world.households.own
    visit = logged(world, own)
    assert Visit.objects.get(pk=visit.pk).village == world.villages.a1
    assert team_sees(client, world, visit)
    own.village = world.villages.a2
    own.save()
    assert Visit.objects.get(pk=visit.pk).village == world.villages.a2
    assert not team_sees(client, world, visit)


def test_an_import_that_moves_a_household_moves_its_visits(client, world):
    own = world.households.own
    visit = logged(world, own)
    head = own.members.get(relation="head")
    row = person(1, world.villages.a2)
    row.update(head_id=head.id_number, id_number=head.id_number, name=head.name)
    client.force_login(world.profiles.staff.user)
    job, _ = upload(client, roster([row]))
    assert job.status == "checked", job.problems
    client.post(reverse("households:import_apply", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "applied", job.error
    assert Household.objects.get(pk=own.pk).village == world.villages.a2
    assert Visit.objects.get(pk=visit.pk).village == world.villages.a2
    assert not team_sees(client, world, visit)


def test_the_rebuild_puts_each_visit_back_in_its_households_village(world):
    for household in (world.households.own, world.households.neighbour):
        logged(world, household)
    Visit.objects.update(village=world.villages.b1)  # drifted behind the services' back
    call_command("rebuild_household_facts")
    for visit in Visit.objects.select_related("household"):
        assert visit.village_id == visit.household.village_id
