"""Visits keep their household's village (filled in here; required in 0023)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("households", "0021_member_name_grams"),
        ("township", "0008_constraint_messages_for_users"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalvisit",
            name="village",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="township.village",
                verbose_name="village",
            ),
        ),
        migrations.AddField(
            model_name="visit",
            name="village",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="township.village",
                verbose_name="village",
            ),
        ),
        # Each visit takes its household's village.
        migrations.RunSQL(
            "UPDATE households_visit SET village_id = (SELECT h.village_id FROM "
            "households_household h WHERE h.id = households_visit.household_id)",
            migrations.RunSQL.noop,
        ),
    ]
