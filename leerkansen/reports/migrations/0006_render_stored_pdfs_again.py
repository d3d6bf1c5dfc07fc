"""Stored report PDFs are made again on their next request, as tagged PDF/UA in the new order.

Their content does not change: the PDF is rendered from the report's own snapshot and body.
"""

from django.db import migrations


def forget_stored_pdfs(apps, schema_editor) -> None:
    apps.get_model("reports", "Report").objects.exclude(pdf=None).update(pdf=None)


class Migration(migrations.Migration):
    dependencies = [("reports", "0005_thresholds_of_the_report")]

    operations = [migrations.RunPython(forget_stored_pdfs, migrations.RunPython.noop)]
