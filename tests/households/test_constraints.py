import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from households.models import Household, Member, PovertyLine
from tests import factories as f
from tests.constraints import violates

pytestmark = pytest.mark.django_db


def test_a_person_is_active_in_one_household_only():
    member = f.MemberFactory()
    with violates("member_in_one_active_household"):
        f.MemberFactory(id_number=member.id_number)


def test_a_person_who_left_may_join_another_household():
    member = f.MemberFactory()
    member.is_active, member.left_on, member.left_reason = (
        False,
        datetime.date(2025, 3, 1),
        "marriage",
    )
    member.save()
    joined = f.MemberFactory(id_number=member.id_number)
    assert joined.pk


def test_the_model_form_check_names_the_duplicate_id_number():
    member = f.MemberFactory()
    other = f.MemberFactory.build(household=f.HouseholdFactory(), id_number=member.id_number)
    with pytest.raises(ValidationError) as info:
        other.full_clean()
    assert "another household" in str(info.value) or "另一户" in str(info.value)


def test_a_household_has_one_active_head():
    head = f.HeadFactory()
    with violates("member_one_head_per_household"):
        f.HeadFactory(household=head.household)


def test_the_database_refuses_a_malformed_id_number():
    with violates("member_id_number_format"):
        f.MemberFactory(id_number="52039919800101001Y")


def test_migrant_work_months_are_at_most_twelve():
    with violates("member_migrant_months_at_most_12"):
        f.MemberFactory(migrant_months=13)


def test_a_disability_grade_goes_with_disability():
    with violates("member_disability_grade_iff_disabled"):
        f.MemberFactory(health=Member.Health.HEALTHY, disability_grade=2)
    with violates("member_disability_grade_iff_disabled"):
        f.MemberFactory(health=Member.Health.DISABLED, disability_grade=None)
    with violates("member_disability_grade_iff_disabled"):
        f.MemberFactory(health=Member.Health.DISABLED, disability_grade=5)


def test_a_member_who_left_has_a_date_and_a_reason():
    with violates("member_left_has_date_and_reason"):
        f.MemberFactory(is_active=False)


def test_the_sex_must_match_the_id_number():
    member = f.MemberFactory.build(
        household=f.HouseholdFactory(),
        id_number=f.make_id_number(7, male=False),
        sex=Member.Sex.MALE,
    )
    with pytest.raises(ValidationError) as info:
        member.full_clean()
    assert "sex" in info.value.message_dict


def test_an_id_number_is_stored_upper_case():
    member = f.MemberFactory(id_number="11010519491231002x", sex=Member.Sex.FEMALE)
    member.refresh_from_db()
    assert member.id_number == "11010519491231002X"


def test_a_card_number_has_sixteen_digits():
    with violates("household_card_number_16_digits"):
        f.HouseholdFactory(card_number="5203991002010001X")


def test_card_numbers_are_unique():
    household = f.HouseholdFactory()
    with violates(unique_field=(Household, "card_number")):
        f.HouseholdFactory(card_number=household.card_number)


def test_the_year_identified_is_plausible():
    with violates("household_year_identified_plausible"):
        f.HouseholdFactory(year_identified=1999)


def test_land_and_distance_are_not_negative():
    with violates("household_measures_not_negative"):
        f.HouseholdFactory(farmland_mu=Decimal("-1"))


def test_a_cause_is_recorded_once_per_household():
    cause = f.CauseFactory(is_main=False)
    with violates("household_cause_once"):
        f.CauseFactory(household=cause.household, cause=cause.cause, is_main=False)


def test_a_household_has_one_main_cause():
    cause = f.CauseFactory(cause="illness", is_main=True)
    with violates("household_one_main_cause"):
        f.CauseFactory(household=cause.household, cause="labour", is_main=True)


def test_income_is_recorded_once_a_year():
    income = f.IncomeFactory()
    with violates("income_once_a_year"):
        f.IncomeFactory(household=income.household, year=income.year)


@pytest.mark.parametrize(
    "field",
    ["wage_income", "business_income", "property_income", "transfer_income", "production_cost"],
)
def test_income_components_are_not_negative(field):
    with violates("income_components_not_negative"):
        f.IncomeFactory(**{field: Decimal("-0.01")})


def test_income_needs_at_least_one_member():
    with violates("income_members_at_least_one"):
        f.IncomeFactory(members_count=0)


def test_income_year_is_plausible():
    with violates("income_year_plausible"):
        f.IncomeFactory(year=1990)


def test_a_poverty_line_is_positive():
    with violates("poverty_line_positive"):
        f.PovertyLineFactory(year=2030, amount=Decimal("0"))


def test_the_monitoring_line_is_not_below_the_poverty_line():
    with violates("poverty_monitoring_line_not_below_line"):
        f.PovertyLineFactory(year=2031, amount=Decimal("4000"), monitoring_line=Decimal("3999"))


def test_a_poverty_line_is_set_once_a_year():
    f.PovertyLineFactory(year=2032)
    with violates(unique_field=(PovertyLine, "year")):
        PovertyLine.objects.create(year=2032, amount=Decimal("1"))


def test_a_household_has_one_current_pairing():
    pairing = f.PairingFactory()
    with violates("pairing_one_current_per_household"):
        f.PairingFactory(household=pairing.household)


def test_ended_pairings_stay_beside_the_current_one():
    pairing = f.PairingFactory(end_date=datetime.date(2025, 6, 30))
    current = f.PairingFactory(household=pairing.household, start_date=datetime.date(2025, 7, 1))
    assert list(pairing.household.pairings.current()) == [current]


def test_a_pairing_ends_after_it_starts():
    with violates("pairing_ends_after_start"):
        f.PairingFactory(start_date=datetime.date(2025, 5, 1), end_date=datetime.date(2025, 4, 30))


def test_the_constraint_helper_fails_when_another_constraint_refuses_the_write():
    # A malformed ID number is refused by its format check, not by the months one.
    with (
        pytest.raises(AssertionError, match="member_id_number_format"),
        violates("member_migrant_months_at_most_12"),
    ):
        f.MemberFactory(id_number="52039919800101001Y")


def test_the_constraint_helper_fails_when_nothing_is_refused():
    with (
        pytest.raises(pytest.fail.Exception),
        violates("member_migrant_months_at_most_12"),
    ):
        f.MemberFactory(migrant_months=12)
