"""An organisation's right of access and right to erasure (GDPR articles 15, 17 and 20).

Both work on every model that declares an `organisation_path` (the tenancy contract), so a
model added later is exported and erased without a change here.

What the download holds is what the organisation owns: its account and admins, rounds,
invitations, plans, ratings, API key metadata, its security log, and the respondents' answers
only as the round reports' aggregates (reports.Report, which hides small groups and changes in
steps that isolate no one). A model whose rows are one respondent's (a response, its answers, a
draft) says so with `respondent_data = True` on its class: its rows are erased with the
organisation but never exported, and nothing exported may point at them. A new tenant model
must choose: exported as a whole, or declared per-respondent (tests/test_gdpr.py checks it).
Respondents reach their own answers through their resume link, not through the HR admin.

Secrets (token and password hashes) are never exported, and neither is anything that tells
whether or when an invitee answered (see EXPORTED_FIELDS).
"""

import io
import json
import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO

import defusedcsv.csv as csv
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.db.models.functions import Lower, Trim

from leerkansen.lib.text import clean_cell

from .models import Membership, Organisation, SecurityEvent
from .tenancy import owned

# Field names that hold secrets or their hashes: never part of an export.
SECRET_FIELDS = {"password", "token_hash", "resume_token_hash", "session_key", "pdf", "html"}
# Models exported with these fields only. An invitation's code is an input to its link token
# (survey/rounds.py); `completed_on` is the day the invitee answered and `reminded_on` moves
# only for invitees who have not answered yet: either would tie an address to a response.
# A field added to such a model later stays out until someone decides it tells nothing.
EXPORTED_FIELDS = {
    "survey.Invitation": (
        "id",
        "assessment",
        "role",
        "kind",
        "email",
        "expires_at",
        "created_on",
        "revoked",
        # The delivery of the invitation mail only (a reminder's is never kept).
        "mail_status",
        "mail_attempts",
        # The mail's language, as the admin chose it for the address (not the respondent's).
        "language",
    ),
}
# What Django admin's log keeps of a row of an erased organisation.
ERASED = "(erased)"
USER_FIELDS = ("email", "first_name", "last_name", "date_joined", "last_login")
# django-axes' records of login attempts and logins: username (an e-mail address here), IP
# address and browser. Pruned by survey.retention, erased with the accounts.
AXES_MODELS = ("axes.AccessAttempt", "axes.AccessLog", "axes.AccessFailureLog")


def tenant_models() -> list[type[models.Model]]:
    """Every model that holds an organisation's data, the organisation itself first."""
    found = [m for m in apps.get_models() if hasattr(m, "organisation_path")]
    return sorted(found, key=lambda m: (m is not Organisation, m._meta.label))


def is_respondent_data(model: type[models.Model]) -> bool:
    """Whether the model's rows are one respondent's each (declared on the model class)."""
    return getattr(model, "respondent_data", False) is True


def exported_models() -> list[type[models.Model]]:
    """The tenant models in the download: all but the per-respondent ones."""
    return [model for model in tenant_models() if not is_respondent_data(model)]


def _value(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return None
    return value


def exported_fields(model: type[models.Model]) -> list[models.Field]:
    chosen = EXPORTED_FIELDS.get(model._meta.label)
    return [
        field
        for field in model._meta.concrete_fields
        if field.name not in SECRET_FIELDS
        and not field.name.endswith("_hash")
        and (chosen is None or field.name in chosen)
    ]


def _rows(model: type[models.Model], organisation: Organisation) -> Iterator[dict]:
    if is_respondent_data(model):
        raise ValueError(f"{model._meta.label} holds respondents' rows: never exported")
    fields = exported_fields(model)
    for row in owned(model, organisation).order_by("pk").iterator():
        yield {field.attname: _value(getattr(row, field.attname)) for field in fields}


def _member_rows(organisation: Organisation) -> Iterator[dict]:
    for user in _members(organisation).order_by("pk"):
        yield {"id": user.pk} | {name: _value(getattr(user, name, None)) for name in USER_FIELDS}


def _members(organisation: Organisation):
    return get_user_model().objects.filter(memberships__organisation=organisation)


def _tables(organisation: Organisation) -> Iterator[tuple[str, Iterator[dict]]]:
    """(model label, its rows) for each table of the download, in the download's order."""
    for model in exported_models():
        yield model._meta.label, _rows(model, organisation)
    yield "auth.User", _member_rows(organisation)


def export_row_count(organisation: Organisation) -> int:
    """The rows of all tables of the download (one count per table), for a progress bar."""
    tables = sum(owned(model, organisation).count() for model in exported_models())
    return tables + _members(organisation).count()


def export_data(organisation: Organisation) -> dict[str, list[dict]]:
    """The organisation's data, per model label ("survey.Assessment": [...])."""
    return {label: list(rows) for label, rows in _tables(organisation)}


FORMATS = ("json", "csv")
# How often a progress hook hears of the rows written.
PROGRESS_ROWS = 1000


class _Counter:
    """Counts the rows written; tells a progress hook every PROGRESS_ROWS rows and the total
    at done(), so the numbers it hears only go up and end at the total."""

    def __init__(self, progress: Callable[[int], None] | None):
        self.progress = progress
        self.count = 0
        self.told = -1

    def rows(self, rows: Iterable[dict]) -> Iterator[dict]:
        for row in rows:
            yield row
            self.count += 1
            if self.progress is not None and self.count % PROGRESS_ROWS == 0:
                self.told = self.count
                self.progress(self.count)

    def done(self) -> None:
        if self.progress is not None and self.count != self.told:
            self.progress(self.count)


def write_export(
    target: str | Path | IO[bytes],
    organisation: Organisation,
    file_format: str,
    *,
    progress: Callable[[int], None] | None = None,
) -> None:
    """The download written to `target` (a path or a binary file) while it is read, table by
    table: "json" (one JSON object, per model label its rows) or "csv" (a ZIP with one CSV
    per model). `progress` hears the rows written over all tables (export_row_count is the
    total): every PROGRESS_ROWS rows, and the total when the file is complete."""
    if file_format not in FORMATS:
        raise ValueError(f"Unknown format {file_format!r}: one of {FORMATS}.")
    counter = _Counter(progress)
    tables = ((label, counter.rows(rows)) for label, rows in _tables(organisation))
    with _binary(target) as out:
        if file_format == "json":
            _write_json(out, tables)
        else:
            _write_csv_zip(out, tables)
    counter.done()


@contextmanager
def _binary(target: str | Path | IO[bytes]) -> Iterator[IO[bytes]]:
    if isinstance(target, str | Path):
        with open(target, "wb") as out:
            yield out
    else:
        yield target


def _write_json(out: IO[bytes], tables: Iterable[tuple[str, Iterator[dict]]]) -> None:
    """The bytes of json.dumps(export_data(...), ensure_ascii=False, indent=1), written a row
    at a time: each row's own dump, two levels deeper (indent adds the same per level)."""
    text = io.TextIOWrapper(out, encoding="utf-8", newline="")
    text.write("{")
    for number, (label, rows) in enumerate(tables):
        text.write(f"{',' if number else ''}\n {json.dumps(label, ensure_ascii=False)}: [")
        first = True
        for row in rows:
            dumped = json.dumps(row, ensure_ascii=False, indent=1).replace("\n", "\n  ")
            text.write(f"{'' if first else ','}\n  {dumped}")
            first = False
        text.write("]" if first else "\n ]")
    text.write("\n}")
    text.flush()
    text.detach()


def _write_csv_zip(out: IO[bytes], tables: Iterable[tuple[str, Iterator[dict]]]) -> None:
    """One CSV per model in a ZIP; cells that start a spreadsheet formula are neutralised and
    control characters left out (lib.text). A table without rows is an empty file."""
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for label, rows in tables:
            with archive.open(f"{label}.csv", "w", force_zip64=True) as member:
                text = io.TextIOWrapper(member, encoding="utf-8", newline="")
                writer = None
                for row in rows:
                    if writer is None:
                        writer = csv.DictWriter(text, fieldnames=list(row))
                        writer.writeheader()
                    writer.writerow({key: clean_cell(value) for key, value in row.items()})
                text.flush()
                text.detach()


def export_json(organisation: Organisation) -> bytes:
    """The JSON download as bytes (write_export's "json")."""
    buffer = io.BytesIO()
    write_export(buffer, organisation, "json")
    return buffer.getvalue()


def export_csv_zip(organisation: Organisation) -> bytes:
    """The CSV download, a ZIP, as bytes (write_export's "csv")."""
    buffer = io.BytesIO()
    write_export(buffer, organisation, "csv")
    return buffer.getvalue()


def axes_models() -> list[type[models.Model]]:
    """django-axes' models that keep usernames, IP addresses and browsers (if installed)."""
    return [
        apps.get_model(label) for label in AXES_MODELS if apps.is_installed(label.split(".")[0])
    ]


def forget_logins(usernames: Iterable[str]) -> int:
    """Delete django-axes' records of these usernames (case and surrounding spaces ignored,
    as typed in the login form); the number of rows deleted."""
    names = {name.strip().lower() for name in usernames if name and name.strip()}
    if not names:
        return 0
    deleted = 0
    for model in axes_models():
        rows = model._default_manager.annotate(lower_username=Trim(Lower("username")))
        deleted += rows.filter(lower_username__in=names).delete()[0]
    return deleted


def _admin_log_entries(organisation: Organisation, user_ids: Iterable[int]) -> list[int]:
    """Django admin's log entries (staff changes in /beheer/) about the organisation's rows
    and about these accounts: their text names the row ("Zorggroep Noord", an address)."""
    if not apps.is_installed("django.contrib.admin"):
        return []
    from django.contrib.admin.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    user_type = ContentType.objects.get_for_model(get_user_model())
    users = [str(pk) for pk in user_ids]
    found = list(
        LogEntry.objects.filter(content_type=user_type, object_id__in=users).values_list(
            "pk", flat=True
        )
    )
    for model in tenant_models():
        content_type = ContentType.objects.get_for_model(model)
        entries: dict[str, list[int]] = {}
        for object_id, pk in LogEntry.objects.filter(content_type=content_type).values_list(
            "object_id", "pk"
        ):
            if object_id.isdigit():
                entries.setdefault(object_id, []).append(pk)
        if entries:
            rows = owned(model, organisation).filter(pk__in=list(entries))
            for pk in rows.values_list("pk", flat=True):
                found += entries[str(pk)]
    return found


@transaction.atomic
def erase_organisation(organisation: Organisation) -> None:
    """Delete the organisation, everything that belongs to it, and members with no other
    organisation (their accounts exist only for it), with what the logs keep of those
    accounts: their security log lines and django-axes' records of their logins. Django
    admin's log keeps what staff did, without the names of the rows and accounts."""
    user_model = get_user_model()
    members = list(
        user_model.objects.filter(memberships__organisation=organisation).values_list(
            "pk", flat=True
        )
    )
    others = Membership.objects.filter(user_id__in=members).exclude(organisation=organisation)
    leaving_ids = set(members) - set(others.values_list("user_id", flat=True))
    admin_log = _admin_log_entries(organisation, leaving_ids)
    # Children first, so that no on_delete rule other than CASCADE is needed.
    for model in reversed(tenant_models()):
        owned(model, organisation).delete()
    leaving = user_model.objects.filter(pk__in=leaving_ids)
    names = set()
    for username, email in leaving.values_list(user_model.USERNAME_FIELD, "email"):
        names.update({username, email})
    forget_logins(names)
    # Their lines without an organisation (a denied page, a failed login before joining):
    # the user link would be nulled, but what remains is still about them.
    SecurityEvent.objects.filter(user__in=leaving).delete()
    leaving.delete()  # the admin log's entries made by these users go with them (CASCADE)
    if admin_log:
        from django.contrib.admin.models import LogEntry

        # What staff did stays on record, without the names of what they did it to.
        LogEntry.objects.filter(pk__in=admin_log).update(object_repr=ERASED, change_message="")
