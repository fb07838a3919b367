"""Households as they stood on a day: the data reports are computed from.

Two kinds of past are read here:

- facts that carry their own date (status changes, pairings with start and end, members'
  leaving dates, visits, deliveries, incomes by year) are taken by that date, so a late
  entry of an earlier event counts where it belongs;
- the card's and the members' other fields (food, clothing, housing, water; schooling,
  insurance) are read from their change history (django-simple-history) as recorded at the
  end of the day. A card entered only later (a county's register imported after the fact)
  is read as first recorded: that is the best knowledge of its past there is.

Building the same report again later therefore gives the same figures, unless the past was
corrected; ``reporting`` lists what changed between versions.
"""

import datetime
from collections import defaultdict

from django.db.models import Count, Max, Min, Q, QuerySet
from django.utils import timezone

from households import policy
from households.models import Household, Member, Pairing, StatusChange
from township.models import StaffProfile
from township.scoping import unscoped


def end_of(day: datetime.date) -> datetime.datetime:
    """The last moment of ``day`` in the deployment's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.max))


def statuses_on(households: QuerySet, day: datetime.date) -> dict[int, str]:
    """Each household's status at the end of ``day``; households not yet entered are absent."""
    out: dict[int, str] = {}
    for hid, status in (
        StatusChange.objects.filter(household__in=households, effective_on__lte=day)
        .order_by("household_id", "effective_on", "pk")
        .values_list("household_id", "status")
    ):
        out[hid] = status
    return out


def registered_on(households: QuerySet, day: datetime.date) -> QuerySet:
    """The households in the register (``policy.REGISTERED``) on ``day``."""
    ids = [hid for hid, s in statuses_on(households, day).items() if s in policy.REGISTERED]
    return households.filter(pk__in=ids)


def exits_between(
    households: QuerySet, start: datetime.date, end: datetime.date
) -> list[StatusChange]:
    """Exit facts of ``households`` dated from ``start`` to ``end``, oldest first."""
    return list(
        StatusChange.objects.exits()
        .filter(household__in=households, effective_on__gte=start, effective_on__lte=end)
        .select_related("override_by__profile", "case", "household__village")
        .order_by("effective_on", "pk")
    )


def facts_of(households: QuerySet) -> dict[int, list[StatusChange]]:
    out: dict[int, list[StatusChange]] = defaultdict(list)
    for fact in StatusChange.objects.filter(household__in=households).order_by(
        "household_id", "effective_on", "pk"
    ):
        out[fact.household_id].append(fact)
    return out


def _versions(history, moment: datetime.datetime, *, fallback_first: bool) -> dict[int, object]:
    """The latest version of each object at ``moment``; with ``fallback_first``, objects
    first recorded after ``moment`` are read as first recorded."""
    latest = history.filter(history_date__lte=moment).values("id").annotate(h=Max("history_id"))
    chosen = {row["id"]: row["h"] for row in latest}
    if fallback_first:
        first = history.exclude(id__in=list(chosen)).values("id").annotate(h=Min("history_id"))
        chosen.update({row["id"]: row["h"] for row in first})
    versions = history.model.objects.filter(history_id__in=list(chosen.values()))
    return {v.id: v for v in versions if v.history_type != "-"}


def cards_as_of(households: QuerySet, day: datetime.date) -> tuple[dict[int, object], set[int]]:
    """Each card's fields as recorded at the end of ``day``, and the ids of cards that were
    entered only after it (read as first recorded)."""
    history = Household.history.filter(id__in=households.values("pk"))
    moment = end_of(day)
    existed = set(history.filter(history_date__lte=moment).values_list("id", flat=True))
    cards = _versions(history, moment, fallback_first=True)
    return cards, set(cards) - existed


def members_as_of(
    households: QuerySet, day: datetime.date, *, entered_later: set[int]
) -> dict[int, list]:
    """Each household's members on ``day``: their fields as recorded then (as first recorded
    for cards entered later), present unless they had left by ``day``."""
    moment = end_of(day)
    history = Member.history.filter(household_id__in=households.values("pk"))
    versions = _versions(history, moment, fallback_first=False)
    if entered_later:
        late = _versions(
            history.filter(household_id__in=list(entered_later)), moment, fallback_first=True
        )
        versions.update(late)
    # Leaving is an effective date: a correction recorded later still counts on its day.
    left = dict(
        Member.objects.inside(household__in=households)
        .filter(pk__in=list(versions), left_on__isnull=False)
        .values_list("pk", "left_on")
    )
    out: dict[int, list] = defaultdict(list)
    for version in sorted(versions.values(), key=lambda v: v.id):
        left_on = left.get(version.id, version.left_on)
        if left_on is not None and left_on <= day:
            continue
        version.is_active, version.left_on = True, None
        out[version.household_id].append(version)
    return out


def pairings_on(households: QuerySet, day: datetime.date) -> dict[int, Pairing]:
    """The pairing in force on ``day`` for each household (a reassignment's new pairing
    takes effect on its start date)."""
    return {
        p.household_id: p
        for p in Pairing.objects.inside(household__in=households)
        .filter(start_date__lte=day)
        .filter(Q(end_date__isnull=True) | Q(end_date__gt=day))
        .select_related("cadre")
    }


def paired_with_on(cadre_id: int, day: datetime.date) -> QuerySet:
    """The households a cadre answered for on ``day``."""
    return Household.objects.filter(
        pk__in=Pairing.objects.filter(cadre_id=cadre_id, start_date__lte=day)
        .filter(Q(end_date__isnull=True) | Q(end_date__gt=day))
        .values("household_id")
    )


def paired_with_unit_on(help_unit_id: int, day: datetime.date) -> QuerySet:
    """The households the cadres of a help unit (帮扶单位) answered for on ``day``."""
    return paired_with_any_on(
        StaffProfile.objects.filter(help_unit_id=help_unit_id).values("pk"), day
    )


def paired_with_any_on(cadre_ids, day: datetime.date) -> QuerySet:
    """The households any of ``cadre_ids`` (ids or a queryset of them) answered for on ``day``:
    a help unit's households that day."""
    return Household.objects.filter(
        pk__in=Pairing.objects.filter(cadre_id__in=cadre_ids, start_date__lte=day)
        .filter(Q(end_date__isnull=True) | Q(end_date__gt=day))
        .values("household_id")
    )


def poor_people_by_village(villages, day: datetime.date | None = None) -> dict[int, int]:
    """The incidence's numerator: people in households poor (``policy.POOR``) on ``day``,
    by village. Without a day, from the current cards (the same figure for today, cheaper).

    A village's figure counts all of its households, whoever asks: it is a count, and the
    village's exit is judged on it."""
    with unscoped("a village's poverty incidence counts all of its households"):
        return _poor_people_by_village(villages, day)


def _poor_people_by_village(villages, day: datetime.date | None) -> dict[int, int]:
    if day is None:
        return dict(
            Member.objects.filter(
                is_active=True,
                household__village__in=villages,
                household__status__in=policy.POOR,
            )
            .values_list("household__village_id")
            .annotate(n=Count("pk"))
            .order_by()
        )
    households = Household.objects.filter(village__in=villages)
    poor = [hid for hid, s in statuses_on(households, day).items() if s in policy.POOR]
    poor_qs = Household.objects.filter(pk__in=poor)
    _cards, later = cards_as_of(poor_qs, day)
    members = members_as_of(poor_qs, day, entered_later=later)
    village_of = dict(poor_qs.values_list("pk", "village_id"))
    out: dict[int, int] = defaultdict(int)
    for hid, rows in members.items():
        out[village_of[hid]] += len(rows)
    return dict(out)
