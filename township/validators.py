"""Validators for Chinese identifiers: national ID numbers, mobile numbers, division codes."""

import datetime
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# GB 11643-1999: weights of the first 17 digits, and the check character for sum mod 11.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
# Province-level codes of GB/T 2260 (the first two digits of every ID and division code).
PROVINCE_CODES = frozenset(
    ("11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34")
    + ("35", "36", "37", "41", "42", "43", "44", "45", "46", "50", "51", "52")
    + ("53", "54", "61", "62", "63", "64", "65", "71", "81", "82")
)
_ID_RE = re.compile(r"^\d{17}[\dX]$", re.ASCII)
_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$", re.ASCII)
_DIVISION_RE = re.compile(r"^\d{12}$", re.ASCII)


def id_check_char(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits of an ID number."""
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def normalize_id_number(value: str) -> str:
    """Trimmed, upper case, full-width digits and Ｘ made ASCII (as typed with a Chinese IME)."""
    return unicodedata.normalize("NFKC", value or "").strip().upper()


def id_birth_date(value: str) -> datetime.date | None:
    try:
        return datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return None


def validate_id_number(value: str) -> None:
    """Raise ValidationError unless ``value`` is a valid 18-character national ID number."""
    value = normalize_id_number(value)
    if len(value) != 18:
        raise ValidationError(
            _("An ID number has 18 characters; this one has %(count)d."),
            code="id_length",
            params={"count": len(value)},
        )
    if not _ID_RE.match(value):
        raise ValidationError(
            _("An ID number is 17 digits followed by a digit or X."), code="id_format"
        )
    if value[:2] not in PROVINCE_CODES:
        raise ValidationError(
            _("The ID number starts with %(code)s, which is not a province code."),
            code="id_area",
            params={"code": value[:2]},
        )
    birth = id_birth_date(value)
    if birth is None or birth.year < 1900 or birth > datetime.date.today():
        raise ValidationError(
            _("The ID number's birth date %(date)s is not a real date."),
            code="id_birth_date",
            params={"date": value[6:14]},
        )
    if id_check_char(value[:17]) != value[17]:
        raise ValidationError(
            _("The ID number's check digit is wrong: please check each digit."),
            code="id_check_digit",
        )


def validate_mobile(value: str) -> None:
    if not _MOBILE_RE.match(value or ""):
        raise ValidationError(
            _("A mobile number has 11 digits and starts with 13 to 19."), code="mobile"
        )


def validate_division_code(value: str) -> None:
    if not _DIVISION_RE.match(value or ""):
        raise ValidationError(
            _("A statistical division code has exactly 12 digits."), code="division_code"
        )
    if value[:2] not in PROVINCE_CODES:
        raise ValidationError(
            _("The division code starts with %(code)s, which is not a province code."),
            code="division_province",
            params={"code": value[:2]},
        )
