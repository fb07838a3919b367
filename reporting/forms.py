import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from reporting.models import ReportRun
from township.formfields import PlausibleDateField, YearField
from township.forms import named_choices
from township.widgets import QuickSelect


class ReportRequestForm(forms.Form):
    """What report, over which area, for which year; the choices follow the user's scope."""

    kind = forms.ChoiceField(
        label=_("Report"),
        widget=QuickSelect,
        # Project and fund notices are asked for from the project's and the fund's page.
        choices=[
            c
            for c in ReportRun.Kind.choices
            if c[0] not in (ReportRun.Kind.PROJECT_NOTICE, ReportRun.Kind.FUND_NOTICE)
        ],
    )
    year = YearField(label=_("Year"))
    # A county's 20 townships and 240 villages: written without a template per option.
    township = forms.ModelChoiceField(
        label=_("Township"), queryset=None, required=False, widget=QuickSelect
    )
    as_of = PlausibleDateField(
        label=_("Drawn up to"),
        required=False,
        future_days=366,
        help_text=_("Leave empty for the account's own day: 31 January, 30 June or 31 December."),
    )
    village = forms.ModelChoiceField(
        label=_("Village"),
        queryset=None,
        required=False,
        widget=QuickSelect,
        help_text=_("Leave empty for the whole township."),
    )
    whole_county = forms.BooleanField(
        label=_("The whole county, a township a part"),
        required=False,
        help_text=_(
            "Poverty-exit report and accounts only: every township's part in one PDF, "
            "with a table of contents."
        ),
    )
    contact = forms.CharField(
        label=_("Contact for objections (notices)"),
        max_length=100,
        required=False,
        help_text=_("Name and telephone printed on a notice; yours if left empty."),
    )

    def __init__(
        self,
        *args,
        villages,
        cadre_only: bool,
        townships=None,
        village_fixed=False,
        county_wide=False,
        names=None,
        **kwargs,
    ):
        """``names``: the places' (id, name) pairs as ``township.forms.place_names`` keeps
        them (the same villages as ``villages``, which checks what is sent); without it the
        villages are read when the select is drawn."""
        super().__init__(*args, **kwargs)
        if not county_wide:
            del self.fields["whole_county"]
        self.cadre_only = cadre_only
        self.village_fixed = village_fixed
        # A county administrator chooses the township; everyone else has one.
        if townships is not None and townships.count() > 1:
            self.fields["township"].queryset = townships
            # Required, unless the whole county is asked for (checked in clean()).
            self.fields["township"].required = not county_wide
            self.township_required = True
        else:
            del self.fields["township"]
        self.fields["year"].initial = datetime.date.today().year
        self.fields["village"].queryset = villages
        self.fields["village"].empty_label = _("The whole township")
        if names is not None:
            # A county's 240 villages as model objects cost most of the page.
            self.fields["village"].widget.choices = named_choices(
                _("The whole township"), names["village"]
            )
        if cadre_only:
            kinds = {
                ReportRun.Kind.YEAR_START,
                ReportRun.Kind.MID_YEAR,
                ReportRun.Kind.YEAR_END,
                ReportRun.Kind.CARDS,
            }
            self.fields["kind"].choices = [c for c in ReportRun.Kind.choices if c[0] in kinds]
            del self.fields["village"]
            del self.fields["contact"]
        for field in self.fields.values():
            if isinstance(field.widget, forms.CheckboxInput):
                field.widget.attrs.setdefault("class", "form-check-input")
                continue
            field.widget.attrs.setdefault(
                "class", "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            )

    township_required = False

    def clean(self):
        data = super().clean()
        if data.get("whole_county"):
            if data.get("kind") not in ReportRun.COUNTY_KINDS:
                self.add_error(
                    "whole_county",
                    _("Only the poverty-exit report and the accounts are built county-wide."),
                )
            elif data.get("village") or data.get("township"):
                self.add_error(
                    "whole_county", _("A county-wide report is for no one township or village.")
                )
        elif self.township_required and "township" in self.fields and not data.get("township"):
            self.add_error("township", _("Choose the township, or the whole county."))
        as_of, year = data.get("as_of"), data.get("year")
        if as_of and year and as_of.year != year:
            self.add_error("as_of", _("Choose a day of the report's year."))
        if (
            data.get("kind") in ReportRun.VILLAGE_NOTICES
            and not self.village_fixed
            and not data.get("village")
        ):
            self.add_error("village", _("A notice is for one village: choose it."))
        return data
