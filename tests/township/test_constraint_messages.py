"""Internal constraint names never reach users: every constraint says what it means."""

import pytest
from django.apps import apps
from django.db.models import BaseConstraint
from django.urls import reverse

pytestmark = pytest.mark.django_db
OUR_APPS = {"township", "households", "assistance", "reporting"}


def test_every_constraint_has_a_message_for_people():
    silent = [
        f"{model.__name__}.{constraint.name}"
        for model in apps.get_models()
        if model._meta.app_label in OUR_APPS
        for constraint in model._meta.constraints
        if constraint.violation_error_message
        in (None, BaseConstraint.default_violation_error_message)
    ]
    assert silent == []


def test_an_income_of_no_members_is_explained_in_words_not_by_constraint_name(client, world):
    client.force_login(world.profiles.staff.user)
    hh = world.households.own
    response = client.post(
        reverse("households:income_create", args=[hh.pk]),
        {
            "year": "2024",
            "members_count": "0",
            "wage_income": "9000",
            "business_income": "0",
            "property_income": "0",
            "transfer_income": "0",
            "production_cost": "0",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "income_members_at_least_one" not in page
    assert "家庭人口至少为 1 人" in page
    assert not hh.incomes.filter(year=2024).exists()
