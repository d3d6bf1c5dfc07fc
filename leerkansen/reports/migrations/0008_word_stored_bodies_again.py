"""Stored report bodies are rendered again on their next view, in the wording of issue 13.

Bodies stored before said "99% kans" and "(0,85)" of a prior model, and "je" to a group. The
snapshot (scores, profile, top 3, counts) does not change: only its wording is rendered anew
from it (views._page, services.render_stored_body). The PDFs follow from the same snapshot.
"""

from django.db import migrations


def forget_stored_bodies(apps, schema_editor) -> None:
    apps.get_model("reports", "Report").objects.update(html="", pdf=None)


class Migration(migrations.Migration):
    dependencies = [("reports", "0007_also_strong")]

    operations = [migrations.RunPython(forget_stored_bodies, migrations.RunPython.noop)]
