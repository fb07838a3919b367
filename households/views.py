from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from households import selectors
from households.forms import HouseholdFilterForm
from township.models import Village

PAGE_SIZE = 25


@login_required
def household_list(request: HttpRequest) -> HttpResponse:
    villages = Village.objects.visible_to(request.user).order_by("code")
    form = HouseholdFilterForm(request.GET or None, villages=villages)
    filters = form.cleaned_data if form.is_valid() else {}
    households = selectors.households_for_list(request.user, **filters)
    page = Paginator(households, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "households/list.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@login_required
def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    household = selectors.get_household_for(request.user, pk)
    return render(request, "households/detail.html", selectors.card_context(household))
