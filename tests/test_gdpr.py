"""Export and erasure of an organisation's data, checked over every tenant model.

The export holds what the organisation owns and the respondents' answers only as the reports'
aggregates: never a row of one respondent. Erasure removes everything, the respondents' rows
too, and what the logs keep of the accounts that go with it.
"""

import io
import json
import zipfile
from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.db import models
from django.test.utils import isolate_apps
from django.utils import timezone

from leerkansen.organisations.gdpr import (
    EXPORTED_FIELDS,
    erase_organisation,
    export_csv_zip,
    export_data,
    export_json,
    exported_fields,
    exported_models,
    is_respondent_data,
    tenant_models,
)
from leerkansen.organisations.models import Membership, Organisation, SecurityEvent
from leerkansen.organisations.security import log_event
from leerkansen.organisations.tenancy import owned
from leerkansen.organisations.tests.helpers import login_records
from leerkansen.reports.demo import demo_answers
from leerkansen.reports.services import create_report
from leerkansen.survey.models import Answer, Invitation, Response
from leerkansen.survey.services import (
    complete_response,
    save_answers,
    start_assessment,
    start_response,
)
from leerkansen.testing import make_admin, make_organisation

pytestmark = pytest.mark.django_db

SECRET_TEXT = "Mijn leidinggevende luistert nooit"
DRAFT_TEXT = "Nog niet verstuurd: te weinig tijd"
# Invitation fields judged to tell whether or when the invitee answered, or secret.
WITHHELD_INVITATION_FIELDS = {"code", "token_hash", "completed_on", "reminded_on"}


def make_organisation_with_data(name: str, admin_email: str) -> Organisation:
    """An organisation with an admin, a report of a completed response, and a draft."""
    organisation = make_organisation(name, sector="", size_band="")
    make_admin(admin_email, organisation=organisation, name="", password="a-long-password-1")
    response, _ = start_assessment(organisation)
    save_answers(response, demo_answers() | {"E_open": SECRET_TEXT})
    complete_response(response)
    create_report(response.assessment)
    draft, _ = start_response(response.assessment, "hr")
    save_answers(draft, {"B1_1": 2, "E_open": DRAFT_TEXT})
    return organisation


def everything_in_csv(archive: zipfile.ZipFile) -> str:
    return "".join(archive.read(name).decode() for name in archive.namelist())


def test_export_holds_every_exported_tenant_model_and_no_secrets():
    organisation = make_organisation_with_data('=HYPERLINK("http://x")', "hr@a.example")
    make_organisation_with_data("Other", "hr@b.example")
    data = json.loads(export_json(organisation))
    for model in exported_models():
        assert model._meta.label in data
        assert len(data[model._meta.label]) == owned(model, organisation).count()
    assert [u["email"] for u in data["auth.User"]] == ["hr@a.example"]
    text = json.dumps(data)
    assert "hr@b.example" not in text and "Other" not in text
    assert "token_hash" not in text and "password" not in text


def test_export_holds_no_row_of_one_respondent_in_json_or_csv():
    organisation = make_organisation_with_data("Zorggroep Noord", "hr@a.example")
    assert owned(Response, organisation).count() == 2  # one sent, one draft
    assert owned(Answer, organisation).filter(text=SECRET_TEXT).exists()

    data = json.loads(export_json(organisation))
    archive = zipfile.ZipFile(io.BytesIO(export_csv_zip(organisation)))

    for label in ("survey.Response", "survey.Answer"):
        assert label not in data
        assert f"{label}.csv" not in archive.namelist()
    for text in (json.dumps(data, ensure_ascii=False), everything_in_csv(archive)):
        assert SECRET_TEXT not in text and DRAFT_TEXT not in text
        assert "resume_token" not in text
    # No answer row (its "item_id") outside the report, whose top 3 names the facet items
    # with the counts of the whole group.
    rows = {label: value for label, value in data.items() if label != "reports.Report"}
    others = [name for name in archive.namelist() if name != "reports.Report.csv"]
    for text in (json.dumps(rows), "".join(archive.read(name).decode() for name in others)):
        assert "item_id" not in text
    # The answers are there as the report's aggregates.
    [report] = data["reports.Report"]
    assert report["response_count"] == 1
    assert report["scores"]
    assert "reports.Report.csv" in archive.namelist()


def test_invitations_are_exported_without_anything_that_tells_who_answered():
    organisation = make_organisation_with_data("Zorggroep Noord", "hr@a.example")
    assessment = owned(Response, organisation).first().assessment
    Invitation.objects.create(
        assessment=assessment,
        role="hr",
        kind=Invitation.Kind.PERSONAL,
        email="mieke@a.example",
        token_hash="x" * 64,
        expires_at=timezone.now() + timedelta(days=30),
        completed_on=timezone.localdate(),
        reminded_on=timezone.localdate(),
    )
    [row] = export_data(organisation)["survey.Invitation"]
    assert row["email"] == "mieke@a.example"
    assert not {"completed_on", "reminded_on", "code", "token_hash"} & set(row)


# --- The contract: a tenant model is exported, or declared per-respondent -------------------


def undeclared(candidates) -> list[str]:
    """Tenant models that hang under a per-respondent model (a relation to one, or an
    organisation_path through one) without being declared per-respondent themselves: they
    would be exported, and with them one respondent's rows or a link to them."""
    respondent = {model for model in candidates if is_respondent_data(model)}
    wrong = []
    for model in candidates:
        if is_respondent_data(model):
            continue
        targets = {
            field.related_model for field in model._meta.concrete_fields if field.is_relation
        }
        if targets & respondent:
            wrong.append(model._meta.label)
    return wrong


def test_every_tenant_model_is_exported_or_declared_per_respondent():
    organisation = make_organisation_with_data("Zorggroep Noord", "hr@a.example")
    data = export_data(organisation)
    declared = {m._meta.label for m in tenant_models() if is_respondent_data(m)}
    for model in tenant_models():
        label = model._meta.label
        assert (label in data) != (label in declared), label
    # Each respondent's rows, sent or draft, are declared so.
    assert {"survey.Response", "survey.Answer"} <= declared
    assert undeclared(tenant_models()) == []


def test_a_new_model_under_a_response_is_caught_until_it_is_declared():
    with isolate_apps("leerkansen.survey"):

        class Note(models.Model):
            response = models.ForeignKey(Response, on_delete=models.CASCADE)
            text = models.TextField()

            organisation_path = "response__assessment__organisation"

            class Meta:
                app_label = "survey"

            def __str__(self) -> str:
                return self.text

        assert undeclared([*tenant_models(), Note]) == ["survey.Note"]
        Note.respondent_data = True
        assert undeclared([*tenant_models(), Note]) == []


def test_every_invitation_field_was_judged_for_the_export():
    exported = {field.name for field in exported_fields(Invitation)}
    judged = exported | WITHHELD_INVITATION_FIELDS
    assert {field.name for field in Invitation._meta.concrete_fields} == judged
    assert exported == set(EXPORTED_FIELDS["survey.Invitation"])


def test_csv_export_neutralises_formulas():
    organisation = make_organisation_with_data('=HYPERLINK("http://x")', "hr@a.example")
    archive = zipfile.ZipFile(io.BytesIO(export_csv_zip(organisation)))
    organisations_csv = archive.read("organisations.Organisation.csv").decode()
    assert "'=HYPERLINK" in organisations_csv or "\t=HYPERLINK" in organisations_csv
    assert "survey.Assessment.csv" in archive.namelist()


# --- Erasure ----------------------------------------------------------------------------------


def login_rows_of(username: str) -> int:
    return sum(
        model.objects.filter(username__iexact=username).count()
        for model in (AccessAttempt, AccessFailureLog, AccessLog)
    )


def test_erasure_leaves_nothing_of_the_organisation_and_keeps_the_other():
    organisation = make_organisation_with_data("Erase me", "hr@a.example")
    other = make_organisation_with_data("Keep me", "hr@b.example")
    counts_before = {m: owned(m, other).count() for m in tenant_models()}

    erase_organisation(organisation)

    for model in tenant_models():
        # The organisation is gone, so filter by its id along the path.
        path = model.organisation_path
        lookup = {"pk": organisation.pk} if path == "" else {f"{path}_id": organisation.pk}
        assert not model._default_manager.filter(**lookup).exists(), model._meta.label
        assert owned(model, other).count() == counts_before[model], model._meta.label
    users = get_user_model().objects.values_list("email", flat=True)
    assert list(users) == ["hr@b.example"]


def test_erasure_deletes_the_login_records_of_the_accounts_that_go():
    organisation = make_organisation_with_data("Erase me", "hr@a.example")
    make_organisation_with_data("Keep me", "hr@b.example")
    login_records("HR@A.example ")  # as typed: other capitals, a space
    login_records("hr@a.example")
    login_records("hr@b.example")
    assert login_rows_of("hr@a.example") == 3

    erase_organisation(organisation)

    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        assert not model.objects.filter(username__icontains="a.example").exists()
    assert login_rows_of("hr@b.example") == 3


def test_erasure_keeps_the_login_records_of_an_admin_who_stays():
    organisation = make_organisation_with_data("Erase me", "hr@a.example")
    other = make_organisation_with_data("Keep me", "hr@b.example")
    stays = get_user_model().objects.get(email="hr@a.example")
    Membership.objects.create(user=stays, organisation=other)
    login_records("hr@a.example")

    erase_organisation(organisation)

    assert login_rows_of("hr@a.example") == 3


def test_erasure_leaves_no_security_log_line_of_the_organisation_or_its_accounts():
    organisation = make_organisation_with_data("Erase me", "hr@a.example")
    other = make_organisation_with_data("Keep me", "hr@b.example")
    leaving = get_user_model().objects.get(email="hr@a.example")
    staying = get_user_model().objects.get(email="hr@b.example")
    log_event(SecurityEvent.Kind.EXPORT, user=leaving, organisation=organisation, detail="json")
    # Lines of the account that belong to no organisation: a page refused, a failed login.
    log_event(SecurityEvent.Kind.DENIED, user=leaving, detail="/onderzoek/")
    log_event(SecurityEvent.Kind.LOGIN_FAILED, user=leaving)
    kept = [
        log_event(SecurityEvent.Kind.LOGIN, user=staying, organisation=other),
        log_event(SecurityEvent.Kind.DENIED, user=staying, detail="/onderzoek/"),
    ]

    erase_organisation(organisation)

    assert list(SecurityEvent.objects.order_by("pk")) == kept


def test_erasure_leaves_no_name_in_the_admin_log_and_keeps_what_staff_did():
    organisation = make_organisation_with_data("Erase me", "hr@a.example")
    other = make_organisation_with_data("Keep me", "hr@b.example")
    staff = get_user_model().objects.create_user("staff@site.example", is_staff=True)
    leaving = get_user_model().objects.get(email="hr@a.example")
    invitation = Invitation.objects.create(
        assessment=owned(Response, organisation).first().assessment,
        role="hr",
        kind=Invitation.Kind.PERSONAL,
        email="mieke@a.example",
        token_hash="y" * 64,
        expires_at=timezone.now(),
    )

    def logged(obj) -> LogEntry:
        return LogEntry.objects.log_actions(
            staff.pk, [obj], CHANGE, change_message=[{"changed": {"fields": ["Name"]}}]
        )[0]

    erased = [logged(organisation), logged(leaving), logged(invitation)]
    kept = logged(other)
    assert "Erase me" in erased[2].object_repr

    erase_organisation(organisation)

    for entry in LogEntry.objects.filter(pk__in=[e.pk for e in erased]):
        assert (entry.object_repr, entry.change_message) == ("(erased)", "")
    assert LogEntry.objects.filter(pk__in=[e.pk for e in erased]).count() == 3
    assert LogEntry.objects.get(pk=kept.pk).object_repr == "Keep me"
