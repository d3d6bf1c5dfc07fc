"""Ratings record whether the action was one of the two the rating page asked about at random
(issue 15: evidence not limited to the app's own recommendations). Existing ratings: no."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0010_hidden_comments"),
    ]

    operations = [
        migrations.AddField(
            model_name="actionrating",
            name="asked_at_random",
            field=models.BooleanField(default=False),
        ),
    ]
