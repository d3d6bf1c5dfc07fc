"""The questionnaire pages, as a respondent meets them: link, answer, resume, review, send."""

import re

import pytest
from django.test import Client
from django.utils.html import escape

from leerkansen.content.questionnaire import get_questionnaire, questionnaire_for
from leerkansen.content.questionnaire_pages import questionnaire_pages
from leerkansen.reports.models import Report
from leerkansen.reports.tests import add_responses
from leerkansen.survey.models import Response
from leerkansen.survey.respondent import SESSION_RESPONSE_KEY
from leerkansen.survey.services import answers_of, response_for_token
from leerkansen.survey.tests import link, make_invitation, resume_token_of, the_response
from leerkansen.testing import make_round

pytestmark = pytest.mark.django_db

START = "/vragenlijst/"
REVIEW = "/vragenlijst/overzicht/"
THANKS = "/vragenlijst/bedankt/"

# Every item of section A answered, the way a browser posts it.
SECTION_A = {
    "A_sector": "Q",
    "A_size": "50_249",
    "A_sites": "2_3",
    "A_away_from_manager": "25_50",
    "A_alone": "weet-niet",
    "A_telework": "0_10",
    "A_hr_capacity": "lt1",
    "A_training_plan": "in_opmaak",
}
# Four of challenge 1's five statements in the HR version: three quarters, enough for a report.
ENOUGH_FOR_A_REPORT = {"B1_1": "4", "B1_3": "5", "B1_5": "4", "B1_6": "2"}


def section_url(section_id: str) -> str:
    return f"/vragenlijst/stap/{section_id}/"


def save(client: Client, section_id: str, data: dict, navigate: str = "next"):
    return client.post(section_url(section_id), {**data, "navigate": navigate})


def is_checked(html: str, item_id: str, value: str) -> bool:
    pattern = rf'<input type="radio" name="{item_id}" id="[^"]+" value="{value}" checked>'
    return re.search(pattern, html) is not None


def checked_values(html: str) -> dict[str, str]:
    return dict(
        re.findall(r'<input type="radio" name="(\w+)" id="[^"]+" value="([^"]+)" checked>', html)
    )


def fieldset_of(html: str, item_id: str) -> str:
    begin = html.index(f'id="vraag-{item_id}"')
    return html[begin : html.index("</fieldset>", begin)]


@pytest.fixture
def assessment():
    return make_round()


@pytest.fixture
def respondent(client, assessment):
    """A respondent in HR (the version with every step) who opened their personal link."""
    _invitation, token = make_invitation(assessment, "hr")
    client.get(link(token))
    return client


def test_start_page_sends_respondents_to_their_link_and_hr_to_an_account(client):
    response = client.get(START)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Kreeg je een uitnodiging om te antwoorden?" in html
    assert "Open de link uit je uitnodiging" in html
    assert "15 tot 20 minuten" in html
    assert escape(get_questionnaire().anonymity_note) in html
    assert "Wat je krijgt" in html
    assert "top 3 van acties" in html
    assert 'href="/account/registreren/">Maak een account</a>' in html
    assert 'href="/account/inloggen/">Inloggen</a>' in html
    # Without a link nobody starts a questionnaire here any more: the one form left is the
    # language switch.
    content = html.split('id="inhoud"')[1]
    assert content.count("<form") == content.count('action="/vragenlijst/taal/"') == 1
    assert client.post(START, {"organisation_name": "Zorggroep Noord"}).status_code == 405
    assert not Response.objects.exists()


def test_invitation_link_starts_a_response_and_opens_the_first_step_with_the_resume_link(
    client, assessment
):
    _invitation, token = make_invitation(assessment, "leidinggevende")
    response = client.get(link(token))
    # The token leaves the address bar at once.
    assert response.status_code == 302
    # A line manager's version has no context step: it starts with the statements.
    assert response["Location"] == section_url("B")
    assert token not in response["Location"]

    draft = the_response(client)
    assert draft.assessment == assessment
    assert draft.role == "leidinggevende"
    assert draft.assessment.questionnaire_version == get_questionnaire().version
    assert not draft.is_completed
    resume_token = resume_token_of(client)
    assert response_for_token(resume_token.split(".")[0]) == draft

    # Another role's step does not exist in this version.
    assert client.get(section_url("A")).status_code == 404
    page = client.get(section_url("B"))
    # The page holds the private link: never kept in a shared cache.
    assert "no-store" in page["Cache-Control"]
    html = page.content.decode()
    assert "Je vragenlijst is gestart. Bewaar eerst de link hieronder" in html
    # Three pages of statements, needs, outcomes and the overview.
    assert "Stap 1 van 6" in html
    assert '<progress class="survey-progress__bar" value="1" max="6"' in html
    assert "Bewaar deze link: zo kan je later verder" in html
    assert f'value="http://testserver/vragenlijst/hervat/{resume_token}/" readonly' in html
    assert "Deze link is privé" in html


def test_every_section_page_shows_its_title_purpose_and_step(respondent):
    questionnaire = questionnaire_pages("hr")
    # A, five pages of statements, three of practices, D, E and the overview.
    assert len(questionnaire.sections) + 1 == 12
    for step, section in enumerate(questionnaire.sections, start=1):
        html = respondent.get(section_url(section.id)).content.decode()
        assert f"<h1>{section.title}</h1>" in html
        assert section.purpose in html
        assert f"Stap {step} van 12" in html
        for item in questionnaire.items(section.id):
            assert f'id="vraag-{item.id}"' in html
    html = respondent.get(REVIEW).content.decode()
    assert "Stap 12 van 12" in html


def test_agreement_items_spell_out_every_option_and_keep_dont_know_apart(respondent):
    html = respondent.get(section_url("B")).content.decode()
    item = fieldset_of(html, "B1_1")
    labels = ["Helemaal oneens", "Oneens", "Niet eens, niet oneens", "Eens", "Helemaal eens"]
    for label in labels:
        assert f'<span class="choice__label">{label}</span>' in item
    scale, dont_know = item.split('<div class="item__dont-know">')
    assert "Weet niet" not in scale
    assert 'value="weet-niet"' in dont_know
    # The first page of statements: challenges 1 and 2.
    assert html.count("<fieldset") == len(questionnaire_pages("hr").items("B")) == 10


def test_practices_are_grouped_under_their_challenge(respondent):
    pages = [respondent.get(section_url(page)).content.decode() for page in ("C", "C2", "C3")]
    # 47 rows, one select each: 1.1 and 2.2 are one practice, asked once.
    assert sum(page.count('<select class="item__select" name="C_') for page in pages) == 47
    assert sum(page.count('class="challenge-heading challenge-') for page in pages) == 9
    html = pages[0]
    # Action 2.1 comes after the heading of challenge 2 and before that of challenge 3.
    assert html.index('id="uitdaging-2"') < html.index('id="vraag-C_2_1"')
    assert html.index('id="vraag-C_2_1"') < html.index('id="uitdaging-3"')
    assert "Deze stap is niet verplicht." in html
    # Practices are numbered by their action, as in the action menu.
    row = html[html.index('id="vraag-C_2_1"') :]
    assert '<span class="item__number">2.1</span> ' in row[: row.index("</select>")]


def test_needs_are_three_selects_of_the_nine_challenges_with_optional_urgency(respondent):
    html = respondent.get(section_url("D")).content.decode()
    for rank in (1, 2, 3):
        select = html[html.index(f'<select class="item__select" name="D_{rank}"') :]
        select = select[: select.index("</select>")]
        assert select.count("<option") == 10
        assert '<option value="">Nog geen keuze</option>' in select
        assert f'<h2 id="groep-{rank}">Keuze {rank}</h2>' in html
    assert html.count("(niet verplicht)") == 3


def test_saving_a_page_then_going_back_shows_the_answers(respondent):
    response = save(respondent, "B", {"B1_1": "4", "B1_6": "weet-niet"})
    assert response["Location"] == section_url("B2")
    html = respondent.get(section_url("B2")).content.decode()
    assert "Je antwoorden zijn bewaard." in html

    response = save(respondent, "C", {"C_1_1": "al"}, navigate="previous")
    assert response["Location"] == section_url("B5")
    html = respondent.get(section_url("B")).content.decode()
    assert is_checked(html, "B1_1", "4")
    assert is_checked(html, "B1_6", "weet-niet")
    html = respondent.get(section_url("C")).content.decode()
    assert '<option value="al" selected>Hebben we al</option>' in html


def test_previous_and_next_follow_the_order_of_the_steps(respondent):
    assert save(respondent, "A", {})["Location"] == section_url("B")
    assert save(respondent, "B", {}, navigate="previous")["Location"] == section_url("A")
    assert save(respondent, "D", {})["Location"] == section_url("E")
    assert save(respondent, "E", {})["Location"] == REVIEW
    first = respondent.get(section_url("A")).content.decode()
    assert 'value="previous"' not in first
    assert 'value="next"' in first
    assert 'value="previous"' in respondent.get(section_url("E")).content.decode()


def test_a_wrong_value_gets_a_dutch_message_next_to_it_and_the_rest_is_saved(respondent):
    save(respondent, "B", {"B1_1": "2"})
    response = save(respondent, "B", {"B1_1": "9", "B1_6": "3", "B1_3": "weet-niet"})
    assert response.status_code == 200
    html = response.content.decode()

    item = fieldset_of(html, "B1_1")
    assert 'aria-describedby="fout-B1_1"' in item
    assert (
        '<p class="field-error item__error" id="fout-B1_1">Kies een antwoord van 1 (Helemaal '
        "oneens) tot 5 (Helemaal eens), of kies “Weet niet”.</p>"
    ) in item
    assert "Kijk 1 antwoord na" in html
    assert '<a href="#vraag-B1_1">' in html
    assert "Je andere antwoorden op deze pagina zijn bewaard." in html
    # Nothing typed is lost on the page...
    assert is_checked(html, "B1_6", "3")
    assert is_checked(html, "B1_3", "weet-niet")
    # ...and the valid answers are stored, the earlier answer to B1_1 untouched.
    assert answers_of(the_response(respondent)) == {"B1_1": 2, "B1_6": 3, "B1_3": None}


def test_an_item_left_empty_keeps_its_earlier_answer(respondent):
    save(respondent, "B", {"B1_1": "5"})
    save(respondent, "B", {"B1_6": "1"})
    assert answers_of(the_response(respondent)) == {"B1_1": 5, "B1_6": 1}


def test_context_answers_are_saved_with_their_codes(respondent):
    save(respondent, "A", SECTION_A)
    answers = answers_of(the_response(respondent))
    assert answers["A_sector"] == "Q"
    assert answers["A_alone"] is None
    assert answers["A_sites"] == "2_3"
    html = respondent.get(section_url("A")).content.decode()
    assert '<option value="Q" selected>Gezondheidszorg en welzijn</option>' in html
    # The link sets the role: nobody is asked it.
    assert 'id="vraag-A_role"' not in html


def test_an_emptied_need_loses_its_answer_and_its_urgency(respondent):
    save(respondent, "D", {"D_1": "3", "D_1_urgency": "4", "D_2": "5", "D_3": ""})
    assert answers_of(the_response(respondent)) == {"D_1": 3, "D_1_urgency": 4, "D_2": 5}
    save(respondent, "D", {"D_1": "", "D_1_urgency": "4", "D_2": "5", "D_3": ""})
    assert answers_of(the_response(respondent)) == {"D_2": 5}


def test_the_same_challenge_cannot_be_ranked_twice(respondent):
    response = save(respondent, "D", {"D_1": "3", "D_2": "3", "D_3": "7"})
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        '<p class="field-error item__error" id="fout-D_2">Deze uitdaging koos je al op een '
        "hogere plaats. Kies een andere uitdaging.</p>"
    ) in html
    assert 'aria-describedby="fout-D_2" aria-invalid="true"' in html
    assert answers_of(the_response(respondent)) == {"D_1": 3, "D_3": 7}


def test_resume_link_restores_the_session_and_the_saved_answers(respondent):
    save(respondent, "A", SECTION_A)
    save(respondent, "B", {"B1_1": "4", "B2_5": "1"})
    token = resume_token_of(respondent)

    elsewhere = Client()
    response = elsewhere.get(f"/vragenlijst/hervat/{token}/")
    # Section A is complete, so the respondent picks up at B; the token leaves the address bar.
    assert response.status_code == 302
    assert response["Location"] == section_url("B")
    assert elsewhere.session[SESSION_RESPONSE_KEY] == respondent.session[SESSION_RESPONSE_KEY]

    html = elsewhere.get(section_url("B")).content.decode()
    assert checked_values(html) == {"B1_1": "4", "B2_5": "1"}
    assert f"/vragenlijst/hervat/{token}/" in html
    html = elsewhere.get(section_url("A")).content.decode()
    assert is_checked(html, "A_size", "50_249")


def test_resume_link_with_everything_answered_opens_the_review(respondent):
    questionnaire = questionnaire_pages("hr")
    for section in questionnaire.sections:
        data = {
            item.id: "weet-niet" if item.allows_dont_know else str(item.options[0].value)
            for item in questionnaire.items(section.id)
            if not item.optional
        }
        if section.kind == "needs":
            data = {"D_1": "1", "D_2": "2", "D_3": "3"}
        assert save(respondent, section.id, data).status_code == 302, section.id
    token = resume_token_of(respondent)
    assert Client().get(f"/vragenlijst/hervat/{token}/")["Location"] == REVIEW


def test_unknown_resume_link_explains_in_dutch(client):
    response = client.get("/vragenlijst/hervat/niet-bestaand/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "We vinden deze link niet" in html
    assert "kopieer de hele link" in html
    assert SESSION_RESPONSE_KEY not in client.session


@pytest.mark.parametrize("path", [section_url("A"), section_url("E"), REVIEW])
def test_without_a_session_the_pages_send_you_to_the_start(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == START
    html = client.get(START).content.decode()
    assert "Open je persoonlijke link om verder te gaan waar je gebleven was." in html


def test_unknown_section_is_not_found(respondent):
    assert respondent.get(section_url("Z")).status_code == 404


def test_another_respondent_only_ever_sees_their_own_answers(respondent, assessment):
    save(respondent, "B", {"B1_1": "5"})
    other = Client()
    other.get(link(make_invitation(assessment, "medewerker")[1]))
    assert other.session[SESSION_RESPONSE_KEY] != respondent.session[SESSION_RESPONSE_KEY]
    html = other.get(section_url("B")).content.decode()
    assert checked_values(html) == {}
    save(other, "B", {"B1_6": "1"})
    assert answers_of(the_response(respondent)) == {"B1_1": 5}
    assert answers_of(the_response(other)) == {"B1_6": 1}


def test_review_lists_what_is_unanswered_with_links_and_says_sending_is_allowed(respondent):
    save(respondent, "A", SECTION_A)
    save(respondent, "B", ENOUGH_FOR_A_REPORT)
    response = respondent.get(REVIEW)
    assert response.status_code == 200
    html = response.content.decode()
    questionnaire = questionnaire_for("hr")
    b1_7 = questionnaire.item("B1_7")
    assert f'<a href="/vragenlijst/stap/B/#vraag-B1_7">{escape(b1_7.text)}</a>' in html
    assert escape(questionnaire.item("B1_1").text) not in html
    assert "Stap 1: Over je organisatie" in html
    assert "Alles beantwoord." in html
    unanswered = 41 + 3 + 4  # the rest of B, the three needs, all of E
    assert f"{unanswered} vragen hebben nog geen antwoord." in html
    assert "Je kan nu toch al versturen" in html
    assert "Nog te weinig antwoorden" not in html
    assert "Verstuur je antwoorden</button>" in html


def test_sending_thanks_the_respondent_and_brings_the_report_up_to_date(respondent):
    save(respondent, "B", {item.id: "4" for item in questionnaire_for("hr").items("B")})
    save(respondent, "D", {"D_1": "1", "D_2": "4", "D_3": "9"})
    first = respondent.post(REVIEW)
    draft = the_response(respondent)
    assert draft.is_completed
    # The respondent is thanked; the organisation's report is for the admin.
    assert first.status_code == 302
    assert first["Location"] == THANKS
    html = respondent.get(THANKS).content.decode()
    assert "Bedankt voor je antwoorden" in html
    assert "nooit per persoon" in html
    assert "/rapport/" not in html
    # One response is below the anonymity threshold: no report yet (it waits for 5).
    assert not Report.objects.filter(assessment=draft.assessment).exists()


def test_double_submit_completes_once_and_makes_one_report(respondent, assessment):
    # Four other HR colleagues answered already: this send is the group's fifth, which
    # publishes the report.
    add_responses(assessment, "hr", 4)
    save(respondent, "B", ENOUGH_FOR_A_REPORT)
    first = respondent.post(REVIEW)
    draft = the_response(respondent)
    completed_on = draft.completed_on
    second = respondent.post(REVIEW)
    assert second["Location"] == first["Location"] == THANKS
    assert Report.objects.count() == 1
    assert Report.objects.get().response_count == 5
    draft.refresh_from_db()
    assert draft.completed_on == completed_on


def test_sending_without_a_single_scored_challenge_is_refused_with_the_way_forward(respondent):
    # Three of five statements answered, a fourth "weet niet": not three quarters.
    save(respondent, "B", {"B1_1": "4", "B1_6": "4", "B1_3": "5", "B1_7": "weet-niet"})
    html = respondent.get(REVIEW).content.decode()
    assert "Nog te weinig antwoorden voor een rapport" in html

    response = respondent.post(REVIEW)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="te-weinig" role="alert"' in html
    assert "drie kwart van de stellingen" in html
    link_text = "Beantwoord meer stellingen in “Uitdagingen (1 van 5)”"
    assert f'<a href="/vragenlijst/stap/B/">{link_text}</a>' in html
    assert not the_response(respondent).is_completed
    assert not Report.objects.exists()

    save(respondent, "B", {"B1_7": "2"})
    assert "Nog te weinig antwoorden" not in respondent.get(REVIEW).content.decode()
    assert respondent.post(REVIEW).status_code == 302


def test_a_sent_response_leads_to_the_thanks_from_every_page_and_its_link(respondent):
    save(respondent, "B", ENOUGH_FOR_A_REPORT)
    token = resume_token_of(respondent)
    assert respondent.post(REVIEW)["Location"] == THANKS
    for path in (section_url("A"), section_url("B"), REVIEW):
        assert respondent.get(path)["Location"] == THANKS
    # Saving after sending changes nothing.
    assert save(respondent, "B", {"B1_1": "1"})["Location"] == THANKS
    assert answers_of(the_response(respondent))["B1_1"] == 4
    # Its link shows what was answered, read-only (see test_own_answers).
    assert (
        "<h1>Wat je antwoordde</h1>"
        in Client().get(f"/vragenlijst/hervat/{token}/").content.decode()
    )


def test_start_page_offers_to_continue_an_open_questionnaire(respondent):
    save(respondent, "A", {}, navigate="next")
    html = respondent.get(START).content.decode()
    assert "Je bent al begonnen aan de vragenlijst voor Zorggroep De Linde." in html
    assert f'href="{section_url("A")}">Ga verder met je vragenlijst</a>' in html


def test_autosave_stores_the_page_without_a_redirect(respondent):
    response = respondent.post(
        section_url("B"), {"B1_1": "3", "B1_6": "4"}, headers={"X-Autosave": "1"}
    )
    assert response.status_code == 204
    assert answers_of(the_response(respondent)) == {"B1_1": 3, "B1_6": 4}
    # No "saved" message is queued for the next page: the status line said it already.
    assert "Je antwoorden zijn bewaard." not in respondent.get(section_url("C")).content.decode()


def test_autosave_reports_errors_and_keeps_the_valid_answers(respondent):
    response = respondent.post(
        section_url("B"), {"B1_1": "9", "B1_6": "4"}, headers={"X-Autosave": "1"}
    )
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["B1_1"]
    assert answers_of(the_response(respondent)) == {"B1_6": 4}


def test_autosave_without_an_open_response_says_it_did_not_save(respondent):
    assert (
        Client().post(section_url("B"), {"B1_1": "3"}, headers={"X-Autosave": "1"}).status_code
        == 409
    )
    save(respondent, "B", ENOUGH_FOR_A_REPORT)
    respondent.post(REVIEW)
    response = respondent.post(section_url("B"), {"B1_1": "1"}, headers={"X-Autosave": "1"})
    assert response.status_code == 409
    assert answers_of(the_response(respondent))["B1_1"] == 4
