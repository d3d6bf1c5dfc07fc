"""A round with several respondents: one report from all of them, roles compared only where
nobody can be singled out, agreement per challenge, open answers only from enough responses."""

import datetime
import re
from unittest import mock

import pytest
from django.utils.html import escape

from leerkansen.reports.models import Report
from leerkansen.reports.services import NoResponses, create_report, refresh_report
from leerkansen.survey.models import Assessment
from leerkansen.survey.services import new_assessment, save_answers, start_response

from . import (
    DEFAULT_AGREEMENT,
    add_responses,
    close_and_publish,
    full_answers,
    make_answered_round,
    member_client,
)

pytestmark = pytest.mark.django_db

NOTE = "Groepen met minder dan 5 antwoorden tonen we niet, zodat niemand herkenbaar is."


def agreeing(value_for_challenge_1: int):
    """Answers that agree with DEFAULT_AGREEMENT except on challenge 1."""
    agreement = {**DEFAULT_AGREEMENT, 1: value_for_challenge_1}
    return lambda _index: full_answers(agreement=agreement)


def with_open_answer(texts):
    return lambda index: full_answers({"E_open": texts[index]})


def page_of(client, report: Report) -> str:
    response = member_client(client, report).get(f"/rapport/{report.code}/")
    assert response.status_code == 200
    return response.content.decode()


def section(html: str, anchor: str) -> str:
    start = html.index(f'id="{anchor}"')
    return html[start : html.index("</section>", start)]


def comparison_rows(html: str) -> dict[int, str]:
    """Per challenge number, the text of its block in the comparison per group."""
    html = html[: html.rindex('<p class="help">')]
    blocks = html.split('<li class="comparison__row challenge-')[1:]
    return {
        int(block.split('"', 1)[0]): " ".join(
            re.sub(r"<[^>]+>", " ", block.split(">", 1)[1]).split()
        )
        for block in blocks
    }


def six_employees_four_managers_one_hr() -> Assessment:
    return make_answered_round(
        {"medewerker": 6, "leidinggevende": 4, "hr": 1},
        answers={"medewerker": agreeing(5), "leidinggevende": agreeing(1), "hr": agreeing(3)},
    )


def test_report_is_made_from_every_completed_response_of_the_round():
    assessment = six_employees_four_managers_one_hr()
    draft, _token = start_response(assessment, "medewerker")
    save_answers(draft, full_answers(agreement={**DEFAULT_AGREEMENT, 1: 1}))

    report = close_and_publish(assessment)

    assert report.response_count == 11
    assert report.role_counts == {"hr": 1, "leidinggevende": 4, "medewerker": 6}
    # Mean per item first: (6·5 + 4·1 + 1·3) / 11 = 3.36 → (3.36 − 1) / 4 → 59.1.
    assert report.scores["1"] == 59.1
    assert report.scores["2"] == 25.0


def test_managers_and_hr_below_the_threshold_are_shown_as_one_group():
    report = close_and_publish(six_employees_four_managers_one_hr())
    # Four managers and one HR answer: apart too small, together five (the threshold).
    assert set(report.role_scores) == {"hr+leidinggevende", "medewerker"}
    assert report.role_scores["medewerker"]["1"] == 100.0
    assert report.role_scores["medewerker"]["2"] == 25.0
    # (4·1 + 1·3) / 5 = 1.4 → 10; the managers' own 0 and HR's own 50 appear nowhere.
    assert report.role_scores["hr+leidinggevende"]["1"] == 10.0


def test_page_compares_the_groups_with_everyone_and_names_the_merged_group(client):
    report = close_and_publish(six_employees_four_managers_one_hr())
    roles = section(page_of(client, report), "per-rol")

    assert "Medewerkers: 6 antwoorden" in roles
    assert "Leidinggevenden: 4 antwoorden" in roles
    assert "HR of opleiding: 1 antwoord" in roles
    rows = comparison_rows(roles)
    assert len(rows) == 9
    assert rows[1] == (
        "1. Werk gaat voor Iedereen 59 HR of opleiding en leidinggevenden 10 Medewerkers 100 "
        "HR of opleiding en leidinggevenden 10, medewerkers 100: ze zien dit heel verschillend. "
        "geen gedeelde kijk"
    )
    assert rows[2].endswith(
        "Iedereen 25 HR of opleiding en leidinggevenden 25 Medewerkers 25 "
        "Alle groepen 25: ze zien dit hetzelfde. grote eensgezindheid"
    )
    assert NOTE in roles
    assert (
        "HR of opleiding en leidinggevenden tonen we samen: apart heeft elke groep minder dan "
        "5 antwoorden."
    ) in roles
    assert "Niet apart getoond" not in roles and "grotere groep" not in roles


def test_a_single_small_group_next_to_two_large_ones_counts_in_no_figure(client):
    assessment = make_answered_round(
        {"medewerker": 6, "hr": 5, "leidinggevende": 1}, answers={"leidinggevende": agreeing(1)}
    )
    report = close_and_publish(assessment)
    assert report.role_counts == {"hr": 5, "leidinggevende": 1, "medewerker": 6}
    # Everyone minus the employees minus HR would be the one manager: the manager is left
    # out of every figure, "Iedereen" too, so that HR and the employees stay comparable.
    assert set(report.role_scores) == {"hr", "medewerker"}
    assert report.response_count == 11
    assert report.scores["1"] == 100.0

    roles = section(page_of(client, report), "per-rol")
    # With the manager's 0 counted, "Iedereen" would be 92.
    assert comparison_rows(roles)[1].startswith(
        "1. Werk gaat voor Iedereen 100 HR of opleiding 100 Medewerkers 100"
    )
    assert (
        "Niet meegeteld in de cijfers, ook niet bij ‘Iedereen’: Leidinggevenden (1 antwoord)."
    ) in roles
    assert "Niet apart getoond" not in roles


def test_groups_at_the_threshold_are_compared_with_everyone(client):
    report = close_and_publish(
        make_answered_round(
            {"medewerker": 6, "hr": 5},
            answers={"medewerker": agreeing(5), "hr": agreeing(1)},
        )
    )
    assert set(report.role_scores) == {"hr", "medewerker"}
    rows = comparison_rows(section(page_of(client, report), "per-rol"))
    # (6·5 + 5·1) / 11 = 3.18 → 54.5; HR 1 → 0; employees 5 → 100.
    assert "Iedereen 55 HR of opleiding 0 Medewerkers 100" in rows[1]
    assert "Niet apart getoond" not in section(page_of(client, report), "per-rol")


def test_agreement_per_challenge_is_stored_and_shown_in_words(client):
    report = close_and_publish(six_employees_four_managers_one_hr())
    # Challenge 1: answers 5, 1 and 3 — more spread than random answers, so no agreement.
    assert report.agreement["1"] == 0.0
    assert report.agreement["2"] == 1.0
    assert set(report.agreement) == {str(n) for n in range(1, 10)}
    roles = section(page_of(client, report), "per-rol")
    rows = comparison_rows(roles)
    # Challenge 1: the groups lie 90 points apart, which is said instead of an agreement.
    assert rows[1].endswith("geen gedeelde kijk")
    assert rows[2].endswith("grote eensgezindheid")
    assert "Eensgezindheid toont hoe dicht" in roles


@pytest.mark.parametrize(
    ("values", "agreement", "words"),
    [
        # Variance 0.67 against 2 on every item: each item's r_wg is 0.67, and so is their
        # mean (r_wg(J) would make it 0.89 or more with 4 or 5 items).
        ([2, 3, 3, 4, 4, 4], 0.67, "matige eensgezindheid"),
        # More spread than random answers.
        ([1, 5, 1, 5, 3, 3], 0.0, "weinig eensgezindheid"),
    ],
)
def test_moderate_and_little_agreement_have_their_own_words(client, values, agreement, words):
    # Six employees answer challenge 1 with `values`, the same on every item.
    assessment = make_answered_round(
        {"medewerker": 6}, answers={"medewerker": lambda i: agreeing(values[i])(i)}
    )
    report = close_and_publish(assessment)
    assert report.agreement["1"] == agreement
    assert comparison_rows(section(page_of(client, report), "per-rol"))[1].endswith(words)


def test_open_answers_stay_hidden_with_seven_responses(client):
    texts = [f"Meer tijd om te leren, zegt nummer {n}" for n in range(7)]
    report = close_and_publish(
        make_answered_round({"medewerker": 7}, answers={"medewerker": with_open_answer(texts)})
    )
    assert report.free_text == {}
    assert report.free_text_allowed is False
    html = page_of(client, report)
    assert "Meer tijd om te leren" not in html
    assert "vanaf 8 antwoorden" in section(html, "open-antwoorden")


def test_open_answers_are_shown_from_eight_responses_in_alphabetical_order(client):
    texts = [
        "Zet leren op de agenda van elk teamoverleg.",
        "<script>alert('x')</script>",
        "Collega's helpen elkaar graag.",
        "Meer tijd om te leren.",
        "",
        "Begeleiding voor nieuwe collega's.",
        "Leidinggevenden vragen zelden wat we leerden.",
        "Meer tijd om te leren.",
    ]

    def answers(index):
        return full_answers({"E_open": texts[index]} if texts[index] else {})

    report = close_and_publish(
        make_answered_round({"medewerker": 8}, answers={"medewerker": answers})
    )

    assert report.free_text_allowed is True
    stored = report.free_text["E_open"]
    assert stored == sorted(stored, key=str.casefold)
    assert len(stored) == 7
    open_answers = section(page_of(client, report), "open-antwoorden")
    assert "Wil je nog iets kwijt over leren in je organisatie?" in open_answers
    for text in filter(None, texts):
        assert escape(text) in open_answers
    assert "<script>alert" not in open_answers
    shown = re.findall(r"<li>(.*?)</li>", open_answers, re.S)
    assert shown[0] == escape("<script>alert('x')</script>")
    assert shown[1] == "Begeleiding voor nieuwe collega&#x27;s."


def test_a_report_of_one_respondent_leaves_out_roles_and_open_answers(client):
    report = create_report(make_answered_round({"hr": 1}))
    html = page_of(client, report)
    assert 'id="per-rol"' not in html
    assert 'id="open-antwoorden"' not in html


def test_an_open_rounds_report_changes_only_after_k_new_responses_and_clears_its_pdf():
    assessment = make_answered_round({"medewerker": 5}, answers={"medewerker": agreeing(5)})
    report = refresh_report(assessment)
    Report.objects.filter(pk=report.pk).update(
        pdf=b"%PDF-old", created_on=datetime.date(2026, 1, 5), updated_on=datetime.date(2026, 1, 5)
    )
    add_responses(assessment, "medewerker", 4, agreeing(1))
    assert refresh_report(assessment).response_count == 5
    assert bytes(Report.objects.get(pk=report.pk).pdf) == b"%PDF-old"

    add_responses(assessment, "medewerker", 1, agreeing(1))
    refreshed = refresh_report(assessment)

    assert refreshed.pk == report.pk
    assert Report.objects.count() == 1
    stored = Report.objects.get(pk=report.pk)
    assert stored.pdf is None
    assert stored.response_count == 10
    # Nothing per role while the round is open.
    assert stored.role_counts == {} and stored.final is False
    # (5·5 + 5·1) / 10 = 3 → 50.0
    assert stored.scores["1"] == 50.0
    assert stored.code == report.code
    assert "Bijgewerkt op" in stored.html and "10 personen" in stored.html
    assert stored.created_on == datetime.date(2026, 1, 5)
    assert stored.updated_on > stored.created_on


def test_a_final_report_never_changes_again():
    assessment = make_answered_round({"medewerker": 5})
    report = close_and_publish(assessment)
    Report.objects.filter(pk=report.pk).update(pdf=b"%PDF-closed")

    refreshed = refresh_report(assessment)

    stored = Report.objects.get(pk=report.pk)
    assert refreshed.pk == report.pk
    assert stored.response_count == 5 and stored.final
    assert bytes(stored.pdf) == b"%PDF-closed"
    assert stored.html == report.html and stored.revision == report.revision


def test_refresh_makes_the_first_report_of_a_round_from_k_responses():
    assessment = make_answered_round({"hr": 4})
    assert refresh_report(assessment) is None
    assert not Report.objects.exists()
    add_responses(assessment, "hr", 1)
    report = refresh_report(assessment)
    assert Report.objects.get().pk == report.pk
    assert report.response_count == 5
    assert report.html


def test_no_report_without_a_completed_response():
    assessment = new_assessment(make_answered_round({}).organisation, roles=["hr"])
    start_response(assessment, "hr")
    assert refresh_report(assessment) is None
    with pytest.raises(NoResponses):
        create_report(assessment)
    assert not Report.objects.exists()


def test_create_report_returns_the_existing_report():
    assessment = make_answered_round({"medewerker": 1})
    first = create_report(assessment)
    add_responses(assessment, "medewerker", 1)
    assert create_report(assessment).pk == first.pk
    assert Report.objects.get().response_count == 1


def test_a_pdf_rendered_before_an_update_is_not_stored_on_the_updated_report():
    from leerkansen.reports.pdf import get_or_render_pdf

    assessment = make_answered_round({"medewerker": 2})
    old = create_report(assessment)
    add_responses(assessment, "medewerker", 5)

    def render_while_the_report_is_updated(report):
        refresh_report(assessment)
        return b"%PDF-made-from-the-old-content"

    with mock.patch(
        "leerkansen.reports.pdf.render_report_pdf", side_effect=render_while_the_report_is_updated
    ):
        served = get_or_render_pdf(old)

    assert served == b"%PDF-made-from-the-old-content"
    stored = Report.objects.get(pk=old.pk)
    assert stored.response_count == 7
    assert stored.revision == old.revision + 1
    assert stored.pdf is None
