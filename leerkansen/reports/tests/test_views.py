"""The report page as an organisation reads it: a stored snapshot, looked up by its code,
for the members of the round's organisation only."""

import re
from urllib.parse import quote

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.shortcuts import resolve_url
from django.test import Client
from django.utils.html import escape

from leerkansen.content.catalogue import get_catalogue
from leerkansen.content.questionnaire import get_questionnaire
from leerkansen.reports.demo import DEMO_NAME, load_demo
from leerkansen.reports.models import Report
from leerkansen.reports.presentation import report_context

from . import make_member, make_report, member_client

pytestmark = pytest.mark.django_db


def page_of(client, report) -> str:
    response = member_client(client, report).get(f"/rapport/{report.code}/")
    assert response.status_code == 200
    return response.content.decode()


def test_report_shows_profile_top3_in_order_with_reasons_and_needs(client):
    report = make_report(needs=(4, 1, 9), answers={"D_1_urgency": 5})
    html = page_of(client, report)
    catalogue = get_catalogue()

    assert "<h1" in html and "Zorggroep De Linde" in html
    assert report.profile["name"] in html
    assert escape(report.profile["description"]) in html
    # The shipped model is a prior: no probability, only the profile it resembles most.
    assert "Jullie organisatie lijkt het meest op dit profiel" in html
    assert "% kans" not in html
    assert "nog niet getoetst aan gegevens van organisaties" in html

    titles = [catalogue.action(item["action"]).title for item in report.top3]
    assert len(titles) == 3
    top3 = html[html.index('id="top-3"') : html.index('id="noden"')]
    positions = [top3.index(title) for title in titles]
    assert positions == sorted(positions)
    for item in report_context(report)["top3"]:
        # "Waarom voor jullie": one sentence per reason, a list when there are several.
        if len(item.reasons) > 1:
            for sentence in item.reasons:
                assert f"<li>{escape(sentence)}</li>" in top3
        else:
            assert f"<p>{escape(item.reason)}</p>" in top3
    assert top3.count("Wat je kan doen – inspiratie voor de praktijk") == 3
    assert "Waarom voor jullie" in top3

    needs = html[html.index('id="noden"') : html.index('id="alle-acties"')]
    need_titles = [catalogue.challenge(n).title for n in (4, 1, 9)]
    need_positions = [needs.index(title) for title in need_titles]
    assert need_positions == sorted(need_positions)
    assert "Dringendheid 5 op 5." in needs


def test_download_button_comes_before_the_profile(client):
    report = make_report()
    html = page_of(client, report)
    link = f'href="/rapport/{report.code}/rapport.pdf"'
    assert link in html
    assert html.index("Download als PDF") < html.index('id="profiel"')


def test_chart_is_an_svg_with_nine_bars_and_their_scores(client):
    report = make_report()
    html = page_of(client, report)
    svg = re.search(r'<svg class="chart".*?</svg>', html, re.S).group(0)
    assert 'role="img"' in svg
    assert svg.count('class="chart__bar"') == 9
    values = re.findall(r'class="chart__value"[^>]*>(\d+)</text>', svg)
    expected = [str(int(report.scores[str(n)] + 0.5)) for n in range(1, 10)]
    assert values == expected
    assert "geen score" not in svg


def test_chart_says_no_score_instead_of_guessing(client):
    dont_know = {item.id: None for item in get_questionnaire().diagnostic_items(5)}
    report = make_report(answers=dont_know)
    assert report.scores["5"] is None
    svg = re.search(r'<svg class="chart".*?</svg>', page_of(client, report), re.S).group(0)
    assert svg.count('class="chart__bar"') == 8
    assert svg.count(">geen score</text>") == 1
    assert "Uitdaging 5, Leidinggevenden ondersteunen weinig: geen score." in svg


def test_all_actions_sit_in_collapsed_sections_with_their_marks(client):
    report = make_report(answers={"C_1_1": "al", "C_2_3": "deels"})
    html = page_of(client, report)
    all_actions = html[html.index('id="alle-acties"') :]

    sections = re.findall(r"<details[^>]*>", all_actions)
    assert len(sections) == 9
    assert not any(" open" in tag for tag in sections)
    assert all_actions.count('class="report-action"') == 48
    for action in get_catalogue().actions():
        assert f'id="{action.slug}"' in all_actions
        assert f'href="/acties/{action.id}/"' in all_actions

    def entry(slug):
        start = all_actions.index(f'id="{slug}"')
        return all_actions[start : all_actions.index("</li>", start)]

    assert "Hebben we al" in entry("actie-1-1")
    assert "Deels" in entry("actie-2-3")
    assert "Hebben we al" not in entry("actie-1-2")
    assert "HIGHLIGHT" in entry("actie-1-1")
    # Deliberate overlap, shown as in the action menu.
    assert "Komt ook terug bij uitdaging 2" in entry("actie-1-1")


def test_report_is_never_cached(client):
    report = make_report()
    response = member_client(client, report).get(f"/rapport/{report.code}/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("path", ["/rapport/onbekend/", "/rapport/onbekend/rapport.pdf"])
def test_unknown_code_is_not_found(client, path):
    member_client(client, make_report())
    assert client.get(path).status_code == 404


REPORT_PATHS = ["/rapport/{code}/", "/rapport/{code}/rapport.pdf"]


@pytest.mark.parametrize("path", REPORT_PATHS)
def test_a_member_of_the_organisation_reads_its_report(client, path):
    report = make_report()
    response = member_client(client, report).get(path.format(code=report.code))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("path", REPORT_PATHS)
def test_another_organisations_admin_gets_not_found(client, path):
    report = make_report()
    other = make_report(organisation_name="Bouwbedrijf Noord")
    client.force_login(make_member(other.assessment.organisation))
    response = client.get(path.format(code=report.code))
    assert response.status_code == 404
    assert b"Zorggroep De Linde" not in response.content


@pytest.mark.parametrize("path", REPORT_PATHS)
def test_a_visitor_who_is_not_logged_in_is_sent_to_the_login_page(client, path):
    report = make_report()
    url = path.format(code=report.code)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{resolve_url(settings.LOGIN_URL)}?next={quote(url)}"
    assert client.get(response["Location"]).status_code == 200


def test_a_logged_in_user_without_an_organisation_does_not_see_the_report(client):
    report = make_report()
    user = get_user_model().objects.create_user(username="los@example.org")
    client.force_login(user)
    response = client.get(f"/rapport/{report.code}/")
    assert response.status_code in (302, 404)
    assert b"Zorggroep De Linde" not in response.content


def test_the_demo_report_is_public_and_links_its_own_pdf(client):
    load_demo()
    response = client.get("/rapport/demo/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert DEMO_NAME in html
    assert 'href="/rapport/demo/rapport.pdf"' in html
    assert client.get("/rapport/demo/rapport.pdf")["Content-Type"] == "application/pdf"


def test_no_demo_report_without_the_demo_organisation(client):
    make_report()
    assert client.get("/rapport/demo/").status_code == 404
    assert client.get("/rapport/demo/rapport.pdf").status_code == 404


def test_only_the_demo_organisations_report_is_public(client):
    load_demo()
    report = make_report()
    assert client.get(f"/rapport/{report.code}/").status_code == 302


def test_page_serves_the_stored_html_without_rendering_again(client):
    report = make_report()
    Report.objects.filter(pk=report.pk).update(html="<p>Bewaarde versie van het rapport</p>")
    html = page_of(client, report)
    assert "Bewaarde versie van het rapport" in html
    assert report.profile["name"] not in html


def test_a_member_sees_the_menu_of_a_logged_in_user_with_a_working_log_out(client):
    client = Client(enforce_csrf_checks=True)
    report = make_report()
    html = page_of(client, report)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    assert "placeholder" not in token
    assert "Uitloggen" in html and "Inloggen" not in html
    logout = re.search(r'<form method="post" action="([^"]+)"', html).group(1)
    assert client.post(logout, {"csrfmiddlewaretoken": token}).status_code == 302
    assert client.get(f"/rapport/{report.code}/").status_code == 302


def test_the_demo_report_shows_a_visitor_the_log_in_link(client):
    load_demo()
    html = client.get("/rapport/demo/").content.decode()
    assert "Inloggen" in html
    assert "csrfmiddlewaretoken" not in html


def test_after_the_top_3_the_report_leads_to_the_plan_the_ratings_and_the_progress(client):
    report = make_report()
    html = page_of(client, report)
    steps = html[html.index('id="aan-de-slag"') :]
    steps = steps[: steps.index("</section>")]
    assert html.index('id="top-3"') < html.index('id="aan-de-slag"') < html.index('id="noden"')
    links = re.findall(r'<a href="([^"]+)">([^<]+)</a>', steps)
    assert links == [
        ("/organisatie/plan/", "Zet de acties in jullie actieplan"),
        (f"/rapport/{report.code}/beoordelen/", "Beoordeel de acties"),
        (f"/rapport/{report.code}/voortgang/", "Vooruitgang sinds de vorige ronde"),
    ]
    for url, _text in links:
        assert client.get(url).status_code == 200, url


def test_the_demo_report_leads_nowhere_it_cannot_go(client):
    load_demo()
    html = client.get("/rapport/demo/").content.decode()
    assert 'id="top-3"' in html
    assert 'id="aan-de-slag"' not in html


def test_every_action_of_the_report_goes_to_the_plan_after_a_confirmation(client):
    report = make_report()
    html = page_of(client, report)
    catalogue = get_catalogue()
    added = re.findall(r'href="/organisatie/plan/toevoegen/\?actie=([\d.]+)&amp;van=rapport"', html)
    top3 = [item["action"] for item in report.top3]
    # The top 3 first, then every action of the catalogue in "Alle acties".
    assert added[:3] == top3
    assert added[3:] == [action.id for action in catalogue.actions()]
    confirm = client.get("/organisatie/plan/toevoegen/", {"actie": top3[0], "van": "rapport"})
    assert confirm.status_code == 200
    assert f'<input type="hidden" name="action" value="{top3[0]}">' in confirm.content.decode()


def test_the_demo_report_has_no_plan_links(client):
    load_demo()
    assert "/organisatie/plan/" not in client.get("/rapport/demo/").content.decode()
