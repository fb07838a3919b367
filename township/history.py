"""The change history of policy data, places and accounts: who changed what, when, old → new.

Reads django-simple-history records one query a table and compares each record with the one
before it in Python; related objects are named with one query a related model.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

_HIDDEN = {"id", "password", "last_login"}


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


def _fields(model) -> list:
    return [f for f in model._meta.concrete_fields if f.name not in _HIDDEN]


def _names(model, records, fields) -> dict:
    """``{(field name, pk): str(object)}`` for every related object the records point to."""
    names = {}
    for f in fields:
        if not f.is_relation:
            continue
        ids = {getattr(r, f.attname) for r in records} - {None}
        if ids:
            for obj in f.related_model._default_manager.filter(pk__in=ids):
                names[(f.name, obj.pk)] = str(obj)
    return names


def _display(f, value, names) -> str:
    if value is None or value == "":
        return "—"
    if f.is_relation:
        return names.get((f.name, value), str(value))
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


def history_of(model, records, *, title=None, limit: int = 100) -> list[HistoryEntry]:
    """The entries of ``records`` (historical rows of ``model``), newest first."""
    actions = {
        "+": pgettext("history", "created"),
        "~": pgettext("history", "changed"),
        "-": pgettext("history", "deleted"),
    }
    records = list(records.select_related("history_user").order_by("history_date", "history_id"))
    fields = _fields(model)
    names = _names(model, records, fields)
    previous: dict = {}
    entries = []
    for record in records:
        before = previous.get(record.id)
        changes = []
        if record.history_type == "~" and before is not None:
            for f in fields:
                old, new = getattr(before, f.attname), getattr(record, f.attname)
                if old != new:
                    changes.append(
                        Change(
                            str(f.verbose_name), _display(f, old, names), _display(f, new, names)
                        )
                    )
        previous[record.id] = record
        reason = record.history_change_reason or ""
        if record.history_type == "~" and not changes and not reason:
            continue
        user = record.history_user
        entries.append(
            HistoryEntry(
                when=record.history_date,
                who=user.get_username() if user else _("system"),
                what=title(record) if title else str(model._meta.verbose_name),
                action=actions[record.history_type],
                reason=reason,
                changes=changes,
            )
        )
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:limit]


def merged(*histories: list[HistoryEntry], limit: int = 100) -> list[HistoryEntry]:
    entries = [e for h in histories for e in h]
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:limit]
