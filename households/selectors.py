"""Reads of households shared by pages and reports, with their query plans made once."""

import datetime
import re

from django.conf import settings
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce, Right
from django.shortcuts import get_object_or_404

from households.eligibility import exit_eligibility, is_eligible
from households.history import card_history
from households.models import (
    Household,
    Member,
    Pairing,
    PovertyLine,
    Visit,
    VisitPhoto,
)
from township.access import Scope, scope_for
from township.models import StaffProfile, Village

_ID_TAIL_RE = re.compile(r"^[0-9]{1,17}[0-9Xx]?$")


def get_household_for(user, pk: int) -> Household:
    """The household ``pk`` if ``user`` may see it, else 404."""
    return get_object_or_404(Household.objects.visible_to(user).select_related("village"), pk=pk)


def household_label(household: Household) -> str:
    """How a household is named on forms a phone keeps: its head, village and card number."""
    head = (
        household.members.filter(relation=Member.Relation.HEAD, is_active=True)
        .values_list("name", flat=True)
        .first()
    )
    parts = [head, household.village.name, household.card_number]
    return " · ".join(p for p in parts if p)


def get_visit_for(user, pk: int) -> Visit:
    """The visit ``pk`` if ``user`` may see its household, else 404."""
    return get_object_or_404(
        Visit.objects.filter(household__in=Household.objects.visible_to(user))
        .select_related("household__village", "visitor__profile")
        .prefetch_related("photos"),
        pk=pk,
    )


def get_visit_photo_for(user, pk: int) -> VisitPhoto:
    return get_object_or_404(
        VisitPhoto.objects.filter(visit__household__in=Household.objects.visible_to(user)), pk=pk
    )


def _active_members():
    return Member.objects.filter(household=OuterRef("pk"), is_active=True)


def _last_visit():
    return Subquery(
        Visit.objects.filter(household=OuterRef("pk"))
        .order_by("-visited_on")
        .values("visited_on")[:1]
    )


def _current_cadre_name():
    return Subquery(
        Pairing.objects.current().filter(household=OuterRef("pk")).values("cadre__name")[:1]
    )


def with_list_columns(households: QuerySet) -> QuerySet:
    """Head, size, last visit and current cadre as subqueries: one query for any page size."""
    head = _active_members().filter(relation=Member.Relation.HEAD)
    size = _active_members().order_by().values("household").annotate(n=Count("pk")).values("n")
    return households.select_related("village").annotate(
        head_name=Subquery(head.values("name")[:1]),
        head_id_number=Subquery(head.values("id_number")[:1]),
        members_count=Coalesce(Subquery(size, output_field=IntegerField()), 0),
        last_visit=_last_visit(),
        cadre_name=_current_cadre_name(),
    )


SORTS = {
    "card": ["card_number"],
    "head": ["head_name", "card_number"],
    "last_visit": [F("last_visit").asc(nulls_first=True), "card_number"],
    "village": ["village__code", "card_number"],
}


def households_for_list(
    user,
    *,
    q: str = "",
    village: Village | None = None,
    status: str = "",
    attribute: str = "",
    cause: str = "",
    cadre: StaffProfile | None = None,
    no_visit_days: int | None = None,
    sort: str = "",
    today: datetime.date | None = None,
) -> QuerySet:
    """The user's households for a list page, filtered and sorted, in one query."""
    qs = Household.objects.visible_to(user)
    if village is not None:
        qs = qs.filter(village=village)
    if status:
        qs = qs.filter(status=status)
    if attribute:
        qs = qs.filter(attribute=attribute)
    if cause:
        qs = qs.filter(causes__cause=cause)
    if cadre is not None:
        qs = qs.filter(
            Exists(Pairing.objects.current().filter(household=OuterRef("pk"), cadre=cadre))
        )
    if no_visit_days:
        since = (today or datetime.date.today()) - datetime.timedelta(days=no_visit_days)
        qs = qs.exclude(
            Exists(Visit.objects.filter(household=OuterRef("pk"), visited_on__gte=since))
        )
    q = q.strip()
    if q:
        qs = qs.filter(_search(q))
    return with_list_columns(qs).order_by(*SORTS.get(sort, SORTS["village"]))


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


def cadres_for_list(households: QuerySet) -> QuerySet:
    """The cadres currently paired with any of ``households``, for the list filter."""
    return (
        StaffProfile.objects.filter(
            role=StaffProfile.Role.CADRE,
            pairings__end_date__isnull=True,
            pairings__household__in=households,
        )
        .distinct()
        .order_by("name")
    )


def card_context(household: Household, *, visits_shown: int = 10) -> dict:
    """Everything the archive card page shows, in a fixed number of queries."""
    incomes = list(household.incomes.order_by("-year"))
    lines = {
        line.year: line for line in PovertyLine.objects.filter(year__in=[i.year for i in incomes])
    }
    members = list(household.members.order_by("-is_active", "pk"))
    eligibility = exit_eligibility(household, members=members, incomes=incomes, lines=lines)
    income_rows = [
        {
            "income": income,
            "line": lines.get(income.year),
            "above_line": None
            if income.year not in lines
            else income.per_capita_net_income > lines[income.year].amount,
        }
        for income in incomes
    ]
    visits = list(
        household.visits.select_related("visitor__profile")
        .prefetch_related("photos")
        .order_by("-visited_on", "-pk")[:visits_shown]
    )
    return {
        "household": household,
        "members": members,
        "eligibility": eligibility,
        "eligible": is_eligible(eligibility),
        "income_rows": income_rows,
        "causes": list(household.causes.order_by("-is_main", "cause")),
        "pairings": list(household.pairings.select_related("cadre").order_by("-start_date", "-pk")),
        "visits": visits,
        "visit_count": household.visits.count(),
        "history": card_history(household),
    }


def visits_for_household(household: Household) -> QuerySet:
    return (
        household.visits.select_related("visitor__profile")
        .prefetch_related("photos")
        .order_by("-visited_on", "-pk")
    )


def visits_for_list(user, *, visitor_id: int | None = None) -> QuerySet:
    """Visits to the user's households, newest first; optionally one visitor's only."""
    qs = Visit.objects.filter(household__in=Household.objects.visible_to(user))
    if visitor_id is not None:
        qs = qs.filter(visitor_id=visitor_id)
    return (
        qs.select_related("household__village", "visitor__profile")
        .prefetch_related("photos")
        .order_by("-visited_on", "-pk")
    )


def visitors_for_list(user) -> QuerySet:
    """Who has visited the user's households: the choices of the visit list filter."""
    from django.contrib.auth import get_user_model

    visited = Visit.objects.filter(household__in=Household.objects.visible_to(user))
    return (
        get_user_model()
        .objects.filter(pk__in=visited.values("visitor_id"))
        .select_related("profile")
        .order_by("username")
    )


def my_households(user, *, today: datetime.date | None = None) -> list[Household]:
    """A cadre's current households with last visit, overdue flag and open follow-ups."""
    today = today or datetime.date.today()
    profile_id = scope_for(user).profile_id
    open_follow_ups = (
        Visit.objects.filter(household=OuterRef("pk"), follow_up_closed=False)
        .exclude(follow_up="")
        .order_by()
        .values("household")
        .annotate(n=Count("pk"))
        .values("n")
    )
    qs = with_list_columns(
        Household.objects.filter(
            Exists(Pairing.objects.current().filter(household=OuterRef("pk"), cadre_id=profile_id))
        )
    ).annotate(open_follow_ups=Coalesce(Subquery(open_follow_ups, output_field=IntegerField()), 0))
    rows = list(qs.order_by(F("last_visit").asc(nulls_first=True), "card_number"))
    interval = datetime.timedelta(days=settings.BANGFU_VISIT_INTERVAL_DAYS)
    for household in rows:
        # Never visited: due now. Otherwise due one interval after the last visit.
        last = household.last_visit
        household.next_visit_due = last + interval if last else today
        household.overdue = last is None or household.next_visit_due < today
    return rows


def villages_with_counts(user) -> list[Village]:
    """The user's villages with their counts of households (by status) and people."""
    visible = Household.objects.visible_to(user)
    in_village = visible.filter(village=OuterRef("pk")).order_by().values("village")

    def count(qs):
        return Coalesce(
            Subquery(qs.annotate(n=Count("pk")).values("n"), output_field=IntegerField()), 0
        )

    people = (
        Member.objects.filter(
            household__in=visible, household__village=OuterRef("pk"), is_active=True
        )
        .order_by()
        .values("household__village")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return list(
        Village.objects.visible_to(user)
        .select_related("township")
        .annotate(
            registered=count(in_village),
            exited=count(in_village.filter(status=Household.Status.EXITED)),
            poor=count(in_village.filter(status=Household.Status.POOR)),
            returned=count(in_village.filter(status=Household.Status.RETURNED)),
            people=Coalesce(Subquery(people, output_field=IntegerField()), 0),
        )
        .order_by("code")
    )


def village_register(user, village: Village) -> QuerySet:
    """村有册: the village's households, as the printable register lists them."""
    return with_list_columns(Household.objects.visible_to(user).filter(village=village)).order_by(
        "card_number"
    )


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


def village_exit_rows(user, *, year: int) -> list[dict]:
    """Each village: poverty incidence and collective income against the year's thresholds."""
    from decimal import ROUND_HALF_UP, Decimal

    from township.models import VillageYear

    line = PovertyLine.objects.filter(year=year).first()
    villages = list(Village.objects.visible_to(user).select_related("township").order_by("code"))
    poor = dict(
        Member.objects.filter(
            is_active=True,
            household__village__in=villages,
            household__status__in=[Household.Status.POOR, Household.Status.RETURNED],
        )
        .values_list("household__village_id")
        .annotate(n=Count("pk"))
    )
    incomes = dict(
        VillageYear.objects.filter(village__in=villages, year=year).values_list(
            "village_id", "collective_income"
        )
    )
    rows = []
    for village in villages:
        people, base = poor.get(village.pk, 0), village.rural_population
        incidence = (
            (Decimal(people * 100) / base).quantize(Decimal("0.01"), ROUND_HALF_UP)
            if base
            else None
        )
        income = incomes.get(village.pk)
        reasons = []
        if line is None:
            reasons.append("no_line")
        else:
            if incidence is None:
                reasons.append("no_population")
            elif incidence >= line.exit_incidence_threshold:
                reasons.append("incidence")
            if income is None:
                reasons.append("no_income")
            elif income < line.village_collective_income:
                reasons.append("income")
        rows.append(
            {
                "village": village,
                "poor_people": people,
                "incidence": incidence,
                "collective_income": income,
                "reasons": reasons,
                "qualifies": not reasons,
            }
        )
    return rows
