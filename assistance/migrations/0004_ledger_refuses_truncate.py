"""The ledger refuses TRUNCATE too (a statement-level trigger: row triggers never see it).

UPDATE and DELETE are refused row by row since 0002. TRUNCATE empties a table without
touching a row, so it needs its own trigger. The app's database role has no TRUNCATE
right on the ledger anyway (bin/db-roles.sql); this guards the owner role against an
accident such as ``manage.py flush`` on a production database. A session that really
means it (the test suite between transactional tests, which empties every table) says
so with ``SET bangfu.ledger_truncate = 'allowed'``; only a role that may TRUNCATE the table
at all can use that, and such a role (the owner) could drop the trigger anyway.
"""

from django.db import migrations

GUARD = """
CREATE OR REPLACE FUNCTION assistance_ledger_no_truncate() RETURNS trigger AS $$
BEGIN
    IF coalesce(current_setting('bangfu.ledger_truncate', true), '') = 'allowed' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'the ledger is append-only: it cannot be emptied';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER assistance_ledger_no_truncate
    BEFORE TRUNCATE ON assistance_ledgerentry
    FOR EACH STATEMENT EXECUTE FUNCTION assistance_ledger_no_truncate();
"""
UNGUARD = """
DROP TRIGGER IF EXISTS assistance_ledger_no_truncate ON assistance_ledgerentry;
DROP FUNCTION IF EXISTS assistance_ledger_no_truncate();
"""


def guard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(GUARD)


def unguard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(UNGUARD)


class Migration(migrations.Migration):
    dependencies = [("assistance", "0003_plan_item_closed_on")]

    operations = [migrations.RunPython(guard, unguard)]
