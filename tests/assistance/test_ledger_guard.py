"""The ledger on PostgreSQL: append-only for everyone, and the app's role cannot undo that."""

import os
import subprocess
from pathlib import Path

import psycopg2
import pytest
from django.db import connection, transaction
from django.db.utils import InternalError

from assistance.models import LedgerEntry

ROOT = Path(__file__).resolve().parents[2]
# CI runs on PostgreSQL: there these tests never skip.
pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql" and not os.environ.get("CI"),
    reason="the ledger's guards are PostgreSQL triggers and roles",
)


@pytest.mark.django_db(transaction=True)  # committed entries, no deferred checks pending
def test_truncate_cannot_empty_the_ledger(world):
    before = LedgerEntry.objects.count()
    assert before > 0
    with (
        pytest.raises(InternalError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SET LOCAL bangfu.ledger_truncate TO ''")
        cursor.execute("TRUNCATE assistance_ledgerentry CASCADE")
    assert LedgerEntry.objects.count() == before


@pytest.fixture
def app_role(transactional_db):
    """A role set up by bin/db-roles.sql on the test database, and a connection as it."""
    role = f"bangfu_app_test_{os.getpid()}"
    db = connection.settings_dict
    dsn = {
        "host": db["HOST"] or "127.0.0.1",
        "port": db["PORT"] or 5432,
        "dbname": db["NAME"],
    }
    owner = {**dsn, "user": db["USER"], "password": db.get("PASSWORD") or ""}
    env = {**os.environ, "PGPASSWORD": owner["password"]}
    subprocess.run(
        [
            "psql",
            "--no-psqlrc",
            "-v",
            "ON_ERROR_STOP=1",
            "-v",
            f"app_role={role}",
            "-h",
            str(owner["host"]),
            "-p",
            str(owner["port"]),
            "-U",
            owner["user"],
            "-d",
            owner["dbname"],
            "-f",
            str(ROOT / "bin" / "db-roles.sql"),
        ],
        check=True,
        capture_output=True,
        env=env,
    )
    app = psycopg2.connect(**dsn, user=role)
    app.autocommit = True
    yield app
    app.close()
    with psycopg2.connect(**owner) as admin, admin.cursor() as cursor:
        cursor.execute(f'DROP OWNED BY "{role}"; DROP ROLE "{role}"')
    admin.close()


def attempt(conn, sql: str) -> str:
    """What the database answers to ``sql`` run as the app's role: "ok" or the error."""
    try:
        with conn.cursor() as cursor:
            cursor.execute(sql)
    except psycopg2.Error as error:
        return error.pgcode
    return "ok"


DENIED, NOT_OWNER = "42501", "42501"  # insufficient_privilege (also "must be owner")


def test_the_apps_role_reads_and_writes_but_cannot_undo_the_ledgers_guards(app_role):
    assert attempt(app_role, "SELECT count(*) FROM assistance_ledgerentry") == "ok"
    with app_role.cursor() as cursor:
        cursor.execute(
            "SELECT has_table_privilege('assistance_ledgerentry', 'INSERT'),"
            " has_sequence_privilege('assistance_ledgerentry_id_seq', 'USAGE'),"
            " has_table_privilege('assistance_ledgerentry', 'UPDATE'),"
            " pg_has_role('postgres', 'MEMBER')"
        )
        assert cursor.fetchone() == (True, True, False, False)
    assert attempt(app_role, "SELECT count(*) FROM households_household") == "ok"
    # Ordinary tables: all four rights (nothing to change in them yet, but allowed).
    assert attempt(app_role, "UPDATE households_household SET phone = phone") == "ok"
    assert attempt(app_role, "DELETE FROM households_visit WHERE false") == "ok"
    # The ledger: no UPDATE, DELETE or TRUNCATE right, and not its owner.
    assert attempt(app_role, "UPDATE assistance_ledgerentry SET purpose = purpose") == DENIED
    assert attempt(app_role, "DELETE FROM assistance_ledgerentry") == DENIED
    assert attempt(app_role, "TRUNCATE assistance_ledgerentry") == DENIED
    assert attempt(app_role, "SET bangfu.ledger_truncate = 'allowed'") == "ok"
    assert attempt(app_role, "TRUNCATE assistance_ledgerentry CASCADE") == DENIED
    disable = "ALTER TABLE assistance_ledgerentry DISABLE TRIGGER assistance_ledger_append_only"
    assert attempt(app_role, disable) == NOT_OWNER
    assert (
        attempt(app_role, "DROP TRIGGER assistance_ledger_no_truncate ON assistance_ledgerentry")
        == NOT_OWNER
    )
    assert (
        attempt(app_role, "ALTER TABLE assistance_ledgerentry OWNER TO CURRENT_USER") == NOT_OWNER
    )
