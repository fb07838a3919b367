"""Writing many rows of plain values at once, with their history rows: for the demo data.

Django's ``bulk_create`` spends most of its time building model instances and compiling the
INSERT; at county scale (a million rows) that alone takes many minutes. ``RowWriter`` takes
plain values, reserves primary keys from the table's sequence, and writes with PostgreSQL's
COPY (or ``executemany`` on SQLite), adding a django-simple-history row for each row of a
model that keeps history, so a card loaded this way reads as "created" in its history.
"""

import datetime
import io
import json
from collections import defaultdict
from decimal import Decimal

from django.db import connection, models
from django.utils import timezone

from township import figures_cache


def _text(value) -> str:
    """A value in PostgreSQL's COPY text format."""
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, list | dict):
        value = json.dumps(value, ensure_ascii=False)
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _sqlite(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat(sep=" ") if isinstance(value, datetime.datetime) else str(value)
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return value


class RowWriter:
    """Collect rows per model (``add``), then write them all (``flush``)."""

    def __init__(self, *, reason: str, user_id: int | None = None):
        self.reason, self.user_id = reason, user_id
        self.when = timezone.now()
        self.rows: dict[type, list[dict]] = defaultdict(list)
        self._next_sqlite_id: dict[type, int] = {}

    def ids(self, model: type[models.Model], count: int) -> list[int]:
        """Reserve ``count`` primary keys of ``model``'s table."""
        if count == 0:
            return []
        table = model._meta.db_table
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [table, count],
                )
                return [row[0] for row in cursor.fetchall()]
            if model not in self._next_sqlite_id:
                cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')  # noqa: S608
                self._next_sqlite_id[model] = cursor.fetchone()[0] + 1
        start = self._next_sqlite_id[model]
        self._next_sqlite_id[model] = start + count
        return list(range(start, start + count))

    def add(self, model: type[models.Model], values: dict) -> None:
        """A row by field attname (``village_id``, not ``village``), its ``id`` included."""
        self.rows[model].append(values)

    def flush(self) -> None:
        for model, rows in self.rows.items():
            fields = model._meta.concrete_fields
            complete = [self._complete(fields, r) for r in rows]
            self._write(model._meta.db_table, fields, complete)
            history = getattr(model, "history", None)
            if history is not None:
                names = [f.attname for f in fields]
                self._write_history(
                    history.model, [dict(zip(names, row, strict=True)) for row in complete]
                )
        self.rows.clear()
        figures_cache.changed()

    def _complete(self, fields, row: dict) -> list:
        values = []
        for field in fields:
            if field.attname in row:
                values.append(row[field.attname])
            elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                values.append(self.when)
            else:
                values.append(field.get_default())
        return values

    def _write_history(self, history_model, rows: list[dict]) -> None:
        extra = {
            "history_date": self.when,
            "history_change_reason": self.reason,
            "history_type": "+",
            "history_user_id": self.user_id,
        }
        fields = [f for f in history_model._meta.concrete_fields if f.attname != "history_id"]
        self._write(
            history_model._meta.db_table,
            fields,
            [self._complete(fields, {**row, **extra}) for row in rows],
        )

    def _write(self, table: str, fields, rows: list[list]) -> None:
        if not rows:
            return
        columns = [f.column for f in fields]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                buffer = io.StringIO()
                for row in rows:
                    buffer.write("\t".join(_text(v) for v in row))
                    buffer.write("\n")
                buffer.seek(0)
                quoted = ", ".join(f'"{c}"' for c in columns)
                cursor.cursor.copy_expert(f'COPY "{table}" ({quoted}) FROM STDIN', buffer)
            else:
                marks = ", ".join("%s" for _ in columns)
                quoted = ", ".join(f'"{c}"' for c in columns)
                cursor.executemany(
                    f'INSERT INTO "{table}" ({quoted}) VALUES ({marks})',  # noqa: S608
                    [[_sqlite(v) for v in row] for row in rows],
                )
