"""The table of the database cache (settings.CACHES), which holds the throttles' counters.

Made by `migrate`, so a fresh database, CI and the test database need no extra step.
createcachetable makes only the tables that are missing, and none for other cache backends.
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("organisations", "0006_security_event_model_activated")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
