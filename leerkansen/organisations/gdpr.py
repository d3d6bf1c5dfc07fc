"""An organisation's right of access and right to erasure (GDPR articles 15, 17 and 20).

Both work on every model that declares an `organisation_path` (the tenancy contract), so a
model added later is exported and erased without a change here. Secrets (token and password
hashes) are never exported.
"""

import io
import json
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal

import defusedcsv.csv as csv
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models, transaction

from .models import Membership, Organisation
from .tenancy import owned

# Field names that hold secrets or their hashes: never part of an export.
SECRET_FIELDS = {"password", "token_hash", "resume_token_hash", "session_key", "pdf", "html"}
# An invitation's code is an input to its link token (see survey/rounds.py).
SECRET_MODEL_FIELDS = {("survey", "invitation"): {"code"}}
USER_FIELDS = ("email", "first_name", "last_name", "date_joined", "last_login")


def tenant_models() -> list[type[models.Model]]:
    """Every model that holds an organisation's data, the organisation itself first."""
    found = [m for m in apps.get_models() if hasattr(m, "organisation_path")]
    return sorted(found, key=lambda m: (m is not Organisation, m._meta.label))


def _value(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return None
    return value


def _rows(model: type[models.Model], organisation: Organisation) -> Iterator[dict]:
    secret = SECRET_FIELDS | SECRET_MODEL_FIELDS.get(
        (model._meta.app_label, model._meta.model_name), set()
    )
    fields = [
        field
        for field in model._meta.concrete_fields
        if field.name not in secret and not field.name.endswith("_hash")
    ]
    for row in owned(model, organisation).order_by("pk").iterator():
        yield {field.attname: _value(getattr(row, field.attname)) for field in fields}


def _member_rows(organisation: Organisation) -> Iterator[dict]:
    users = get_user_model().objects.filter(memberships__organisation=organisation)
    for user in users.order_by("pk"):
        yield {"id": user.pk} | {name: _value(getattr(user, name, None)) for name in USER_FIELDS}


def export_data(organisation: Organisation) -> dict[str, list[dict]]:
    """All the organisation's data, per model label ("survey.Response": [...])."""
    data = {model._meta.label: list(_rows(model, organisation)) for model in tenant_models()}
    data["auth.User"] = list(_member_rows(organisation))
    return data


def export_json(organisation: Organisation) -> bytes:
    return json.dumps(export_data(organisation), ensure_ascii=False, indent=1).encode()


def export_csv_zip(organisation: Organisation) -> bytes:
    """One CSV per model in a ZIP; cells that start a spreadsheet formula are neutralised."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for label, rows in export_data(organisation).items():
            text = io.StringIO()
            if rows:
                writer = csv.DictWriter(text, fieldnames=list(rows[0]))
                writer.writeheader()
                writer.writerows(rows)
            archive.writestr(f"{label}.csv", text.getvalue())
    return buffer.getvalue()


@transaction.atomic
def erase_organisation(organisation: Organisation) -> None:
    """Delete the organisation, everything that belongs to it, and members with no other
    organisation (their accounts exist only for it)."""
    user_model = get_user_model()
    members = list(
        user_model.objects.filter(memberships__organisation=organisation).values_list(
            "pk", flat=True
        )
    )
    # Children first, so that no on_delete rule other than CASCADE is needed.
    for model in reversed(tenant_models()):
        owned(model, organisation).delete()
    others = Membership.objects.filter(user_id__in=members).values_list("user_id", flat=True)
    user_model.objects.filter(pk__in=set(members) - set(others)).delete()
