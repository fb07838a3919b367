import datetime
import re

from crispy_forms.helper import FormHelper
from django import forms
from django.conf import settings
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from PIL import Image

from households.models import Household, HouseholdIncome, Member, PovertyCause, Visit
from households.services import PhotoUpload


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
        widget=forms.TextInput(
            attrs={"placeholder": _("Name, ID number or its last digits, phone"), "type": "search"}
        ),
    )
    village = forms.ModelChoiceField(label=_("Village"), queryset=None, required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *Household.Status.choices],
    )
    attribute = forms.ChoiceField(
        label=_("Attribute"),
        required=False,
        choices=[("", _("All attributes")), *Household.Attribute.choices],
    )
    cause = forms.ChoiceField(
        label=_("Cause of poverty"),
        required=False,
        choices=[("", _("All causes")), *PovertyCause.choices],
    )
    cadre = forms.ModelChoiceField(label=_("Pairing cadre"), queryset=None, required=False)
    no_visit_days = forms.IntegerField(
        label=_("No visit for more than (days)"), required=False, min_value=1, max_value=3650
    )
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORTS)

    def __init__(self, *args, villages, cadres, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages
        self.fields["village"].empty_label = _("All villages")
        self.fields["cadre"].queryset = cadres
        self.fields["cadre"].empty_label = _("All cadres")
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)


class HouseholdForm(forms.ModelForm):
    """The card's household fields, its causes of poverty and the version it was opened at."""

    main_cause = forms.ChoiceField(label=_("Main cause of poverty"), choices=PovertyCause.choices)
    other_causes = forms.MultipleChoiceField(
        label=_("Other causes"),
        choices=PovertyCause.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Household
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
            "education_guaranteed",
            "medical_guaranteed",
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
        return data


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


class MemberForm(forms.ModelForm):
    class Meta:
        model = Member
        fields = list(MEMBER_FIELDS)
        widgets = {"left_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["id_number"].widget.attrs.update(
            {"autocomplete": "off", "inputmode": "text", "maxlength": 18, "class": "id-number"}
        )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean_id_number(self):
        value = self.cleaned_data["id_number"]
        others = Member.objects.filter(id_number=value, is_active=True).select_related(
            "household__village"
        )
        if self.instance.household_id:
            others = others.exclude(household_id=self.instance.household_id)
        other = others.first()
        if other is not None:
            hh = other.household
            raise forms.ValidationError(
                format_html(
                    '{} <a href="{}">{} {}</a>',
                    _("This person is already a member of another household:"),
                    reverse("households:detail", args=[hh.pk]),
                    hh.village.name,
                    hh.card_number,
                ),
                code="id_elsewhere",
            )
        return value

    def validate_constraints(self, exclude=None):
        # The one-household rule is checked above with a link; the one-head rule by the
        # formset, which sees all rows at once.
        pass


class BaseMemberFormSet(BaseInlineFormSet):
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
    class Meta:
        model = HouseholdIncome
        fields = [
            "year",
            "members_count",
            "wage_income",
            "business_income",
            "property_income",
            "transfer_income",
            "production_cost",
        ]

    def __init__(self, *args, household, **kwargs):
        super().__init__(*args, **kwargs)
        self.household = household
        for name in self.Meta.fields[2:]:
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
        for name in self.Meta.fields[2:]:
            value = data.get(name)
            if value is not None and value < 0:
                self.add_error(name, _("An amount cannot be negative."))
        return data


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos in one field, each checked for type and size."""

    ALLOWED = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}

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
            try:
                with Image.open(upload) as image:
                    kind = image.format
                    image.verify()
            except Exception:
                kind = None
            if kind not in self.ALLOWED:
                raise forms.ValidationError(
                    _("%(name)s is not a JPEG, PNG or WebP photo.") % {"name": upload.name}
                )
            upload.seek(0)
            upload.content_type = self.ALLOWED[kind]
            cleaned.append(upload)
        return cleaned


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


class VisitForm(forms.ModelForm):
    client_token = forms.UUIDField(widget=forms.HiddenInput, required=False)
    photos = PhotosField(label=_("Photos"), required=False)

    class Meta:
        model = Visit
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
