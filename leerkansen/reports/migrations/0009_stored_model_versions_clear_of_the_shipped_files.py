"""A stored model version named like a file shipped since (1.1.0) gets the next free version.

Before model 1.1.0 was shipped, a researcher's first draft was numbered 1.1.0. From then on the
shipped file would have answered for that version: the reports made with the draft would be
recomputed with another model, and an active draft could not be read at all. The stored
version moves to the next free number, with its content, its activations and the reports made
with it; its notes say so. Nothing else about it changes.
"""

import hashlib
import json

from django.db import migrations

# The shipped files when this migration was written; a later file gets its own migration.
SHIPPED = ("1.0.0", "1.1.0")


def _checksum(content: dict) -> str:
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def move_clashing_versions(apps, schema_editor) -> None:
    ModelVersion = apps.get_model("modelversions", "ModelVersion")
    ModelActivation = apps.get_model("modelversions", "ModelActivation")
    Report = apps.get_model("reports", "Report")
    for row in ModelVersion.objects.filter(version__in=SHIPPED).order_by("pk"):
        known = [*SHIPPED, *ModelVersion.objects.values_list("version", flat=True)]
        major, minor, _patch = max(_key(version) for version in known)
        old, new = row.version, f"{major}.{minor + 1}.0"
        row.version = new
        row.content = {**row.content, "version": new}
        row.checksum = _checksum(row.content)
        note = f"Stored as {old} until model {old} was shipped as a file; renamed to {new}."
        row.notes = f"{row.notes}\n\n{note}".strip()
        row.save()
        Report.objects.filter(model_version=old).update(model_version=new)
        ModelActivation.objects.filter(version=old).update(version=new)
        ModelActivation.objects.filter(previous_version=old).update(previous_version=new)
        ModelVersion.objects.filter(based_on=old).update(based_on=new)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0008_word_stored_bodies_again"),
        ("modelversions", "0001_initial"),
    ]

    operations = [migrations.RunPython(move_clashing_versions, migrations.RunPython.noop)]
