"""Export and erasure of an organisation's data, checked over every tenant model."""

import io
import json
import zipfile

import pytest
from django.contrib.auth import get_user_model

from leerkansen.organisations.gdpr import (
    erase_organisation,
    export_csv_zip,
    export_json,
    tenant_models,
)
from leerkansen.organisations.models import Membership, Organisation
from leerkansen.organisations.tenancy import owned
from leerkansen.reports.demo import demo_answers
from leerkansen.reports.services import create_report
from leerkansen.survey.services import complete_response, save_answers, start_assessment

pytestmark = pytest.mark.django_db


def make_organisation(name: str, admin_email: str) -> Organisation:
    organisation = Organisation.objects.create(name=name)
    user = get_user_model().objects.create_user(admin_email, admin_email, "a-long-password-1")
    Membership.objects.create(user=user, organisation=organisation)
    response, _ = start_assessment(organisation)
    save_answers(response, demo_answers())
    complete_response(response)
    create_report(response.assessment)
    return organisation


def test_export_holds_every_tenant_model_and_no_secrets():
    organisation = make_organisation('=HYPERLINK("http://x")', "hr@a.example")
    make_organisation("Other", "hr@b.example")
    data = json.loads(export_json(organisation))
    for model in tenant_models():
        assert model._meta.label in data
        assert len(data[model._meta.label]) == owned(model, organisation).count()
    assert [u["email"] for u in data["auth.User"]] == ["hr@a.example"]
    text = json.dumps(data)
    assert "hr@b.example" not in text and "Other" not in text
    assert "token_hash" not in text and "password" not in text


def test_csv_export_neutralises_formulas():
    organisation = make_organisation('=HYPERLINK("http://x")', "hr@a.example")
    archive = zipfile.ZipFile(io.BytesIO(export_csv_zip(organisation)))
    organisations_csv = archive.read("organisations.Organisation.csv").decode()
    assert "'=HYPERLINK" in organisations_csv or "\t=HYPERLINK" in organisations_csv
    assert "survey.Answer.csv" in archive.namelist()


def test_erasure_leaves_nothing_of_the_organisation_and_keeps_the_other():
    organisation = make_organisation("Erase me", "hr@a.example")
    other = make_organisation("Keep me", "hr@b.example")
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
