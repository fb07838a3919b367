import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from reporting.models import ReportRun


class ReportRequestForm(forms.Form):
    """What report, over which area, for which year; the choices follow the user's scope."""

    kind = forms.ChoiceField(label=_("Report"), choices=ReportRun.Kind.choices)
    year = forms.IntegerField(label=_("Year"), min_value=2014, max_value=2100)
    village = forms.ModelChoiceField(
        label=_("Village"),
        queryset=None,
        required=False,
        help_text=_("Leave empty for the whole township."),
    )

    def __init__(self, *args, villages, cadre_only: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.cadre_only = cadre_only
        self.fields["year"].initial = datetime.date.today().year
        self.fields["village"].queryset = villages
        self.fields["village"].empty_label = _("The whole township")
        if cadre_only:
            kinds = {
                ReportRun.Kind.YEAR_START,
                ReportRun.Kind.MID_YEAR,
                ReportRun.Kind.YEAR_END,
                ReportRun.Kind.CARDS,
            }
            self.fields["kind"].choices = [c for c in ReportRun.Kind.choices if c[0] in kinds]
            del self.fields["village"]
        for field in self.fields.values():
            field.widget.attrs.setdefault(
                "class", "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            )
