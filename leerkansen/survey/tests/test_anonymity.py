"""A response cannot be traced to a person: no link to an invitation, address or browser."""

import pytest
from django.db import models
from django.test import Client

from leerkansen.survey.models import Invitation, Response
from leerkansen.survey.tests import link, make_invitation, the_response
from leerkansen.testing import make_round

pytestmark = pytest.mark.django_db

# The fields a response may have; a new one must be judged for anonymity before it is added.
ALLOWED_FIELDS = {
    "id",
    "assessment",
    "role",
    "resume_token_hash",
    "last_section",
    "created_on",
    "updated_on",
    "completed_on",
    # The step of the report that took the response in: a publication, shared by k or more.
    "report_step",
    # Entered by the organisation (paper, import through the API): a flag, not a person.
    "entered_by_organisation",
    # The language the respondent chose for the pages (nl, fr, en): shown to nobody but the
    # respondent, in no report or export (in a small team it could single someone out).
    "language",
    "answers",
}


def test_a_response_has_no_field_that_leads_to_a_person():
    fields = {field.name: field for field in Response._meta.get_fields()}
    assert set(fields) == ALLOWED_FIELDS
    related = {f.related_model for f in fields.values() if f.is_relation}
    assert Invitation not in related
    assert {model._meta.label for model in related} == {"survey.Assessment", "survey.Answer"}
    for name in fields:
        assert not any(word in name for word in ("invitation", "email", "ip", "agent", "user"))
    # Nor does an invitation point at a response.
    assert Response not in {f.related_model for f in Invitation._meta.get_fields()}


def test_a_response_keeps_days_only():
    for field in Response._meta.concrete_fields:
        assert not isinstance(field, models.DateTimeField), field.name
        assert not isinstance(field, models.TimeField), field.name


def test_nothing_of_the_request_is_stored_with_the_response():
    assessment = make_round()
    invitation, token = make_invitation(assessment, "medewerker", "an@linde.be")
    browser = Client(REMOTE_ADDR="198.51.100.23", HTTP_USER_AGENT="Firefox-Testbrowser/1.0")
    browser.get(link(token))
    response = the_response(browser)
    stored = " ".join(str(getattr(response, f.attname)) for f in Response._meta.concrete_fields)
    for trace in ("198.51.100.23", "Firefox-Testbrowser", "an@linde.be", token, invitation.code):
        assert trace not in stored
    assert invitation.token_hash not in stored
