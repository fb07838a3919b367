"""Forms of the thematic registers: each record starts from the household's plan item."""

import datetime
from decimal import Decimal

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from assistance.forms import CrispyMixin, _date_widget, offer_items
from assistance.models import (
    DividendContract,
    Enterprise,
    HealthRelief,
    HousingRenovation,
    RainDewStudent,
    TrainingAttendance,
    TrainingSession,
)
from assistance.register_selectors import member_by_id_number
from township.formfields import AmountField, PlausibleDateField, WholeNumberField, formfield_for
from township.forms import chosen_filters
from township.widgets import SearchSelect

ONE_CENT = Decimal("0.01")
RENOVATION_STATUSES = [
    ("approved", _("Approved, not started")),
    ("started", _("Works under way")),
    ("accepted", _("Accepted")),
]


class RegisterFilterForm(forms.Form):
    """The filters of a register's list: village, year and one register-specific choice."""

    village = forms.ModelChoiceField(label=_("Village"), queryset=None, required=False)
    year = WholeNumberField(label=_("Year"), min_value=2000, max_value=2100, required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args, villages, statuses=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages
        self.fields["village"].empty_label = _("All villages")
        if statuses:
            self.fields["status"].choices = [("", _("All")), *statuses]
        else:
            del self.fields["status"]
        for field in self.fields.values():
            field.widget.attrs.setdefault(
                "class",
                "form-select form-select-sm"
                if isinstance(field.widget, forms.Select)
                else "form-control form-control-sm",
            )

    def filters(self) -> dict:
        return chosen_filters(self)


class _ItemForm(CrispyMixin, forms.ModelForm):
    """A record linked to a plan item of a household in the user's scope."""

    # Whose items the search offers (a key of ``register_selectors.ITEM_KINDS``).
    register = ""

    # A county's items of a kind run to thousands: the select offers the chosen one and the
    # first few, and the search box before it asks for others (registers:item_options).
    plan_item = forms.ModelChoiceField(
        label=_("Household's plan item"), queryset=None, widget=SearchSelect
    )

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        offer_items(
            self, "plan_item", items, reverse("registers:item_options", args=[self.register])
        )
        self.order_fields(["plan_item", *self.Meta.fields])
        self._helper()


class _MemberMixin:
    """The person (a student, a patient) named by ID number in the plan item's household."""

    def _member(self, data):
        item = data.get("plan_item")
        number = data.get("id_number")
        if item is None or not number:
            return
        household = item.plan.household  # the chosen item's, within the user's scope
        member = member_by_id_number(type(household).objects.inside(pk=household), number)
        if member is None:
            self.add_error("id_number", _("No member of this household has this ID number."))
        data["member"] = member


class RenovationForm(_ItemForm):
    register = "renovation"

    class Meta:
        model = HousingRenovation
        formfield_callback = formfield_for
        fields = ["year", "grade", "method", "subsidy", "started_on", "note"]
        widgets = {"started_on": _date_widget()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subsidy"].min_value = ONE_CENT


class RenovationStartForm(CrispyMixin, forms.Form):
    on = PlausibleDateField(label=_("Works started on"), widget=_date_widget())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._helper()


class RenovationAcceptForm(CrispyMixin, forms.Form):
    on = PlausibleDateField(label=_("Accepted on"), widget=_date_widget())
    accepted_by = forms.CharField(
        label=_("Accepted by"), max_length=100, help_text=_("E.g. the county housing bureau.")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._helper()

    def clean_on(self):
        day = self.cleaned_data["on"]
        if day > datetime.date.today():
            raise forms.ValidationError(_("An acceptance cannot be in the future."))
        return day


class RainDewForm(_MemberMixin, _ItemForm):
    register = "rain_dew"
    id_number = forms.CharField(label=_("Student's ID number"), max_length=18)

    class Meta:
        model = RainDewStudent
        formfield_callback = formfield_for
        fields = ["id_number", "school", "level", "enrolled_year", "school_year", "subsidy"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subsidy"].min_value = ONE_CENT

    def clean(self):
        data = super().clean()
        self._member(data)
        return data


class ReliefForm(_MemberMixin, _ItemForm):
    register = "relief"
    id_number = forms.CharField(label=_("Patient's ID number"), max_length=18)

    class Meta:
        model = HealthRelief
        formfield_callback = formfield_for
        fields = [
            "id_number",
            "year",
            "illness",
            "hospital",
            "admitted_on",
            "expenses",
            "basic_insurance",
            "serious_illness_insurance",
            "relief",
        ]
        widgets = {"admitted_on": _date_widget()}

    def clean(self):
        data = super().clean()
        self._member(data)
        money = ("expenses", "basic_insurance", "serious_illness_insurance", "relief")
        if all(data.get(k) is not None for k in money):
            if any(data[k] < 0 for k in money):
                raise forms.ValidationError(_("An amount cannot be negative."))
            if sum(data[k] for k in money[1:]) > data["expenses"]:
                raise forms.ValidationError(
                    _("Reimbursements and relief cannot exceed the expenses.")
                )
        return data


class TrainingForm(CrispyMixin, forms.ModelForm):
    class Meta:
        model = TrainingSession
        formfield_callback = formfield_for
        fields = ["village", "title", "skill", "organiser", "starts_on", "ends_on"]
        widgets = {"starts_on": _date_widget(), "ends_on": _date_widget()}

    def __init__(self, *args, villages, townships, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages
        self.townships = townships
        if townships.count() > 1:
            self.fields["township"] = forms.ModelChoiceField(
                label=_("Township"), queryset=townships, required=False
            )
        self._helper()

    def clean(self):
        data = super().clean()
        village = data.get("village")
        township = village.township if village else data.get("township")
        if township is None:
            township = self.townships.first() if self.townships.count() == 1 else None
        if township is None:
            raise forms.ValidationError(_("Choose the village or the township of the session."))
        data["township"] = township
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("A session ends on or after the day it starts."))
        return data


class AttendanceForm(CrispyMixin, forms.ModelForm):
    id_number = forms.CharField(label=_("Trainee's ID number"), max_length=18)

    class Meta:
        model = TrainingAttendance
        formfield_callback = formfield_for
        fields = ["completed", "outcome", "employer", "monthly_wage"]

    def __init__(self, *args, households, **kwargs):
        super().__init__(*args, **kwargs)
        self.households = households
        self.order_fields(["id_number", *self.Meta.fields])
        self._helper()

    def clean_id_number(self):
        member = member_by_id_number(self.households, self.cleaned_data["id_number"])
        if member is None:
            raise forms.ValidationError(_("No member of a household in your area has this ID."))
        self.cleaned_data["member"] = member
        return self.cleaned_data["id_number"]


class EnterpriseForm(CrispyMixin, forms.ModelForm):
    class Meta:
        model = Enterprise
        formfield_callback = formfield_for
        fields = ["township", "name", "kind", "industry", "legal_person", "phone"]

    def __init__(self, *args, townships, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["township"].queryset = townships
        if townships.count() == 1:
            self.fields["township"].initial = townships.first()
        self._helper()


class ContractForm(CrispyMixin, forms.ModelForm):
    card_number = forms.CharField(label=_("Archive card number"), max_length=16)

    class Meta:
        model = DividendContract
        formfield_callback = formfield_for
        fields = [
            "basis",
            "invested",
            "annual_dividend",
            "signed_on",
            "start_year",
            "end_year",
        ]
        widgets = {"signed_on": _date_widget()}

    def __init__(self, *args, households, **kwargs):
        super().__init__(*args, **kwargs)
        self.households = households
        self.fields["annual_dividend"].min_value = ONE_CENT
        self.fields["invested"].min_value = 0
        self.order_fields(["card_number", *self.Meta.fields])
        self._helper()

    def clean_card_number(self):
        number = self.cleaned_data["card_number"].strip()
        household = self.households.filter(card_number=number).first()
        if household is None:
            raise forms.ValidationError(_("No household with this card number in your area."))
        self.cleaned_data["household"] = household
        return number

    def clean(self):
        data = super().clean()
        if (
            data.get("start_year")
            and data.get("end_year")
            and data["end_year"] < data["start_year"]
        ):
            self.add_error("end_year", _("The last year cannot come before the first."))
        return data


class DividendPayForm(CrispyMixin, forms.Form):
    year = WholeNumberField(label=_("For the year"), min_value=2000, max_value=2100)
    paid_on = PlausibleDateField(
        label=_("Paid on"), widget=_date_widget(), initial=datetime.date.today
    )
    amount = AmountField(
        label=_("Amount (yuan)"), max_digits=12, decimal_places=2, min_value=ONE_CENT
    )
    voucher = forms.CharField(label=_("Voucher number"), max_length=40)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._helper()

    def clean_paid_on(self):
        day = self.cleaned_data["paid_on"]
        if day > datetime.date.today():
            raise forms.ValidationError(_("A payment cannot be in the future."))
        return day
