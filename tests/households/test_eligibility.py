"""Exit criteria (households.policy.criteria): each criterion with its boundary, on a day."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from households.models import Member
from households.policy import MET, NOT_MET, UNKNOWN, exit_criteria, is_eligible
from tests import factories as f
from township.validators import id_check_char

pytestmark = pytest.mark.django_db


def id_born(year: int, n: int = 1) -> str:
    first17 = f"520399{year}0301{n:03d}"
    return first17 + id_check_char(first17)


@pytest.fixture
def household(db):
    hh = f.HouseholdFactory(
        no_worry_food=True, no_worry_clothing=True, water_safe=True, housing="safe"
    )
    f.HeadFactory(household=hh, id_number=id_born(1970), medical_insurance=True)
    f.PovertyLineFactory(year=2025, amount=Decimal("4000"))
    return hh


def states(hh, year=2025):
    from households.models import PovertyLine

    criteria = exit_criteria(
        household=hh,
        members=list(hh.members.all()),
        incomes=list(hh.incomes.all()),
        lines=dict(PovertyLine.objects.values_list("year", "amount")),
        day=datetime.date(year, 11, 30),
    )
    return {c.key: c.state for c in criteria}, criteria


def test_income_exactly_at_the_line_is_not_enough(household):
    f.IncomeFactory(household=household, year=2025, members_count=1, wage_income=Decimal("4000.00"))
    assert states(household)[0]["income"] == NOT_MET
    household.incomes.update(wage_income=Decimal("4000.01"))
    result, criteria = states(household)
    assert result["income"] == MET and is_eligible(criteria)


def test_income_without_a_record_or_a_line_is_unknown(household):
    assert states(household)[0]["income"] == UNKNOWN
    f.IncomeFactory(household=household, year=2024, members_count=1, wage_income=Decimal("9000"))
    assert states(household, year=2024)[0]["income"] == UNKNOWN  # no 2024 line


@pytest.mark.parametrize(
    "field,key",
    [("no_worry_food", "food"), ("no_worry_clothing", "clothing"), ("water_safe", "water")],
)
def test_two_no_worries_and_water(household, field, key):
    setattr(household, field, False)
    assert states(household)[0][key] == NOT_MET


def test_dilapidated_housing_fails(household):
    household.housing = "dilapidated_d"
    assert states(household)[0]["housing"] == NOT_MET


def test_every_school_age_child_must_be_in_school(household):
    child = f.MemberFactory(
        household=household,
        id_number=id_born(2015),
        relation="son",
        schooling=Member.Schooling.PRIMARY,
        medical_insurance=True,
    )
    assert states(household)[0]["schooling"] == MET
    child.schooling = Member.Schooling.DROPPED_OUT
    child.save()
    result, criteria = states(household)
    assert result["schooling"] == NOT_MET
    assert "0" in next(c.figure for c in criteria if c.key == "schooling")
    # A 16-year-old (born 2009, 16 on 1 September 2025) is past compulsory schooling.
    child.id_number = id_born(2009, 3)
    child.save()
    assert states(household)[0]["schooling"] == MET


def test_every_member_needs_medical_insurance(household):
    f.MemberFactory(
        household=household,
        id_number=id_born(1972, 2),
        sex="F",
        relation="spouse",
        medical_insurance=False,
    )
    assert states(household)[0]["medical"] == NOT_MET


def test_a_member_who_left_counts_until_the_day_they_left(household):
    f.MemberFactory(
        household=household,
        id_number=id_born(1972, 2),
        sex="F",
        relation="spouse",
        medical_insurance=False,
        is_active=False,
        left_on=datetime.date(2025, 6, 30),
        left_reason="marriage",
    )
    assert states(household)[0]["medical"] == MET  # judged on 30 November 2025
    criteria = exit_criteria(
        household=household,
        members=list(household.members.all()),
        incomes=[],
        lines={},
        day=datetime.date(2025, 6, 1),
    )
    assert {c.key: c.state for c in criteria}["medical"] == NOT_MET


def test_the_income_judged_is_the_one_of_the_days_year(household):
    f.IncomeFactory(household=household, year=2024, members_count=1, wage_income=Decimal("9000"))
    assert states(household)[0]["income"] == UNKNOWN  # 2025's income is not recorded


@time_machine.travel(datetime.datetime(2025, 11, 30, 12, tzinfo=datetime.UTC), tick=False)
def test_the_card_shows_each_criterion_with_its_figure(client, world):
    f.PovertyLineFactory(year=2025, amount=Decimal("4000"))
    world.households.own.incomes.update(wage_income=Decimal("15000"), members_count=3)
    client.force_login(world.profiles.cadre.user)
    response = client.get(reverse("households:detail", args=[world.households.own.pk]))
    page = response.content.decode()
    assert "5000.00 &gt; 4000.00" in page
    assert {c.key for c in response.context["eligibility"]} == {
        "income",
        "food",
        "clothing",
        "housing",
        "water",
        "schooling",
        "medical",
    }
    assert response.context["eligible"] is False  # the factory household worries about food
