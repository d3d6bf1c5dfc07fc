"""Reports of several respondents: counts and scores per role, agreement, open answers.

The report's time of creation becomes a day (created_on), as the responses' times did: a
report is made when someone completes the questionnaire, and the time would tell when.
"""

from django.db import migrations, models
from django.utils import timezone

import leerkansen.reports.models


def copy_created_day(apps, schema_editor):
    Report = apps.get_model("reports", "Report")
    for report in Report.objects.only("pk", "created_at").iterator():
        day = timezone.localdate(report.created_at)
        Report.objects.filter(pk=report.pk).update(created_on=day, updated_on=day)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="report",
            name="role_counts",
            field=models.JSONField(default=dict),
        ),
        migrations.AddField(
            model_name="report",
            name="role_scores",
            field=models.JSONField(default=dict),
        ),
        migrations.AddField(
            model_name="report",
            name="agreement",
            field=models.JSONField(default=dict),
        ),
        migrations.AddField(
            model_name="report",
            name="free_text",
            field=models.JSONField(default=dict),
        ),
        migrations.AddField(
            model_name="report",
            name="free_text_allowed",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="report",
            name="revision",
            field=models.PositiveIntegerField(default=1, editable=False),
        ),
        migrations.AddField(
            model_name="report",
            name="created_on",
            field=models.DateField(default=leerkansen.reports.models.today, editable=False),
        ),
        migrations.AddField(
            model_name="report",
            name="updated_on",
            field=models.DateField(default=leerkansen.reports.models.today, editable=False),
        ),
        migrations.RunPython(copy_created_day, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name="report",
            name="created_at",
        ),
    ]
