from decimal import Decimal

import pytest

from households.models import HouseholdIncome
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_net_and_per_capita_income_are_derived_from_the_components():
    income = f.IncomeFactory(
        members_count=3,
        wage_income=Decimal("6000.00"),
        business_income=Decimal("4000.50"),
        property_income=Decimal("100.00"),
        transfer_income=Decimal("2400.00"),
        production_cost=Decimal("1500.00"),
    )
    assert income.net_income == Decimal("11000.50")
    assert income.per_capita_net_income == Decimal("3666.83")


def test_per_capita_income_rounds_half_up_to_the_cent():
    income = f.IncomeFactory(members_count=2, wage_income=Decimal("0.05"))
    assert income.per_capita_net_income == Decimal("0.03")


def test_the_database_computes_the_same_figures_for_filters():
    f.IncomeFactory(members_count=4, wage_income=Decimal("10000"), production_cost=Decimal("2000"))
    row = HouseholdIncome.objects.with_net().get()
    assert row.net == Decimal("8000.00")
    assert Decimal(row.per_capita).quantize(Decimal("0.01")) == Decimal("2000.00")
    assert HouseholdIncome.objects.with_net().filter(per_capita__lt=Decimal("4000")).count() == 1


def test_income_changes_are_recorded_with_who_made_them():
    user = f.UserFactory()
    income = f.IncomeFactory(wage_income=Decimal("100"))
    income._history_user = user
    income.wage_income = Decimal("200")
    income.save()
    latest = income.history.latest()
    assert latest.history_user == user
    assert latest.diff_against(latest.prev_record).changed_fields == ["wage_income"]
