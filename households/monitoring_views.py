"""Monitoring pages: open cases with their age, recording a hardship, removing a risk."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from households import monitoring
from households.forms import (
    DecisionForm,
    HardshipForm,
    MeasuresForm,
    MonitoringOpenForm,
    ProposalForm,
)
from households.models import Hardship, Household, MonitoringCase
from households.scoping import get_household_for, get_monitoring_case_for
from township.access import can_log_visits

PAGE_SIZE = 50  # open cases a page


@login_required
def monitoring_list(request: HttpRequest) -> HttpResponse:
    cases = (
        MonitoringCase.objects.visible_to(request.user)
        .open()
        .select_related("household__village", "cadre")
        .order_by("opened_on", "pk")
    )
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    for case in page.object_list:
        case.age = (today - case.opened_on).days
    return render(request, "households/monitoring.html", {"cases": page.object_list, "page": page})


@login_required
@require_POST
def hardship_record(request: HttpRequest, pk: int) -> HttpResponse:
    household = get_household_for(request.user, pk)
    if not can_log_visits(request.user):
        raise PermissionDenied
    if household.status == Household.Status.REMOVED:
        messages.error(
            request, _("This household is removed from the register: its card is read-only.")
        )
        return redirect(household.get_absolute_url())
    form = HardshipForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the kind, a past date and what happened."))
    else:
        hardship = Hardship(household=household, recorded_by=request.user, **form.cleaned_data)
        hardship._history_user = request.user
        hardship.save()
        watched = household.monitoring_cases.open().exists()
        monitoring.monitoring_refresh()
        # This household's case, not the sweep's count: that counts households anywhere.
        opened = not watched and household.monitoring_cases.open().exists()
        messages.success(
            request,
            _("Hardship recorded.")
            + (" " + _("The household is now monitored.") if opened else ""),
        )
    return redirect(household.get_absolute_url() + "#monitoring")


@login_required
@require_POST
def monitoring_advance(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_monitoring_case_for(request.user, pk)
    form = MeasuresForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The measures are too long or contain characters not allowed."))
        return redirect(case.household.get_absolute_url() + "#monitoring")
    try:
        case = monitoring.monitoring_advance(
            case=case, user=request.user, measures=form.cleaned_data["measures"]
        )
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, case.get_status_display())
    return redirect(case.household.get_absolute_url() + "#monitoring")


@login_required
@require_POST
def return_propose(request: HttpRequest, pk: int) -> HttpResponse:
    """返贫: propose that a monitored household has returned to poverty."""
    case = get_monitoring_case_for(request.user, pk)
    if not monitoring.has_role(request.user, monitoring.RETURN_PROPOSERS):
        raise PermissionDenied
    form = ProposalForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Say why the household has returned to poverty."))
        monitoring.return_propose(case=case, reason=form.cleaned_data["reason"], user=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("The return to poverty is proposed to the county."))
    return redirect(case.household.get_absolute_url() + "#monitoring")


@login_required
@require_POST
def return_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """The county approves or refuses a proposed return to poverty."""
    case = get_monitoring_case_for(request.user, pk)
    if not monitoring.has_role(request.user, monitoring.RETURN_DECIDERS):
        raise PermissionDenied
    form = DecisionForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Choose to approve or to refuse."))
        monitoring.return_decide(
            case=case,
            approve=form.cleaned_data["decision"] == "approve",
            note=form.cleaned_data["note"],
            user=request.user,
        )
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("The decision is recorded."))
    return redirect(case.household.get_absolute_url() + "#monitoring")


@login_required
@require_POST
def monitoring_open(request: HttpRequest, pk: int) -> HttpResponse:
    household = get_household_for(request.user, pk)
    form = MonitoringOpenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the category and say why the household is monitored."))
        return redirect(household.get_absolute_url() + "#monitoring")
    try:
        monitoring.monitoring_open(household=household, user=request.user, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("The household is now monitored."))
    return redirect(household.get_absolute_url() + "#monitoring")
