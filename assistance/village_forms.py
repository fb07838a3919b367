"""Forms of the village's books: plan, project library, mutual-aid fund, attendance."""

import datetime
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from assistance.forms import CrispyMixin, _date_widget
from assistance.models import (
    LibraryEntry,
    MutualAidEntry,
    MutualAidFund,
    TeamAttendance,
    VillagePlan,
)
from township.formfields import AmountField, PlausibleDateField, YearField, formfield_for

ONE_CENT = Decimal("0.01")


class VillagePlanForm(CrispyMixin, forms.ModelForm):
    class Meta:
        model = VillagePlan
        formfield_callback = formfield_for
        fields = ["title", "start_year", "end_year", "goals", "approved_on"]
        widgets = {"approved_on": _date_widget(), "goals": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._helper()


class LibraryEntryForm(CrispyMixin, forms.ModelForm):
    # A project library plans years ahead; the plan period check narrows it further.
    year = YearField(label=_("planned year"), future_years=10)

    class Meta:
        model = LibraryEntry
        formfield_callback = formfield_for
        fields = ["name", "kind", "year", "estimated_budget", "priority", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["estimated_budget"].min_value = ONE_CENT
        self._helper()


class PromoteForm(CrispyMixin, forms.Form):
    implementing_unit = forms.CharField(label=_("Implementing unit"), max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._helper()


class MutualAidFundForm(CrispyMixin, forms.ModelForm):
    class Meta:
        model = MutualAidFund
        formfield_callback = formfield_for
        fields = ["name", "established_on", "max_loan", "fee_rate"]
        widgets = {"established_on": _date_widget()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._helper()


class MemberForm(CrispyMixin, forms.Form):
    card_number = forms.CharField(label=_("Archive card number"), max_length=16)
    joined_on = PlausibleDateField(
        label=_("Joined on"), widget=_date_widget(), initial=datetime.date.today
    )

    def __init__(self, *args, households, **kwargs):
        super().__init__(*args, **kwargs)
        self.households = households
        self._helper()

    def clean_card_number(self):
        number = self.cleaned_data["card_number"].strip()
        household = self.households.filter(card_number=number).first()
        if household is None:
            raise forms.ValidationError(_("No household with this card number in the village."))
        self.cleaned_data["household"] = household
        return number


class MutualAidEntryForm(CrispyMixin, forms.Form):
    KINDS = [
        (k, label) for k, label in MutualAidEntry.Kind.choices if k != MutualAidEntry.Kind.REVERSAL
    ]

    kind = forms.ChoiceField(label=_("Kind"), choices=KINDS)
    voucher = forms.CharField(label=_("Voucher number"), max_length=40)
    entry_date = PlausibleDateField(
        label=_("Date"), widget=_date_widget(), initial=datetime.date.today
    )
    amount = AmountField(
        label=_("Amount (yuan)"), max_digits=12, decimal_places=2, min_value=ONE_CENT
    )
    purpose = forms.CharField(label=_("Purpose"), max_length=200, required=False)
    member = forms.ModelChoiceField(
        label=_("Member (for a loan or a member's share)"), queryset=None, required=False
    )
    due_on = PlausibleDateField(
        label=_("Due on (for a loan)"), widget=_date_widget(), required=False
    )
    loan = forms.ModelChoiceField(
        label=_("Loan (for a repayment or a fee)"), queryset=None, required=False
    )

    def __init__(self, *args, members, loans, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members
        self.fields["member"].label_from_instance = lambda m: (
            f"{m.household.head_name} · {m.household.card_number}".lstrip(" ·")
        )
        self.fields["loan"].queryset = loans
        self.fields["loan"].label_from_instance = lambda e: (
            f"{e.voucher} · {e.member.household.head_name} {e.member.household.card_number}"
            f" · {e.amount}"
        )
        self._helper()

    def clean_entry_date(self):
        day = self.cleaned_data["entry_date"]
        if day > datetime.date.today():
            raise forms.ValidationError(_("An entry cannot be dated in the future."))
        return day

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        Kind = MutualAidEntry.Kind
        if kind == Kind.LOAN:
            if not data.get("member"):
                self.add_error("member", _("A loan is made to a member."))
            if not data.get("due_on"):
                self.add_error("due_on", _("Give the day the loan falls due."))
        if kind in (Kind.REPAYMENT, Kind.FEE) and not data.get("loan"):
            self.add_error("loan", _("Choose the loan."))
        if kind == Kind.CAPITAL and not data.get("purpose"):
            self.add_error("purpose", _("Say where the money comes from."))
        return data


class MutualAidReverseForm(CrispyMixin, forms.Form):
    voucher = forms.CharField(label=_("Voucher number of the reversal"), max_length=40)
    entry_date = PlausibleDateField(
        label=_("Date"), widget=_date_widget(), initial=datetime.date.today
    )
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._helper()


class AttendanceForm(forms.Form):
    person = forms.ModelChoiceField(label=_("Team member"), queryset=None)
    day = PlausibleDateField(label=_("Day"), widget=_date_widget(), initial=datetime.date.today)
    presence = forms.ChoiceField(label=_("Presence"), choices=TeamAttendance.Presence.choices)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = team
        for field in self.fields.values():
            field.widget.attrs.setdefault(
                "class",
                "form-select form-select-sm"
                if isinstance(field.widget, forms.Select)
                else "form-control form-control-sm",
            )
