"""Open answers an admin hides from a report (reports/comments.py)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0009_stored_model_versions_clear_of_the_shipped_files"),
    ]

    operations = [
        migrations.AddField(
            model_name="report",
            name="hidden_comments",
            field=models.JSONField(default=dict, editable=False),
        ),
    ]
