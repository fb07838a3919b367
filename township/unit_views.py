"""Help unit pages (帮扶单位): the unit, its cadres, its villages and its households' progress,
and the year's accounts built for the unit."""

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from assistance import selectors as assistance_selectors
from households import selectors as household_selectors
from households.models import Pairing
from reporting import services as reports
from reporting.models import ReportRun
from township import units
from township.access import Scope, profile_for, scope_for
from township.formfields import ChoicesByIdField, YearField
from township.models import County, HelpUnit, StaffProfile, Township
from township.scoping import get_unit_for

Role = StaffProfile.Role
REPORTERS = {Role.COUNTY_ADMIN, Role.LEADER, Role.TOWNSHIP_STAFF}


class HelpUnitForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=HelpUnit.Kind.choices)
    villages = ChoicesByIdField(
        label=gettext_lazy("Villages it is responsible for (包村)"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, county: County, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["villages"].queryset = units.villages_of_county(county).order_by("code")


class UnitReportForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Report"),
        choices=[c for c in ReportRun.Kind.choices if c[0] in ReportRun.ACCOUNTS],
    )
    year = YearField(label=gettext_lazy("Year"))
    township = forms.ModelChoiceField(label=gettext_lazy("Township"), queryset=None)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["township"].queryset = Township.objects.visible_to(user).order_by("code")
        self.fields["year"].initial = datetime.date.today().year
        for field in self.fields.values():
            field.widget.attrs["class"] = (
                "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            )


def _households_by(key: str, user) -> dict[int, int]:
    """Households of ``user``'s scope paired now, counted by ``key`` of the pairing."""
    return dict(
        Pairing.objects.visible_to(user)
        .current()
        .filter(cadre__role=Role.CADRE)
        .values_list(key)
        .annotate(n=Count("household", distinct=True))
        .order_by()
    )


def _county_of(user) -> County | None:
    scope = scope_for(user)
    if scope.level == Scope.Level.COUNTY:
        return County.objects.get(pk=scope.county_id)
    if scope.level == Scope.Level.ALL:
        return County.objects.order_by("code").first()
    return None


@login_required
def unit_list(request: HttpRequest) -> HttpResponse:
    households = _households_by("cadre__help_unit", request.user)
    rows = list(
        HelpUnit.objects.visible_to(request.user)
        .annotate(
            cadres=Count("staff", filter=Q(staff__role=Role.CADRE), distinct=True),
            villages_count=Count("villages", distinct=True),
        )
        .order_by("name")
    )
    for row in rows:
        row.households = households.get(row.pk, 0)
    return render(
        request,
        "units/list.html",
        {"units": rows, "can_keep": units.can_keep_units(request.user)},
    )


@login_required
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_unit_for(request.user, pk)
    households = household_selectors.households_with_progress(
        household_selectors.help_unit_households(request.user, unit)
    )
    items_due = assistance_selectors.items_due_by_household(request.user)
    for row in households:
        row.items_due = items_due.get(row.pk, 0)
    by_cadre = _households_by("cadre", request.user)
    cadres = list(StaffProfile.objects.filter(help_unit=unit, role=Role.CADRE).order_by("name"))
    for cadre in cadres:
        cadre.households = by_cadre.get(cadre.pk, 0)
    profile = profile_for(request.user)
    can_report = request.user.is_superuser or (profile is not None and profile.role in REPORTERS)
    return render(
        request,
        "units/detail.html",
        {
            "unit": unit,
            "cadres": cadres,
            "villages": unit.villages.select_related("township").order_by("code"),
            "rows": households,
            "overdue": sum(1 for r in households if r.overdue),
            "can_keep": units.can_keep_units(request.user),
            "report_form": UnitReportForm(user=request.user) if can_report else None,
            "runs": ReportRun.objects.visible_to(request.user)
            .filter(help_unit=unit)
            .select_related("township", "help_unit")
            .order_by("-created_at")[:10],
        },
    )


@login_required
def unit_create(request: HttpRequest) -> HttpResponse:
    if not units.can_keep_units(request.user):
        raise PermissionDenied
    county = _county_of(request.user)
    return _unit_form(request, None, county)


@login_required
def unit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_unit_for(request.user, pk)
    if not units.can_keep_units(request.user):
        raise PermissionDenied
    return _unit_form(request, unit, unit.county)


def _unit_form(request, unit: HelpUnit | None, county: County) -> HttpResponse:
    initial = (
        {"name": unit.name, "kind": unit.kind, "villages": list(unit.villages.all())}
        if unit
        else {}
    )
    form = HelpUnitForm(request.POST or None, initial=initial, county=county)
    if request.method == "POST" and form.is_valid():
        try:
            unit = units.help_unit_save(
                user=request.user,
                unit=unit,
                county=county,
                name=form.cleaned_data["name"],
                kind=form.cleaned_data["kind"],
                villages=form.cleaned_data["villages"],
            )
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, _("Saved."))
            return redirect("units:detail", unit.pk)
    entries = []
    if unit is not None:
        from township.history import history_of

        entries = history_of(HelpUnit, unit.history.all())
    return render(request, "units/form.html", {"form": form, "unit": unit, "entries": entries})


@login_required
@require_POST
def unit_report(request: HttpRequest, pk: int) -> HttpResponse:
    """Build the year-start, mid-year or year-end account of the unit's households."""
    unit = get_unit_for(request.user, pk)
    profile = profile_for(request.user)
    if not request.user.is_superuser and (profile is None or profile.role not in REPORTERS):
        raise PermissionDenied
    form = UnitReportForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, _("Choose the report, the year and the township."))
        return redirect("units:detail", unit.pk)
    run = reports.report_request(
        kind=form.cleaned_data["kind"],
        year=form.cleaned_data["year"],
        township=form.cleaned_data["township"],
        help_unit=unit,
        user=request.user,
    )
    return redirect("reporting:run", run.pk)
