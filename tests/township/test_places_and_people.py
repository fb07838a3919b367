import pytest
from django.core.exceptions import ValidationError

from tests import factories as f
from tests.constraints import violates
from township.models import StaffProfile, Village

pytestmark = pytest.mark.django_db
Role = StaffProfile.Role


def test_a_county_code_must_be_county_level():
    with violates("county_code_is_county_level"):
        f.CountyFactory(code="520399100000")


def test_a_township_code_has_twelve_digits():
    with violates("township_code_12_digits"):
        f.TownshipFactory(code="52039910000")


def test_a_township_code_ends_in_000():
    with violates("township_code_is_township_level"):
        f.TownshipFactory(code="520399100201")


def test_a_township_code_is_not_a_county_code():
    with violates("township_code_not_county_level"):
        f.TownshipFactory(code="520399000000")


def test_a_village_code_has_twelve_digits():
    with violates("village_code_12_digits"):
        f.VillageFactory(code="5203991002x1")


def test_a_village_code_is_not_a_township_code():
    with violates("village_code_is_village_level"):
        f.VillageFactory(code="520399100000")


def test_division_codes_are_unique():
    village = f.VillageFactory()
    with violates(unique_field=(Village, "code")):
        f.VillageFactory(code=village.code)


def test_a_village_code_must_start_with_its_township_code():
    township = f.TownshipFactory(code="520399100000")
    village = f.VillageFactory.build(township=township, code="520399200201")
    with pytest.raises(ValidationError) as info:
        village.full_clean()
    assert "code" in info.value.message_dict


def test_a_township_code_must_start_with_its_county_code():
    county = f.CountyFactory(code="520399000000")
    township = f.TownshipFactory.build(county=county, code="520398100000")
    with pytest.raises(ValidationError) as info:
        township.full_clean()
    assert "code" in info.value.message_dict


@pytest.mark.parametrize(
    ("role", "place"),
    [
        (Role.COUNTY_ADMIN, "township"),
        (Role.LEADER, "village"),
        (Role.TOWNSHIP_STAFF, None),
        (Role.VILLAGE_TEAM, "township"),
        (Role.CADRE, "village"),
    ],
)
def test_a_profile_works_at_the_level_of_its_role(role, place):
    village = f.VillageFactory()
    places = {"county": village.township.county, "township": village.township, "village": village}
    kwargs = {place: places[place]} if place else {}
    with violates("profile_place_matches_role"):
        f.ProfileFactory(role=role, **kwargs)


def test_a_profile_form_says_which_place_is_missing():
    profile = f.ProfileFactory.build(user=f.UserFactory(), role=Role.VILLAGE_TEAM)
    with pytest.raises(ValidationError) as info:
        profile.full_clean()
    assert "village" in info.value.message_dict


def test_a_profile_phone_must_be_a_mobile_number():
    profile = f.ProfileFactory.build(user=f.UserFactory(), role=Role.CADRE, phone="12345")
    with pytest.raises(ValidationError) as info:
        profile.full_clean()
    assert "phone" in info.value.message_dict


def test_profile_changes_are_recorded():
    profile = f.ProfileFactory(role=Role.CADRE)
    profile.unit = "县公安局"
    profile.save()
    assert [h.unit for h in profile.history.order_by("history_id")] == ["", "县公安局"]
