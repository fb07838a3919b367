"""考核 page: the year's figures of each help unit, village and cadre of a township, and the
request of any of them as a PDF (a report run of kind ``assessment``)."""

import datetime

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from reporting import assessment, services
from reporting.models import ReportRun
from township.access import profile_for
from township.formfields import param
from township.models import HelpUnit, StaffProfile, Township, Village

READERS = frozenset(
    {StaffProfile.Role.LEADER, StaffProfile.Role.TOWNSHIP_STAFF, StaffProfile.Role.COUNTY_ADMIN}
)


def can_assess(user) -> bool:
    """Leaders judge the work; the township office and the county draw the figures up."""
    if user.is_superuser:
        return True
    profile = profile_for(user)
    return profile is not None and profile.role in READERS


def _townships(user):
    return (
        Township.objects.filter(villages__in=Village.objects.visible_to(user))
        .distinct()
        .order_by("code")
    )


def _question(request) -> tuple[Township, int, datetime.date]:
    data = request.POST if request.method == "POST" else request.GET
    townships = _townships(request.user)
    chosen = data.get("township")
    township = (
        townships.filter(pk=chosen).first() if chosen and chosen.isdigit() else townships.first()
    )
    if township is None:
        raise Http404
    today = datetime.date.today()
    try:
        year = int(data.get("year") or today.year)
        as_of = datetime.date.fromisoformat(data["as_of"]) if data.get("as_of") else None
    except ValueError:
        year, as_of = today.year, None
    if not 2000 <= year <= 2100:
        year = today.year
    if as_of is None or as_of.year != year:
        as_of = min(datetime.date(year, 12, 31), today) if year <= today.year else None
    if as_of is None:
        year, as_of = today.year, today
    return township, year, as_of


def _subject(township, value: str) -> dict:
    """``unit:3``, ``village:17``, ``cadre:5`` or ``township``: the run's scope, in the township."""
    kind, _sep, pk = value.partition(":")
    if kind == "township":
        return {}
    if not pk.isdigit():
        raise Http404
    if kind == "unit":
        return {"help_unit": get_object_or_404(HelpUnit, pk=pk, county_id=township.county_id)}
    if kind == "village":
        return {"village": get_object_or_404(Village, pk=pk, township=township)}
    if kind == "cadre":
        cadre = get_object_or_404(StaffProfile, pk=pk, role=StaffProfile.Role.CADRE)
        return {"cadre": cadre}
    raise Http404


@login_required
def assessment_page(request: HttpRequest) -> HttpResponse:
    if not can_assess(request.user):
        raise PermissionDenied
    township, year, as_of = _question(request)
    if request.method == "POST":
        run = services.report_request(
            kind=ReportRun.Kind.ASSESSMENT,
            year=year,
            as_of=as_of,
            township=township,
            user=request.user,
            **_subject(
                township,
                param(request, "subject", forms.CharField(max_length=40), source="POST")
                or "township",
            ),
        )
        return redirect("reporting:run", run.pk)
    result = assessment.tables(assessment.draft_run(township=township, year=year, as_of=as_of))
    return render(
        request,
        "reporting/assessment.html",
        {
            "township": township,
            "townships": _townships(request.user),
            "year": year,
            "as_of": as_of,
            "result": result,
            "hidden": {"township": township.pk, "year": year, "as_of": as_of.isoformat()},
        },
    )
