"""Paper questionnaires follow the round's anonymity rule: the report takes them in only in
steps of k, and answers HR typed in never make up the k of answers that came through a link
(scoring.anonymity; the report hears of them through survey.signals.response_completed)."""

from __future__ import annotations

import io

import pytest
from django.conf import settings
from django.test import Client

from leerkansen.reports.models import Report
from leerkansen.reports.services import refresh_report
from leerkansen.reports.tests import add_responses
from leerkansen.testing import BARE, make_admin, make_round

from .helpers import typed_answers
from .test_views import filled_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_round():
    admin, organisation = make_admin(**BARE)
    assessment = make_round(organisation, roles=("medewerker",))
    client = Client()
    client.force_login(admin)
    return client, assessment


def import_rows(client, assessment, count: int):
    rows = [typed_answers("medewerker", seed=n + 1) for n in range(count)]
    file = io.BytesIO(filled_csv("medewerker", rows))
    file.name = "papier.csv"
    response = client.post(
        f"/organisatie/rondes/{assessment.code}/papier/importeren/",
        {"role": "medewerker", "file": file},
    )
    assert response.status_code == 302


def test_paper_questionnaires_make_a_report_only_from_k(admin_round):
    client, assessment = admin_round
    k = settings.ANONYMITY_THRESHOLD
    import_rows(client, assessment, k - 1)
    assert not Report.objects.filter(assessment=assessment).exists()

    client.post(
        f"/organisatie/rondes/{assessment.code}/papier/invoeren/",
        {"rol": "medewerker", **typed_answers("medewerker")},
    )
    report = Report.objects.get(assessment=assessment)
    assert report.response_count == k
    page = client.get(f"/rapport/{report.code}/").content.decode()
    assert f"antwoorden van {k} personen. Daarvan antwoordden {k} personen op papier." in page


def test_the_report_counts_the_paper_answers_among_those_through_links(admin_round):
    client, assessment = admin_round
    k = settings.ANONYMITY_THRESHOLD
    add_responses(assessment, "medewerker", k)
    report = refresh_report(assessment)
    page = client.get(f"/rapport/{report.code}/").content.decode()
    assert "op papier" not in page

    import_rows(client, assessment, k)

    page = client.get(f"/rapport/{report.code}/").content.decode()
    assert f"antwoorden van {2 * k} personen. Daarvan antwoordden {k} personen op papier." in page


def test_paper_questionnaires_never_make_up_the_k_of_answers_through_a_link(admin_round):
    client, assessment = admin_round
    k = settings.ANONYMITY_THRESHOLD
    add_responses(assessment, "medewerker", 1)
    import_rows(client, assessment, k - 1)
    # k completed responses, but one came through a link: HR, who typed the others in,
    # would read that one person's answers off the report.
    assert not Report.objects.filter(assessment=assessment).exists()
    page = client.get(f"/organisatie/rondes/{assessment.code}/").content.decode()
    assert f"Tot nu toe zijn {k - 1} vragenlijsten van deze ronde op papier ingevoerd." in page
