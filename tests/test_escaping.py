"""Every text a user typed renders as text: in the pages, in Django's admin and in the PDF.

A corpus of payloads goes into each free-text field that is shown back (the organisation's
name, a round's title, an open answer, an API key's name, a member's name) and every page that
shows them must print them escaped: never as markup, never as template code.
"""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils.html import escape
from pypdf import PdfReader

from leerkansen.organisations.models import Membership, Organisation
from leerkansen.organisations.services import create_api_token
from leerkansen.reports.pdf import get_or_render_pdf
from leerkansen.reports.services import create_report
from leerkansen.reports.tests import add_responses, full_answers
from leerkansen.survey.rounds import open_round
from leerkansen.survey.tests import make_invitation

pytestmark = pytest.mark.django_db

MARKUP = [
    '<script>alert("lek")</script>',
    '"><img src=x onerror=alert(1)>',
    "' onmouseover='alert(1)' x='",
    "</textarea><svg onload=alert(1)>",
    "<b>vet</b> & <i>schuin</i>",
]
# Not markup, but must not be evaluated by the template engine or become a link.
TEMPLATE_CODE = "{{ request.user.password }} {% now 'Y' %}"
LINK = "javascript:alert(1)"
PAYLOADS = [*MARKUP, TEMPLATE_CODE, LINK]


def organisation_full_of(payload: str):
    """An organisation, its admin and a report, every shown text field holding `payload`."""
    organisation = Organisation.objects.create(name=payload, sector="Q", size_band="50_249")
    admin = get_user_model().objects.create_user(
        username="an@voorbeeld.be", email="an@voorbeeld.be", first_name=payload
    )
    Membership.objects.create(user=admin, organisation=organisation)
    create_api_token(organisation, payload, admin)
    assessment = open_round(organisation, ["hr", "medewerker"], payload)
    # Open answers are shown from 8 responses on.
    add_responses(assessment, "medewerker", 8, lambda _i: full_answers({"E_open": payload}))
    report = create_report(assessment)
    return organisation, admin, assessment, report


def assert_shown_as_text(html: str, payload: str, where: str) -> None:
    if payload in MARKUP:
        assert payload not in html, f"{where} prints {payload!r} unescaped"
    assert escape(payload) in html, f"{where} does not show {payload!r} as it was typed"
    assert 'href="javascript:' not in html, f"{where} turned {payload!r} into a link"


def member_pages(assessment, report) -> list[str]:
    code = assessment.code
    return [
        "/organisatie/",
        "/organisatie/team/",
        "/organisatie/api-sleutels/",
        "/organisatie/rondes/",
        f"/organisatie/rondes/{code}/",
        f"/organisatie/rondes/{code}/uitnodigen/",
        f"/rapport/{report.code}/",
        f"/rapport/{report.code}/beoordelen/",
    ]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_pages_show_typed_text_as_text(client, payload):
    _organisation, admin, assessment, report = organisation_full_of(payload)
    client.force_login(admin)
    for url in member_pages(assessment, report):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_shown_as_text(response.content.decode(), payload, url)
    # The report shows the open answers too, so it holds the payload more than once.
    report_html = client.get(f"/rapport/{report.code}/").content.decode()
    if payload in MARKUP:
        assert report_html.count(escape(payload)) >= 2


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_questionnaire_names_the_organisation_as_text(payload):
    _organisation, _admin, assessment, _report = organisation_full_of(payload)
    respondent = Client()
    _invitation, token = make_invitation(assessment, "medewerker")
    respondent.get(f"/vragenlijst/uitnodiging/{token}/")
    page = respondent.get("/vragenlijst/")
    assert page.status_code == 200
    assert_shown_as_text(page.content.decode(), payload, "the questionnaire")


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_admin_shows_typed_text_as_text(client, settings, payload):
    settings.ADMIN_REQUIRES_OTP = False
    organisation, _admin, _assessment, _report = organisation_full_of(payload)
    staff = get_user_model().objects.create_user(
        username="staf@leerkansen.be", is_staff=True, is_superuser=True
    )
    client.force_login(staff)
    for url in [
        "/beheer/organisations/organisation/",
        f"/beheer/organisations/organisation/{organisation.pk}/change/",
        "/beheer/organisations/membership/",
        "/beheer/organisations/apitoken/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        if payload in MARKUP:
            assert payload not in html, f"{url} prints {payload!r} unescaped"
        assert 'href="javascript:' not in html, url


def pdf_text(pdf: bytes) -> str:
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("payload", [MARKUP[0], MARKUP[1], TEMPLATE_CODE])
def test_the_pdf_prints_typed_text_as_text(payload):
    _organisation, _admin, _assessment, report = organisation_full_of(payload)
    text = pdf_text(get_or_render_pdf(report))
    # Rendered as markup, the tags would vanish from the text; escaped they are printed.
    assert re.sub(r"\s+", "", payload) in text
