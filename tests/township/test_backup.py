"""bin/backup and bin/restore: a backup restored into a fresh database is the same data."""

import datetime
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection

from assistance import ledger
from assistance.models import Fund
from households.models import ImportJob
from tests.reporting_helpers import database_url

ROOT = Path(__file__).resolve().parents[2]
# CI runs on PostgreSQL: there this test never skips.
pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql" and not os.environ.get("CI"),
        reason="backups are pg_dump and pg_restore",
    ),
    pytest.mark.django_db(transaction=True),  # committed, so that pg_dump sees it
]
BALANCES = (
    "import json; from assistance.ledger import fund_balance; from assistance.models import Fund;"
    "print(json.dumps({f.pk: [str(x) for x in (b.received, b.allocated, b.disbursed)]"
    " for f in Fund.objects.order_by('pk') for b in [fund_balance(f)]}))"
)


def counts(url: str) -> dict[str, int]:
    """The rows of every table of the database at ``url``."""
    with psycopg2.connect(url) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        tables = sorted(t for (t,) in cursor.fetchall())
        result = {}
        for table in tables:
            cursor.execute(f'SELECT count(*) FROM "{table}"')
            result[table] = cursor.fetchone()[0]
    conn.close()
    return result


def balances(url: str) -> dict:
    """fund_balance of every fund, computed by the app on the database at ``url``."""
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", BALANCES],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "township.test_settings"},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(script: str, *args, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(ROOT / "bin" / script), *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
    )


def admin(sql: str) -> None:
    conn = psycopg2.connect(database_url().rsplit("/", 1)[0] + "/postgres")
    conn.autocommit = True  # CREATE and DROP DATABASE run outside transactions
    with conn.cursor() as cursor:
        cursor.execute(sql)
    conn.close()


@pytest.fixture
def fresh_database():
    name = f"{connection.settings_dict['NAME']}_restored_{os.getpid()}"
    admin(f'DROP DATABASE IF EXISTS "{name}"')
    admin(f'CREATE DATABASE "{name}"')
    yield database_url().rsplit("/", 1)[0] + f"/{name}"
    admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_backup_restores_into_a_fresh_database_with_the_same_rows_and_balances(
    world, fresh_database, tmp_path
):
    fund = world.funds.a
    allocation = ledger.ledger_allocate(
        fund=fund,
        amount=Decimal("2500.50"),
        voucher="A1",
        entry_date=datetime.date(2025, 3, 1),
        purpose="修路",
        user=world.profiles.staff.user,
        project=world.projects.a,
    )
    ledger.ledger_disburse(
        allocation=allocation,
        amount=Decimal("1000.25"),
        voucher="D1",
        entry_date=datetime.date(2025, 4, 1),
        purpose="一期",
        user=world.profiles.staff.user,
    )
    job = ImportJob(filename="roster.xlsx", created_by=world.profiles.staff.user)
    job.file.save("roster.xlsx", ContentFile(b"PK roster bytes"), save=True)
    original = database_url()
    media = Path(settings.MEDIA_ROOT)
    backup = tmp_path / "backup"

    made = run("backup", str(backup), env={"DATABASE_URL": original, "MEDIA_ROOT": str(media)})
    assert made.returncode == 0, made.stderr
    restored_media = tmp_path / "restored-media"
    restored = run(
        "restore",
        str(backup),
        env={"DATABASE_URL": fresh_database, "MEDIA_ROOT": str(restored_media)},
    )
    assert restored.returncode == 0, restored.stderr

    before, after = counts(original), counts(fresh_database)
    assert after == before
    assert before["assistance_ledgerentry"] == 4 and before["households_household"] == 4
    expected = {
        str(f.pk): [str(x) for x in (b.received, b.allocated, b.disbursed)]
        for f in Fund.objects.order_by("pk")
        for b in [ledger.fund_balance(f)]
    }
    assert balances(fresh_database) == expected
    assert expected[str(fund.pk)] == ["10000.00", "2500.50", "1000.25"]
    files = sorted(p.relative_to(media) for p in media.rglob("*") if p.is_file())
    assert files and files == sorted(
        p.relative_to(restored_media) for p in restored_media.rglob("*") if p.is_file()
    )
    assert all((media / f).read_bytes() == (restored_media / f).read_bytes() for f in files)
    # The restored ledger is guarded as the original: append-only, by its triggers.
    conn = psycopg2.connect(fresh_database)
    with conn.cursor() as cursor, pytest.raises(psycopg2.Error, match="immutable"):
        cursor.execute("UPDATE assistance_ledgerentry SET purpose = 'x'")
    conn.close()

    again = run("restore", str(backup), env={"DATABASE_URL": fresh_database})
    assert again.returncode == 1 and "already has" in again.stderr  # never mixes two states
