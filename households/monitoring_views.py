"""Monitoring pages: open cases with their age, recording a hardship, removing a risk."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from households import monitoring
from households.forms import HardshipForm, MeasuresForm, MonitoringOpenForm
from households.models import Hardship, MonitoringCase
from households.selectors import get_household_for
from township.access import can_log_visits


@login_required
def monitoring_list(request: HttpRequest) -> HttpResponse:
    cases = list(
        MonitoringCase.objects.visible_to(request.user)
        .exclude(status=MonitoringCase.Status.REMOVED)
        .select_related("household__village", "cadre")
        .order_by("opened_on", "pk")
    )
    today = timezone.localdate()
    for case in cases:
        case.age = (today - case.opened_on).days
    return render(request, "households/monitoring.html", {"cases": cases})


@login_required
@require_POST
def hardship_record(request: HttpRequest, pk: int) -> HttpResponse:
    household = get_household_for(request.user, pk)
    if not can_log_visits(request.user):
        raise PermissionDenied
    form = HardshipForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the kind, a past date and what happened."))
    else:
        hardship = Hardship(household=household, recorded_by=request.user, **form.cleaned_data)
        hardship._history_user = request.user
        hardship.save()
        opened = monitoring.monitoring_refresh()
        messages.success(
            request,
            _("Hardship recorded.")
            + (" " + _("The household is now monitored.") if opened else ""),
        )
    return redirect(household.get_absolute_url() + "#monitoring")


@login_required
@require_POST
def monitoring_advance(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_object_or_404(MonitoringCase.objects.visible_to(request.user), pk=pk)
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
