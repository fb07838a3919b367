"""Cards keep their head's ID number and how many members are active, beside the head's name
(see ``household_member_facts_refresh``)."""

from django.db import migrations, models

FILL = """
UPDATE households_household SET
    head_id_number = COALESCE((
        SELECT m.id_number FROM households_member m
        WHERE m.household_id = households_household.id AND m.relation = 'head' AND m.is_active
        LIMIT 1
    ), ''),
    members_count = (
        SELECT COUNT(*) FROM households_member m
        WHERE m.household_id = households_household.id AND m.is_active
    )
"""


class Migration(migrations.Migration):
    dependencies = [
        ("households", "0023_visit_village_required"),
    ]

    operations = [
        migrations.AddField(
            model_name="household",
            name="head_id_number",
            field=models.CharField(
                blank=True, editable=False, max_length=18, verbose_name="head's ID number"
            ),
        ),
        migrations.AddField(
            model_name="household",
            name="members_count",
            field=models.PositiveSmallIntegerField(
                default=0, editable=False, verbose_name="members"
            ),
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
    ]
