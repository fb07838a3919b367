from django.db import migrations, models
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce


def fill_head_names(apps, schema_editor):
    """Every card gets its active head's name (see ``household_head_names_refresh``)."""
    Household = apps.get_model("households", "Household")
    Member = apps.get_model("households", "Member")
    head = Subquery(
        Member.objects.filter(household=OuterRef("pk"), relation="head", is_active=True).values(
            "name"
        )[:1]
    )
    Household.objects.update(head_name=Coalesce(head, Value("")))


class Migration(migrations.Migration):
    dependencies = [
        ("households", "0018_constraint_messages_and_assessment"),
    ]

    operations = [
        migrations.AddField(
            model_name="household",
            name="head_name",
            field=models.CharField(
                blank=True, editable=False, max_length=50, verbose_name="head of household"
            ),
        ),
        migrations.RunPython(fill_head_names, migrations.RunPython.noop),
    ]
