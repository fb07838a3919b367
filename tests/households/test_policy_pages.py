"""Yearly policy figures kept on pages: who keeps which, history, and a new year's start."""

from decimal import Decimal

import pytest
from django.urls import reverse

from households.models import PovertyLine
from tests import factories as f
from township.models import TownshipYear, VillageExitCriterion, VillageYear

pytestmark = pytest.mark.django_db


def line_data(**changes):
    data = {
        "year": 2026,
        "amount": "5100",
        "monitoring_line": "7650",
        "exit_incidence_threshold": "3",
        "village_collective_income": "50000",
        "note": "",
    }
    data.update(changes)
    return data


def test_the_county_keeps_the_lines_and_the_history_shows_old_and_new(client, world):
    client.force_login(world.profiles.county.user)
    client.post(f"{reverse('policy:line')}?year=2026", line_data())
    client.post(f"{reverse('policy:line')}?year=2026", line_data(amount="5200"))
    assert PovertyLine.objects.get(year=2026).amount == Decimal("5200")
    client.force_login(world.profiles.leader.user)  # leaders read them
    page = client.get(reverse("policy:index"), {"year": 2026})
    change = page.context["entries"][0]
    assert change.who == "county"
    assert [(c.old, c.new) for c in change.changes] == [("5100.00", "5200.00")]
    assert client.get(f"{reverse('policy:line')}?year=2026").status_code == 403


def test_township_staff_keep_their_townships_figures_on_one_page(client, world):
    VillageExitCriterion.objects.create(year=2026, name="通硬化路")
    client.force_login(world.profiles.staff.user)
    a1, a2 = world.villages.a1, world.villages.a2
    criterion = VillageExitCriterion.objects.get()
    response = client.post(
        f"{reverse('policy:township', args=[world.township.pk])}?year=2026",
        {
            "exit_target": "12",
            "exit_target_people": "40",
            f"v{a1.pk}-rural_population": "820",
            f"v{a1.pk}-is_poor_village": "on",
            f"v{a1.pk}-collective_income": "61000.50",
            f"v{a2.pk}-rural_population": "300",
            f"v{a2.pk}-exit_year": "2024",
            f"c{criterion.pk}-v{a1.pk}": "on",
        },
    )
    assert response.status_code == 302
    target = TownshipYear.objects.get(township=world.township, year=2026)
    assert (target.exit_target, target.exit_target_people) == (12, 40)
    one = VillageYear.objects.get(village=a1, year=2026)
    assert (one.rural_population, one.is_poor_village, one.collective_income) == (
        820,
        True,
        Decimal("61000.50"),
    )
    assert VillageYear.objects.get(village=a2, year=2026).exit_year == 2024
    assert one.history.latest().history_user == world.profiles.staff.user
    assert criterion.checks.get(village=a1).met is True
    # Another township's page is not theirs; the county's lines neither.
    other = reverse("policy:township", args=[world.other_township.pk])
    assert client.get(other).status_code == 404
    assert client.post(reverse("policy:line"), line_data()).status_code == 403


def test_an_exit_year_after_the_year_is_refused(client, world):
    client.force_login(world.profiles.staff.user)
    a1 = world.villages.a1
    client.post(
        f"{reverse('policy:township', args=[world.township.pk])}?year=2025",
        {f"v{a1.pk}-exit_year": "2026"},
    )
    assert not VillageYear.objects.filter(village=a1, year=2025, exit_year=2026).exists()


def test_a_new_year_starts_from_the_previous_years_values_once_confirmed(client, world):
    f.PovertyLineFactory(year=2025, amount=Decimal("4900"))
    VillageExitCriterion.objects.create(year=2025, name="通宽带")
    TownshipYear.objects.create(township=world.township, year=2025, exit_target=30)
    TownshipYear.objects.create(township=world.other_township, year=2025, exit_target=9)
    VillageYear.objects.create(
        village=world.villages.a1, year=2025, rural_population=800, is_poor_village=True
    )
    client.force_login(world.profiles.county.user)
    preview = client.get(reverse("policy:start"), {"year": 2026}).context["plan"]
    assert preview.line.amount == Decimal("4900")
    assert [t.township for t in preview.targets] == [world.township]  # the county's only
    assert not PovertyLine.objects.filter(year=2026).exists()  # nothing before confirming
    client.post(f"{reverse('policy:start')}?year=2026", {"year": 2026})
    assert PovertyLine.objects.get(year=2026).amount == Decimal("4900")
    assert VillageExitCriterion.objects.filter(year=2026, name="通宽带").exists()
    assert TownshipYear.objects.get(township=world.township, year=2026).exit_target == 30
    assert not TownshipYear.objects.filter(township=world.other_township, year=2026).exists()
    copied = VillageYear.objects.get(village=world.villages.a1, year=2026)
    assert (copied.rural_population, copied.is_poor_village) == (800, True)
    assert copied.history.latest().history_change_reason == "2025 → 2026"
    # Started once: a second confirmation copies nothing more.
    assert client.get(reverse("policy:start"), {"year": 2026}).context["plan"].empty


def test_township_staff_start_their_townships_year_but_not_the_countys_figures(client, world):
    f.PovertyLineFactory(year=2025, amount=Decimal("4900"))
    TownshipYear.objects.create(township=world.township, year=2025, exit_target=30)
    client.force_login(world.profiles.staff.user)
    client.post(f"{reverse('policy:start')}?year=2026", {"year": 2026})
    assert TownshipYear.objects.filter(township=world.township, year=2026).exists()
    assert not PovertyLine.objects.filter(year=2026).exists()
