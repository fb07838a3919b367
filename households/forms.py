from django import forms
from django.utils.translation import gettext_lazy as _

from households.models import Household


class HouseholdFilterForm(forms.Form):
    """Search and filters of the household list; everything optional."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=50,
        widget=forms.TextInput(
            attrs={"placeholder": _("Name, ID number or its last digits, phone")}
        ),
    )
    village = forms.ModelChoiceField(label=_("Village"), queryset=None, required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *Household.Status.choices],
    )

    def __init__(self, *args, villages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages
        self.fields["village"].empty_label = _("All villages")
