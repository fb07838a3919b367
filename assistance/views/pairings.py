"""Pairings: assign, reassign, a cadre's workload, bulk reassignment when a cadre leaves."""

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from assistance import scoping, selectors, services
from assistance.forms import BulkReassignForm, PairingForm, WorkloadFilterForm
from assistance.views._common import first_message, require
from households.models import Household
from households.scoping import get_household_for
from township import figures_cache
from township.access import can_manage_township
from township.forms import chosen_filters
from township.models import Township
from township.paging import CountedPaginator

WORKLOAD_PAGE_SIZE = 50


@login_required
def workload(request: HttpRequest) -> HttpResponse:
    """The cadres in scope, a page at a time, each with their households and overdue visits."""
    require(can_manage_township(request.user))
    townships = Township.objects.visible_to(request.user).order_by("code")
    form = WorkloadFilterForm(request.GET or None, townships=townships)
    filters = chosen_filters(form)
    cadres = selectors.cadres_for_workload(request.user, **filters)
    count = functools.partial(
        figures_cache.counted,
        "workload",
        request.user,
        cadres.count,
        today=timezone.localdate(),
        filters=filters,
    )
    page = CountedPaginator(cadres, WORKLOAD_PAGE_SIZE, count=count).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "assistance/workload.html",
        {
            "form": form,
            "show_townships": townships.count() > 1,
            "page": page,
            "query": query.urlencode(),
            "cadres": selectors.cadre_workload(request.user, list(page.object_list)),
        },
    )


@login_required
def pair(request: HttpRequest, pk: int) -> HttpResponse:
    household = get_household_for(request.user, pk)
    require(can_manage_township(request.user))
    form = PairingForm(request.POST or None, cadres=scoping.cadres_for(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            services.pairing_assign(household=household, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, first_message(error))
        else:
            messages.success(request, _("Pairing saved."))
            return redirect("households:detail", household.pk)
    return render(
        request,
        "assistance/form.html",
        {
            "form": form,
            "title": _("Pair a cadre with %(card)s") % {"card": household.card_number},
            "back": household.get_absolute_url(),
        },
    )


@login_required
def bulk_reassign(request: HttpRequest, pk: int) -> HttpResponse:
    cadre = scoping.get_cadre_for(request.user, pk)
    require(can_manage_township(request.user))
    households = (
        Household.objects.visible_to(request.user)
        .filter(pairings__cadre=cadre, pairings__end_date__isnull=True)
        .select_related("village")
        .order_by("card_number")
    )
    form = BulkReassignForm(
        request.POST or None,
        cadres=scoping.cadres_for(request.user).exclude(pk=cadre.pk),
        households=households,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            moved = services.pairing_bulk_reassign(
                from_cadre=cadre,
                to_cadre=data["to_cadre"],
                households=data["households"],
                start_date=data["start_date"],
                reason=data["reason"],
                user=request.user,
            )
        except ValidationError as error:
            form.add_error(None, first_message(error))
        else:
            messages.success(
                request,
                _("%(n)d households moved to %(name)s.")
                % {"n": moved, "name": data["to_cadre"].name},
            )
            return redirect("assistance:workload")
    return render(
        request,
        "assistance/form.html",
        {
            "form": form,
            "title": _("Reassign the households of %(name)s") % {"name": cadre.name},
            "back": reverse("assistance:workload"),
        },
    )
