"""Rating actions: the round's organisation scores the top 3 and other actions it picks on
relevance and feasibility (1–5), on a page of its own next to the report."""

import re
from types import SimpleNamespace
from urllib.parse import quote

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.utils.html import escape

from leerkansen.content.catalogue import get_catalogue
from leerkansen.reports.demo import load_demo
from leerkansen.reports.models import ActionRating, Report
from leerkansen.reports.ratings import Rating, random_actions, save_ratings
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
    """An action of the catalogue that is neither in the report's top 3 nor asked at random."""
    shown = [*top3_of(report), *random_actions(report)]
    return next(a.id for a in get_catalogue().actions() if a.id not in shown)


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


def origins(report: Report) -> dict[str, str]:
    """How each rating of the round is recorded: recommended, at random or chosen."""
    return {
        rating.action_id: "top 3"
        if rating.recommended
        else "random"
        if rating.asked_at_random
        else "chosen"
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
    # Each scale is a fieldset with a legend (the top 3 and the two asked at random); nothing
    # is chosen yet.
    assert html.count("<fieldset") == 10
    assert html.count("<legend") == 10
    assert checked(html) == {}
    # The select lists the other actions, not the ones already on the page.
    select = html[html.index('<select name="add"') : html.index("</select>")]
    assert f'<option value="{other_action(report)}">' in select
    assert all(f'<option value="{a}">' not in select for a in [*top3, *random_actions(report)])


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


# Two actions asked at random --------------------------------------------------------------


def card(html: str, action_id: str) -> str:
    """The rating card of one action on the page."""
    start = html.index(f'id="{anchor(action_id)}"')
    return html[start : html.index("</section>", start)]


def test_the_page_asks_about_two_actions_outside_the_top_3_chosen_at_random(client):
    report = make_report()
    chosen = random_actions(report)
    assert len(chosen) == 2 and not set(chosen) & set(top3_of(report))
    html = member_client(client, report).get(url_of(report)).content.decode()

    # In a section of their own after the top 3, said in Dutch.
    section = html[html.index('id="willekeurig"') :]
    assert html.index(f'id="{anchor(top3_of(report)[-1])}"') < html.index('id="willekeurig"')
    assert "Twee willekeurig gekozen acties" in section
    assert "niet in je top 3" in section and "willekeurig" in section
    for action_id in chosen:
        action = card(html, action_id)
        assert escape(get_catalogue().action(action_id).title) in action
        # Labelled as what it is, not as a recommendation.
        assert "Willekeurig gekozen, niet aanbevolen" in action
        assert "Top 3" not in action
        # Two five-point scales with a legend, each option a labelled radio button.
        assert action.count("<legend") == 2
        for aspect in ("relevance", "feasibility"):
            for value in range(1, 6):
                radio = f"{aspect}-{get_catalogue().action(action_id).slug}-{value}"
                assert f'<label class="choice" for="{radio}"><input type="radio"' in action
    assert "Willekeurig gekozen" not in card(html, top3_of(report)[0])
    # The same two on every visit.
    assert random_actions(report) == chosen
    assert client.get(url_of(report)).content.decode().count("Willekeurig gekozen,") == 2


def test_ratings_of_the_random_actions_are_recorded_as_asked_at_random(client):
    report = make_report()
    top3, chosen, extra = top3_of(report), random_actions(report), other_action(report)
    member_client(client, report)
    data = scores((top3[0], 4, 4), (chosen[0], 2, 3), (chosen[1], 5, 5), (extra, 3, 1))
    response = client.post(url_of(report), {**data, "actie": extra})
    assert response.status_code == 302

    assert origins(report) == {
        top3[0]: "top 3",
        chosen[0]: "random",
        chosen[1]: "random",
        extra: "chosen",
    }
    assert stored(report)[chosen[0]] == (2, 3, False)
    # Shown again under the random ones, filled in.
    html = client.get(url_of(report)).content.decode()
    assert checked(html) == data
    assert "Willekeurig gekozen, niet aanbevolen" in card(html, chosen[1])


def test_the_random_actions_may_be_left_open():
    report = make_report()
    top3 = top3_of(report)
    save_ratings(report.assessment, [Rating(top3[0], 3, 3)], set(top3), random_actions(report))
    assert origins(report) == {top3[0]: "top 3"}


def test_an_action_rated_before_of_the_organisations_own_accord_is_not_asked_at_random(client):
    """A rating from before (chosen, or from an earlier top 3) keeps what it was."""
    report = make_report()
    first, second = random_actions(report)
    ActionRating.objects.create(
        assessment=report.assessment, action_id=first, relevance=2, feasibility=2
    )
    html = member_client(client, report).get(url_of(report)).content.decode()
    pair = random_actions(report, rated_otherwise={first})
    assert pair[0] == second and first not in pair
    assert all("Willekeurig gekozen, niet aanbevolen" in card(html, a) for a in pair)
    assert "Willekeurig gekozen" not in card(html, first)
    assert html.index('id="andere-titel"') < html.index(f'id="{anchor(first)}"')

    client.post(url_of(report), scores((first, 4, 4), (pair[1], 3, 3)))
    assert origins(report) == {first: "chosen", pair[1]: "random"}
    # Saved straight through save_ratings with the action among the random ones: still chosen.
    save_ratings(report.assessment, [Rating(first, 5, 5)], set(), {first})
    assert origins(report)[first] == "chosen"


def test_random_actions_are_spread_over_the_catalogue_and_never_the_top_3():
    """Over 1,500 rounds every action outside the top 3 is asked about, none far more often."""
    catalogue = [action.id for action in get_catalogue().actions()]
    top3 = catalogue[:3]
    counts = dict.fromkeys(catalogue, 0)
    for number in range(1_500):
        report = SimpleNamespace(
            top3=[{"action": a} for a in top3], assessment=SimpleNamespace(code=f"ronde-{number}")
        )
        chosen = random_actions(report)
        assert len(set(chosen)) == 2
        for action_id in chosen:
            counts[action_id] += 1
    assert all(counts[a] == 0 for a in top3)
    expected = 2 * 1_500 / (len(catalogue) - 3)
    others = [counts[a] for a in catalogue[3:]]
    # Binomial spread around about 67 per action: no action below half or above 1.5 times.
    assert min(others) > expected / 2 and max(others) < expected * 1.5


def test_a_random_action_that_joins_the_top_3_is_replaced_by_the_next_one():
    round_ = SimpleNamespace(code="ronde-vast")
    catalogue = [action.id for action in get_catalogue().actions()]
    before = random_actions(SimpleNamespace(top3=[], assessment=round_), count=3)
    top3 = [before[0], *[a for a in catalogue if a not in before][:2]]
    after = random_actions(SimpleNamespace(top3=[{"action": a} for a in top3], assessment=round_))
    assert after == before[1:3]


@pytest.mark.browser
def test_the_rating_page_on_a_phone_with_the_keyboard(browser, live_server, transactional_db):
    from playwright.sync_api import expect

    from leerkansen.testing import assert_no_axe_violations

    from .test_browser import log_in_as_member

    report = make_report()
    chosen = random_actions(report)
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, locale="nl-BE"
    )
    log_in_as_member(context, report, live_server)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(url_of(report))
    expect(page.get_by_role("heading", name="Twee willekeurig gekozen acties")).to_be_visible()
    assert_no_axe_violations(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways at 390 px ({width} px)"

    # The first radio of the first random action is reached with Tab; arrows choose a score.
    first = page.locator(f"#relevance-{get_catalogue().action(chosen[0]).slug}-1")
    for _ in range(80):
        page.keyboard.press("Tab")
        if first.evaluate("element => element === document.activeElement"):
            break
    else:
        pytest.fail("the random action's scale is not reached with the keyboard")
    page.keyboard.press("Space")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    page.get_by_role("button", name="Scores bewaren").click()
    expect(page.locator(".survey-message--success")).to_be_visible()
    assert stored(report) == {chosen[0]: (3, 1, False)}
    assert origins(report) == {chosen[0]: "random"}
    context.close()
