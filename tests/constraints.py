from contextlib import contextmanager

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, models, transaction


def _find(name: str):
    """The model and the named constraint ``name`` (CheckConstraint or UniqueConstraint)."""
    for model in apps.get_models():
        for constraint in model._meta.constraints:
            if constraint.name == name:
                return model, constraint
    raise AssertionError(f"no model has a constraint named {name!r}")


def _sqlite_words(model, constraint) -> list[str]:
    """What SQLite says when ``constraint`` refuses a write (it names CHECKs, not UNIQUEs)."""
    if isinstance(constraint, models.CheckConstraint):
        return [f"CHECK constraint failed: {constraint.name}"]
    if constraint.fields:
        table = model._meta.db_table
        columns = [model._meta.get_field(f).column for f in constraint.fields]
        return ["UNIQUE constraint failed: " + ", ".join(f"{table}.{c}" for c in columns)]
    return [f"UNIQUE constraint failed: index '{constraint.name}'"]


def _unique_field_words(model, field: str) -> list[str]:
    column = model._meta.get_field(field).column
    if connection.vendor == "postgresql":
        return [f"Key ({column})="]
    return [f"UNIQUE constraint failed: {model._meta.db_table}.{column}"]


@contextmanager
def violates(constraint: str | None = None, *, unique_field: tuple | None = None):
    """Expect the database to refuse the block's write because of ``constraint``.

    ``constraint`` names a CheckConstraint or UniqueConstraint of a model; ``unique_field``
    is ``(Model, "field")`` for a field declared ``unique=True``. On both databases the
    error must name that constraint (PostgreSQL) or its check name / columns (SQLite), so
    a write refused for another reason does not pass.
    """
    if unique_field is not None:
        expected = _unique_field_words(*unique_field)
    elif connection.vendor == "postgresql":
        _find(constraint)
        expected = [f'"{constraint}"']
    else:
        expected = _sqlite_words(*_find(constraint))
    with pytest.raises(IntegrityError) as info, transaction.atomic():
        yield
    message = str(info.value)
    assert any(word in message for word in expected), (expected, message)
