import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from households.models import Household, StatusChange
from tests import factories as f
from tests.pages import village_exit_rows
from township.models import VillageCriterionCheck, VillageExitCriterion, VillageYear

pytestmark = pytest.mark.django_db


def figures(village, year=2025, **values):
    """The village's figures of ``year``, as the township keeps them."""
    VillageYear.objects.update_or_create(village=village, year=year, defaults=values)


@pytest.fixture
def poor_villages(world):
    for village in (world.villages.a1, world.villages.a2):
        for year in (2024, 2025):
            figures(village, year, is_poor_village=True)
    f.PovertyLineFactory(year=2025, amount=Decimal("4000"))


def rows_for(client, user, year=2025):
    client.force_login(user)
    return {r.village.name: r for r in village_exit_rows(client, year)}


def test_villages_qualify_by_incidence_and_collective_income_with_reasons(
    client, world, poor_villages
):
    figures(world.villages.a1, rural_population=200, collective_income=Decimal("50000"))  # 1 %
    figures(world.villages.a2, rural_population=20, collective_income=Decimal("49999.99"))  # 5 %
    rows = rows_for(client, world.profiles.leader.user)
    assert rows["新田村"].incidence == Decimal("1.00") and rows["新田村"].qualifies
    assert rows["石门村"].reasons == ["incidence", "income"]
    page = client.get(reverse("villages:exit"), {"year": 2025}).content.decode()
    assert "贫困发生率偏高" in page


def test_missing_figures_are_reasons_too(client, world, poor_villages):
    for household in Household.objects.filter(village=world.villages.a1):
        StatusChange.objects.create(
            household=household,
            status="exited",
            effective_on=datetime.date(2025, 10, 1),
            source="card",
        )
    rows = rows_for(client, world.profiles.leader.user)
    assert rows["新田村"].poor_people == 0
    assert rows["新田村"].reasons == ["no_population", "no_income"]
    # Counted on 31 December of the year asked: before the exits, both were poor.
    assert rows_for(client, world.profiles.leader.user, year=2024)["新田村"].poor_people == 2


def test_a_further_condition_of_the_year_must_be_met(client, world, poor_villages):
    figures(world.villages.a1, rural_population=500, collective_income=Decimal("80000"))
    road = VillageExitCriterion.objects.create(year=2025, name="通硬化路")
    assert rows_for(client, world.profiles.leader.user)["新田村"].reasons == ["unchecked:通硬化路"]
    check = VillageCriterionCheck.objects.create(village=world.villages.a1, criterion=road)
    assert rows_for(client, world.profiles.leader.user)["新田村"].reasons == ["condition:通硬化路"]
    check.met = True
    check.save()
    assert rows_for(client, world.profiles.leader.user)["新田村"].qualifies


def test_a_village_that_is_not_a_poor_village_has_nothing_to_exit(client, world):
    f.PovertyLineFactory(year=2025, amount=Decimal("4000"))
    row = rows_for(client, world.profiles.leader.user)["新田村"]
    assert not row.applicable and row.reasons == ["not_poor_village"]


def test_the_years_figures_decide_population_poor_village_and_an_earlier_exit(
    client, world, poor_villages
):
    """The same village, read for two years, with each year's own figures."""
    figures(world.villages.a1, 2024, rural_population=100, collective_income=Decimal("90000"))
    figures(
        world.villages.a1,
        2025,
        rural_population=400,
        collective_income=Decimal("90000"),
        exit_year=2024,
    )
    f.PovertyLineFactory(year=2024, amount=Decimal("3800"))
    earlier = rows_for(client, world.profiles.leader.user, year=2024)["新田村"]
    assert (earlier.population, earlier.incidence) == (100, Decimal("2.00"))
    assert earlier.qualifies
    now = rows_for(client, world.profiles.leader.user)["新田村"]
    assert now.population == 400 and now.reasons == ["exited"] and not now.applicable
    figures(world.villages.a2, 2025, is_poor_village=False)
    assert rows_for(client, world.profiles.leader.user)["石门村"].reasons == ["not_poor_village"]


def test_the_page_is_kept_until_a_village_s_figures_change(client, world, poor_villages):
    figures(world.villages.a1, rural_population=200, collective_income=Decimal("40000"))
    before = rows_for(client, world.profiles.leader.user)
    assert not before["新田村"].qualifies
    assert (
        'id="computed-at"' in client.get(reverse("villages:exit"), {"year": 2025}).content.decode()
    )
    figures(world.villages.a1, collective_income=Decimal("60000"))  # the township corrects it
    assert rows_for(client, world.profiles.leader.user)["新田村"].qualifies
