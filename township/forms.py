from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone

from township.formfields import YearField


def chosen_filters(form: forms.Form) -> dict:
    """What a list's filter form asks for: its filled-in values, none when it is invalid
    (the list is then shown unfiltered, the form's errors beside it)."""
    if not form.is_valid():
        return {}
    return {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}


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
