"""The change history of one archive card: who changed what, when, old → new.

Reads the django-simple-history tables of the card and of everything hanging from it, one
query a table, and computes each change against the record before it in Python.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from households.masking import SENSITIVE_FIELDS
from households.models import Household, HouseholdCause, HouseholdIncome, Member, Pairing, Visit

_HIDDEN = {
    "id",
    "version",
    "created_at",
    "updated_at",
    "client_token",
    "household",
}


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    when: datetime
    who: str
    what: str
    action: str
    reason: str
    changes: list[Change] = field(default_factory=list)


def _display(model_field, value) -> str:
    if value is None or value == "":
        return "—"
    if model_field.name in SENSITIVE_FIELDS:
        return SENSITIVE_FIELDS[model_field.name](value)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


def _fields(model) -> list:
    # The facts a card keeps for its lists are not in its history: they follow other rows.
    hidden = (_HIDDEN | Household.KEPT_BY_SERVICES) if model is Household else _HIDDEN
    return [f for f in model._meta.concrete_fields if f.name not in hidden and not f.is_relation]


def _title(model, record) -> str:
    name = str(model._meta.verbose_name)
    if model is Member:
        return f"{name} {record.name}"
    if model is HouseholdIncome:
        return f"{name} {record.year}"
    if model is HouseholdCause:
        return f"{name} {_display(model._meta.get_field('cause'), record.cause)}"
    if model is Visit:
        return f"{name} {record.visited_on}"
    return name


def card_history(household: Household, *, limit: int = 60) -> list[HistoryEntry]:
    sources = [
        (Household, Household.history.filter(id=household.pk)),
        (Member, Member.history.filter(household_id=household.pk)),
        (HouseholdIncome, HouseholdIncome.history.filter(household_id=household.pk)),
        (HouseholdCause, HouseholdCause.history.filter(household_id=household.pk)),
        (Pairing, Pairing.history.filter(household_id=household.pk)),
        (Visit, Visit.history.filter(household_id=household.pk)),
    ]
    actions = {
        "+": pgettext("history", "created"),
        "~": pgettext("history", "changed"),
        "-": pgettext("history", "deleted"),
    }
    entries: list[HistoryEntry] = []
    for model, records in sources:
        fields = _fields(model)
        previous: dict[int, object] = {}
        for record in records.select_related("history_user").order_by("history_date", "history_id"):
            before = previous.get(record.id)
            changes = []
            if record.history_type == "~" and before is not None:
                for f in fields:
                    old, new = getattr(before, f.attname), getattr(record, f.attname)
                    if old != new:
                        changes.append(
                            Change(str(f.verbose_name), _display(f, old), _display(f, new))
                        )
            previous[record.id] = record
            if record.history_type == "~" and not changes:
                continue
            user = record.history_user
            entries.append(
                HistoryEntry(
                    when=record.history_date,
                    who=user.get_username() if user else _("system"),
                    what=_title(model, record),
                    action=actions[record.history_type],
                    reason=record.history_change_reason or "",
                    changes=changes,
                )
            )
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:limit]
