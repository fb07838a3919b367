"""The household list as a roster in the import format: an export imports back unchanged."""

from django.utils.translation import gettext as _

from households.imports.roster import COLUMNS
from households.imports.service import MEMBER_FIELDS
from households.masking import mask_id
from households.models import (
    Household,
    HouseholdCause,
    HouseholdIncome,
    Member,
    Pairing,
    StatusChange,
)
from township.choices import translated_labels

CHUNK = 2000  # households read together (their members, incomes, exits and cadres)
_HOUSEHOLD_FIELDS = (
    "pk",
    "village__code",
    "group_name",
    "phone",
    "address",
    "attribute",
    "year_identified",
    "status",
    "housing",
    "no_worry_food",
    "no_worry_clothing",
    "water_safe",
)
# The member columns of the roster, as the import reads them back.
_MEMBER_FIELDS = ("household_id", "id_number", *MEMBER_FIELDS)
_MEMBER_CHOICES = ("sex", "relation", "education", "schooling", "health", "labour")
_INCOME_FIELDS = (
    "household_id",
    "year",
    "wage_income",
    "business_income",
    "property_income",
    "transfer_income",
    "production_cost",
)


def roster_rows(households, *, full_ids: bool, year: int | None = None):
    """One row a member, the household's columns repeated, the income of ``year`` (or the last).

    Read as plain values a chunk of households at a time (members, incomes, exits, causes and
    cadres each in one query a chunk), in the order of ``households``: a county's 170,000
    members as model objects took longer than writing them."""
    rows = households.values_list(*_HOUSEHOLD_FIELDS)
    chunk = []
    for household in rows.iterator(chunk_size=CHUNK):
        chunk.append(household)
        if len(chunk) == CHUNK:
            yield from _chunk_rows(chunk, full_ids=full_ids, year=year)
            chunk = []
    if chunk:
        yield from _chunk_rows(chunk, full_ids=full_ids, year=year)


def _chunk_rows(households: list, *, full_ids: bool, year: int | None):
    ids = [h[0] for h in households]
    members: dict[int, list] = {}
    for member in (
        Member.objects.filter(household_id__in=ids, is_active=True)
        .order_by("pk")
        .values(*_MEMBER_FIELDS)
        .unscoped("the members of households already in the export's scope")
    ):
        members.setdefault(member["household_id"], []).append(member)
    incomes = {}
    chosen = HouseholdIncome.objects.filter(household_id__in=ids).order_by("household_id", "-year")
    if year is not None:
        chosen = chosen.filter(year=year)
    for income in chosen.values_list(*_INCOME_FIELDS):
        incomes.setdefault(income[0], income)  # the latest year first
    exits = {}
    for household_id, day in (
        StatusChange.objects.exits()
        .filter(household_id__in=ids)
        .order_by("household_id", "-effective_on", "-pk")
        .values_list("household_id", "effective_on")
    ):
        exits.setdefault(household_id, day)
    causes = dict(
        HouseholdCause.objects.filter(household_id__in=ids, is_main=True).values_list(
            "household_id", "cause"
        )
    )
    cadres = {}
    for household_id, name in (
        Pairing.objects.current()
        .filter(household_id__in=ids)
        .order_by("pk")
        .values_list("household_id", "cadre__name")
        .unscoped("the pairings of households already in the export's scope")
    ):
        cadres.setdefault(household_id, name)

    shown = (lambda v: v) if full_ids else mask_id
    h = {f: translated_labels(Household, f) for f in ("attribute", "status", "housing")}
    cause_labels = translated_labels(HouseholdCause, "cause")
    yes, no = _("yes"), _("no")
    keys = [c.key for c in COLUMNS]
    # Where a member's values go in the household's row: a row is the household's, copied,
    # with the member's columns put in (a county's 170,000 rows, one list each).
    slot = {key: i for i, key in enumerate(keys)}
    choices = [(slot[f], f, translated_labels(Member, f)) for f in _MEMBER_CHOICES]
    plain = [
        (slot[f], f) for f in MEMBER_FIELDS if f not in _MEMBER_CHOICES and f != "disability_grade"
    ]
    id_slot, grade_slot = slot["id_number"], slot["disability_grade"]
    for (
        pk,
        village,
        group_name,
        phone,
        address,
        attribute,
        year_identified,
        status,
        housing,
        food,
        clothing,
        water,
    ) in households:
        people = members.get(pk, [])
        head = next((p for p in people if p["relation"] == Member.Relation.HEAD), None)
        income = incomes.get(pk)
        exited_on = exits.get(pk)
        household_values = {
            "village": village,
            "group_name": group_name,
            "head_id": shown(head["id_number"]) if head else "",
            "phone": phone,
            "address": address,
            "attribute": h["attribute"].get(attribute, attribute),
            "year_identified": year_identified,
            "status": h["status"].get(status, status),
            "exit_year": exited_on.year if exited_on and status == Household.Status.EXITED else "",
            "housing": h["housing"].get(housing, housing),
            "no_worry_food": yes if food else no,
            "no_worry_clothing": yes if clothing else no,
            "water_safe": yes if water else no,
            "cadre": cadres.get(pk, ""),
            "main_cause": cause_labels.get(causes[pk], causes[pk]) if pk in causes else "",
        }
        if income is not None:
            household_values.update(zip(_INCOME_FIELDS[1:], income[1:], strict=True))
            household_values["income_year"] = household_values.pop("year")
        row = [household_values.get(key, "") for key in keys]
        for member in people:
            values = row.copy()
            for i, field in plain:
                values[i] = member[field]
            for i, field, labels in choices:
                values[i] = labels.get(member[field], member[field])
            values[id_slot] = shown(member["id_number"])
            values[grade_slot] = member["disability_grade"] or ""
            yield values


def roster_headings() -> list[list[str]]:
    return [[c.zh for c in COLUMNS], [c.en for c in COLUMNS]]
