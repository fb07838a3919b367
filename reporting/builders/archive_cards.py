"""The household archive card, one page a household, as printed for its handbook."""

from households.models import Member, PovertyLine
from reporting import selectors


def build(run, progress):
    households = list(
        selectors.households_of(run)
        .select_related("village")
        .prefetch_related("causes", "incomes", "pairings__cadre")
        .order_by("village__code", "card_number")
    )
    members = {}
    for m in Member.objects.filter(household__in=households, is_active=True).order_by("pk"):
        members.setdefault(m.household_id, []).append(m)
    lines = {line.year: line.amount for line in PovertyLine.objects.all()}
    cards = []
    for n, hh in enumerate(households):
        incomes = sorted(hh.incomes.all(), key=lambda i: -i.year)[:3]
        cards.append(
            {
                "household": hh,
                "members": members.get(hh.pk, []),
                "causes": sorted(hh.causes.all(), key=lambda c: not c.is_main),
                "incomes": [(i, lines.get(i.year)) for i in incomes],
                "cadre": next((p.cadre for p in hh.pairings.all() if p.end_date is None), None),
            }
        )
        if n % 100 == 0:
            progress(10 + int(50 * n / max(len(households), 1)))
    figures = {"households": len(cards), "people": sum(len(c["members"]) for c in cards)}
    return "reporting/pdf/cards.html", {"cards": cards}, figures
