"""The paper questionnaire's PDF is rendered by a task, never in a request (issue 16's rule):
opening the paper page asks for the round's PDFs; a click before one is ready gets a page that
says so and refreshes itself; once the worker has made it, the click serves it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from leerkansen.paper import printing
from leerkansen.paper.tasks import render_paper_form_pdf
from leerkansen.testing import BARE, make_admin, make_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_round():
    admin, organisation = make_admin(**BARE)
    assessment = make_round(organisation, roles=("hr", "medewerker"))
    client = Client()
    client.force_login(admin)
    return client, assessment


def pdf_url(assessment, role: str) -> str:
    return f"/organisatie/rondes/{assessment.code}/papier/vragenlijst.pdf?rol={role}"


def enqueued(backend) -> list[tuple]:
    return [tuple(result.args) for result in backend.results]


def test_a_click_before_the_pdf_is_made_waits_on_a_page_that_refreshes(
    admin_round, no_worker_yet, monkeypatch
):
    client, assessment = admin_round
    rendered = []
    monkeypatch.setattr(printing, "render_form_pdf", lambda *args: rendered.append(args))

    page = client.get(pdf_url(assessment, "medewerker"))
    assert page.status_code == 200
    assert page["Content-Type"].startswith("text/html")
    assert page["Refresh"] == "3"
    text = page.content.decode()
    assert "De vragenlijst wordt klaargemaakt" in text
    assert "De vragenlijst voor “Medewerker” wordt klaargemaakt om af te drukken" in text
    assert rendered == [], "the request rendered the PDF itself"
    assert enqueued(no_worker_yet) == [(assessment.pk, "medewerker", "nl")]

    # Refreshing asks for nothing more while it waits.
    assert client.get(pdf_url(assessment, "medewerker"))["Refresh"] == "3"
    assert len(no_worker_yet.results) == 1


def test_once_the_worker_made_it_the_click_serves_the_pdf(admin_round, no_worker_yet):
    client, assessment = admin_round
    client.get(pdf_url(assessment, "medewerker"))
    assert render_paper_form_pdf.call(assessment.pk, "medewerker") == "rendered"
    assert render_paper_form_pdf.call(assessment.pk, "medewerker") == "stored"

    response = client.get(pdf_url(assessment, "medewerker"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_opening_the_paper_page_asks_for_each_roles_pdf_once(admin_round, no_worker_yet, settings):
    settings.PAPER_PDF_AHEAD = True
    client, assessment = admin_round
    assert client.get(f"/organisatie/rondes/{assessment.code}/papier/").status_code == 200
    assert sorted(enqueued(no_worker_yet)) == [
        (assessment.pk, "hr", "nl"),
        (assessment.pk, "medewerker", "nl"),
    ]
    client.get(f"/organisatie/rondes/{assessment.code}/papier/")
    assert len(no_worker_yet.results) == 2


def test_a_pdf_that_takes_too_long_says_so_and_is_asked_for_again_later(admin_round, no_worker_yet):
    client, assessment = admin_round
    client.get(pdf_url(assessment, "hr"))
    pending = "asked:" + printing.cache_key(assessment, "hr")
    cache.set(pending, (timezone.now() - timedelta(minutes=5)).timestamp(), 600)

    page = client.get(pdf_url(assessment, "hr"))
    assert "duurt langer dan gewoonlijk" in page.content.decode()
    assert page["Refresh"] == "30"
    assert len(no_worker_yet.results) == 1

    # A task lost with its worker: once the marker has expired, the next click asks again.
    cache.delete(pending)
    client.get(pdf_url(assessment, "hr"))
    assert len(no_worker_yet.results) == 2


def test_a_new_title_is_a_new_pdf_and_a_deleted_round_renders_nothing(admin_round, no_worker_yet):
    client, assessment = admin_round
    render_paper_form_pdf.call(assessment.pk, "hr")
    assessment.title = "Een nieuwe titel"
    assessment.save(update_fields=["title"])
    page = client.get(pdf_url(assessment, "hr"))
    assert page["Content-Type"].startswith("text/html")  # the old title's PDF is not served

    pk = assessment.pk
    assessment.delete()
    assert render_paper_form_pdf.call(pk, "hr") == "gone"
