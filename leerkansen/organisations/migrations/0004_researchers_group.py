"""The group that makes a staff user a researcher (see organisations/auth.py)."""

from django.db import migrations

RESEARCHERS_GROUP = "Onderzoekers"


def create_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.get_or_create(name=RESEARCHERS_GROUP)


def remove_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name=RESEARCHERS_GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("organisations", "0003_invitations_api_tokens_security_log"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
