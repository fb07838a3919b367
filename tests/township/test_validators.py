import pytest
from django.core.exceptions import ValidationError

from township.validators import (
    id_check_char,
    validate_division_code,
    validate_id_number,
    validate_mobile,
)

# Numbers in the real format; the first is the example printed in GB 11643-1999.
VALID_IDS = [
    "11010519491231002X",  # the standard's own example
    "440524198001010013",
    "520399198001010013",
    "520399200002290029",  # born on a leap day
]


@pytest.mark.parametrize("value", VALID_IDS)
def test_valid_id_numbers_pass(value):
    validate_id_number(value)


def test_a_lower_case_x_is_accepted():
    validate_id_number("11010519491231002x")


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("52039919800101001", "id_length"),  # 17 characters
        ("5203991980010100111", "id_length"),  # 19 characters
        ("52039919800101001A", "id_format"),
        ("5203991980X101001X", "id_format"),
        ("990399198001010011", "id_area"),  # 99 is no province
        ("520399198002300011", "id_birth_date"),  # 30 February
        ("520399180001010011", "id_birth_date"),  # born 1800
        ("520399209901010011", "id_birth_date"),  # born in the future
        ("520399198001010012", "id_check_digit"),
        ("110105194912310021", "id_check_digit"),  # X replaced by 1
    ],
)
def test_invalid_id_numbers_say_what_is_wrong(value, code):
    with pytest.raises(ValidationError) as info:
        validate_id_number(value)
    assert info.value.code == code
    assert str(info.value.message)


def test_the_check_character_follows_gb_11643():
    assert id_check_char("11010519491231002") == "X"
    assert id_check_char("44052418800101001") == "4"


@pytest.mark.parametrize("value", ["13800138000", "19912345678", "16612345678"])
def test_mainland_mobile_numbers_pass(value):
    validate_mobile(value)


@pytest.mark.parametrize(
    "value", ["12800138000", "1380013800", "138001380000", "+8613800138000", "0851-1234567"]
)
def test_other_phone_numbers_are_refused(value):
    with pytest.raises(ValidationError):
        validate_mobile(value)


@pytest.mark.parametrize("value", ["520399100201", "110105000000"])
def test_twelve_digit_division_codes_pass(value):
    validate_division_code(value)


@pytest.mark.parametrize("value", ["52039910020", "5203991002011", "52039910020A", "990399100201"])
def test_other_division_codes_are_refused(value):
    with pytest.raises(ValidationError):
        validate_division_code(value)


def test_messages_are_in_chinese_by_default(settings):
    from django.utils import translation

    with translation.override("zh-hans"), pytest.raises(ValidationError) as info:
        validate_id_number("520399198001010012")
    assert "校验码" in str(info.value.messages[0])
