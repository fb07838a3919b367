"""Village pages: the villages in scope with their counts, and each village's register."""

import datetime

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from households import selectors
from households.models import PovertyLine
from township import figures_cache
from township.forms import YearForm
from township.scoping import get_village_for


@login_required
def village_list(request: HttpRequest) -> HttpResponse:
    """The villages in scope with their counts, kept until the data changes."""
    user = request.user
    table, computed_at = figures_cache.drawn(
        "villages",
        user,
        "villages/_list_table.html",
        lambda: {"villages": selectors.villages_with_counts(user)},
        today=datetime.date.today(),
    )
    return render(request, "villages/list.html", {"table": table, "computed_at": computed_at})


@login_required
def village_exit(request: HttpRequest) -> HttpResponse:
    """贫困村出列: which villages qualify this year, and why not for the rest."""
    year = YearForm(request.GET).year_or_this_year()
    user = request.user
    table, computed_at = figures_cache.drawn(
        f"village_exit:{year}",
        user,
        "villages/_exit_table.html",
        lambda: {"rows": selectors.village_exit_rows(user, year=year)},
        today=datetime.date.today(),
    )
    return render(
        request,
        "villages/exit.html",
        {
            "year": year,
            "table": table,
            "computed_at": computed_at,
            "line": PovertyLine.objects.filter(year=year).first(),
        },
    )


@login_required
def village_register(request: HttpRequest, pk: int) -> HttpResponse:
    village = get_village_for(request.user, pk)
    households = list(selectors.village_register(request.user, village))
    return render(request, "villages/register.html", {"village": village, "households": households})
