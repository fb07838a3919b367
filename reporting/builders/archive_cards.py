"""The household archive card, one page a household, as printed for its handbook.

The card is printed as it stood on the run's date (today for this year's cards), with the
exit criteria from ``households.policy``: the same figures as the card's web page.
"""

import datetime

from households import asof, policy
from households.models import HouseholdCause, HouseholdIncome, PovertyLine, StatusChange
from reporting import selectors


def build(run, progress):
    day = min(run.as_of, datetime.date.today())
    scope = (
        selectors.households_in_scope(run)
        if run.household_id
        else asof.registered_on(selectors.households_in_scope(run), day)
    )
    households = list(scope.select_related("village").order_by("village__code", "card_number"))
    statuses = asof.statuses_on(scope, day)
    cards, entered_later = asof.cards_as_of(scope, day)
    members = asof.members_as_of(scope, day, entered_later=entered_later)
    pairings = asof.pairings_on(scope, day)
    incomes: dict[int, list] = {}
    for income in HouseholdIncome.objects.filter(household__in=scope, year__lte=day.year).order_by(
        "-year"
    ):
        incomes.setdefault(income.household_id, []).append(income)
    causes: dict[int, list] = {}
    for cause in HouseholdCause.objects.filter(household__in=scope).order_by("-is_main", "cause"):
        causes.setdefault(cause.household_id, []).append(cause)
    exits: dict[int, list] = {}
    for fact in StatusChange.objects.exits().filter(household__in=scope, effective_on__lte=day):
        exits.setdefault(fact.household_id, []).append(fact)
    lines = dict(PovertyLine.objects.values_list("year", "amount"))
    stable_years = dict(PovertyLine.objects.values_list("year", "stable_years"))
    result = []
    for n, hh in enumerate(households):
        card = cards.get(hh.pk, hh)
        people = members.get(hh.pk, [])
        criteria = policy.exit_criteria(
            household=card,
            members=people,
            incomes=incomes.get(hh.pk, []),
            lines=lines,
            day=day,
            stable_years=stable_years,
        )
        pairing = pairings.get(hh.pk)
        result.append(
            {
                "household": hh,
                "card": card,
                "status": hh.Status(statuses[hh.pk]).label if hh.pk in statuses else "—",
                "members": people,
                "causes": causes.get(hh.pk, []),
                "incomes": [(i, lines.get(i.year)) for i in incomes.get(hh.pk, [])[:3]],
                "criteria": criteria,
                "eligible": policy.is_eligible(criteria),
                "exits": exits.get(hh.pk, []),
                "cadre": pairing.cadre if pairing else None,
            }
        )
        if n % 100 == 0:
            progress(10 + int(50 * n / max(len(households), 1)))
    figures = {
        "households": len(result),
        "people": sum(len(c["members"]) for c in result),
        "as_of": day.isoformat(),
    }
    return "reporting/pdf/cards.html", {"cards": result, "day": day}, figures
