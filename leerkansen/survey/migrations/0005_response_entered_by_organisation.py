from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("survey", "0004_assessment_links_made"),
    ]

    operations = [
        migrations.AddField(
            model_name="response",
            name="entered_by_organisation",
            field=models.BooleanField(default=False, editable=False),
        ),
    ]
