from django.db import migrations, models


def mark_rounds_with_links(apps, schema_editor):
    Assessment = apps.get_model("survey", "Assessment")
    Invitation = apps.get_model("survey", "Invitation")
    with_links = Invitation.objects.values("assessment_id")
    Assessment.objects.filter(pk__in=with_links).update(links_made=True)


class Migration(migrations.Migration):
    dependencies = [
        ("survey", "0003_response_report_step"),
    ]

    operations = [
        migrations.AddField(
            model_name="assessment",
            name="links_made",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.RunPython(mark_rounds_with_links, migrations.RunPython.noop),
    ]
