"""Open answers: HR hides a comment from the report; no comment below the free-text threshold
(issue 14, item 4). What a hidden comment must never do: stay in the page, the PDF, the JSON
API or the data download; come back with the next publication; reveal anything the report had
not published; be hidden or read by another organisation."""

import json

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.utils.html import escape

from leerkansen.organisations.gdpr import export_json
from leerkansen.organisations.services import create_api_token
from leerkansen.reports import pdf
from leerkansen.reports.comments import comment_key
from leerkansen.reports.models import Report
from leerkansen.reports.presentation import report_context
from leerkansen.reports.services import refresh_report
from leerkansen.testing import BARE, make_admin

from . import add_responses, close_and_publish, full_answers, make_answered_round, make_member

pytestmark = pytest.mark.django_db

OPEN = "E_open"
NAMING = "Jan van de keuken helpt nooit iemand"
TEXTS = [
    NAMING,
    "Meer tijd om van elkaar te leren",
    "Een vaste collega om vragen aan te stellen",
    "Opleidingen op de werkvloer zelf",
    "Samen casussen bespreken",
    "Feedback na een moeilijke dienst",
    "Wat minder vergaderingen",
    "Zin om mee te denken",
]


def with_texts(texts):
    return lambda index: full_answers({OPEN: texts[index]})


def admin_of(report: Report) -> Client:
    client = Client()
    client.force_login(make_member(report.assessment.organisation))
    return client


def comments_url(report: Report) -> str:
    return f"/rapport/{report.code}/opmerkingen/"


def hide(client: Client, report: Report, text: str):
    return client.post(comments_url(report), {"question": OPEN, "comment": comment_key(text)})


def everywhere(report: Report, client: Client) -> dict[str, str]:
    """The report as each reader gets it: web page, PDF's HTML, JSON API, data download."""
    report.refresh_from_db()
    key = create_api_token(report.assessment.organisation, "Koppeling", None).secret
    api = client.get(
        f"/api/v1/assessments/{report.assessment.code}/report",
        headers={"Authorization": f"Bearer {key}"},
    )
    assert api.status_code == 200
    rounds_api = client.get(
        f"/api/v1/rounds/{report.assessment.code}/report",
        headers={"Authorization": f"Bearer {key}"},
    )
    assert rounds_api.status_code == 200
    return {
        "web": client.get(f"/rapport/{report.code}/").content.decode(),
        "pdf": render_to_string("reports/report_pdf.html", report_context(report)),
        "api": json.dumps(api.json(), ensure_ascii=False),
        "rounds api": json.dumps(rounds_api.json(), ensure_ascii=False),
        "download": export_json(report.assessment.organisation).decode(),
    }


def test_hr_hides_a_comment_from_the_page_the_pdf_the_api_and_the_download():
    report = close_and_publish(
        make_answered_round({"medewerker": 8}, {"medewerker": with_texts(TEXTS)})
    )
    Report.objects.filter(pk=report.pk).update(pdf=b"%PDF-1.7 met Jan")
    hr = admin_of(report)
    page = hr.get(comments_url(report)).content.decode()
    assert escape(NAMING) in page
    assert "Verberg uit het rapport" in page
    before = everywhere(report, hr)
    assert all(escape(NAMING) in before[where] or NAMING in before[where] for where in before)

    response = hide(hr, report, NAMING)
    assert response["Location"] == comments_url(report)
    assert "De opmerking is verborgen" in hr.get(comments_url(report)).content.decode()
    report.refresh_from_db()
    assert report.pdf is None  # the stored PDF with the comment is gone
    assert NAMING not in report.free_text[OPEN]
    assert report.hidden_comments == {OPEN: [comment_key(NAMING)]}
    after = everywhere(report, hr)
    for where, text in after.items():
        assert "Jan van de keuken" not in text, where
        assert "Meer tijd om van elkaar te leren" in text, where
    assert "HR verborg 1 opmerking uit dit rapport." in after["web"]
    assert "HR verborg 1 opmerking uit dit rapport." in after["pdf"]
    # Nothing else of the snapshot moved.
    assert report.response_count == 8 and report.final


def test_another_organisations_admin_can_neither_read_nor_hide_a_comment():
    report = close_and_publish(
        make_answered_round({"medewerker": 8}, {"medewerker": with_texts(TEXTS)})
    )
    outsider = Client()
    outsider.force_login(make_admin("hr@andere.be", "Andere vzw", **BARE)[0])
    page = outsider.get(comments_url(report))
    assert page.status_code == 404
    assert NAMING not in page.content.decode()
    assert hide(outsider, report, NAMING).status_code == 404
    stored = Report.objects.get(pk=report.pk)
    assert NAMING in stored.free_text[OPEN]
    assert stored.hidden_comments == {}
    assert stored.html == report.html
    assert Client().get(comments_url(report))["Location"].startswith("/account/inloggen/")


def test_hiding_reveals_nothing_the_report_had_not_published():
    assessment = make_answered_round({"medewerker": 8}, {"medewerker": with_texts(TEXTS)})
    report = refresh_report(assessment)
    assert report.response_count == 8 and report.free_text_allowed
    # Two answers arrive after the published state: fewer than k, so not in the report.
    add_responses(assessment, "medewerker", 2, with_texts(["Laat komer een", "Laat komer twee"]))
    hr = admin_of(report)
    hide(hr, report, NAMING)
    report.refresh_from_db()
    assert report.response_count == 8
    assert not any("Laat komer" in text for text in report.free_text[OPEN])
    for where, text in everywhere(report, hr).items():
        assert "Laat komer" not in text, where


def test_a_hidden_comment_stays_hidden_in_the_next_state_and_the_final_report():
    assessment = make_answered_round({"medewerker": 8}, {"medewerker": with_texts(TEXTS)})
    report = refresh_report(assessment)
    hide(admin_of(report), report, NAMING)
    # Five more, one of whom wrote the very same text: the next state takes them in.
    add_responses(assessment, "medewerker", 5, with_texts([NAMING, "Een", "Twee", "Drie", "Vier"]))
    report = refresh_report(assessment)
    assert report.response_count == 13
    assert NAMING not in report.free_text[OPEN]
    assert "Vier" in report.free_text[OPEN]
    final = close_and_publish(assessment)
    assert NAMING not in final.free_text[OPEN]
    assert "Jan van de keuken" not in final.html
    assert "HR verborg 1 opmerking uit dit rapport." in final.html


def test_no_comment_anywhere_in_a_report_of_fewer_responses_than_the_free_text_threshold():
    texts = TEXTS[:7]
    report = close_and_publish(
        make_answered_round({"medewerker": 7}, {"medewerker": with_texts(texts)})
    )
    assert report.free_text == {} and report.free_text_allowed is False
    hr = admin_of(report)
    for where, text in everywhere(report, hr).items():
        for written in texts:
            assert written not in text and escape(written) not in text, where
    assert "vanaf 8 antwoorden" in " ".join(everywhere(report, hr)["web"].split())
    page = " ".join(hr.get(comments_url(report)).content.decode().split())
    assert "Dit rapport toont geen open antwoorden" in page
    assert "Verberg uit het rapport" not in page
    # A posted key of a text the report never showed changes nothing.
    hide(hr, report, NAMING)
    stored = Report.objects.get(pk=report.pk)
    assert stored.hidden_comments == {} and stored.html == report.html
    round_page = hr.get(f"/organisatie/rondes/{report.assessment.code}/").content.decode()
    assert comments_url(report) not in round_page


def test_a_pdf_rendered_before_the_hide_is_not_stored_after_it(monkeypatch):
    report = close_and_publish(
        make_answered_round({"medewerker": 8}, {"medewerker": with_texts(TEXTS)})
    )
    started_before = Report.objects.get(pk=report.pk)  # a PDF request already under way
    hide(admin_of(report), report, NAMING)
    monkeypatch.setattr(pdf, "render_report_pdf", lambda report: b"%PDF " + report.html.encode())
    served = pdf.get_or_render_pdf(started_before)
    assert b"Jan van de keuken" in served  # that request gets what it rendered …
    assert Report.objects.get(pk=report.pk).pdf is None  # … but it is not kept
    fresh = pdf.get_or_render_pdf(Report.objects.get(pk=report.pk))
    assert b"Jan van de keuken" not in fresh
    assert bytes(Report.objects.get(pk=report.pk).pdf) == fresh
