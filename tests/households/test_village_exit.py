from decimal import Decimal

import pytest
from django.urls import reverse

from households.models import Household
from tests import factories as f
from township.models import Village, VillageYear

pytestmark = pytest.mark.django_db


def test_villages_qualify_by_incidence_and_collective_income_with_reasons(client, world):
    f.PovertyLineFactory(year=2025, amount=Decimal("4000"))
    Village.objects.filter(pk=world.villages.a1.pk).update(
        rural_population=200
    )  # 2 poor people: 1.00 %
    Village.objects.filter(pk=world.villages.a2.pk).update(
        rural_population=20
    )  # 1 poor person: 5.00 %
    VillageYear.objects.create(
        village=world.villages.a1, year=2025, collective_income=Decimal("50000")
    )
    VillageYear.objects.create(
        village=world.villages.a2, year=2025, collective_income=Decimal("49999.99")
    )
    client.force_login(world.profiles.leader.user)
    rows = {
        r["village"].name: r
        for r in client.get(reverse("villages:exit"), {"year": 2025}).context["rows"]
    }
    assert rows["新田村"]["incidence"] == Decimal("1.00") and rows["新田村"]["qualifies"]
    assert rows["石门村"]["reasons"] == ["incidence", "income"]


def test_missing_figures_are_reasons_too(client, world):
    f.PovertyLineFactory(year=2025, amount=Decimal("4000"))
    Household.objects.filter(village=world.villages.a1).update(status="exited")
    client.force_login(world.profiles.leader.user)
    rows = {
        r["village"].name: r
        for r in client.get(reverse("villages:exit"), {"year": 2025}).context["rows"]
    }
    assert rows["新田村"]["reasons"] == ["no_population", "no_income"]
