"""Forms that move money through the fund ledger for a household's measure or a loan."""

import datetime
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from assistance.forms import BEYOND_PLAN_LABEL, CrispyMixin, _date_widget
from assistance.models import LedgerEntry
from township.formfields import AmountField, PlausibleDateField

ONE_CENT = Decimal("0.01")


class _Entry(CrispyMixin, forms.Form):
    voucher = forms.CharField(label=_("Voucher number"), max_length=40)
    entry_date = PlausibleDateField(
        label=_("Date"), widget=_date_widget(), initial=datetime.date.today
    )
    amount = AmountField(
        label=_("Amount (yuan)"), max_digits=14, decimal_places=2, min_value=ONE_CENT
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._helper()

    def clean_entry_date(self):
        day = self.cleaned_data["entry_date"]
        if day > datetime.date.today():
            raise forms.ValidationError(_("An entry cannot be dated in the future."))
        return day


class ItemAllocateForm(_Entry):
    """Earmark money of a fund for a household's measure."""

    fund = forms.ModelChoiceField(label=_("Fund"), queryset=None)
    purpose = forms.CharField(label=_("Purpose"), max_length=200)

    def __init__(self, *args, funds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fund"].queryset = funds
        self.order_fields(["fund", "amount", "voucher", "entry_date", "purpose"])


class ItemPayForm(_Entry):
    """Pay money earmarked to a household's measure."""

    allocation = forms.ModelChoiceField(label=_("Against allocation"), queryset=None)
    purpose = forms.CharField(label=_("Purpose"), max_length=200)
    beyond_plan = forms.BooleanField(label=BEYOND_PLAN_LABEL, required=False)
    completes = forms.BooleanField(label=_("This completes the item"), required=False)

    def __init__(self, *args, allocations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["allocation"].queryset = allocations
        self.fields["allocation"].label_from_instance = lambda e: (
            f"{e.fund.name} · {e.voucher} · {e.amount}"
        )
        self.order_fields(
            ["allocation", "amount", "voucher", "entry_date", "purpose", "beyond_plan", "completes"]
        )


class LoanAllocateForm(_Entry):
    use = forms.ChoiceField(label=_("For"), choices=LedgerEntry.LoanUse.choices)
    purpose = forms.CharField(label=_("Purpose"), max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(["use", "amount", "voucher", "entry_date", "purpose"])


class SubsidyForm(_Entry):
    """The interest subsidy of one paid instalment."""


class CompensateForm(_Entry):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class WriteOffForm(CrispyMixin, forms.Form):
    on = PlausibleDateField(label=_("Written off on"), widget=_date_widget())
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._helper()
