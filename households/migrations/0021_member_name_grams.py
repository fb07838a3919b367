"""Find households by a member's name through an index, on PostgreSQL.

A name search asks for names containing a few characters ("张国"): no B-tree helps with
that, and pg_trgm finds no trigram in two Chinese characters. ``bangfu_name_grams(name)``
is the set of a name's pieces of one to four characters (张国强: 张, 国, 强, 张国, 国强,
张国强); a GIN index on it answers "which names contain 张国" at once. SQLite keeps the
plain LIKE (``households.selectors.NameGrams``).
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION bangfu_name_grams(name text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT substr(name, i, n)), '{}')
  FROM generate_series(1, char_length(name)) AS i, generate_series(1, 4) AS n
  WHERE i + n - 1 <= char_length(name)
$$
"""
INDEX = (
    "CREATE INDEX IF NOT EXISTS member_name_grams "
    "ON households_member USING gin (bangfu_name_grams(name))"
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION)
        schema_editor.execute(INDEX)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS member_name_grams")
        schema_editor.execute("DROP FUNCTION IF EXISTS bangfu_name_grams(text)")


class Migration(migrations.Migration):
    dependencies = [("households", "0020_household_by_last_visit")]

    operations = [migrations.RunPython(forwards, backwards)]
