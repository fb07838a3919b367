"""Report pages: request a report, watch it build, download it, build it again."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reporting import services
from reporting.forms import ReportRequestForm
from reporting.models import ReportRun
from reporting.scoping import get_run_for
from township.access import Scope, profile_for, scope_for
from township.formfields import PlausibleDateField, WholeNumberField
from township.forms import place_names
from township.models import County, Township, Village
from township.paging import page_of

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RUNS_PAGE_SIZE = 20  # the newest first; older runs a page further


def _request_scope(user, form) -> dict:
    """Where the user's request applies, from their scope: never beyond it."""
    scope = scope_for(user)
    village = form.cleaned_data.get("village")
    if scope.level == Scope.Level.CADRE:
        profile = profile_for(user)
        township = (
            profile.township
            or Township.objects.filter(villages__households__pairings__cadre=profile).first()
        )
        if township is None:
            raise PermissionDenied
        return {"township": township, "cadre": profile}
    if scope.level == Scope.Level.VILLAGE:
        village = Village.objects.select_related("township").get(pk=scope.village_id)
        return {"township": village.township, "village": village}
    if scope.level == Scope.Level.NONE:
        raise PermissionDenied
    if village is not None:
        return {"township": village.township, "village": village}
    if form.cleaned_data.get("whole_county"):
        return {"county": County.objects.get(pk=scope.county_id)}
    township = form.cleaned_data.get("township") or _townships(user).first()
    if township is None:
        raise PermissionDenied
    return {"township": township}


def _townships(user):
    return (
        Township.objects.filter(villages__in=Village.objects.visible_to(user))
        .distinct()
        .order_by("code")
    )


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    if scope.level == Scope.Level.NONE:
        raise PermissionDenied
    form = ReportRequestForm(
        request.POST or None,
        villages=Village.objects.visible_to(request.user).order_by("code"),
        cadre_only=scope.level in (Scope.Level.CADRE,),
        village_fixed=scope.level == Scope.Level.VILLAGE,
        townships=_townships(request.user)
        if scope.level in (Scope.Level.ALL, Scope.Level.COUNTY)
        else None,
        county_wide=scope.level == Scope.Level.COUNTY,
        names=place_names(request.user),
    )
    if request.method == "POST" and form.is_valid():
        where = _request_scope(request.user, form)
        kind = form.cleaned_data["kind"]
        as_of = form.cleaned_data.get("as_of")
        params = {}
        if kind in ReportRun.NOTICES:
            # A notice is drawn up on the day it is printed, with the contact for objections.
            if as_of is None and form.cleaned_data["year"] == timezone.localdate().year:
                as_of = timezone.localdate()
            params = {"contact": form.cleaned_data.get("contact", "")}
        run = services.report_request(
            kind=kind,
            year=form.cleaned_data["year"],
            as_of=as_of,
            params=params,
            user=request.user,
            **where,
        )
        return redirect("reporting:run", run.pk)
    runs = (
        ReportRun.objects.visible_to(request.user)
        # Two joins, the rest read by id: PostgreSQL took 10 ms to plan the eight joins of
        # one query (most runs name a township or a county and none of the rest).
        .select_related("township", "county")
        .prefetch_related("village", "cadre", "project", "fund", "help_unit", "household")
        # A year-end run's figures hold a row a household: the list shows none of them.
        .defer("figures")
        .order_by("-created_at", "-pk")
    )
    page = page_of(runs, RUNS_PAGE_SIZE, request)
    return render(request, "reporting/list.html", {"form": form, "page": page})


@login_required
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_run_for(request.user, pk)
    template = "reporting/includes/_run_status.html" if request.htmx else "reporting/run.html"
    return render(request, template, {"run": run})


@login_required
def run_download(request: HttpRequest, pk: int) -> FileResponse:
    run = get_run_for(request.user, pk)
    if run.status != ReportRun.Status.DONE or not run.file:
        raise PermissionDenied
    if run.is_spreadsheet:
        return FileResponse(
            run.file.open("rb"),
            as_attachment=True,
            filename=run.params.get("filename") or "export.xlsx",
            content_type=XLSX,
        )
    filename = f"{run.get_kind_display()}-{run.scope_label}-{run.as_of:%Y%m%d}-v{run.version}.pdf"
    return FileResponse(
        run.file.open("rb"), as_attachment=True, filename=filename, content_type="application/pdf"
    )


@login_required
@require_POST
def run_retry(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_run_for(request.user, pk)
    new = services.report_retry(run=run, user=request.user)
    messages.info(request, _("Building version %(v)d.") % {"v": new.version})
    return redirect("reporting:run", new.pk)


@login_required
@require_POST
def household_card_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The archive card of one household as a PDF, built like any other report."""
    from households.scoping import get_household_for

    household = get_household_for(request.user, pk)
    run = services.report_request(
        kind=ReportRun.Kind.CARDS,
        year=timezone.localdate().year,
        as_of=timezone.localdate(),
        township=household.village.township,
        household=household,
        user=request.user,
    )
    return redirect("reporting:run", run.pk)


class NoticePdfForm(forms.Form):
    posted_from = PlausibleDateField(required=False, future_days=60)
    days = WholeNumberField(min_value=1, max_value=90, required=False)
    contact = forms.CharField(max_length=100, required=False)


def _notice_params(request) -> dict:
    form = NoticePdfForm(request.POST)
    data = form.cleaned_data if form.is_valid() else {}
    return {
        "posted_from": data["posted_from"].isoformat() if data.get("posted_from") else "",
        "days": data.get("days") or settings.BANGFU_NOTICE_DAYS,
        "contact": data.get("contact", ""),
    }


@login_required
@require_POST
def project_notice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The project's public notice as a PDF, built like any other report."""
    from assistance.scoping import get_project_for

    project = get_project_for(request.user, pk)
    today = timezone.localdate()
    run = services.report_request(
        kind=ReportRun.Kind.PROJECT_NOTICE,
        year=today.year,
        as_of=today,
        township=project.township,
        project=project,
        params=_notice_params(request),
        user=request.user,
    )
    return redirect("reporting:run", run.pk)


@login_required
@require_POST
def fund_notice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The fund's public notice as a PDF."""
    from assistance.scoping import get_fund_for

    fund = get_fund_for(request.user, pk)
    today = timezone.localdate()
    run = services.report_request(
        kind=ReportRun.Kind.FUND_NOTICE,
        year=today.year,
        as_of=today,
        township=fund.township,
        fund=fund,
        params=_notice_params(request),
        user=request.user,
    )
    return redirect("reporting:run", run.pk)
