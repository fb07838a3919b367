"""Form fields that refuse implausible input; every form of the project uses them.

- **Digits**: full-width digits and signs (１２３．５, typed with a Chinese input method) are
  normalised to ASCII (Unicode NFKC); any other non-ASCII character in a number or a date is
  refused, so `٣٣` or `１e5` never becomes a number by accident of Python's parsers.
- **Amounts** (`AmountField`): plain decimal notation only: `1e5`, `NaN` and `Infinity`
  are refused; never negative unless the form says so.
- **Dates** (`PlausibleDateField`): from 2000-01-01 (before the programme and before any
  card) to today, plus `future_days` where a later date makes sense (a due date, a notice
  still posted). `9999-12-31` and year 1 are refused with a message instead of being stored
  or overflowing date arithmetic.
- **Years** (`YearField`): 2000 to this year plus `future_years`.
- **Whole numbers** (`WholeNumberField`): ASCII digits after normalisation, within the range
  a PostgreSQL integer holds unless the form sets a tighter one.

`formfield_for` maps model fields to these; ModelForms name it as
``Meta.formfield_callback`` so their model-derived fields get the same checks.
"""

import datetime
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

EARLIEST_DATE = datetime.date(2000, 1, 1)
EARLIEST_YEAR = 2000
_PLAIN_DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$", re.ASCII)
_PLAIN_INTEGER = re.compile(r"^[+-]?\d+$", re.ASCII)
INT_MAX = 2**31 - 1


def ascii_digits(value) -> str:
    """``value`` as text with full-width digits, signs and points made ASCII (NFKC)."""
    text = unicodedata.normalize("NFKC", str(value)).strip()
    # The ideographic full stop is how some input methods type a decimal point.
    return text.replace("。", ".")


class AmountField(forms.DecimalField):
    """A sum of money or a measure (yuan, mu, km): plain decimals, not negative by default."""

    default_error_messages = {
        "invalid": _("Write the number with digits and a point, like 1200.50."),
    }

    def __init__(self, *args, min_value=Decimal(0), **kwargs):
        super().__init__(*args, min_value=min_value, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = ascii_digits(value)
        if not _PLAIN_DECIMAL.match(text):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        try:
            return Decimal(text)
        except InvalidOperation as error:  # pragma: no cover - the pattern admits only decimals
            raise ValidationError(self.error_messages["invalid"], code="invalid") from error


class WholeNumberField(forms.IntegerField):
    """A count or a number of months: ASCII digits after normalisation, a bounded size."""

    default_error_messages = {"invalid": _("Enter a whole number.")}

    def __init__(self, *args, min_value=None, max_value=None, **kwargs):
        super().__init__(
            *args,
            min_value=-INT_MAX if min_value is None else min_value,
            max_value=INT_MAX if max_value is None else max_value,
            **kwargs,
        )

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = ascii_digits(value)
        if not _PLAIN_INTEGER.match(text):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return int(text)


class YearField(WholeNumberField):
    """A calendar year of the programme: from 2000 to this year plus ``future_years``."""

    def __init__(self, *args, future_years: int = 1, **kwargs):
        kwargs.pop("min_value", None)
        kwargs.pop("max_value", None)
        self.future_years = future_years
        super().__init__(*args, min_value=EARLIEST_YEAR, max_value=INT_MAX, **kwargs)

    def validate(self, value):
        super().validate(value)
        latest = timezone.localdate().year + self.future_years
        if value is not None and not EARLIEST_YEAR <= value <= latest:
            raise ValidationError(
                _("Give a year from %(first)d to %(last)d."),
                code="implausible_year",
                params={"first": EARLIEST_YEAR, "last": latest},
            )


class PlausibleDateField(forms.DateField):
    """A date from 2000-01-01 to today, or up to ``future_days`` later where that makes sense."""

    def __init__(self, *args, future_days: int = 0, **kwargs):
        self.future_days = future_days
        kwargs.setdefault("widget", forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
        super().__init__(*args, **kwargs)

    def latest(self) -> datetime.date:
        return timezone.localdate() + datetime.timedelta(days=self.future_days)

    def to_python(self, value):
        if isinstance(value, str):
            value = ascii_digits(value)
            if not value.isascii():
                raise ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)

    def validate(self, value):
        super().validate(value)
        if value is not None and not EARLIEST_DATE <= value <= self.latest():
            raise ValidationError(
                _("Give a date from %(first)s to %(last)s."),
                code="implausible_date",
                params={"first": date_format(EARLIEST_DATE), "last": date_format(self.latest())},
            )


class ChoicesByIdField(forms.ModelMultipleChoiceField):
    """Several objects chosen by id: an id no database integer can hold is refused as
    invalid (Django's own field sends it to the database, which fails with a 500)."""

    def _check_values(self, value):
        for pk in value:
            text = ascii_digits(pk)
            if _PLAIN_INTEGER.match(text) and not -(2**63) <= int(text) < 2**63:
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": pk},
                )
        return super()._check_values(value)


def formfield_for(db_field, **kwargs):
    """A model field's form field, with the plausibility checks above."""
    if isinstance(db_field, models.DateTimeField):
        return db_field.formfield(**kwargs)
    if isinstance(db_field, models.ManyToManyField):
        return db_field.formfield(form_class=ChoicesByIdField, **kwargs)
    if isinstance(db_field, models.DateField):
        return db_field.formfield(form_class=PlausibleDateField, **kwargs)
    if isinstance(db_field, models.DecimalField):
        return db_field.formfield(form_class=AmountField, **kwargs)
    if isinstance(db_field, models.IntegerField) and not db_field.choices:
        if db_field.name == "year" or db_field.name.startswith("year_"):
            return db_field.formfield(form_class=YearField, **kwargs)
        return db_field.formfield(form_class=WholeNumberField, **kwargs)
    return db_field.formfield(**kwargs)


def param(request, name: str, field: forms.Field, *, source: str = "GET"):
    """One value of a request read through a form field (a filter, a choice carried in the
    address): the cleaned value, or None when it is absent or not valid."""
    data = request.POST if source == "POST" else request.GET
    form = type("ParamForm", (forms.Form,), {name: field})(data)
    return form.cleaned_data.get(name) if form.is_valid() else None
