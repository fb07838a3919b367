"""Reads of households shared by pages and reports, with their query plans made once."""

import re

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Right
from django.shortcuts import get_object_or_404

from households.models import Household, Member, PovertyLine
from township.access import Scope, scope_for
from township.models import Village

_ID_TAIL_RE = re.compile(r"^[0-9]{1,17}[0-9Xx]?$")


def get_household_for(user, pk: int) -> Household:
    """The household ``pk`` if ``user`` may see it, else 404."""
    return get_object_or_404(Household.objects.visible_to(user).select_related("village"), pk=pk)


def _active_members():
    return Member.objects.filter(household=OuterRef("pk"), is_active=True)


def households_for_list(
    user, *, q: str = "", village: Village | None = None, status: str = ""
) -> QuerySet:
    """The user's households for a list page: head, size and village in one query."""
    head = _active_members().filter(relation=Member.Relation.HEAD)
    size = _active_members().order_by().values("household").annotate(n=Count("pk")).values("n")
    qs = (
        Household.objects.visible_to(user)
        .select_related("village")
        .annotate(
            head_name=Subquery(head.values("name")[:1]),
            head_id_number=Subquery(head.values("id_number")[:1]),
            members_count=Coalesce(Subquery(size, output_field=IntegerField()), 0),
        )
    )
    if village is not None:
        qs = qs.filter(village=village)
    if status:
        qs = qs.filter(status=status)
    q = q.strip()
    if q:
        qs = qs.filter(_search(q))
    return qs.order_by("village__code", "card_number")


def _search(q: str) -> Q:
    members = Member.objects.filter(household=OuterRef("pk"))
    if len(q) == 11 and q.isdigit() and q.startswith("1"):
        return Q(phone=q)
    if len(q) == 18 and _ID_TAIL_RE.match(q):
        return Exists(members.filter(id_number=q.upper()))
    if _ID_TAIL_RE.match(q) and len(q) <= 6:
        if len(q) == 4:  # uses the member_id_last4 index
            return Exists(members.annotate(tail=Right("id_number", 4)).filter(tail=q.upper()))
        return Exists(members.filter(id_number__endswith=q.upper()))
    if q.isdigit():
        return Q(card_number__startswith=q)
    return Exists(members.filter(name__contains=q))


def card_context(household: Household) -> dict:
    """Everything the archive card page shows, in a fixed number of queries."""
    incomes = list(household.incomes.order_by("-year"))
    lines = {
        line.year: line for line in PovertyLine.objects.filter(year__in=[i.year for i in incomes])
    }
    income_rows = []
    for income in incomes:
        line = lines.get(income.year)
        income_rows.append(
            {
                "income": income,
                "line": line,
                "above_line": None if line is None else income.per_capita_net_income > line.amount,
            }
        )
    return {
        "household": household,
        "members": list(household.members.order_by("-is_active", "pk")),
        "income_rows": income_rows,
        "causes": list(household.causes.order_by("-is_main", "cause")),
        "pairings": list(household.pairings.select_related("cadre").order_by("-start_date", "-pk")),
    }


def home_summary(user) -> dict:
    """Counts for a role's home page: households by status and by village, people."""
    households = Household.objects.visible_to(user)
    by_status = dict(households.order_by().values_list("status").annotate(n=Count("pk")))
    status_rows = [
        {"status": value, "label": label, "count": by_status.get(value, 0)}
        for value, label in Household.Status.choices
    ]
    people = Member.objects.filter(household__in=households, is_active=True).count()
    scope = scope_for(user)
    by_village = []
    if scope.level in (Scope.Level.ALL, Scope.Level.COUNTY, Scope.Level.TOWNSHIP):
        by_village = list(
            households.order_by("village__code")
            .values("village__code", "village__name")
            .annotate(
                total=Count("pk"),
                poor=Count("pk", filter=Q(status=Household.Status.POOR)),
                exited=Count("pk", filter=Q(status=Household.Status.EXITED)),
            )
        )
    return {
        "scope": scope,
        "total_households": sum(by_status.values()),
        "status_rows": status_rows,
        "people": people,
        "by_village": by_village,
    }
