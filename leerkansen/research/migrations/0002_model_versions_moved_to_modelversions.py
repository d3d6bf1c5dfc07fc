"""ModelVersion and ModelActivation now belong to the modelversions app (its 0001).

State only: their tables stay as they are, under their old names.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("research", "0001_initial"),
        ("modelversions", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="ModelActivation"),
                migrations.DeleteModel(name="ModelVersion"),
            ],
        ),
    ]
