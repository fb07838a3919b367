"""The household list as a roster in the import format: an export imports back unchanged."""

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from households.imports.roster import COLUMNS
from households.masking import mask_id
from households.models import Household, HouseholdIncome, Member, Pairing, StatusChange


def _labels(model, field: str) -> dict:
    """A choice field's labels by value, translated once for the whole export (Django's
    ``get_FOO_display`` hashes and translates the lazy label again on every call: a third of
    a county export's time)."""
    return {value: str(label) for value, label in model._meta.get_field(field).flatchoices}


def roster_rows(households, *, full_ids: bool, year: int | None = None):
    """One row a member, the household's columns repeated, the income of ``year`` (or the last)."""
    members = Prefetch(
        "members",
        queryset=Member.objects.filter(is_active=True)
        .order_by("pk")
        .unscoped("prefetched under the households of the export, already in scope"),
        to_attr="roster_members",
    )
    incomes = Prefetch(
        "incomes", queryset=HouseholdIncome.objects.order_by("-year"), to_attr="roster_incomes"
    )
    exits = Prefetch(
        "status_changes",
        queryset=StatusChange.objects.exits().order_by("-effective_on", "-pk"),
        to_attr="roster_exits",
    )
    cadres = Prefetch(
        "pairings",
        queryset=Pairing.objects.current()
        .select_related("cadre")
        .unscoped("prefetched under the households of the export, already in scope"),
        to_attr="roster_pairings",
    )
    shown = (lambda v: v) if full_ids else mask_id
    member_fields = ("sex", "relation", "education", "schooling", "health", "labour")
    m = {f: _labels(Member, f) for f in member_fields}
    h = {f: _labels(Household, f) for f in ("attribute", "status", "housing")}

    def label(labels: dict, value):
        return labels.get(value, value)

    for household in (
        households.select_related("village")
        .prefetch_related(members, incomes, "causes", exits, cadres)
        .iterator(chunk_size=1000)
    ):
        head = next(
            (m for m in household.roster_members if m.relation == Member.Relation.HEAD), None
        )
        income = next((i for i in household.roster_incomes if year is None or i.year == year), None)
        main = next((c.get_cause_display() for c in household.causes.all() if c.is_main), "")
        for member in household.roster_members:
            values = {
                "village": household.village.code,
                "group_name": household.group_name,
                "head_id": shown(head.id_number) if head else "",
                "name": member.name,
                "id_number": shown(member.id_number),
                "sex": label(m["sex"], member.sex),
                "relation": label(m["relation"], member.relation),
                "ethnicity": member.ethnicity,
                "education": label(m["education"], member.education),
                "schooling": label(m["schooling"], member.schooling),
                "health": label(m["health"], member.health),
                "disability_grade": member.disability_grade or "",
                "labour": label(m["labour"], member.labour),
                "migrant_months": member.migrant_months,
                "phone": household.phone,
                "address": household.address,
                "attribute": label(h["attribute"], household.attribute),
                "year_identified": household.year_identified,
                "status": label(h["status"], household.status),
                "exit_year": household.roster_exits[0].effective_on.year
                if household.roster_exits and household.status == household.Status.EXITED
                else "",
                "housing": label(h["housing"], household.housing),
                "no_worry_food": _yes_no(household.no_worry_food),
                "no_worry_clothing": _yes_no(household.no_worry_clothing),
                "water_safe": _yes_no(household.water_safe),
                "cadre": household.roster_pairings[0].cadre.name
                if household.roster_pairings
                else "",
                "main_cause": main,
            }
            if income is not None:
                values.update(
                    {
                        "income_year": income.year,
                        "wage_income": income.wage_income,
                        "business_income": income.business_income,
                        "property_income": income.property_income,
                        "transfer_income": income.transfer_income,
                        "production_cost": income.production_cost,
                    }
                )
            yield [values.get(c.key, "") for c in COLUMNS]


def _yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


def roster_headings() -> list[list[str]]:
    return [[c.zh for c in COLUMNS], [c.en for c in COLUMNS]]
