"""Cards keep the cadre of their current pairing (see ``household_cadres_refresh``)."""

import django.db.models.deletion
from django.db import migrations, models

FILL = """
UPDATE households_household SET current_cadre_id = (
    SELECT p.cadre_id FROM households_pairing p
    WHERE p.household_id = households_household.id AND p.end_date IS NULL
    LIMIT 1
)
"""


class Migration(migrations.Migration):
    dependencies = [
        ("households", "0024_household_member_facts"),
        ("township", "0009_profile_by_name"),
    ]

    operations = [
        migrations.AddField(
            model_name="household",
            name="current_cadre",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="township.staffprofile",
                verbose_name="current pairing cadre",
            ),
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
    ]
