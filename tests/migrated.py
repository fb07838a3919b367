"""The test database's rows as the migrations left them (content types, permissions, the
measure kinds and other reference rows), kept when the database is set up, for the few
tests that must commit: they empty the database and put these back (``back_to_migrated``).
A transactional test's end empties the database without them, so a later one cannot rely
on them being there."""

from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import connection

ROWS: str | None = None  # set by tests/conftest.py's django_db_setup


def back_to_migrated() -> None:
    """Empty the database and put back what the migrations wrote, with the tables'
    sequences left where they were (rows written next get keys never used before)."""
    assert ROWS is not None, "tests/conftest.py keeps the migrated rows at set-up"
    tables = connection.introspection.django_table_names(only_existing=True)
    connection.ops.execute_sql_flush(
        connection.ops.sql_flush(no_style(), tables, reset_sequences=False, allow_cascade=True)
    )
    connection.creation.deserialize_db_from_string(ROWS)
    ContentType.objects.clear_cache()  # the content types are back under their first keys
