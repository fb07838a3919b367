import functools

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone

from township import figures_cache
from township.formfields import YearField
from township.models import Township, Village


def chosen_filters(form: forms.Form) -> dict:
    """What a list's filter form asks for: its filled-in values, none when it is invalid
    (the list is then shown unfiltered, the form's errors beside it)."""
    if not form.is_valid():
        return {}
    return {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}


def place_names(user) -> dict:
    """The (id, name) pairs of the townships and the villages in the user's scope, in code
    order, for filter lists: kept like the figures (per scope, until any write), so that a
    county's list does not read its 240 villages on every page."""

    def read() -> dict:
        return {
            "township": list(
                Township.objects.visible_to(user).order_by("code").values_list("pk", "name")
            ),
            "village": list(
                Village.objects.visible_to(user).order_by("code").values_list("pk", "name")
            ),
        }

    names, _computed_at = figures_cache.cached(
        "place-names", user, read, today=timezone.localdate()
    )
    return names


def named_choices(empty_label, pairs):
    """A select's choices: the empty one, then ``pairs`` ((id, name): kept names, or a
    ``values_list`` that runs only then), read once, when the select is drawn. For
    ``QuickSelect``, which takes them as given: model objects cost more than the page."""
    return functools.cache(lambda: [("", empty_label), *pairs])


class LoginForm(AuthenticationForm):
    """The login form; its fields get phone-friendly input hints."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(
            {"autocapitalize": "none", "autocomplete": "username"}
        )

    def clean_username(self):
        # AuthenticationForm sets max_length after its field is built, so nothing enforces
        # it: a 5,000-character name reached the login-attempt log and failed there (500).
        username = self.cleaned_data.get("username") or ""
        if len(username) > self.fields["username"].max_length:
            raise forms.ValidationError(
                self.error_messages["invalid_login"],
                code="invalid_login",
                params={"username": self.username_field.verbose_name},
            )
        return username


class YearForm(forms.Form):
    """The year a page or an export is about (`?year=`); this year when absent or invalid."""

    year = YearField(required=False)

    def year_or_this_year(self) -> int:
        if self.is_valid() and self.cleaned_data["year"]:
            return self.cleaned_data["year"]
        return timezone.localdate().year
