"""Reports published in steps: the final state of a closed round, the responses left out.

Existing reports were refreshed with every response, so each holds every response completed
before it was last made: those responses become its first step. A report of a closed round is
its final state; one of an open round keeps its stored content until its next step (k new
responses) or the close, which publish it under the new rule.
"""

from django.db import migrations, models


def mark_published(apps, schema_editor):
    Report = apps.get_model("reports", "Report")
    Response = apps.get_model("survey", "Response")
    Report.objects.filter(assessment__status="closed").update(final=True)
    Response.objects.filter(completed_on__isnull=False, assessment__report__isnull=False).update(
        report_step=1
    )


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0003_action_ratings"),
        ("survey", "0003_response_report_step"),
    ]

    operations = [
        migrations.AddField(
            model_name="report",
            name="final",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.AddField(
            model_name="report",
            name="left_out",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.RunPython(mark_published, migrations.RunPython.noop),
    ]
