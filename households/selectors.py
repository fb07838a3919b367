"""Reads of households shared by pages and reports, with their query plans made once."""

import datetime
import re

from django.contrib.postgres.fields import ArrayField
from django.db import connection
from django.db.models import (
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    TextField,
)
from django.db.models.functions import Coalesce, Right

from households import asof, policy
from households.models import (
    CountyIncome,
    Household,
    HouseholdCause,
    Member,
    Pairing,
    PovertyLine,
    StatusChange,
    Visit,
    VisitPhoto,
)
from households.models.card import NEVER_VISITED_FIRST
from township import figures_cache
from township.access import Scope, scope_for
from township.models import (
    StaffProfile,
    Township,
    Village,
    VillageCriterionCheck,
    VillageExitCriterion,
    VillageYear,
)

_ID_TAIL_RE = re.compile(r"^[0-9]{1,17}[0-9Xx]?$")


def id_number_holders(user, id_numbers, *, exclude_household=None) -> dict[str, Household | None]:
    """Who already holds each ID number, as ``user`` may know it.

    An active member with the number in a household the user may see gives that household;
    one outside the user's scope gives None: the number is taken, and where is not said
    (a duplicate check must not tell a stranger's village and card from a typed number).
    """
    members = Member.objects.filter(id_number__in=list(id_numbers), is_active=True).unscoped(
        "an ID number is taken wherever it is; only households in scope are named"
    )
    if exclude_household is not None:
        members = members.exclude(household_id=exclude_household)
    held = dict(members.values_list("id_number", "household_id"))
    visible = {
        h.pk: h
        for h in Household.objects.visible_to(user)
        .filter(pk__in=set(held.values()))
        .select_related("village")
    }
    return {number: visible.get(household_id) for number, household_id in held.items()}


def household_label(household: Household) -> str:
    """How a household is named on forms a phone keeps: its head, village and card number."""
    return (
        f"{household.head_name or ''} · {household.village.name} · {household.card_number}".strip(
            " ·"
        )
    )


def with_list_columns(households: QuerySet) -> QuerySet:
    """The village beside what the card keeps of its members (head, ID number, size), its
    last visit and its current cadre: one query for any page size."""
    return households.select_related("village").annotate(
        last_visit=F("last_visit_on"),
        cadre_name=F("current_cadre__name"),
    )


SORTS = {
    "card": ["card_number"],
    "head": ["head_name", "card_number"],
    "last_visit": [NEVER_VISITED_FIRST.asc(), "card_number"],
    "village": ["village__code", "card_number"],
}


# Statuses a list can be filtered by, beyond single statuses: the groups policy counts by.
STATUS_GROUPS = {"registered": policy.REGISTERED, "remaining": policy.POOR}


def households_filtered(
    user,
    *,
    q: str = "",
    township: Township | None = None,
    village: Village | None = None,
    status: str = "",
    attribute: str = "",
    cause: str = "",
    cadre: StaffProfile | None = None,
    no_visit_days: int | None = None,
    exit_year: int | None = None,
    today: datetime.date | None = None,
) -> QuerySet:
    """The user's households matching a list's filters: what a list shows and what every
    figure linking to that list counts (the same conditions, so they always agree)."""
    return Household.objects.visible_to(user).filter(
        household_filter(
            q=q,
            township=township,
            village=village,
            status=status,
            attribute=attribute,
            cause=cause,
            cadre=cadre,
            no_visit_days=no_visit_days,
            exit_year=exit_year,
            today=today,
        )
    )


def household_filter(
    *,
    q: str = "",
    township: Township | None = None,
    village: Village | None = None,
    status: str = "",
    attribute: str = "",
    cause: str = "",
    cadre: StaffProfile | None = None,
    no_visit_days: int | None = None,
    exit_year: int | None = None,
    today: datetime.date | None = None,
) -> Q:
    """A list's filters as one condition on households: for ``households_filtered`` and for
    figures that count several lists in one query (``Count(filter=...)``)."""
    condition = Q()
    if township is not None:
        condition &= Q(village__township=township)
    if village is not None:
        condition &= Q(village=village)
    if status in STATUS_GROUPS:
        condition &= Q(status__in=STATUS_GROUPS[status])
    elif status:
        condition &= Q(status=status)
    if exit_year:
        condition &= Q(
            Exists(StatusChange.objects.exits().in_year(exit_year).filter(household=OuterRef("pk")))
        )
    if attribute:
        condition &= Q(attribute=attribute)
    if cause:
        condition &= Q(Exists(HouseholdCause.objects.filter(household=OuterRef("pk"), cause=cause)))
    if cadre is not None:
        condition &= Q(current_cadre=cadre)
    if no_visit_days:
        since = (today or datetime.date.today()) - datetime.timedelta(days=no_visit_days)
        condition &= Q(last_visit_on__isnull=True) | Q(last_visit_on__lt=since)
    q = q.strip()
    if q:
        condition &= Q(_search(q))
    return condition


def households_sorted(user, *, sort: str = "", **filters) -> QuerySet:
    """The user's households matching a list's filters, in the list's order (what its
    export writes, without the columns only the page shows)."""
    return households_filtered(user, **filters).order_by(*SORTS.get(sort, SORTS["village"]))


def households_count(user, *, today: datetime.date, **filters) -> int:
    """How many of the user's households a list with ``filters`` shows: counted once and kept
    with the dashboards' figures (the same scope, dropped on any write), so that paging
    through a county's list does not count its 50,000 households on every page."""
    filters.pop("sort", None)
    return figures_cache.counted(
        "households",
        user,
        lambda: households_filtered(user, today=today, **filters).count(),
        today=today,
        filters=filters,
    )


def households_for_list(user, *, sort: str = "", **filters) -> QuerySet:
    """The user's households for a list page, filtered and sorted, in one query: the values
    its rows show (``household_rows``), as dictionaries. Building 25 model instances (with
    their village) took longer than the query that reads them."""
    return households_sorted(user, sort=sort, **filters).values(*LIST_FIELDS, **LIST_COLUMNS)


# What a row of the household list shows: of the card itself, and beside it.
LIST_FIELDS = (
    "pk",
    "card_number",
    "head_name",
    "head_id_number",
    "members_count",
    "group_name",
    "attribute",
    "status",
    "last_visit_on",
)
LIST_COLUMNS = {"village_name": F("village__name"), "cadre_name": F("current_cadre__name")}


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
    if connection.vendor == "postgresql":
        # Through the index of names' pieces (migration 0021): the first few characters
        # narrow the members down, LIKE keeps those that contain the whole text.
        members = members.alias(grams=NameGrams("name")).filter(
            grams__contains=[q[:NAME_GRAM_LENGTH]]
        )
    return Exists(members.filter(name__contains=q))


# The longest piece of a name that bangfu_name_grams (migration 0021) indexes.
NAME_GRAM_LENGTH = 4


class NameGrams(Func):
    """``bangfu_name_grams(name)``: a name's pieces of one to four characters (PostgreSQL)."""

    function = "bangfu_name_grams"
    output_field = ArrayField(TextField())


def list_cadres(user) -> QuerySet:
    """The cadres currently paired with any of the user's households, for the list filter."""
    return (
        StaffProfile.objects.filter(
            role=StaffProfile.Role.CADRE,
            pairings__end_date__isnull=True,
            pairings__household__in=Household.objects.visible_to(user),
        )
        .distinct()
        .order_by("name")
    )


# What a visit entry (``visit_entry``) needs of its photos: their ids, for the links. Whole
# photo rows took half the time of a page of 25 visits, most of which have none.
PHOTO_LINKS = Prefetch("photos", queryset=VisitPhoto.objects.only("pk", "visit_id"))


# What the card shows of each status fact, and who recorded or approved it: their name, or
# their login name without a profile (not their whole account and profile rows).
STATUS_FACT_FIELDS = (
    "household",  # read as the facts are built (they are the household's own)
    "status",
    "effective_on",
    "source",
    "note",
    "override_reason",
    "recorded_by__username",
    "recorded_by__profile__name",
    "override_by__username",
    "override_by__profile__name",
)


def card_context(
    household: Household, *, visits_shown: int = 10, today: datetime.date | None = None
) -> dict:
    """Everything the archive card page shows, in a fixed number of queries."""
    today = today or datetime.date.today()
    incomes = list(household.incomes.order_by("-year"))
    lines = figures_cache.remembered(
        "poverty-lines", lambda: {line.year: line for line in PovertyLine.objects.all()}
    )
    members = list(household.members.order_by("-is_active", "pk"))
    eligibility = policy.exit_criteria(
        household=household,
        members=members,
        incomes=incomes,
        lines={y: line.amount for y, line in lines.items()},
        day=today,
        stable_years={y: line.stable_years for y, line in lines.items()},
    )
    township = household.village.township_id
    county_incomes = figures_cache.remembered(
        f"county-incomes:{township}",
        lambda: dict(
            CountyIncome.objects.filter(county__townships=township).values_list(
                "year", "per_capita"
            )
        ),
    )
    per_capita = {i.year: i.per_capita_net_income for i in incomes}
    income_rows = []
    for income in incomes:
        growth = policy.growth_percent(per_capita.get(income.year - 1), per_capita[income.year])
        county_growth = policy.growth_percent(
            county_incomes.get(income.year - 1), county_incomes.get(income.year)
        )
        income_rows.append(
            {
                "income": income,
                "line": lines.get(income.year),
                "above_line": policy.income_above_line(
                    income.per_capita_net_income,
                    lines[income.year].amount if income.year in lines else None,
                ),
                "growth": growth,
                "county": county_incomes.get(income.year),
                "county_growth": county_growth,
                "outgrows": policy.outgrows(growth, county_growth),
            }
        )
    visits = list(
        household.visits.select_related("visitor__profile")
        .only(*VISIT_ENTRY_FIELDS)
        .prefetch_related(PHOTO_LINKS)
        .order_by("-visited_on", "-pk")[: visits_shown + 1]
    )
    status_changes = list(
        household.status_changes.select_related("recorded_by__profile", "override_by__profile")
        .only(*STATUS_FACT_FIELDS)
        .order_by("-effective_on", "-pk")
    )
    return {
        "household": household,
        "members": members,
        "eligibility": eligibility,
        "eligible": policy.is_eligible(eligibility),
        "status_changes": status_changes,
        "historical_exit": next(
            (
                f
                for f in status_changes
                if f.status == Household.Status.EXITED and f.source != StatusChange.Source.WORKFLOW
            ),
            None,
        ),
        "income_rows": income_rows,
        "causes": list(household.causes.order_by("-is_main", "cause")),
        "pairings": list(household.pairings.select_related("cadre").order_by("-start_date", "-pk")),
        "visits": visits[:visits_shown],
        "more_visits": len(visits) > visits_shown,
    }


def visits_for_household(household: Household) -> QuerySet:
    return (
        household.visits.select_related("visitor__profile")
        .only(*VISIT_ENTRY_FIELDS)
        .prefetch_related(PHOTO_LINKS)
        .order_by("-visited_on", "-pk")
    )


def visits_for_list(user, *, visitor_id: int | None = None) -> QuerySet:
    """Visits to the user's households, newest first; optionally one visitor's only."""
    qs = Visit.objects.visible_to(user)
    if visitor_id is not None:
        qs = qs.filter(visitor_id=visitor_id)
    return (
        qs.select_related("household__village", "visitor__profile")
        .only(*VISIT_LIST_FIELDS)
        .prefetch_related(PHOTO_LINKS)
        .order_by("-visited_on", "-pk")
    )


# What ``visit_entry`` writes of a visit: the visit, and its visitor's name (or login name
# without a profile), not whole account and profile rows. The household is read as the
# visits of a card are built (they are its own).
VISIT_ENTRY_FIELDS = (
    "household",
    "visited_on",
    "kind",
    "findings",
    "help_given",
    "follow_up",
    "follow_up_closed",
    "acknowledged",
    "acknowledged_by",
    "visitor__username",
    "visitor__profile__name",
)
# A row of the visit list: the entry under its household's name (``household_name``).
VISIT_LIST_FIELDS = (
    *VISIT_ENTRY_FIELDS,
    "household__head_name",
    "household__card_number",
    "household__village__name",
)


OPTIONS_SHOWN = 20


def cadre_options(user, q: str) -> list[StaffProfile]:
    """The first cadres paired with the user's households whose name matches ``q``."""
    cadres = list_cadres(user)
    if q:
        cadres = cadres.filter(Q(name__icontains=q) | Q(user__username__icontains=q))
    return list(cadres[:OPTIONS_SHOWN])


def visitor_options(user, q: str) -> list:
    """The first people who visited the user's households whose name matches ``q``."""
    visitors = visitors_for_list(user)
    if q:
        visitors = visitors.filter(Q(profile__name__icontains=q) | Q(username__icontains=q))
    return list(visitors[:OPTIONS_SHOWN])


def visitors_for_list(user) -> QuerySet:
    """Who has visited the user's households: the choices of the visit list filter."""
    from django.contrib.auth import get_user_model

    visited = Visit.objects.visible_to(user)
    return (
        get_user_model()
        .objects.filter(pk__in=visited.values("visitor_id"))
        .select_related("profile")
        .order_by("username")
    )


def households_with_progress(
    households: QuerySet, *, today: datetime.date | None = None
) -> list[Household]:
    """Households with last visit, overdue flag and open follow-ups: the progress figures of
    a cadre's "my households", for any set of households (a help unit's too)."""
    today = today or datetime.date.today()
    open_follow_ups = (
        Visit.objects.filter(household=OuterRef("pk"), follow_up_closed=False)
        .exclude(follow_up="")
        .order_by()
        .values("household")
        .annotate(n=Count("pk"))
        .values("n")
    )
    qs = with_list_columns(households).annotate(
        open_follow_ups=Coalesce(Subquery(open_follow_ups, output_field=IntegerField()), 0)
    )
    rows = list(qs.order_by(F("last_visit_on").asc(nulls_first=True), "card_number"))
    since = policy.visit_due_since(today)
    for household in rows:
        # Never visited: due now. Otherwise due one interval after the last visit.
        last = household.last_visit
        household.next_visit_due = policy.next_visit_due(last) or today
        household.overdue = last is None or last < since
    return rows


def my_households(user, *, today: datetime.date | None = None) -> list[Household]:
    """A cadre's current households with last visit, overdue flag and open follow-ups."""
    profile_id = scope_for(user).profile_id
    return households_with_progress(
        Household.objects.visible_to(user).filter(
            Exists(Pairing.objects.current().filter(household=OuterRef("pk"), cadre_id=profile_id))
        ),
        today=today,
    )


def help_unit_households(user, unit) -> QuerySet:
    """The households of ``user``'s scope paired now with a cadre of the help unit."""
    return Household.objects.visible_to(user).filter(
        Exists(
            Pairing.objects.current().filter(
                household=OuterRef("pk"), cadre__help_unit=unit, cadre__role=StaffProfile.Role.CADRE
            )
        )
    )


def villages_with_counts(user) -> list[Village]:
    """The user's villages with their counts of households (by status) and people: one
    GROUP BY over the visible households and one over their members."""
    visible = Household.objects.visible_to(user)
    Status = Household.Status
    by_village = {
        row["village_id"]: row
        for row in visible.values("village_id")
        .annotate(
            registered=Count("pk"),
            exited=Count("pk", filter=Q(status=Status.EXITED)),
            poor=Count("pk", filter=Q(status=Status.POOR)),
            returned=Count("pk", filter=Q(status=Status.RETURNED)),
        )
        .order_by()
    }
    people = dict(
        Member.objects.inside(household__in=visible)
        .filter(is_active=True)
        .values_list("household__village_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    # This year's flag: whether a village is a registered poor village is yearly data.
    poor_villages = dict(
        VillageYear.objects.filter(
            village__in=Village.objects.visible_to(user), year=datetime.date.today().year
        ).values_list("village_id", "is_poor_village")
    )
    villages = list(Village.objects.visible_to(user).select_related("township").order_by("code"))
    for village in villages:
        row = by_village.get(village.pk, {})
        for key in ("registered", "exited", "poor", "returned"):
            setattr(village, key, row.get(key, 0))
        village.is_poor_village = poor_villages.get(village.pk)
        village.people = people.get(village.pk, 0)
    return villages


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
    people = Member.objects.inside(household__in=households).filter(is_active=True).count()
    scope = scope_for(user)
    by_village = []
    # A township's villages; a county sees its townships side by side instead (the village
    # list has its 240 villages).
    if scope.level == Scope.Level.TOWNSHIP:
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


def village_exits(
    villages,
    *,
    year: int,
    day: datetime.date | None = None,
    today: datetime.date | None = None,
) -> list:
    """Each village's exit eligibility in ``year`` (``policy.village_exit``), with poor people
    counted on ``day`` (31 December of the year, or today for the year in progress) and the
    village's figures of that year (``VillageYear``)."""
    today = today or datetime.date.today()
    villages = list(villages)
    line = PovertyLine.objects.filter(year=year).first()
    day = min(day or datetime.date(year, 12, 31), today)
    poor = asof.poor_people_by_village(villages, None if day >= today else day)
    figures = {f.village_id: f for f in VillageYear.objects.filter(village__in=villages, year=year)}
    conditions = list(VillageExitCriterion.objects.filter(year=year).order_by("order", "name"))
    checks = {
        (c.village_id, c.criterion_id): c.met
        for c in VillageCriterionCheck.objects.filter(
            village__in=villages, criterion__in=conditions
        )
    }
    return [
        policy.village_exit(
            village=village,
            year=year,
            poor_people=poor.get(village.pk, 0),
            population=getattr(figures.get(village.pk), "rural_population", None),
            is_poor_village=getattr(figures.get(village.pk), "is_poor_village", False),
            exit_year=getattr(figures.get(village.pk), "exit_year", None),
            collective_income=getattr(figures.get(village.pk), "collective_income", None),
            line=line,
            conditions=[(c.name, checks.get((village.pk, c.pk))) for c in conditions],
        )
        for village in villages
    ]


def village_exit_rows(user, *, year: int) -> list:
    """The village-exit page: the user's villages."""
    villages = Village.objects.visible_to(user).select_related("township").order_by("code")
    return village_exits(villages, year=year)
