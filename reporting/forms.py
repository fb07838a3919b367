import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from reporting.models import ReportRun
from township.formfields import YearField


class ReportRequestForm(forms.Form):
    """What report, over which area, for which year; the choices follow the user's scope."""

    kind = forms.ChoiceField(label=_("Report"), choices=ReportRun.Kind.choices)
    year = YearField(label=_("Year"))
    township = forms.ModelChoiceField(label=_("Township"), queryset=None, required=False)
    village = forms.ModelChoiceField(
        label=_("Village"),
        queryset=None,
        required=False,
        help_text=_("Leave empty for the whole township."),
    )

    def __init__(self, *args, villages, cadre_only: bool, townships=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.cadre_only = cadre_only
        # A county administrator chooses the township; everyone else has one.
        if townships is not None and townships.count() > 1:
            self.fields["township"].queryset = townships
            self.fields["township"].required = True
        else:
            del self.fields["township"]
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
