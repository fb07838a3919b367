"""The measure catalogue, kept by the county on its page, with history."""

import pytest
from django.urls import reverse

from assistance.models import MeasureKind

pytestmark = pytest.mark.django_db


def test_the_county_adds_and_retires_a_kind_of_measure_with_its_causes(client, world):
    client.force_login(world.profiles.county.user)
    client.post(
        reverse("assistance:measure_create"),
        {
            "code": "tea",
            "name": "茶园管护",
            "name_en": "Tea garden care",
            "order": 30,
            "is_active": "on",
            "causes": ["technology", "funds"],
        },
    )
    kind = MeasureKind.objects.get(code="tea")
    assert sorted(kind.causes.values_list("cause", flat=True)) == ["funds", "technology"]
    client.post(
        reverse("assistance:measure_edit", args=[kind.pk]),
        {"code": "tea", "name": "茶园管护", "name_en": "Tea garden care", "order": 30},
    )
    kind.refresh_from_db()
    assert kind.is_active is False
    entries = client.get(reverse("assistance:measure_edit", args=[kind.pk])).context["entries"]
    assert entries[0].who == "county" and entries[0].reason == "funds,technology → —"
    page = client.get(reverse("assistance:measures")).content.decode()
    assert "茶园管护" in page


def test_township_staff_read_the_catalogue_but_do_not_edit_it(client, world):
    client.force_login(world.profiles.staff.user)
    assert client.get(reverse("assistance:measures")).status_code == 200
    response = client.post(
        reverse("assistance:measure_create"),
        {"code": "x", "name": "某", "name_en": "X", "order": 1},
    )
    assert response.status_code == 403 and not MeasureKind.objects.filter(code="x").exists()
