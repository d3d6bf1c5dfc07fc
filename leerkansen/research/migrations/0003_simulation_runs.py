"""Simulated organisations keep their planted profile and their run's settings (issue 15)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("organisations", "0007_cache_table"),
        ("research", "0002_model_versions_moved_to_modelversions"),
    ]

    operations = [
        migrations.CreateModel(
            name="SimulationRun",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("settings", models.JSONField()),
                ("planted", models.JSONField()),
                ("created_at", models.DateTimeField(auto_now_add=True)),
            ],
            options={
                "verbose_name": "simulation run",
                "verbose_name_plural": "simulation runs",
                "ordering": ["-created_at", "-pk"],
            },
        ),
        migrations.CreateModel(
            name="PlantedProfile",
            fields=[
                (
                    "organisation",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="planted_profile",
                        serialize=False,
                        to="organisations.organisation",
                    ),
                ),
                ("profile", models.PositiveSmallIntegerField()),
                (
                    "run",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="profiles",
                        to="research.simulationrun",
                    ),
                ),
            ],
            options={
                "verbose_name": "planted profile",
                "verbose_name_plural": "planted profiles",
            },
        ),
    ]
