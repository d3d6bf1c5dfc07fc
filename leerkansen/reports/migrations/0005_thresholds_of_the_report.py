"""Reports keep the thresholds they were made with: anonymity, free text and dominance.

Existing reports get the values in force: the anonymity and free-text thresholds of the
settings (the defaults, applied to every existing row) and the dominance threshold of their
own model version. That is the shipped model's for version 1.0.0; a version estimated since
is read from its stored content with plain SQL, from the table ModelVersion has always used,
so that this migration does not depend on the app that holds the model.
"""

import json

from django.db import migrations, models

import leerkansen.reports.models
from leerkansen.scoring.model import SHIPPED_VERSION

VERSIONS_TABLE = "research_modelversion"


def stored_dominance_thresholds(connection) -> dict[str, float]:
    """The dominance threshold of every model version stored in the database."""
    if VERSIONS_TABLE not in connection.introspection.table_names():
        return {}
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT version, content FROM {VERSIONS_TABLE}")  # noqa: S608
        rows = cursor.fetchall()
    thresholds = {}
    for version, content in rows:
        data = json.loads(content) if isinstance(content, str | bytes) else content
        thresholds[version] = float(data["dominance_threshold"])
    return thresholds


def dominance_of_their_model_version(apps, schema_editor):
    Report = apps.get_model("reports", "Report")
    db = schema_editor.connection.alias
    versions = set(
        Report.objects.using(db)
        .exclude(model_version=SHIPPED_VERSION)
        .values_list("model_version", flat=True)
        .distinct()
    )
    if not versions:
        return
    stored = stored_dominance_thresholds(schema_editor.connection)
    for version in versions:
        # A version that is not stored cannot be recomputed either; it keeps the default.
        if version in stored:
            Report.objects.using(db).filter(model_version=version).update(
                dominance_threshold=stored[version]
            )


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0004_published_in_steps"),
    ]

    operations = [
        migrations.AddField(
            model_name="report",
            name="anonymity_threshold",
            field=models.PositiveSmallIntegerField(
                default=leerkansen.reports.models.anonymity_threshold_in_force, editable=False
            ),
        ),
        migrations.AddField(
            model_name="report",
            name="free_text_threshold",
            field=models.PositiveSmallIntegerField(
                default=leerkansen.reports.models.free_text_threshold_in_force, editable=False
            ),
        ),
        migrations.AddField(
            model_name="report",
            name="dominance_threshold",
            field=models.FloatField(
                default=leerkansen.reports.models.shipped_dominance_threshold, editable=False
            ),
        ),
        migrations.RunPython(dominance_of_their_model_version, migrations.RunPython.noop),
    ]
