"""Rounds and invitations; a response's moments kept to the day.

Existing responses keep their days (in the site's time zone); the exact times are dropped.
"""

import datetime

import django.db.models.deletion
from django.db import migrations, models
from django.utils import timezone

import leerkansen.lib.codes
import leerkansen.survey.models

ROLE_CHOICES = [
    ("hr", "HR"),
    ("directie", "Management"),
    ("leidinggevende", "Line manager"),
    ("medewerker", "Employee"),
]


def times_to_days(apps, schema_editor):
    Response = apps.get_model("survey", "Response")
    changed = []
    for response in Response.objects.only("created_at", "updated_at", "completed_at").iterator():
        response.created_on = timezone.localdate(response.created_at)
        response.updated_on = timezone.localdate(response.updated_at)
        if response.completed_at is not None:
            response.completed_on = timezone.localdate(response.completed_at)
        changed.append(response)
        if len(changed) >= 500:
            Response.objects.bulk_update(changed, ["created_on", "updated_on", "completed_on"])
            changed = []
    if changed:
        Response.objects.bulk_update(changed, ["created_on", "updated_on", "completed_on"])


def days_to_times(apps, schema_editor):
    Response = apps.get_model("survey", "Response")
    for response in Response.objects.iterator():
        def noon(day):
            return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))

        response.created_at = noon(response.created_on)
        response.updated_at = noon(response.updated_on)
        if response.completed_on is not None:
            response.completed_at = noon(response.completed_on)
        response.save(update_fields=["created_at", "updated_at", "completed_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("survey", "0001_initial"),
    ]

    operations = [
        # Rounds
        migrations.AddField(
            model_name="assessment",
            name="title",
            field=models.CharField(blank=True, max_length=200, verbose_name="title"),
        ),
        migrations.AddField(
            model_name="assessment",
            name="status",
            field=models.CharField(
                choices=[("open", "open"), ("closed", "closed")], default="open", max_length=10
            ),
        ),
        migrations.AddField(
            model_name="assessment",
            name="roles",
            field=models.JSONField(default=leerkansen.survey.models.default_roles),
        ),
        migrations.AddField(
            model_name="assessment",
            name="closed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.CreateModel(
            name="Invitation",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "code",
                    models.CharField(
                        default=leerkansen.lib.codes.new_code,
                        editable=False,
                        max_length=32,
                        unique=True,
                    ),
                ),
                ("role", models.CharField(choices=ROLE_CHOICES, max_length=20)),
                (
                    "kind",
                    models.CharField(
                        choices=[("personal", "personal"), ("shared", "shared")], max_length=10
                    ),
                ),
                (
                    "email",
                    models.EmailField(blank=True, max_length=254, verbose_name="e-mail address"),
                ),
                ("token_hash", models.CharField(editable=False, max_length=64, unique=True)),
                ("expires_at", models.DateTimeField()),
                ("created_on", models.DateField(default=leerkansen.survey.models.today)),
                ("completed_on", models.DateField(blank=True, null=True)),
                ("reminded_on", models.DateField(blank=True, null=True)),
                ("revoked", models.BooleanField(default=False)),
                (
                    "assessment",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="invitations",
                        to="survey.assessment",
                    ),
                ),
            ],
            options={
                "verbose_name": "invitation",
                "verbose_name_plural": "invitations",
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("kind", "personal"),
                            models.Q(("completed_on", None), ("email", "")),
                            _connector="OR",
                        ),
                        name="only_personal_invitations_have_an_address_and_completion",
                    )
                ],
            },
        ),
        # Responses: a role, and days instead of moments
        migrations.AddField(
            model_name="response",
            name="role",
            field=models.CharField(choices=ROLE_CHOICES, default="hr", max_length=20),
        ),
        migrations.AddField(
            model_name="response",
            name="created_on",
            field=models.DateField(default=leerkansen.survey.models.today),
        ),
        migrations.AddField(
            model_name="response",
            name="updated_on",
            field=models.DateField(default=leerkansen.survey.models.today),
        ),
        migrations.AddField(
            model_name="response",
            name="completed_on",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.RunPython(times_to_days, days_to_times),
        migrations.RemoveField(model_name="response", name="created_at"),
        migrations.RemoveField(model_name="response", name="updated_at"),
        migrations.RemoveField(model_name="response", name="completed_at"),
        # Answers: open questions keep their text
        migrations.RemoveConstraint(model_name="answer", name="answer_is_number_or_code"),
        migrations.AddField(
            model_name="answer",
            name="text",
            field=models.TextField(blank=True),
        ),
        migrations.AddConstraint(
            model_name="answer",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("code", ""), ("number__isnull", True)),
                    models.Q(("number__isnull", True), ("text", "")),
                    models.Q(("code", ""), ("text", "")),
                    _connector="OR",
                ),
                name="answer_is_one_of_number_code_text",
            ),
        ),
    ]
