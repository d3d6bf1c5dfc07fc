import pytest
from django.urls import reverse

from leerkansen.content.catalogue import get_catalogue

ACTIONS_URL = "/acties/"


def test_action_menu_lists_every_action_under_its_challenge(client):
    response = client.get(ACTIONS_URL)
    assert response.status_code == 200
    html = response.content.decode()
    catalogue = get_catalogue()
    assert html.count('<details class="action"') == 48
    for challenge in catalogue.challenges:
        assert f'id="uitdaging-{challenge.number}"' in html
        assert challenge.title in html
    assert "48 acties" in html


def test_action_menu_labels_highlight_actions(client):
    html = client.get(ACTIONS_URL).content.decode()
    highlighted = [a for a in get_catalogue().actions() if a.highlight]
    assert html.count('class="label label--highlight"') == len(highlighted)


def test_search_ignores_case_and_accents(client):
    # "Creëer" occurs in the tips of action 1.1.
    for query in ("creeer", "CREËER", "Creëer"):
        html = client.get(ACTIONS_URL, {"q": query}).content.decode()
        assert 'id="actie-1-1"' in html, query


def test_search_needs_every_word(client):
    html = client.get(ACTIONS_URL, {"q": "faq medewerkers"}).content.decode()
    assert 'id="actie-1-3"' in html
    assert 'id="actie-1-1"' not in html


def test_filter_by_challenge_shows_only_that_challenge(client):
    html = client.get(ACTIONS_URL, {"uitdaging": "4"}).content.decode()
    assert html.count('<details class="action"') == 7
    assert 'id="actie-4-7"' in html
    assert 'id="uitdaging-1"' not in html


def test_filter_only_highlight_leaves_out_actions_without_one(client):
    html = client.get(ACTIONS_URL, {"highlight": "on"}).content.decode()
    catalogue = get_catalogue()
    without = [a for a in catalogue.actions() if not a.highlight]
    assert without, "the source has actions without a HIGHLIGHT line"
    for action in catalogue.actions():
        assert (f'id="{action.slug}"' in html) == bool(action.highlight)


def test_search_without_results_shows_an_empty_state(client):
    html = client.get(ACTIONS_URL, {"q": "xylofoonorkest"}).content.decode()
    assert "Geen acties gevonden" in html
    assert "0 acties gevonden" in html
    assert "Toon alle acties" in html


def test_unknown_challenge_filter_explains_and_shows_everything(client):
    response = client.get(ACTIONS_URL, {"uitdaging": "99"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Een filter kon niet gebruikt worden" in html
    assert html.count('<details class="action"') == 48


def test_related_actions_link_to_each_other(client):
    html = client.get(ACTIONS_URL).content.decode()
    assert "Komt ook terug bij uitdaging 2:" in html
    assert 'href="/acties/2.2/"' in html


@pytest.mark.parametrize("action", list(get_catalogue().actions()), ids=lambda a: a.id)
def test_action_page_shows_all_tips(client, action):
    response = client.get(reverse("catalogue:action_detail", args=[action.id]))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"<title>Actie {action.id}:" in html
    assert html.count('<li class="tip">') == len(action.tips)


def test_unknown_action_is_not_found(client):
    assert client.get("/acties/10.1/").status_code == 404
    assert client.get("/acties/abc/").status_code == 404


def test_pages_load_the_print_stylesheet(client):
    html = client.get("/acties/1.1/").content.decode()
    assert "leerkansen/css/leerkansen.css" in html
    assert "data-print" in html
