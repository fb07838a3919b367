from contextlib import contextmanager

import pytest
from django.db import IntegrityError, connection, transaction


@contextmanager
def violates(constraint: str):
    """Expect the database to refuse the block's write because of ``constraint``."""
    with pytest.raises(IntegrityError) as info, transaction.atomic():
        yield
    message = str(info.value)
    # PostgreSQL names every constraint; SQLite names CHECK constraints only.
    if connection.vendor == "postgresql" or "CHECK" in message:
        assert constraint in message, message
