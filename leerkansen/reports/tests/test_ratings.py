"""Rating actions: the round's organisation scores the top 3 and other actions it picks on
relevance and feasibility (1–5), on a page of its own next to the report."""

import re
from urllib.parse import quote

import pytest
from django.conf import settings
from django.shortcuts import resolve_url

from leerkansen.content.catalogue import get_catalogue
from leerkansen.reports.demo import load_demo
from leerkansen.reports.models import ActionRating, Report
from leerkansen.reports.ratings import Rating, save_ratings
from leerkansen.reports.services import create_report
from leerkansen.survey.services import new_assessment

from . import add_responses, make_member, make_report, member_client

pytestmark = pytest.mark.django_db


def url_of(report: Report) -> str:
    return f"/rapport/{report.code}/beoordelen/"


def anchor(action_id: str) -> str:
    return "beoordeling-actie-" + action_id.replace(".", "-")


def top3_of(report: Report) -> list[str]:
    return [item["action"] for item in report.top3]


def other_action(report: Report) -> str:
    """An action of the catalogue that is not in the report's top 3."""
    return next(a.id for a in get_catalogue().actions() if a.id not in top3_of(report))


def scores(*ratings: tuple[str, int, int]) -> dict[str, str]:
    data = {}
    for action_id, relevance, feasibility in ratings:
        data[f"relevance-{action_id}"] = str(relevance)
        data[f"feasibility-{action_id}"] = str(feasibility)
    return data


def stored(report: Report) -> dict[str, tuple[int, int, bool]]:
    return {
        rating.action_id: (rating.relevance, rating.feasibility, rating.recommended)
        for rating in ActionRating.objects.filter(assessment=report.assessment)
    }


def checked(html: str) -> dict[str, str]:
    """The checked radio of each group on the page: name → value."""
    found = {}
    for tag in re.findall(r'<input type="radio"[^>]*>', html):
        if " checked" in tag:
            name = re.search(r'name="([^"]+)"', tag).group(1)
            found[name] = re.search(r'value="([^"]+)"', tag).group(1)
    return found


def test_page_shows_the_top_3_first_each_with_two_five_point_scales(client):
    report = make_report()
    response = member_client(client, report).get(url_of(report))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    top3 = top3_of(report)
    assert len(top3) == 3
    positions = [html.index(f'id="{anchor(action_id)}"') for action_id in top3]
    assert positions == sorted(positions)
    for action_id in top3:
        for aspect in ("relevance", "feasibility"):
            values = re.findall(
                rf'<input type="radio" name="{aspect}-{re.escape(action_id)}"[^>]*value="(\d)"',
                html,
            )
            assert values == ["1", "2", "3", "4", "5"]
    # Each scale is a fieldset with a legend; nothing is chosen yet.
    assert html.count("<fieldset") == 6
    assert html.count("<legend") == 6
    assert checked(html) == {}
    # The select lists the other actions, not the ones already on the page.
    select = html[html.index('<select name="add"') : html.index("</select>")]
    assert f'<option value="{other_action(report)}">' in select
    assert all(f'<option value="{a}">' not in select for a in top3)


def test_member_rates_the_top_3_and_an_extra_action(client):
    report = make_report()
    top3, extra = top3_of(report), other_action(report)
    member_client(client, report)
    data = scores((top3[0], 5, 4), (top3[1], 4, 2), (top3[2], 1, 3), (extra, 2, 5))
    response = client.post(url_of(report), {**data, "actie": extra})

    assert response.status_code == 302
    assert response["Location"] == url_of(report)
    assert stored(report) == {
        top3[0]: (5, 4, True),
        top3[1]: (4, 2, True),
        top3[2]: (1, 3, True),
        extra: (2, 5, False),
    }
    page = client.get(response["Location"])
    html = page.content.decode()
    assert 'class="survey-message survey-message--success"' in html
    # Shown again, filled in: the extra action stays on the page because it is rated.
    assert checked(html) == data
    assert f'id="{anchor(extra)}"' in html


def test_an_action_page_can_link_to_the_rating_of_any_action(client):
    report = make_report()
    extra = other_action(report)
    member_client(client, report)
    html = client.get(url_of(report) + f"?actie={extra}&actie=99.9&actie=onzin").content.decode()
    assert f'name="relevance-{extra}"' in html
    assert f'<input type="hidden" name="actie" value="{extra}">' in html
    assert "99.9" not in html and "onzin" not in html
    # Unrated and not in the link: not on the page.
    assert f'name="relevance-{extra}"' not in client.get(url_of(report)).content.decode()


def test_adding_an_action_from_the_list_saves_what_was_chosen_and_shows_the_action(client):
    report = make_report()
    top3, extra = top3_of(report), other_action(report)
    member_client(client, report)
    response = client.post(url_of(report), {**scores((top3[0], 3, 3)), "add": extra})

    assert response.status_code == 302
    assert response["Location"] == f"{url_of(report)}?actie={quote(extra)}#{anchor(extra)}"
    assert stored(report) == {top3[0]: (3, 3, True)}
    html = client.get(response["Location"]).content.decode()
    assert f'name="relevance-{extra}"' in html
    assert checked(html) == scores((top3[0], 3, 3))


def test_adding_an_unknown_action_is_refused(client):
    report = make_report()
    member_client(client, report)
    response = client.post(url_of(report), {**scores((top3_of(report)[0], 3, 3)), "add": "9.99"})
    assert response.status_code == 200
    assert 'id="actie-toevoegen-fout"' in response.content.decode()
    assert stored(report) == {}


def test_rating_again_replaces_the_earlier_rating(client):
    report = make_report()
    action_id = top3_of(report)[0]
    member_client(client, report)
    client.post(url_of(report), scores((action_id, 2, 2)))
    client.post(url_of(report), scores((action_id, 5, 1)))
    assert stored(report) == {action_id: (5, 1, True)}
    assert checked(client.get(url_of(report)).content.decode()) == scores((action_id, 5, 1))


def test_ratings_belong_to_the_round(client):
    first = make_report()
    organisation = first.assessment.organisation
    second_round = new_assessment(organisation, roles=["hr"])
    add_responses(second_round, "hr", 1)
    second = create_report(second_round)
    action_id = top3_of(first)[0]
    member_client(client, first)

    client.post(url_of(first), scores((action_id, 4, 4)))
    assert stored(first) == {action_id: (4, 4, True)}
    assert stored(second) == {}
    assert checked(client.get(url_of(second)).content.decode()) == {}


@pytest.mark.parametrize("bad", ["0", "6", "heel", "4.5", "-1"])
def test_a_score_outside_1_to_5_is_refused_and_nothing_is_saved(client, bad):
    report = make_report()
    top3 = top3_of(report)
    member_client(client, report)
    data = {**scores((top3[0], 4, 4), (top3[1], 3, 3)), f"relevance-{top3[1]}": bad}
    response = client.post(url_of(report), data)

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert stored(report) == {}
    html = response.content.decode()
    slug = top3[1].replace(".", "-")
    error = re.search(
        rf'<p class="field-error item__error" id="relevance-actie-{slug}-fout">([^<]+)</p>', html
    )
    assert error and re.search(r"1 (tot|to) 5", error.group(1))
    assert 'class="error-summary"' in html and f'href="#relevance-actie-{slug}"' in html
    # Nothing typed is lost: the valid choices are still chosen.
    kept = checked(html)
    assert kept[f"relevance-{top3[0]}"] == "4" and kept[f"feasibility-{top3[1]}"] == "3"


def test_one_aspect_without_the_other_is_refused(client):
    report = make_report()
    action_id = top3_of(report)[0]
    member_client(client, report)
    response = client.post(url_of(report), {f"relevance-{action_id}": "4"})
    assert response.status_code == 200
    slug = action_id.replace(".", "-")
    html = response.content.decode()
    assert f'id="feasibility-actie-{slug}-fout"' in html
    assert f'id="relevance-actie-{slug}-fout"' not in html
    assert stored(report) == {}


def test_saving_without_any_score_asks_for_one(client):
    report = make_report()
    member_client(client, report)
    response = client.post(url_of(report), {})
    assert response.status_code == 200
    assert 'class="error-summary"' in response.content.decode()
    assert stored(report) == {}


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_organisations_admin_gets_not_found(client, method):
    report = make_report()
    other = make_report(organisation_name="Bouwbedrijf Noord")
    client.force_login(make_member(other.assessment.organisation))
    call = getattr(client, method)
    response = call(url_of(report), scores((top3_of(report)[0], 4, 4)))
    assert response.status_code == 404
    assert b"Zorggroep De Linde" not in response.content
    assert stored(report) == {}


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_visitor_who_is_not_logged_in_is_sent_to_the_login_page(client, method):
    report = make_report()
    response = getattr(client, method)(url_of(report), scores((top3_of(report)[0], 4, 4)))
    assert response.status_code == 302
    login = resolve_url(settings.LOGIN_URL)
    assert response["Location"].startswith(f"{login}?next={quote(url_of(report))}")
    assert stored(report) == {}


def test_the_demo_report_cannot_be_rated(client):
    load_demo()
    demo = Report.objects.get(assessment__organisation__is_demo=True)
    member_client(client, make_report())
    assert client.get("/rapport/demo/beoordelen/").status_code == 404
    # Not even by a member of the demo organisation.
    client.force_login(make_member(demo.assessment.organisation))
    assert client.get(url_of(demo)).status_code == 404
    assert client.post(url_of(demo), scores((top3_of(demo)[0], 4, 4))).status_code == 404
    assert not ActionRating.objects.filter(assessment=demo.assessment).exists()


def test_the_round_page_links_to_the_rating_page(client):
    report = make_report()
    member_client(client, report)
    html = client.get(f"/organisatie/rondes/{report.assessment.code}/").content.decode()
    assert f'href="{url_of(report)}"' in html


def test_an_unchanged_rating_keeps_its_day(client):
    report = make_report()
    action_id = top3_of(report)[0]
    assert save_ratings(report.assessment, [Rating(action_id, 3, 4)], {action_id}) == 1
    ActionRating.objects.update(updated_on="2026-01-01")
    assert save_ratings(report.assessment, [Rating(action_id, 3, 4)], {action_id}) == 0
    assert str(ActionRating.objects.get().updated_on) == "2026-01-01"
    assert save_ratings(report.assessment, [Rating(action_id, 3, 5)], {action_id}) == 1
    assert str(ActionRating.objects.get().updated_on) != "2026-01-01"


def test_save_ratings_refuses_scores_outside_the_scale():
    report = make_report()
    with pytest.raises(ValueError):
        save_ratings(report.assessment, [Rating("1.1", 0, 4)], set())
    assert not ActionRating.objects.exists()
