import datetime
from decimal import Decimal

from crispy_forms.helper import FormHelper
from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from assistance.models import (
    AssistancePlan,
    Fund,
    LedgerEntry,
    Loan,
    MeasureKind,
    PlanItem,
    Project,
)
from assistance.register_selectors import item_choices, item_label
from township.formfields import (
    AmountField,
    ChoicesByIdField,
    PlausibleDateField,
    WholeNumberField,
    formfield_for,
)
from township.uploads import evidence_checked
from township.widgets import SearchSelect

DATE = {"type": "date"}
ONE_CENT = Decimal("0.01")


def _date_widget():
    return forms.DateInput(attrs=DATE, format="%Y-%m-%d")


def offer_items(form, name: str, items, search_url: str) -> None:
    """Make ``name`` a plan-item field over ``items`` that offers the chosen item and the
    first few, with a search box asking ``search_url`` for the others: a county's items run
    to thousands. Any of ``items`` is accepted."""
    field = form.fields[name]
    field.queryset = items
    field.label_from_instance = item_label
    chosen = form.data.get(form.add_prefix(name)) if form.is_bound else form.initial.get(name)
    field.widget.choices = item_choices(items, chosen)
    field.widget.search_url = search_url
    field.widget.search_label = _("Find by head, village, card number or measure")


def fund_items(fund: Fund):
    """The plan items a fund's money may be allocated to: its township's open items of its
    year (a fund is the township's, whoever allocates)."""
    return (
        PlanItem.objects.unscoped("a fund's money goes to its township's plan items")
        .filter(
            plan__household__village__township=fund.township,
            plan__year=fund.year,
            status=PlanItem.Status.OPEN,
        )
        .select_related("plan__household__village")
        .order_by("plan__household__village__code", "plan__household__head_name", "pk")
    )


class CrispyMixin:
    def _helper(self):
        self.helper = FormHelper()
        self.helper.form_tag = False


class PairingForm(CrispyMixin, forms.Form):
    cadre = forms.ModelChoiceField(label=_("Pairing cadre"), queryset=None)
    start_date = PlausibleDateField(label=_("From"), future_days=31, initial=datetime.date.today)
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(self, *args, cadres, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cadre"].queryset = cadres
        self._helper()


class WorkloadFilterForm(forms.Form):
    """Which cadres the workload page lists: a name (or username, phone) and a township."""

    q = forms.CharField(label=_("Name or phone"), required=False, max_length=50, strip=True)
    township = forms.ModelChoiceField(
        label=_("Township"), required=False, queryset=None, empty_label=_("All townships")
    )

    def __init__(self, *args, townships, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["township"].queryset = townships


class BulkReassignForm(CrispyMixin, forms.Form):
    to_cadre = forms.ModelChoiceField(label=_("New pairing cadre"), queryset=None)
    households = ChoicesByIdField(
        label=_("Households"), queryset=None, widget=forms.CheckboxSelectMultiple
    )
    start_date = PlausibleDateField(label=_("From"), future_days=31, initial=datetime.date.today)
    reason = forms.CharField(
        label=_("Reason"), max_length=200, initial=_("The cadre left the post.")
    )

    def __init__(self, *args, cadres, households, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_cadre"].queryset = cadres
        self.fields["households"].queryset = households
        self.fields["households"].label_from_instance = lambda h: (
            f"{h.village.name} {h.card_number}"
        )
        self.initial.setdefault("households", list(households))
        self._helper()


class PlanForm(CrispyMixin, forms.ModelForm):
    class Meta:
        model = AssistancePlan
        formfield_callback = formfield_for
        fields = ["year", "cadre", "target_income", "required_visits"]

    def __init__(self, *args, cadres, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cadre"].queryset = cadres
        self.fields["target_income"].min_value = 0
        self._helper()


class PlanItemForm(CrispyMixin, forms.ModelForm):
    class Meta:
        model = PlanItem
        formfield_callback = formfield_for
        fields = ["kind", "description", "planned_amount", "due_date", "responsible"]
        widgets = {"due_date": _date_widget()}

    def __init__(self, *args, cadres, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].queryset = MeasureKind.objects.filter(is_active=True).order_by("order")
        self.fields["responsible"].queryset = cadres
        # A measure is due within its plan's year, which may be next year.
        self.fields["due_date"].future_days = 2 * 366
        self._helper()


BEYOND_PLAN_LABEL = _(
    "I confirm delivering more than the planned amount (flagged in the reconciliation reports)"
)


class DeliveryForm(CrispyMixin, forms.Form):
    delivered_on = PlausibleDateField(label=_("Date delivered"), initial=datetime.date.today)
    amount = AmountField(label=_("Amount (yuan)"), decimal_places=2, max_digits=12, initial=0)
    quantity = forms.CharField(
        label=_("Quantity"), max_length=50, required=False, help_text=_("E.g. 20 chicks, 3 days.")
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
    evidence = forms.FileField(label=_("Evidence (photo or PDF)"), required=False)
    allocation = forms.ModelChoiceField(
        label=_("Paid from the allocation"),
        queryset=LedgerEntry.objects.none(),
        required=False,
        help_text=_("Money from a fund: the allocation that pays it, with the voucher below."),
    )
    voucher = forms.CharField(
        label=_("Voucher number of the payment"), max_length=40, required=False
    )
    beyond_plan = forms.BooleanField(label=BEYOND_PLAN_LABEL, required=False)
    completes = forms.BooleanField(label=_("This completes the item"), required=False)

    def __init__(self, *args, allocations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.allocations = list(allocations) if allocations is not None else []
        if self.allocations:
            self.fields["allocation"].queryset = LedgerEntry.objects.inside(
                pk__in=self.allocations  # rows the caller holds (the item's allocations)
            ).select_related("fund")
            left = {a.pk: a.remaining for a in self.allocations}
            self.fields["allocation"].label_from_instance = lambda e: (
                _("%(fund)s · voucher %(voucher)s · %(left)s yuan left")
                % {"fund": e.fund.name, "voucher": e.voucher, "left": left.get(e.pk)}
            )
        else:
            del self.fields["allocation"], self.fields["voucher"]
        self._helper()

    def clean_delivered_on(self):
        day = self.cleaned_data["delivered_on"]
        if day > datetime.date.today():
            raise forms.ValidationError(_("A delivery cannot be in the future."))
        return day

    def clean_evidence(self):
        upload = self.cleaned_data.get("evidence")
        if not upload:
            return None
        if upload.size > settings.BANGFU_PHOTO_MAX_BYTES:
            raise forms.ValidationError(_("The file is too large."))
        # Judged by its content: a PDF kept, a photo re-encoded; the name is ours.
        return evidence_checked(upload)

    def clean(self):
        data = super().clean()
        if not data.get("amount") and not data.get("quantity"):
            raise forms.ValidationError(_("Give the amount or the quantity delivered."))
        # Money allocated to this item is paid through the ledger: the delivery names it.
        if self.allocations and data.get("amount") and not data.get("allocation"):
            self.add_error(
                "allocation",
                _("Money for this measure is allocated: name the allocation paying it."),
            )
        if data.get("allocation") and not data.get("voucher", "").strip():
            self.add_error("voucher", _("Give the voucher number of the payment."))
        return data


class CancelForm(CrispyMixin, forms.Form):
    reason = forms.CharField(label=_("Reason for cancelling"), max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._helper()


class ProjectForm(CrispyMixin, forms.ModelForm):
    class Meta:
        model = Project
        formfield_callback = formfield_for
        fields = [
            "name",
            "kind",
            "year",
            "villages",
            "budget",
            "implementing_unit",
            "benefit_mechanism",
            "performance_target",
        ]
        widgets = {
            "villages": forms.CheckboxSelectMultiple,
            "benefit_mechanism": forms.Textarea(attrs={"rows": 2}),
            "performance_target": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, villages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["villages"].queryset = villages
        self.fields["budget"].min_value = ONE_CENT
        self._helper()

    def clean_villages(self):
        villages = self.cleaned_data["villages"]
        if len({v.township_id for v in villages}) > 1:
            raise forms.ValidationError(_("A project's villages are in one township."))
        return villages


class BeneficiaryForm(CrispyMixin, forms.Form):
    card_number = forms.CharField(label=_("Archive card number"), max_length=16)
    how = forms.CharField(label=_("How the household benefits"), max_length=200)
    added_on = PlausibleDateField(
        label=_("Added on"), widget=_date_widget(), initial=datetime.date.today, required=False
    )

    def __init__(self, *args, households, **kwargs):
        super().__init__(*args, **kwargs)
        self.households = households
        self._helper()

    def clean_card_number(self):
        number = self.cleaned_data["card_number"].strip()
        household = self.households.filter(card_number=number).first()
        if household is None:
            raise forms.ValidationError(_("No household with this card number in your area."))
        self.cleaned_data["household"] = household
        return number


class FundForm(CrispyMixin, forms.ModelForm):
    class Meta:
        model = Fund
        formfield_callback = formfield_for
        fields = ["township", "name", "source", "year", "purpose"]

    def __init__(self, *args, townships, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["township"].queryset = townships
        if townships.count() == 1:
            self.fields["township"].initial = townships.first()
        self._helper()


def allocation_label(entry: LedgerEntry) -> str:
    """An allocation as its payers know it: voucher, purpose, amount, and what it is for
    (the project, or the household by its head and village)."""
    target = entry.project.name if entry.project_id else ""
    if entry.plan_item_id:
        target = str(entry.plan_item.plan.household)
    return " · ".join(p for p in (entry.voucher, entry.purpose, str(entry.amount), target) if p)


class EntryForm(CrispyMixin, forms.Form):
    KINDS = [(k, label) for k, label in LedgerEntry.Kind.choices if k != LedgerEntry.Kind.REVERSAL]

    kind = forms.ChoiceField(label=_("Kind"), choices=KINDS)
    voucher = forms.CharField(label=_("Voucher number"), max_length=40)
    entry_date = PlausibleDateField(label=_("Date"), initial=datetime.date.today)
    amount = AmountField(
        label=_("Amount (yuan)"), max_digits=14, decimal_places=2, min_value=ONE_CENT
    )
    purpose = forms.CharField(label=_("Purpose"), max_length=200)
    project = forms.ModelChoiceField(
        label=_("Project (for an allocation)"), queryset=None, required=False
    )
    plan_item = forms.ModelChoiceField(
        label=_("Household measure (for an allocation)"),
        queryset=None,
        required=False,
        widget=SearchSelect,
    )
    allocation = forms.ModelChoiceField(
        label=_("Against allocation (for a disbursement)"), queryset=None, required=False
    )

    def __init__(self, *args, fund, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = (
            Project.objects.filter(township=fund.township)
            .unscoped("a fund's money goes to its township's projects")
            .order_by("-year", "name")
        )
        # People know a household by its head and village: "2025 · 王大山 · 新田村 · 5203… · 鸡苗".
        offer_items(
            self,
            "plan_item",
            fund_items(fund),
            reverse("assistance:entry_item_options", args=[fund.pk]),
        )
        # A loan's money is paid from the loan's page, which marks what it paid for.
        self.fields["allocation"].queryset = (
            fund.entries.filter(
                kind=LedgerEntry.Kind.ALLOCATION, reversed_by__isnull=True, loan__isnull=True
            )
            .select_related("project", "plan_item__plan__household__village")
            .order_by("entry_date", "pk")
        )
        self.fields["allocation"].label_from_instance = allocation_label
        self._helper()

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == LedgerEntry.Kind.ALLOCATION and bool(data.get("project")) == bool(
            data.get("plan_item")
        ):
            raise forms.ValidationError(
                _("Allocate either to a project or to a household's measure.")
            )
        if kind == LedgerEntry.Kind.DISBURSEMENT and not data.get("allocation"):
            self.add_error("allocation", _("A disbursement is made against an allocation."))
        return data


class ReverseForm(CrispyMixin, forms.Form):
    voucher = forms.CharField(label=_("Voucher number of the reversal"), max_length=40)
    entry_date = PlausibleDateField(label=_("Date"), initial=datetime.date.today)
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._helper()


class LoanForm(CrispyMixin, forms.ModelForm):
    card_number = forms.CharField(label=_("Borrower's archive card number"), max_length=16)

    class Meta:
        model = Loan
        formfield_callback = formfield_for
        fields = [
            "bank",
            "principal",
            "disbursed_on",
            "term_months",
            "annual_rate",
            "subsidy_fund",
            "risk_fund",
            "purpose",
        ]
        widgets = {"disbursed_on": _date_widget()}

    def __init__(self, *args, households, funds, **kwargs):
        super().__init__(*args, **kwargs)
        self.households = households
        self.fields["subsidy_fund"].queryset = funds
        self.fields["risk_fund"].queryset = funds
        self.fields["principal"].min_value = ONE_CENT
        self.order_fields(["card_number", *self.Meta.fields])
        self._helper()

    def clean(self):
        from assistance.services import loan_policy_problems

        data = super().clean()
        needed = ("disbursed_on", "principal", "term_months", "annual_rate")
        if all(data.get(name) is not None for name in needed):
            for problem in loan_policy_problems(**{name: data[name] for name in needed}):
                self.add_error(None, problem)
        return data

    def clean_card_number(self):
        number = self.cleaned_data["card_number"].strip()
        household = self.households.filter(card_number=number).first()
        if household is None:
            raise forms.ValidationError(_("No household with this card number in your area."))
        self.cleaned_data["household"] = household
        return number


class NoticeForm(forms.Form):
    posted_from = PlausibleDateField(
        label=_("Posted from"), future_days=60, initial=datetime.date.today
    )
    days = WholeNumberField(
        label=_("Days posted"),
        min_value=10,
        max_value=90,
        initial=10,
        help_text=_("At least 10 days."),
    )
    contact = forms.CharField(label=_("Contact for complaints"), max_length=100, required=False)

    def clean(self):
        data = super().clean()
        if data.get("posted_from") and data.get("days"):
            data["posted_until"] = data["posted_from"] + datetime.timedelta(days=data["days"])
        return data

    @staticmethod
    def defaults() -> dict:
        today = datetime.date.today()
        return {
            "posted_from": today,
            "days": 10,
            "contact": "",
            "posted_until": today + datetime.timedelta(days=10),
        }


class RepaymentForm(forms.Form):
    """A repayment of the loan marked paid, on a day (today unless given)."""

    repayment = forms.ModelChoiceField(queryset=None)
    paid_on = PlausibleDateField(required=False)

    def __init__(self, *args, loan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["repayment"].queryset = loan.repayments.all()

    def clean_paid_on(self):
        return self.cleaned_data["paid_on"] or datetime.date.today()


class StageNoteForm(forms.Form):
    note = forms.CharField(required=False, max_length=200)


class PeriodForm(forms.Form):
    """The window of a reconciliation: both ends, or the whole year."""

    start = PlausibleDateField(future_days=366)
    end = PlausibleDateField(future_days=366)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError(_("The period ends before it starts."))
        return data


class InitialKindForm(forms.Form):
    """The kind a link asks a new entry or item to start with (`?kind=`); invalid: none."""

    kind = forms.CharField(required=False, max_length=40)
