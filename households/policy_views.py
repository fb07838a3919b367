"""Policy data pages: the year's figures, kept by the county and the townships, with history."""

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from households import policy_data
from households.models import PovertyLine
from township.formfields import YearField, formfield_for
from township.history import history_of, merged
from township.models import (
    Township,
    TownshipYear,
    VillageCriterionCheck,
    VillageExitCriterion,
    VillageYear,
)
from township.scoping import get_township_for


class YearChoiceForm(forms.Form):
    year = YearField(required=False, future_years=2)


class ConditionForm(forms.Form):
    name = forms.CharField(max_length=100, required=False)


def _year(request) -> int:
    """The year a policy page is about: from the address or the form, else this year."""
    form = YearChoiceForm(request.POST if request.method == "POST" else request.GET)
    year = form.cleaned_data.get("year") if form.is_valid() else None
    return year or datetime.date.today().year


def _url(name: str, year: int, *args) -> str:
    return f"{reverse(name, args=args)}?year={year}"


class LineForm(forms.ModelForm):
    class Meta:
        model = PovertyLine
        fields = [
            "amount",
            "monitoring_line",
            "exit_incidence_threshold",
            "village_collective_income",
            "note",
        ]
        formfield_callback = formfield_for


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


@login_required
def policy_index(request: HttpRequest) -> HttpResponse:
    """The year's figures: the county's, and each township's the user may see."""
    _require(policy_data.can_read(request.user))
    year = _year(request)
    line = PovertyLine.objects.filter(year=year).first()
    townships = list(Township.objects.visible_to(request.user).order_by("code"))
    targets = {
        t.township_id: t for t in TownshipYear.objects.filter(township__in=townships, year=year)
    }
    villages = list(
        VillageYear.objects.filter(village__township__in=townships, year=year)
        .select_related("village__township")
        .order_by("village__code")
    )
    rows = [
        {
            "township": t,
            "target": targets.get(t.pk),
            "villages": [v for v in villages if v.village.township_id == t.pk],
            "can_keep": policy_data.can_keep_township(request.user, t),
        }
        for t in townships
    ]
    criteria = VillageExitCriterion.objects.filter(year=year)
    entries = merged(
        history_of(PovertyLine, PovertyLine.history.filter(year=year)),
        history_of(VillageExitCriterion, VillageExitCriterion.history.filter(year=year)),
        history_of(TownshipYear, TownshipYear.history.filter(year=year, township__in=townships)),
        history_of(
            VillageYear,
            VillageYear.history.filter(year=year, village__township__in=townships),
            title=lambda r: f"{r.village} {r.year}",
        ),
    )
    return render(
        request,
        "policy/index.html",
        {
            "year": year,
            "line": line,
            "criteria": criteria.order_by("order", "name"),
            "rows": rows,
            "entries": entries,
            "can_keep_county": policy_data.can_keep_county_figures(request.user),
            "can_start": policy_data.can_keep_county_figures(request.user)
            or bool(policy_data.townships_kept_by(request.user)),
        },
    )


@login_required
def policy_line(request: HttpRequest) -> HttpResponse:
    """The county's figures of the year: poverty line, monitoring line, exit thresholds."""
    _require(policy_data.can_keep_county_figures(request.user))
    year = _year(request)
    line = PovertyLine.objects.filter(year=year).first()
    form = LineForm(request.POST or None, instance=line)
    if request.method == "POST" and form.is_valid():
        try:
            policy_data.poverty_line_save(user=request.user, year=year, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, "; ".join(error.messages))
        else:
            messages.success(request, _("The figures of %(year)s are saved.") % {"year": year})
            return redirect(_url("policy:index", year))
    return render(request, "policy/line.html", {"form": form, "year": year})


@login_required
@require_POST
def policy_criterion_add(request: HttpRequest) -> HttpResponse:
    _require(policy_data.can_keep_county_figures(request.user))
    year = _year(request)
    form = ConditionForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Name the condition."))
        policy_data.village_criterion_add(
            user=request.user, year=year, name=form.cleaned_data["name"]
        )
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("Condition added."))
    return redirect(_url("policy:index", year))


def _number(value: str, kind=int):
    value = (value or "").strip()
    if not value:
        return None
    return kind(value)


@login_required
def policy_township(request: HttpRequest, pk: int) -> HttpResponse:
    """A township's figures of the year on one page: targets, and each village's figures and
    the further conditions it meets."""
    township = get_township_for(request.user, pk)
    _require(policy_data.can_keep_township(request.user, township))
    year = _year(request)
    villages = list(township.villages.order_by("code"))
    figures = {f.village_id: f for f in VillageYear.objects.filter(village__in=villages, year=year)}
    criteria = list(VillageExitCriterion.objects.filter(year=year).order_by("order", "name"))
    checks = {
        (c.village_id, c.criterion_id): c
        for c in VillageCriterionCheck.objects.filter(village__in=villages, criterion__in=criteria)
    }
    target = TownshipYear.objects.filter(township=township, year=year).first()
    if request.method == "POST":
        from decimal import Decimal, InvalidOperation

        post = request.POST
        try:
            with_target = post.get("exit_target", "").strip()
            if with_target:
                policy_data.township_year_save(
                    user=request.user,
                    township=township,
                    year=year,
                    exit_target=int(with_target),
                    exit_target_people=_number(post.get("exit_target_people")),
                )
            for v in villages:
                policy_data.village_year_save(
                    user=request.user,
                    village=v,
                    year=year,
                    rural_population=_number(post.get(f"v{v.pk}-rural_population")),
                    is_poor_village=post.get(f"v{v.pk}-is_poor_village") == "on",
                    exit_year=_number(post.get(f"v{v.pk}-exit_year")),
                    collective_income=_number(post.get(f"v{v.pk}-collective_income"), Decimal),
                )
                for c in criteria:
                    policy_data.village_check_save(
                        user=request.user,
                        village=v,
                        criterion=c,
                        met=post.get(f"c{c.pk}-v{v.pk}") == "on",
                        note=post.get(f"c{c.pk}-v{v.pk}-note", "")[:200],
                    )
        except (ValueError, InvalidOperation):
            messages.error(request, _("Figures are whole numbers, amounts in yuan."))
        except ValidationError as error:
            messages.error(request, "; ".join(error.messages))
        else:
            messages.success(request, _("The figures of %(year)s are saved.") % {"year": year})
            return redirect(_url("policy:index", year))
    rows = [
        {
            "village": v,
            "figures": figures.get(v.pk),
            "checks": [(c, checks.get((v.pk, c.pk))) for c in criteria],
        }
        for v in villages
    ]
    entries = merged(
        history_of(TownshipYear, TownshipYear.history.filter(township=township, year=year)),
        history_of(
            VillageYear,
            VillageYear.history.filter(village__in=villages, year=year),
            title=lambda r: f"{r.village} {r.year}",
        ),
        history_of(
            VillageCriterionCheck,
            VillageCriterionCheck.history.filter(village__in=villages, criterion__in=criteria),
            title=lambda r: f"{r.village} {r.criterion}",
        ),
    )
    return render(
        request,
        "policy/township.html",
        {
            "township": township,
            "year": year,
            "target": target,
            "rows": rows,
            "criteria": criteria,
            "entries": entries,
        },
    )


@login_required
def policy_year_start(request: HttpRequest) -> HttpResponse:
    """A new year from the previous year's values: shown, then confirmed in one step."""
    year = _year(request)
    _require(
        policy_data.can_keep_county_figures(request.user)
        or bool(policy_data.townships_kept_by(request.user))
    )
    if request.method == "POST":
        policy_data.year_start(user=request.user, year=year)
        messages.success(
            request,
            _("%(year)s starts from the values of %(previous)s.")
            % {"year": year, "previous": year - 1},
        )
        return redirect(_url("policy:index", year))
    plan = policy_data.year_start_plan(user=request.user, year=year)
    return render(request, "policy/start.html", {"plan": plan, "year": year})
