"""`Household.objects.visible_to(user)`: the one scoping rule, for every role."""

import datetime

import pytest

from households.models import Household
from households.scoping import get_household_for
from tests import factories as f
from township.models import Village

pytestmark = pytest.mark.django_db


def visible(user):
    return set(Household.objects.visible_to(user))


def test_a_county_administrator_sees_the_whole_county(world):
    h = world.households
    assert visible(world.profiles.county.user) == {h.own, h.colleague, h.neighbour}


def test_township_leaders_and_staff_see_their_township(world):
    h = world.households
    for profile in (world.profiles.leader, world.profiles.staff):
        assert visible(profile.user) == {h.own, h.colleague, h.neighbour}
    assert visible(world.profiles.other_leader.user) == {h.outsider}


def test_a_village_team_sees_its_village(world):
    h = world.households
    assert visible(world.profiles.team.user) == {h.own, h.colleague}


def test_a_cadre_sees_only_the_households_paired_with_them_now(world):
    h = world.households
    assert visible(world.profiles.cadre.user) == {h.own}
    assert visible(world.profiles.cadre2.user) == {h.colleague, h.neighbour}


def test_a_cadre_loses_a_household_when_the_pairing_ends(world):
    pairing = world.households.own.pairings.get()
    pairing.end_date = datetime.date(2025, 12, 31)
    pairing.save()
    assert visible(world.profiles.cadre.user) == set()


def test_a_superuser_sees_everything(world):
    assert len(visible(world.superuser)) == 4


def test_a_user_without_a_profile_sees_nothing(world):
    assert visible(world.nobody) == set()


def test_an_inactive_user_sees_nothing(world):
    user = world.profiles.leader.user
    user.is_active = False
    user.save()
    assert visible(user) == set()


def test_a_cadre_asking_for_another_cadres_household_gets_404(world):
    from django.http import Http404

    cadre = world.profiles.cadre.user
    assert get_household_for(cadre, world.households.own.pk) == world.households.own
    with pytest.raises(Http404):
        get_household_for(cadre, world.households.colleague.pk)


def test_villages_follow_the_same_rule(world):
    v = world.villages
    assert set(Village.objects.visible_to(world.profiles.county.user)) == {v.a1, v.a2}
    assert set(Village.objects.visible_to(world.profiles.leader.user)) == {v.a1, v.a2}
    assert set(Village.objects.visible_to(world.profiles.team.user)) == {v.a1}
    assert set(Village.objects.visible_to(world.profiles.cadre2.user)) == {v.a1, v.a2}
    assert set(Village.objects.visible_to(world.nobody)) == set()


def test_scoping_costs_no_extra_query_per_household(world, django_assert_max_num_queries):
    for _ in range(5):
        f.PairingFactory(
            household=f.HouseholdFactory(village=world.villages.a1), cadre=world.profiles.cadre
        )
    user = world.profiles.cadre.user
    with django_assert_max_num_queries(2):  # the profile, then the households
        assert len(list(Household.objects.visible_to(user))) == 6
