"""Every visit has its village (0022 filled it in); a village's visits by date."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("households", "0022_visit_village"),
    ]

    operations = [
        migrations.AlterField(
            model_name="visit",
            name="village",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="township.village",
                verbose_name="village",
            ),
        ),
        migrations.AddIndex(
            model_name="visit",
            index=models.Index(
                fields=["village", "-visited_on", "-id"], name="visit_village_newest"
            ),
        ),
    ]
