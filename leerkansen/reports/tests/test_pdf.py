"""The PDF: the same report on A4, rendered once and stored."""

import io
import re
from unittest import mock

import pytest
from pypdf import PdfReader

from leerkansen.content.catalogue import get_catalogue
from leerkansen.reports.models import Report
from leerkansen.reports.pdf import get_or_render_pdf
from leerkansen.reports.presentation import report_context

from . import close_and_publish, full_answers, make_answered_round, make_report, member_client


def page_texts(pdf: bytes) -> list[str]:
    """Each page's text with runs of white space as one space (titles may wrap)."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


@pytest.mark.django_db
def test_pdf_has_top3_first_page_numbers_and_every_action_in_the_appendix():
    report = make_report(answers={"C_1_1": "al"})
    pages = page_texts(get_or_render_pdf(report))
    text = " ".join(pages)
    catalogue = get_catalogue()

    assert pages[0].startswith("LEERKANSEN-RAPPORT Zorggroep De Linde")
    for number, page in enumerate(pages, start=1):
        assert f"pagina {number} van {len(pages)}" in page
    # The contents list gives each part's page number: the profile and the chart first, then
    # the top 3 in full, the catalogue last.
    parts = "Jullie profiel|De negen uitdagingen|Jullie top 3|Bijlage: alle 48 acties"
    contents = {part: int(page) for part, page in re.findall(rf"({parts}) \.+ (\d+) ", pages[0])}
    assert len(contents) == 4, pages[0]
    assert contents["Jullie profiel"] == 1
    assert contents["De negen uitdagingen"] <= 2
    assert 1 < contents["Jullie top 3"] < contents["Bijlage: alle 48 acties"]

    appendix = text.rindex("Bijlage: alle 48 acties")
    titles = [catalogue.action(item["action"]).title for item in report.top3]
    assert len(titles) == 3
    for title in titles:
        assert text.index(title) < appendix
    for item in report_context(report)["top3"]:
        assert item.reason in text[:appendix]

    listed = text[appendix:]
    for action in catalogue.actions():
        assert f"{action.id} {action.title}" in listed, action.id
        if action.highlight:
            # A line may break after "HR/": compare without any white space.
            assert "".join(action.highlight.split()) in "".join(listed.split()), action.id
    # Tips stay on the website: the appendix lists actions, not their tips.
    assert "Wat je kan doen – inspiratie voor de praktijk" not in listed
    assert "Hebben we al" in listed


@pytest.mark.django_db
def test_pdf_is_rendered_once_and_then_served_as_stored(client):
    report = make_report()
    url = f"/rapport/{report.code}/rapport.pdf"
    member_client(client, report)
    first = client.get(url)
    assert first.status_code == 200
    assert first["Content-Type"] == "application/pdf"
    assert first["Content-Disposition"] == (
        f'attachment; filename="leerkansen-rapport-zorggroep-de-linde-'
        f'{report.updated_on:%Y-%m-%d}.pdf"'
    )
    assert "no-store" in first["Cache-Control"]
    assert first.content.startswith(b"%PDF-")
    assert bytes(Report.objects.get(pk=report.pk).pdf) == first.content

    with mock.patch(
        "leerkansen.reports.pdf.render_report_pdf", side_effect=AssertionError("rendered again")
    ):
        second = client.get(url)
    assert second.status_code == 200
    assert second.content == first.content


@pytest.mark.django_db
def test_pdf_of_several_respondents_compares_roles_and_shows_open_answers():
    def answers(index):
        text = "<b>Vet</b> & <i>schuin</i>" if index == 5 else f"Open antwoord nummer {index}."
        return full_answers({"E_open": text})

    assessment = make_answered_round(
        {"medewerker": 6, "leidinggevende": 4, "hr": 1}, answers={"medewerker": answers}
    )
    text = " ".join(page_texts(get_or_render_pdf(close_and_publish(assessment))))

    assert "Wie antwoordde" in text
    assert "Medewerkers: 6 antwoorden" in text
    assert "Groepen met minder dan 5 antwoorden tonen we niet, zodat niemand herkenbaar is." in text
    assert "HR of opleiding en leidinggevenden tonen we samen" in text
    assert "Iedereen 50 HR of opleiding en leidinggevenden 50 Medewerkers 50" in text
    assert "Alle groepen 50: ze zien dit hetzelfde. grote eensgezindheid" in text
    assert "In jullie eigen woorden" in text
    for index in range(5):
        assert f"Open antwoord nummer {index}." in text
    # Shown as written, never as mark-up.
    assert "<b>Vet</b> & <i>schuin</i>" in text
