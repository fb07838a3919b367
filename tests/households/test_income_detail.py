"""Income in detail: transfer income in its parts, several years with their growth against
the county's average, and income stably above the line as the year's policy data says."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from households.models import CountyIncome, HouseholdIncome, PovertyLine
from households.policy import exit_criteria
from tests import factories as f
from tests.constraints import violates

pytestmark = pytest.mark.django_db
D = Decimal
END_OF_2025 = datetime.datetime(2025, 12, 30, 12, tzinfo=datetime.UTC)


@pytest.fixture
def two_years(world):
    """own: 3,000 a person in 2024 (below that year's 4,000 line), 5,000 in 2025."""
    hh = world.households.own
    f.PovertyLineFactory(year=2024, amount="4000")
    f.PovertyLineFactory(year=2025, amount="4000")
    f.IncomeFactory(household=hh, year=2024, members_count=3, wage_income=D("9000"))
    HouseholdIncome.objects.filter(household=hh, year=2025).update(wage_income=D("15000"))
    return hh


def _income_state(hh, stable_years):
    criteria = exit_criteria(
        household=hh,
        members=list(hh.members.all()),
        incomes=list(hh.incomes.all()),
        lines=dict(PovertyLine.objects.values_list("year", "amount")),
        day=datetime.date(2025, 12, 1),
        stable_years=stable_years,
    )
    return next(c for c in criteria if c.key == "income")


def test_income_above_the_line_is_stable_over_as_many_years_as_the_policy_asks(two_years):
    one = _income_state(two_years, {2025: 1})
    two = _income_state(two_years, {2025: 2})
    assert (one.state, two.state) == ("met", "not_met")
    assert two.figure == "2025: 5000.00 > 4000.00；2024: 3000.00 ≤ 4000.00"
    assert _income_state(two_years, {}).state == "met"  # a year not kept: that year alone
    three = _income_state(two_years, {2025: 3})
    assert (three.state, three.values) == ("unknown", {"year": 2023, "missing": "income"})


@time_machine.travel(END_OF_2025, tick=False)
def test_the_card_judges_income_by_the_years_stability_rule(client, world, two_years):
    client.force_login(world.profiles.staff.user)
    card = reverse("households:detail", args=[two_years.pk])
    met = {c.key: c.state for c in client.get(card).context["eligibility"]}
    line = PovertyLine.objects.get(year=2025)
    line.stable_years = 2
    line.save()  # as the policy page saves it
    page = client.get(card)
    stable = {c.key: c.state for c in page.context["eligibility"]}
    assert (met["income"], stable["income"]) == ("met", "not_met")
    assert "2024: 3000.00 ≤ 4000.00" in page.content.decode()


@time_machine.travel(END_OF_2025, tick=False)
def test_the_card_shows_each_years_growth_against_the_county_average(client, world, two_years):
    county = world.counties[0]
    CountyIncome.objects.create(county=county, year=2024, per_capita=D("10000"))
    CountyIncome.objects.create(county=county, year=2025, per_capita=D("10800"))
    client.force_login(world.profiles.cadre.user)
    page = client.get(reverse("households:detail", args=[two_years.pk]))
    rows = {r["income"].year: r for r in page.context["income_rows"]}
    assert (rows[2025]["growth"], rows[2025]["county_growth"]) == (D("66.7"), D("8.0"))
    assert rows[2025]["outgrows"] is True
    assert rows[2024]["growth"] is None  # no year before it
    html = page.content.decode()
    assert "+66.7%" in html and "10800.00 (+8.0%)" in html and "快于全县" in html


def test_transfer_parts_never_exceed_the_transfer_total(world):
    income = world.households.own.incomes.get(year=2025)
    with violates("income_transfer_parts_within_total"):
        HouseholdIncome.objects.filter(pk=income.pk).update(
            transfer_income=D("100"), transfer_dibao=D("80"), transfer_pension=D("30")
        )
    with violates("income_dividends_within_property"):
        HouseholdIncome.objects.filter(pk=income.pk).update(property_dividends=D("1"))
    HouseholdIncome.objects.filter(pk=income.pk).update(
        transfer_income=D("1000"), transfer_dibao=D("600"), transfer_ecological=D("100")
    )
    income.refresh_from_db()
    assert income.transfer_other == D("300.00")
