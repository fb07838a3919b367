import datetime
import functools
import re

from crispy_forms.helper import FormHelper
from django import forms
from django.conf import settings
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from households.models import (
    Hardship,
    Household,
    HouseholdIncome,
    Member,
    MonitoringCase,
    PovertyCause,
    Visit,
)
from households.services import PhotoUpload
from township.formfields import (
    AmountField,
    PlausibleDateField,
    WholeNumberField,
    YearField,
    formfield_for,
)
from township.forms import named_choices
from township.models import StaffProfile, Township
from township.uploads import photo_reencoded
from township.widgets import QuickNumberInput, QuickSelect, QuickTextInput


class HouseholdFilterForm(forms.Form):
    """Search, filters and sort of the household list; everything optional."""

    SORTS = [
        ("card", _("Card number")),
        ("head", _("Head of household")),
        ("last_visit", _("Longest without a visit")),
        ("village", _("Village")),
    ]

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=50,
        widget=QuickTextInput(
            attrs={"placeholder": _("Name, ID number or its last digits, phone"), "type": "search"}
        ),
    )
    township = forms.ModelChoiceField(
        label=_("Township"), queryset=None, required=False, widget=QuickSelect
    )
    village = forms.ModelChoiceField(
        label=_("Village"), queryset=None, required=False, widget=QuickSelect
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        widget=QuickSelect,
        choices=[
            ("", _("All statuses")),
            ("registered", _("In the register (not yet, already or again poor)")),
            ("remaining", _("Poor now (not yet out, or returned)")),
            *Household.Status.choices,
        ],
    )
    exit_year = YearField(label=_("Out of poverty in the year"), required=False)
    attribute = forms.ChoiceField(
        label=_("Attribute"),
        required=False,
        widget=QuickSelect,
        choices=[("", _("All attributes")), *Household.Attribute.choices],
    )
    cause = forms.ChoiceField(
        label=_("Cause of poverty"),
        required=False,
        widget=QuickSelect,
        choices=[("", _("All causes")), *PovertyCause.choices],
    )
    cadre = forms.ModelChoiceField(
        label=_("Pairing cadre"), queryset=None, required=False, widget=QuickSelect
    )
    no_visit_days = WholeNumberField(
        label=_("No visit for more than (days)"),
        required=False,
        min_value=1,
        max_value=3650,
        widget=QuickNumberInput,
    )
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORTS, widget=QuickSelect)

    def clean_q(self):
        from households.audit import is_full_id_number

        q = self.cleaned_data["q"]
        if is_full_id_number(q):
            # A whole ID number in a web address ends up in logs and browser history.
            raise forms.ValidationError(
                _("Search a whole ID number with the box “Find by ID number”."), code="full_id"
            )
        return q

    def __init__(self, *args, villages, cadres, townships=None, names=None, **kwargs):
        """``cadres``: a function giving the cadres the list may be filtered by, called
        only when the form is sent one to check (building that query, through the
        pairings, cost more than the rest of the form). ``names``: the places' (id, name)
        pairs to offer, as ``place_names`` keeps them (the same places as ``villages`` and
        ``townships``, which check what is sent); without it they are read when the
        selects are drawn."""
        super().__init__(*args, **kwargs)
        # Offered to a county's users: the county home links each township's figures here.
        if townships is None:
            townships = Township.objects.none()
        self.fields["township"].queryset = townships
        self.fields["village"].queryset = villages
        # Offered as (id, name) pairs, read when the select is drawn: a county's 240
        # villages as model objects cost more than the rest of the page.
        self.fields["township"].widget.choices = named_choices(
            _("All townships"),
            names["township"] if names else townships.values_list("pk", "name"),
        )
        self.fields["village"].widget.choices = named_choices(
            _("All villages"), names["village"] if names else villages.values_list("pk", "name")
        )
        asked = self.is_bound and self.data.get(self.add_prefix("cadre"))
        self.fields["cadre"].queryset = cadres() if asked else StaffProfile.objects.none()
        self.fields["cadre"].empty_label = _("All cadres")
        # A county has thousands of cadres: the list offers the chosen one only, and the
        # search box beside it asks for others (households:cadre_options).
        self.fields["cadre"].widget.choices = functools.cache(self._cadre_choices)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def _cadre_choices(self) -> list[tuple]:
        """The empty choice and the chosen cadre: the one the form's check found in scope
        (read once, not again for the select)."""
        cadre = (
            self.cleaned_data.get("cadre")
            if self.is_bound and not self.errors.get("cadre")
            else None
        )
        return [("", _("All cadres")), *([(cadre.pk, cadre.name)] if cadre else [])]


class HouseholdForm(forms.ModelForm):
    """The card's household fields, its causes of poverty and the version it was opened at."""

    main_cause = forms.ChoiceField(label=_("Main cause of poverty"), choices=PovertyCause.choices)
    other_causes = forms.MultipleChoiceField(
        label=_("Other causes"),
        choices=PovertyCause.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    version = WholeNumberField(widget=forms.HiddenInput, required=False, min_value=0)
    # Only when the card is made: where the household stands in the register.
    initial_status = forms.ChoiceField(
        label=_("The household is"),
        choices=[
            (Household.Status.APPLICANT, _("applying: walk it through identification")),
            (Household.Status.POOR, _("registered, not yet out of poverty")),
            (Household.Status.EXITED, _("registered and already out of poverty")),
        ],
        initial=Household.Status.POOR,
    )
    exit_year = YearField(
        label=_("Year out of poverty"),
        required=False,
        future_years=0,
        help_text=_("For a household that left poverty before it was entered here."),
    )
    exited_on = PlausibleDateField(
        label=_("Date of the exit (if known)"),
        required=False,
        help_text=_("Otherwise 31 December of that year."),
    )
    exit_note = forms.CharField(
        label=_("Evidence of the exit"),
        required=False,
        max_length=200,
        help_text=_("E.g. the county's approval document number."),
    )

    class Meta:
        model = Household
        formfield_callback = formfield_for
        fields = [
            "village",
            "group_name",
            "address",
            "phone",
            "bank_name",
            "bank_account",
            "attribute",
            "year_identified",
            "housing",
            "no_worry_food",
            "no_worry_clothing",
            "water_safe",
            "road_distance_km",
            "farmland_mu",
            "forest_mu",
        ]

    def __init__(self, *args, villages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages
        self.fields["road_distance_km"].min_value = 0
        if self.instance.pk:
            causes = list(self.instance.causes.all())
            self.initial.setdefault(
                "main_cause", next((c.cause for c in causes if c.is_main), None)
            )
            self.initial.setdefault("other_causes", [c.cause for c in causes if not c.is_main])
            self.initial["version"] = self.instance.version
        if self.instance.pk:
            for name in ("initial_status", "exit_year", "exited_on", "exit_note"):
                del self.fields[name]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean_year_identified(self):
        year = self.cleaned_data["year_identified"]
        if year is not None and not 2000 <= year <= datetime.date.today().year:
            raise forms.ValidationError(_("The year identified is between 2000 and this year."))
        return year

    def clean(self):
        data = super().clean()
        for name in ("road_distance_km", "farmland_mu", "forest_mu"):
            value = data.get(name)
            if value is not None and value < 0:
                self.add_error(name, _("This cannot be negative."))
        if data.get("initial_status") == Household.Status.EXITED:
            data["exited_on"] = self._exit_date(data)
        elif "initial_status" in self.fields:
            data["exited_on"] = None
        return data

    def _exit_date(self, data) -> datetime.date | None:
        """The exit of a household entered as already out of poverty: its date, or
        31 December of its year; between the year identified and today."""
        from households.services import historical_exit_date

        year, day = data.get("exit_year"), data.get("exited_on")
        identified = data.get("year_identified")
        if "exit_year" in self.errors or "exited_on" in self.errors:
            return None
        if year is None and day is None:
            self.add_error("exit_year", _("Give the year the household left poverty."))
            return None
        if year is not None and year > datetime.date.today().year:
            self.add_error("exit_year", _("The exit cannot be in the future."))
            return None
        if day is None:
            day = historical_exit_date(year)
        if year is not None and day.year != year:
            self.add_error("exited_on", _("The date is not in the year given."))
        elif day > datetime.date.today():
            self.add_error("exited_on", _("The exit cannot be in the future."))
        elif identified and day.year < identified:
            self.add_error("exit_year", _("The exit cannot come before the year identified."))
        return day


class ExitDateForm(forms.Form):
    """Correct the date of an exit entered from earlier records."""

    exited_on = PlausibleDateField(label=_("Date out of poverty"))
    reason = forms.CharField(label=_("Why it is corrected"), max_length=100)


# What the members form edits; the formset adds its own `id` and `household` fields.
MEMBER_FIELDS = (
    "name",
    "id_number",
    "sex",
    "relation",
    "ethnicity",
    "education",
    "schooling",
    "health",
    "disability_grade",
    "labour",
    "migrant_months",
    "skills",
    "medical_insurance",
    "pension_insurance",
    "is_active",
    "left_on",
    "left_reason",
)


ELSEWHERE_MESSAGE = _(
    "This ID number is already registered in a household outside your area: ask the township."
)


class MemberForm(forms.ModelForm):
    class Meta:
        model = Member
        formfield_callback = formfield_for
        fields = list(MEMBER_FIELDS)
        widgets = {"left_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["id_number"].widget.attrs.update(
            {"autocomplete": "off", "inputmode": "text", "maxlength": 18, "class": "id-number"}
        )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean_id_number(self):
        from households.selectors import id_number_holders

        value = self.cleaned_data["id_number"]
        holders = id_number_holders(
            self.user, [value], exclude_household=self.instance.household_id
        )
        if value not in holders:
            return value
        household = holders[value]
        if household is None:  # outside the user's scope: say that, not where
            raise forms.ValidationError(ELSEWHERE_MESSAGE, code="id_elsewhere")
        raise forms.ValidationError(
            format_html(
                '{} <a href="{}">{} {}</a>',
                _("This person is already a member of another household:"),
                reverse("households:detail", args=[household.pk]),
                household.village.name,
                household.card_number,
            ),
            code="id_elsewhere",
        )

    def validate_constraints(self, exclude=None):
        # The one-household rule is checked above with a link; the one-head rule by the
        # formset, which sees all rows at once.
        pass


class BaseMemberFormSet(BaseInlineFormSet):
    def __init__(self, *args, instance=None, queryset=None, **kwargs):
        if queryset is None:  # the card's own members: rows under a card already in scope
            saved = instance is not None and instance.pk is not None
            queryset = instance.members.all() if saved else Member.objects.none()
        super().__init__(*args, instance=instance, queryset=queryset, **kwargs)

    def add_fields(self, form, index):
        super().add_fields(form, index)
        # A posted member id is one of this card's members, not any member's.
        form.fields[self._pk_field.name].queryset = self.get_queryset()

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        ids, heads = set(), 0
        for form in self.forms:
            data = form.cleaned_data
            if not data or (not form.has_changed() and not form.instance.pk):
                continue
            id_number, relation, active = (
                data["id_number"],
                data.get("relation"),
                data.get("is_active"),
            )
            if id_number in ids:
                form.add_error("id_number", _("The same ID number is entered twice."))
            ids.add(id_number)
            if active and relation == Member.Relation.HEAD:
                heads += 1
        if heads != 1:
            raise forms.ValidationError(_("A household has exactly one head among its members."))


MemberFormSet = inlineformset_factory(
    Household,
    Member,
    form=MemberForm,
    formset=BaseMemberFormSet,
    extra=0,
    can_delete=False,
    min_num=1,
    validate_min=True,
)


class IncomeForm(forms.ModelForm):
    """A year's income, transfer income in its parts (转移性收入构成). Contract dividends are
    entered as dividend payments (they are the property income they add up to), so the form
    edits the rest of property income and shows the dividends beside it."""

    property_other = AmountField(
        label=_("property income (rents, land transfer, interest)"),
        max_digits=12,
        decimal_places=2,
        initial=0,
    )
    transfer_other = AmountField(
        label=_("other transfers (subsidies and the rest)"),
        max_digits=12,
        decimal_places=2,
        initial=0,
    )
    PARTS = ["transfer_dibao", "transfer_pension", "transfer_ecological", "transfer_dividends"]
    MONEY = [
        "wage_income",
        "business_income",
        "property_other",
        *PARTS,
        "transfer_other",
        "production_cost",
    ]

    class Meta:
        model = HouseholdIncome
        formfield_callback = formfield_for
        fields = [
            "year",
            "members_count",
            "wage_income",
            "business_income",
            "transfer_dibao",
            "transfer_pension",
            "transfer_ecological",
            "transfer_dividends",
            "production_cost",
        ]

    def __init__(self, *args, household, **kwargs):
        super().__init__(*args, **kwargs)
        self.household = household
        if self.instance.pk:
            self.initial.setdefault("property_other", self.instance.property_other)
            self.initial.setdefault("transfer_other", self.instance.transfer_other)
        if self.instance.property_dividends:
            self.fields["property_other"].help_text = _(
                "Plus %(amount)s yuan of contract dividends recorded as payments."
            ) % {"amount": self.instance.property_dividends}
        self.order_fields(["year", "members_count", *self.MONEY])
        for name in self.MONEY:
            self.fields[name].min_value = 0
            self.fields[name].widget.attrs.update(
                {"min": "0", "step": "0.01", "inputmode": "decimal"}
            )
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_year(self):
        year = self.cleaned_data["year"]
        if not 2000 <= year <= datetime.date.today().year:
            raise forms.ValidationError(_("The year is between 2000 and this year."))
        taken = HouseholdIncome.objects.filter(household=self.household, year=year)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(
                _("This year's income is already recorded: edit it instead.")
            )
        return year

    def clean(self):
        data = super().clean()
        for name in self.MONEY:
            value = data.get(name)
            if value is not None and value < 0:
                self.add_error(name, _("An amount cannot be negative."))
        if all(data.get(name) is not None for name in self.MONEY):
            # The stored totals the parts add up to (what net income is computed from).
            data["transfer_income"] = sum(data[name] for name in [*self.PARTS, "transfer_other"])
            data["property_income"] = data["property_other"] + self.instance.property_dividends
            self.instance.transfer_income = data["transfer_income"]
            self.instance.property_income = data["property_income"]
        data.pop("transfer_other", None)
        data.pop("property_other", None)
        return data


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos in one field, each re-encoded from its content (township/uploads.py)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget",
            MultipleFileInput(
                attrs={"accept": "image/jpeg,image/png,image/webp", "capture": "environment"}
            ),
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        if len(files) > settings.BANGFU_VISIT_PHOTOS_MAX:
            raise forms.ValidationError(
                _("At most %(n)d photos a visit.") % {"n": settings.BANGFU_VISIT_PHOTOS_MAX}
            )
        cleaned = []
        for upload in files:
            if upload.size > settings.BANGFU_PHOTO_MAX_BYTES:
                raise forms.ValidationError(
                    _("%(name)s is larger than %(mb)d MB.")
                    % {"name": upload.name, "mb": settings.BANGFU_PHOTO_MAX_BYTES // (1024 * 1024)}
                )
            cleaned.append(photo_reencoded(upload))
        return cleaned


class TokensField(forms.Field):
    """The tokens a phone gave the photos it sends (several values of one name)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        values = value if isinstance(value, list | tuple) else ([value] if value else [])
        if len(values) > settings.BANGFU_VISIT_PHOTOS_MAX or any(len(v) > 64 for v in values):
            raise forms.ValidationError(_("These photos cannot be matched to the visit."))
        return [str(v) for v in values]


def photo_uploads(files: list, tokens: list[str]) -> list[PhotoUpload]:
    """The checked photos with the tokens the phone gave them, in the order sent.

    A token the phone did not send, or not in the form it makes (32 hex digits, dashes
    allowed), is left to the server to make.
    """
    clean = []
    for token in tokens:
        token = token.replace("-", "").lower()
        clean.append(token if re.fullmatch(r"[0-9a-f]{32}", token) else None)
    if len(clean) != len(files):
        clean = [None] * len(files)
    return [PhotoUpload(file=f, token=t) for f, t in zip(files, clean, strict=True)]


class VisitPhotosForm(forms.Form):
    """Photos added to a visit already saved."""

    photos = PhotosField(label=_("Photos"))
    photo_tokens = TokensField(required=False)


class VisitForm(forms.ModelForm):
    client_token = forms.UUIDField(widget=forms.HiddenInput, required=False)
    photo_tokens = TokensField(required=False)
    photos = PhotosField(label=_("Photos"), required=False)

    class Meta:
        model = Visit
        formfield_callback = formfield_for
        fields = [
            "visited_on",
            "kind",
            "findings",
            "help_given",
            "follow_up",
            "acknowledged",
            "acknowledged_by",
        ]
        widgets = {
            "visited_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "findings": forms.Textarea(attrs={"rows": 3}),
            "help_given": forms.Textarea(attrs={"rows": 2}),
            "follow_up": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_visited_on(self):
        day = self.cleaned_data["visited_on"]
        if day > datetime.date.today():
            raise forms.ValidationError(_("A visit cannot be in the future."))
        return day

    def clean(self):
        data = super().clean()
        if data.get("acknowledged") and not data.get("acknowledged_by"):
            self.add_error("acknowledged_by", _("Who in the household acknowledged the visit?"))
        return data


class HardshipForm(forms.Form):
    """A sudden severe hardship, recorded from the card's monitoring section."""

    kind = forms.ChoiceField(label=_("Kind"), choices=Hardship.Kind.choices)
    occurred_on = PlausibleDateField(label=_("Date"))
    note = forms.CharField(label=_("What happened"), max_length=200)


class MonitoringOpenForm(forms.Form):
    # Both are required by the service, which checks the user's role first.
    category = forms.ChoiceField(
        label=_("Category"), choices=MonitoringCase.Category.choices, required=False
    )
    reason = forms.CharField(label=_("Why"), max_length=200, required=False)


class MeasuresForm(forms.Form):
    measures = forms.CharField(label=_("Measures taken"), required=False, max_length=2000)


def chosen_option(queryset, value, empty_label, label) -> list[tuple]:
    """The choices of a large filter: the empty choice and the chosen object, if any."""
    choices = [("", empty_label)]
    if value and str(value).isdigit() and len(str(value)) < 19:
        chosen = queryset.filter(pk=value).first()
        if chosen is not None:
            choices.append((chosen.pk, label(chosen)))
    return choices


class OptionSearchForm(forms.Form):
    """What is typed into the search box of a large filter."""

    q = forms.CharField(required=False, max_length=50, strip=True)


class VisitorFilterForm(forms.Form):
    """Whose visits the visit list shows; empty for everyone's."""

    visitor = WholeNumberField(required=False, min_value=1)


class IdLookupForm(forms.Form):
    """A whole ID number to find its card (posted, never in the address)."""

    id_number = forms.CharField(
        label=_("Find by ID number"),
        max_length=18,
        widget=QuickTextInput(
            attrs={"autocomplete": "off", "class": "form-control id-number", "maxlength": 18}
        ),
    )

    def clean_id_number(self):
        from households.audit import is_full_id_number
        from township.validators import normalize_id_number

        value = normalize_id_number(self.cleaned_data["id_number"])
        if not is_full_id_number(value):
            raise forms.ValidationError(_("Enter a whole ID number (18 characters)."))
        return value


class ObjectionForm(forms.Form):
    """An objection received while a notice is up."""

    content = forms.CharField(max_length=500, required=False)
    objector = forms.CharField(max_length=100, required=False)


class ResolutionForm(forms.Form):
    resolution = forms.CharField(max_length=500, required=False)


class ProposalForm(forms.Form):
    """A proposal (a removal, a return to poverty) with its reason and explanation."""

    reason = forms.CharField(max_length=500, required=False)
    explanation = forms.CharField(max_length=1000, required=False)


class DecisionForm(forms.Form):
    """A decision on a proposal: approve or refuse, with a note."""

    decision = forms.ChoiceField(choices=[("approve", "approve"), ("refuse", "refuse")])
    note = forms.CharField(max_length=500, required=False)
