"""Implausible data is refused by every form: dates, amounts, years, full-width digits."""

import datetime
import importlib
from decimal import Decimal

import pytest
from django import forms
from django.urls import reverse

from assistance.models import LedgerEntry
from township.formfields import (
    AmountField,
    ChoicesByIdField,
    PlausibleDateField,
    WholeNumberField,
    YearField,
)

pytestmark = pytest.mark.django_db

OUR_APPS = {"households", "assistance", "reporting", "township"}
FORM_MODULES = [
    "households.forms",
    "households.workflow_views",
    "households.import_views",
    "assistance.forms",
    "reporting.forms",
    "township.forms",
]


def _project_forms():
    for name in FORM_MODULES:
        importlib.import_module(name)
    seen, stack = set(), [forms.BaseForm]
    while stack:
        for sub in stack.pop().__subclasses__():
            stack.append(sub)
            if sub.__module__.split(".")[0] in OUR_APPS:
                seen.add(sub)
    return sorted(seen, key=lambda c: c.__qualname__)


def test_every_date_amount_and_number_field_of_every_form_is_a_checked_one():
    checked = {
        forms.ModelMultipleChoiceField: ChoicesByIdField,
        forms.DateField: PlausibleDateField,
        forms.DecimalField: AmountField,  # before IntegerField: a DecimalField is one
        forms.IntegerField: WholeNumberField,
    }
    plain = []
    for form in _project_forms():
        for name, field in getattr(form, "base_fields", {}).items():
            kind = next((k for k in checked if isinstance(field, k)), None)
            if kind is not None and not isinstance(field, checked[kind]):
                plain.append(f"{form.__qualname__}.{name}: {type(field).__name__}")
    assert len(_project_forms()) > 20
    assert plain == []


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("1200.50", Decimal("1200.50")),
        ("１２００．５０", Decimal("1200.50")),
        ("１２００。５", Decimal("1200.5")),
        (".5", Decimal("0.5")),
        ("1e5", None),
        ("1E+5", None),
        ("NaN", None),
        ("Infinity", None),
        ("٣٣", None),
        ("1,000", None),
        ("-1", None),
    ],
)
def test_an_amount_is_plain_decimal_notation(raw, expected):
    field = AmountField(max_digits=12, decimal_places=2)
    if expected is None:
        with pytest.raises(forms.ValidationError):
            field.clean(raw)
    else:
        assert field.clean(raw) == expected


@pytest.mark.parametrize(
    "raw,ok",
    [
        ("2025-03-01", True),
        ("２０２５-０３-０１", True),
        ("9999-12-31", False),
        ("0001-01-01", False),
        ("1999-12-31", False),
        ("2025-02-30", False),
        ("2025-03-01\x00", False),
    ],
)
def test_a_date_is_between_2000_and_today(raw, ok):
    field = PlausibleDateField()
    if ok:
        assert field.clean(raw) == datetime.date(2025, 3, 1)
    else:
        with pytest.raises(forms.ValidationError):
            field.clean(raw)


def test_a_date_may_be_ahead_only_where_the_form_says_so():
    ahead = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
    with pytest.raises(forms.ValidationError):
        PlausibleDateField().clean(ahead)
    assert PlausibleDateField(future_days=31).clean(ahead).isoformat() == ahead


def test_a_year_is_from_2000_to_next_year():
    field = YearField()
    assert field.clean("２０２５") == 2025
    for raw in ("1", "0", "-2025", "99999999999999999999", "2025.0", "1e3"):
        with pytest.raises(forms.ValidationError):
            field.clean(raw)


def test_a_receipt_dated_9999_12_31_or_written_1e5_is_refused(client, world):
    client.force_login(world.profiles.staff.user)
    url = reverse("assistance:entry_create", args=[world.funds.a.pk])
    good = {
        "kind": "receipt",
        "voucher": "R9",
        "entry_date": "2025-03-01",
        "amount": "100000",
        "purpose": "拨入",
    }
    before = LedgerEntry.objects.count()
    for bad in ({"entry_date": "9999-12-31"}, {"amount": "1e5"}, {"amount": "１e5"}):
        response = client.post(url, {**good, **bad})
        assert response.status_code == 200, bad
        assert set(bad) <= set(response.context["form"].errors), bad
    assert LedgerEntry.objects.count() == before
    client.post(url, {**good, "amount": "１０００００"})
    assert LedgerEntry.objects.get(voucher="R9").amount == Decimal("100000")


def test_a_choice_of_ids_no_database_integer_holds_is_refused(client, world):
    client.force_login(world.profiles.staff.user)
    response = client.post(
        reverse("assistance:project_create"),
        {"name": "道路", "kind": "road", "year": "2025", "villages": [str(2**70)], "budget": "1"},
    )
    assert response.status_code == 200
    assert "villages" in response.context["form"].errors
