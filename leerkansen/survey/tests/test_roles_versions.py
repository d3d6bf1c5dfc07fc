"""The link's role decides the version (issue 14): what each role meets on the answering
pages, the same as the content and the JSON API give, and answers of 1.1.0 still scored."""

import re

import pytest
from django.test import Client

from leerkansen.content.questionnaire import get_questionnaire, questionnaire_for
from leerkansen.content.questionnaire_pages import questionnaire_pages
from leerkansen.scoring.scales import scale_items, scores_of
from leerkansen.survey.models import Response
from leerkansen.survey.services import complete_response, completed_responses, save_answers
from leerkansen.survey.tests import link, make_invitation, the_response
from leerkansen.testing import make_round

pytestmark = pytest.mark.django_db

ROLES = ("hr", "directie", "leidinggevende", "medewerker")
# What an employee cannot know about the organisation, as the pages would show it.
ORGANISATION_FACTS = (
    "In welke sector",
    "Hoeveel medewerkers heeft je organisatie",
    "opleidingsplan",
    "HR, opleiding en ontwikkeling",
    "geld zoeken",
    "Wat is jouw rol",
    "Hebben we al",
)


def pages_seen(client: Client) -> dict[str, str]:
    """Every page of the respondent's version, as their browser gets it, by address."""
    version = questionnaire_pages(the_response(client).role)
    return {
        section.id: client.get(f"/vragenlijst/stap/{section.id}/").content.decode()
        for section in version.sections
    }


def item_ids(html: str) -> set[str]:
    return set(re.findall(r'id="vraag-(\w+)"', html))


def test_an_employee_link_shows_only_the_employees_own_experience(client):
    client.get(link(make_invitation(make_round(roles=ROLES), "medewerker")[1]))
    pages = pages_seen(client)
    assert list(pages) == ["B", "B2", "B3", "E"]
    shown = set().union(*(item_ids(html) for html in pages.values()))
    for html in pages.values():
        for words in ORGANISATION_FACTS:
            assert words not in html, words
    # The same items as the content's version and as the JSON API gives a client.
    assert shown == {item.id for item in questionnaire_for("medewerker").items()}
    api = client.get("/api/v1/questionnaire", {"rol": "medewerker"}).json()
    assert shown == {item["id"] for item in api["items"]}
    assert not {item_id for item_id in shown if item_id[0] in "ACD"}
    # Another role's page is not there, and posting its answers stores nothing.
    assert client.get("/vragenlijst/stap/A/").status_code == 404
    assert client.get("/vragenlijst/stap/C/").status_code == 404
    client.post("/vragenlijst/stap/B/", {"B1_1": "4", "B7_8": "5", "B1_8": "4"})
    stored = set(the_response(client).answers.values_list("item_id", flat=True))
    assert stored == {"B1_8"}


@pytest.mark.parametrize("role", ROLES)
def test_no_version_asks_the_role_the_link_already_set(client, role):
    client.get(link(make_invitation(make_round(roles=ROLES), role)[1]))
    assert the_response(client).role == role
    for html in pages_seen(client).values():
        assert "Wat is jouw rol in de organisatie?" not in html
        assert 'name="A_role"' not in html


def test_hr_answers_the_organisation_context_practices_and_needs(client):
    client.get(link(make_invitation(make_round(roles=ROLES), "hr")[1]))
    pages = pages_seen(client)
    assert "In welke sector is je organisatie vooral actief?" in pages["A"]
    assert "C_1_1" in item_ids(pages["C"]) and "C_2_2" not in item_ids(pages["C"])
    assert '<option value="weet-niet">Weet niet</option>' in pages["C"]
    assert 'name="D_1"' in pages["D"]


def test_a_line_manager_answers_about_the_team_and_the_support_they_get(client):
    client.get(link(make_invitation(make_round(roles=ROLES), "leidinggevende")[1]))
    pages = pages_seen(client)
    assert list(pages) == ["B", "B2", "B3", "D", "E"]
    html = "".join(pages.values())
    assert "In mijn team is er zoveel werk dat leren erbij inschiet." in html
    # Not their own coaching rated as a fact about the organisation.
    assert "Leidinggevenden geven medewerkers bruikbare feedback" not in html


def test_a_response_of_1_1_0_and_one_of_2_0_0_are_scored_together():
    assessment = make_round(roles=ROLES)
    (earlier,) = get_questionnaire().earlier_versions
    old = Response.objects.create(assessment=assessment, role="medewerker", resume_token_hash="x")
    save_answers(old, dict.fromkeys(earlier.diagnostic_items, 5))
    complete_response(old)
    new = Response.objects.create(assessment=assessment, role="medewerker", resume_token_hash="y")
    # Three of the employee's four statements of challenge 1: enough for its score.
    own = questionnaire_for("medewerker").diagnostic_items(1)[:3]
    save_answers(new, {item.id: 2 for item in own})
    complete_response(new)
    answers = [answers for _role, answers in completed_responses(assessment)]
    items = scale_items(get_questionnaire())
    alone = scores_of(answers[:1], items)
    together = scores_of(answers, items)
    # The old response alone scores every challenge, as it did in 1.1.0.
    assert all(score is not None for score in alone.values())
    assert together[1] is not None and together[1] != alone[1]
