"""The researchers' dashboard and organisation list: access, numbers, filters, no personal data.

The fixture is small enough to work out every expected number by hand:

    org     sector size     round (opened)       profile             score 1  score 2  completed
    Geheime Q      50_249   2026-01-15           druk-en-verspreid   60       40       2 (+1 draft)
    Geheime                 2026-03-10           op-weg              80       50       1
    Bouw    F      10_19    2026-02-01           op-weg              70       –        1
    Leeg    Q      20_49    (no rounds)
    demo and simulated organisations: a round each with profile alleen-aan-de-slag, score 1 = 10

Challenge 1 over the three real reports: 60, 70, 80 → mean 70, s = 10, 95% CI 70 ± t(0.975; 2)
· 10/√3 = 70 ± 4.302653 · 5.773503 = 70 ± 24.84 → 45.2 – 94.8.
"""

from __future__ import annotations

import datetime
import re
from itertools import count

import pytest
from django.urls import reverse
from django.utils import timezone

from leerkansen.content.questionnaire import get_questionnaire
from leerkansen.lib.codes import hash_token, new_token
from leerkansen.organisations.models import Organisation
from leerkansen.reports.models import Report
from leerkansen.research import views_dashboard
from leerkansen.research.exports import pseudonym
from leerkansen.survey.models import Answer, Assessment, Response
from leerkansen.testing import BARE, make_admin, make_researcher, make_user

pytestmark = pytest.mark.django_db

DASHBOARD = "/onderzoek/"
ORGANISATIONS = "/onderzoek/organisaties/"
SECRETS = ("Geheime Naam BV", "geheim@geheimenaam.be", "Ronde Geheim", "Vertrouwelijke opmerking")

_numbers = count(1)


def items(challenge: int):
    return get_questionnaire().diagnostic_items(challenge)


def keyed_answers(values: dict[int, list[int]]) -> dict[str, int]:
    """Raw answers whose keyed values are `values[challenge]`, item by item."""
    answers = {}
    for challenge, keyed in values.items():
        for item, value in zip(items(challenge), keyed, strict=True):
            answers[item.id] = 6 - value if item.reverse else value
    return answers


def parallel(value: int) -> dict[str, int]:
    """Challenge 1: every item keyed `value`. Challenge 2: first item 3, the others `value`."""
    k1, k2 = len(items(1)), len(items(2))
    return keyed_answers({1: [value] * k1, 2: [3] + [value] * (k2 - 1)})


def disruptive() -> dict[str, int]:
    """Answers that would break challenge 1's perfect consistency if they were counted."""
    return {item.id: 5 for item in items(1)} | {item.id: 1 for item in items(2)}


def add_round(
    organisation,
    opened: datetime.date,
    profile: str | None,
    scores: dict[str, float | None],
    completed: list[dict] = (),
    drafts: list[dict] = (),
    title: str = "",
):
    assessment = Assessment.objects.create(
        organisation=organisation, questionnaire_version="1.0.0", title=title
    )
    moment = timezone.make_aware(datetime.datetime(opened.year, opened.month, opened.day, 12))
    Assessment.objects.filter(pk=assessment.pk).update(created_at=moment)
    for answers, done in [(a, True) for a in completed] + [(a, False) for a in drafts]:
        response = Response.objects.create(
            assessment=assessment,
            resume_token_hash=hash_token(new_token()),
            completed_on=opened if done else None,
        )
        Answer.objects.bulk_create(
            [Answer(response=response, item_id=key, number=value) for key, value in answers.items()]
            + [Answer(response=response, item_id="E_open", text="Vertrouwelijke opmerking")]
        )
    if profile:
        names = {
            "druk-en-verspreid": "Druk en verspreid",
            "op-weg": "Op weg",
            "alleen-aan-de-slag": "Alleen aan de slag",
        }
        Report.objects.create(
            assessment=assessment,
            questionnaire_version="1.0.0",
            model_version="1.0.0",
            catalogue_version="1.0.0",
            response_count=len(completed),
            scores={str(c): scores.get(str(c)) for c in range(1, 10)},
            profile={"id": profile, "name": names[profile], "probability": 0.9},
            top3=[],
            needs=[],
            practices={},
            free_text={"E_open": ["Vertrouwelijke opmerking"]},
        )
    return assessment


@pytest.fixture
def world():
    _admin, secret = make_admin("geheim@geheimenaam.be", "Geheime Naam BV", **BARE)  # Q, 50_249
    builder = Organisation.objects.create(name="Bouw NV", sector="F", size_band="10_19")
    empty = Organisation.objects.create(name="Leeg VZW", sector="Q", size_band="20_49")
    add_round(
        secret,
        datetime.date(2026, 1, 15),
        "druk-en-verspreid",
        {"1": 60, "2": 40},
        completed=[parallel(1), parallel(2)],
        drafts=[disruptive()],
        title="Ronde Geheim",
    )
    add_round(secret, datetime.date(2026, 3, 10), "op-weg", {"1": 80, "2": 50}, [parallel(4)])
    add_round(builder, datetime.date(2026, 2, 1), "op-weg", {"1": 70, "2": None}, [parallel(5)])
    for flag in ("is_demo", "is_simulated"):
        other = Organisation.objects.create(name=f"Uit {flag}", sector="Q", **{flag: True})
        add_round(
            other,
            datetime.date(2026, 2, 1),
            "alleen-aan-de-slag",
            {"1": 10, "2": 10},
            [disruptive(), disruptive()],
        )
    return {"secret": secret, "builder": builder, "empty": empty}


@pytest.fixture
def researcher_client(client):
    client.force_login(make_researcher(**BARE))
    return client


def table_row(html: str, table_id: str, attribute: str, value) -> list[str]:
    """The texts of the cells of one row of a table, tags removed."""
    table = re.search(rf'<table[^>]*id="{table_id}".*?</table>', html, re.S).group(0)
    row = re.search(rf'<tr {attribute}="{value}">(.*?)</tr>', table, re.S).group(1)
    cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", cell)).strip() for cell in cells]


def numbers(response) -> tuple[int, int, int, int]:
    board = response.context["dashboard"]
    return board.organisations, board.rounds, board.reports, board.responses


# Access -------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [DASHBOARD, ORGANISATIONS])
def test_only_researchers_get_in(client, world, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("organisations:login"))
    assert "next=" in response["Location"]

    client.force_login(make_admin("hr@bouw.be", "Bouw Twee", **BARE)[0])
    assert client.get(url).status_code == 403
    client.force_login(make_user("staf@leerkansen.be", is_staff=True, **BARE))
    assert client.get(url).status_code == 403
    client.force_login(make_user("student@ugent.be", researcher=True, **BARE))
    assert client.get(url).status_code == 403

    client.force_login(make_researcher(**BARE))
    response = client.get(url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert client.post(url).status_code == 405


# The dashboard's numbers --------------------------------------------------------------------


def test_dashboard_counts_real_organisations_rounds_and_completed_responses(
    researcher_client, world
):
    response = researcher_client.get(DASHBOARD)
    # Three real organisations (one without rounds), three rounds with a report, four
    # completed responses (the draft, the demo and the simulated ones do not count).
    assert numbers(response) == (3, 3, 3, 4)
    html = response.content.decode()
    assert re.search(r'id="aantal-organisaties">3<', html)
    assert re.search(r'id="aantal-antwoorden">4<', html)


def test_dashboard_shows_the_profile_distribution(researcher_client, world):
    response = researcher_client.get(DASHBOARD)
    shares = {p.id: (p.count, p.share) for p in response.context["dashboard"].profiles}
    # Each profile of the version its report was made with (1.0.0), never pooled by id.
    assert shares["druk-en-verspreid:1.0.0"] == (1, pytest.approx(1 / 3))
    assert shares["op-weg:1.0.0"] == (2, pytest.approx(2 / 3))
    # Demo and simulated rounds had this profile: it is listed (a model profile) with zero.
    assert shares["alleen-aan-de-slag:1.0.0"] == (0, 0)
    html = response.content.decode()
    assert table_row(html, "profielen", "data-profile", "op-weg:1.0.0") == [
        "Op weg (model 1.0.0)",
        "2",
        "66,7%",
    ]
    assert table_row(html, "profielen", "data-profile", "alleen-aan-de-slag:1.0.0")[1:] == [
        "0",
        "0,0%",
    ]
    assert "<svg" in html and "<script" not in html.split('id="inhoud"')[1]


def test_dashboard_shows_mean_scores_with_a_t_interval(researcher_client, world):
    response = researcher_client.get(DASHBOARD)
    first = response.context["dashboard"].challenges[0]
    assert first.number == 1
    assert (first.score.n, first.score.mean, first.score.sd) == (3, 70, pytest.approx(10))
    assert first.score.lower == pytest.approx(70 - 24.8414, abs=1e-3)
    assert first.score.upper == pytest.approx(70 + 24.8414, abs=1e-3)
    html = response.content.decode()
    assert table_row(html, "scores", "data-challenge", 1)[1:] == [
        "3",
        "70,0",
        "45,2 – 94,8",
        "10,0",
    ]
    # Challenge 2: 40 and 50 (one round has no score): mean 45 over two rounds.
    assert table_row(html, "scores", "data-challenge", 2)[1:3] == ["2", "45,0"]
    # Challenge 9 has no score anywhere.
    assert table_row(html, "scores", "data-challenge", 9)[1] == "0"


def test_dashboard_shows_reliability_from_keyed_answers_of_completed_responses(
    researcher_client, world
):
    response = researcher_client.get(DASHBOARD)
    reliability = {c.number: c.reliability for c in response.context["dashboard"].challenges}
    # Challenge 1: all items keyed alike in each of the four completed responses: α = ω = 1.
    # Unkeyed, the reverse item would run against the others; the draft and the demo answers
    # would break the pattern if they counted.
    first = reliability[1]
    assert (first.items, first.n) == (len(items(1)), 4)
    assert first.alpha == pytest.approx(1)
    assert first.omega == pytest.approx(1)
    # Challenge 2: the first item is 3 for everyone, the other k − 1 move together, so
    # α = k/(k − 1) · (1 − (k − 1)s² / ((k − 1)²s²)) = k(k − 2)/(k − 1)²; ω has no value
    # because an item that does not vary has no correlations.
    k = len(items(2))
    second = reliability[2]
    assert second.n == 4
    assert second.alpha == pytest.approx(k * (k - 2) / (k - 1) ** 2)
    assert second.omega is None
    html = response.content.decode()
    expected = f"{k * (k - 2) / (k - 1) ** 2:.2f}".replace(".", ",")
    assert table_row(html, "betrouwbaarheid", "data-challenge", 2)[1:] == [
        str(k),
        "4",
        expected,
        "—",
    ]
    # No responses answered challenge 3.
    assert table_row(html, "betrouwbaarheid", "data-challenge", 3)[2:] == ["0", "—", "—"]


# Filters ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected", "mean_1"),
    [
        ("sector=Q", (2, 2, 2, 3), 70),  # the secret organisation and the empty one
        ("grootte=10_19", (1, 1, 1, 1), 70),
        ("profiel=op-weg:1.0.0", (2, 2, 2, 2), 75),
        ("profiel=druk-en-verspreid:1.0.0", (1, 1, 1, 2), 60),
        ("van=2026-02&tot=2026-02", (1, 1, 1, 1), 70),
        ("van=2026-03", (1, 1, 1, 1), 80),
        ("tot=2026-01", (1, 1, 1, 2), 60),
        ("sector=Q&profiel=op-weg:1.0.0", (1, 1, 1, 1), 80),
    ],
)
def test_dashboard_filters(researcher_client, world, query, expected, mean_1):
    response = researcher_client.get(f"{DASHBOARD}?{query}")
    assert numbers(response) == expected
    assert response.context["dashboard"].challenges[0].score.mean == pytest.approx(mean_1)


def test_a_filter_that_matches_nothing_shows_the_empty_state(researcher_client, world):
    response = researcher_client.get(f"{DASHBOARD}?grootte=250plus")
    assert numbers(response)[0] == 0
    html = response.content.decode()
    assert 'id="geen-resultaten"' in html
    assert 'id="scores"' not in html
    response = researcher_client.get(f"{ORGANISATIONS}?grootte=250plus")
    assert 'id="geen-resultaten"' in response.content.decode()
    assert 'id="organisaties"' not in response.content.decode()


def test_without_any_organisation_the_dashboard_shows_the_empty_state(researcher_client):
    response = researcher_client.get(DASHBOARD)
    assert response.status_code == 200
    assert numbers(response) == (0, 0, 0, 0)
    assert 'id="geen-resultaten"' in response.content.decode()


def test_an_invalid_filter_is_shown_and_the_others_still_apply(researcher_client, world):
    response = researcher_client.get(f"{DASHBOARD}?sector=Q&van=2026-04&tot=2026-01")
    form = response.context["form"]
    assert "tot" in form.errors
    assert 'aria-invalid="true"' in response.content.decode()
    # Neither month of the reversed period is applied (from April alone would leave nothing);
    # the sector is.
    assert numbers(response) == (2, 2, 2, 3)
    response = researcher_client.get(f"{DASHBOARD}?sector=Q&van=gisteren&grootte=reus")
    assert {"van", "grootte"} <= set(response.context["form"].errors)
    assert numbers(response) == (2, 2, 2, 3)


# The organisation list ----------------------------------------------------------------------


def key(organisation) -> str:
    return pseudonym("organisation", organisation.code)


def test_organisation_list_shows_keys_counts_and_latest_profile(researcher_client, world):
    response = researcher_client.get(ORGANISATIONS)
    rows = response.context["rows"]
    # The exports' pseudonymous key, never the organisation's own code.
    assert [row["code"] for row in rows] == [
        key(world["secret"]),
        key(world["builder"]),
        key(world["empty"]),
    ]
    secret, builder, empty = rows
    assert (secret["rounds"], secret["responses"], secret["latest_profile"]) == (
        2,
        3,
        "Op weg (model 1.0.0)",
    )
    assert secret["latest_round"].date() == datetime.date(2026, 3, 10)
    assert (builder["rounds"], builder["responses"], builder["latest_profile"]) == (
        1,
        1,
        "Op weg (model 1.0.0)",
    )
    assert (empty["rounds"], empty["responses"], empty["latest_profile"]) == (0, 0, "")
    assert empty["latest_round"] is None
    html = response.content.decode()
    assert key(world["secret"]) in html
    assert world["secret"].code not in html
    assert '<th scope="col">' in html and "<caption" in html


def test_organisation_list_filters_rounds_and_organisations(researcher_client, world):
    response = researcher_client.get(f"{ORGANISATIONS}?profiel=druk-en-verspreid:1.0.0")
    rows = response.context["rows"]
    assert [row["code"] for row in rows] == [key(world["secret"])]
    assert (rows[0]["rounds"], rows[0]["responses"], rows[0]["latest_profile"]) == (
        1,
        2,
        "Druk en verspreid (model 1.0.0)",
    )
    response = researcher_client.get(f"{ORGANISATIONS}?sector=Q")
    assert [row["code"] for row in response.context["rows"]] == [
        key(world["secret"]),
        key(world["empty"]),
    ]


@pytest.mark.parametrize("population", ["simulatie", "demo"])
def test_the_switch_shows_simulated_or_demo_data_alone_and_says_so(
    researcher_client, world, population
):
    """Issue 15, item 5: simulated (and demo) data behind an explicit switch, never mixed."""
    assert "Je bekijkt" not in researcher_client.get(DASHBOARD).content.decode()
    response = researcher_client.get(f"{DASHBOARD}?gegevens={population}")
    # The one organisation of that kind, its round, report and two completed responses.
    assert numbers(response) == (1, 1, 1, 2)
    shares = {p.id: p.count for p in response.context["dashboard"].profiles}
    assert shares["alleen-aan-de-slag:1.0.0"] == 1 and shares["op-weg:1.0.0"] == 0
    first = response.context["dashboard"].challenges[0]
    assert (first.score.n, first.score.mean) == (1, 10)
    html = " ".join(response.content.decode().split())
    label = {
        "simulatie": "Gesimuleerde organisaties (validatie)",
        "demo": "De voorbeeldorganisatie (demo)",
    }
    assert f"Je bekijkt: {label[population]}. Deze cijfers zijn niet die van echte" in html

    listed = researcher_client.get(f"{ORGANISATIONS}?gegevens={population}")
    assert len(listed.context["rows"]) == 1 and listed.context["rows"][0]["responses"] == 2
    assert "Je bekijkt:" in listed.content.decode()


def test_an_unknown_population_shows_the_real_one_and_says_the_choice_was_refused(
    researcher_client, world
):
    response = researcher_client.get(f"{DASHBOARD}?gegevens=alles")
    assert numbers(response) == (3, 3, 3, 4)
    html = response.content.decode()
    assert "Een filter kon niet worden gebruikt" in html and "Je bekijkt:" not in html


def test_organisation_list_is_paginated_and_keeps_the_filters(
    researcher_client, world, monkeypatch
):
    monkeypatch.setattr(views_dashboard, "ORGANISATIONS_PER_PAGE", 1)
    response = researcher_client.get(f"{ORGANISATIONS}?sector=Q")
    assert [row["code"] for row in response.context["rows"]] == [key(world["secret"])]
    assert 'href="?sector=Q&amp;pagina=2"' in response.content.decode()
    response = researcher_client.get(f"{ORGANISATIONS}?sector=Q&pagina=2")
    assert [row["code"] for row in response.context["rows"]] == [key(world["empty"])]
    # A page past the end shows the last one.
    response = researcher_client.get(f"{ORGANISATIONS}?sector=Q&pagina=9")
    assert [row["code"] for row in response.context["rows"]] == [key(world["empty"])]


# Privacy and exclusion ----------------------------------------------------------------------


@pytest.mark.parametrize("url", [DASHBOARD, ORGANISATIONS])
def test_no_names_e_mail_addresses_or_free_text_on_the_pages(researcher_client, world, url):
    html = researcher_client.get(url).content.decode()
    for secret in (*SECRETS, "Bouw NV", "Leeg VZW", "@"):
        assert secret not in html.split('id="inhoud"')[1], secret


def test_demo_and_simulated_organisations_are_left_out(researcher_client, world):
    response = researcher_client.get(f"{DASHBOARD}?profiel=alleen-aan-de-slag:1.0.0")
    assert numbers(response) == (0, 0, 0, 0)
    response = researcher_client.get(ORGANISATIONS)
    codes = {row["code"] for row in response.context["rows"]}
    hidden = Organisation.objects.filter(is_demo=True) | Organisation.objects.filter(
        is_simulated=True
    )
    assert hidden.count() == 2
    assert not codes & set(hidden.values_list("code", flat=True))


# Speed --------------------------------------------------------------------------------------


def add_many(number: int) -> None:
    for index in range(number):
        organisation = Organisation.objects.create(
            name=f"Organisatie {next(_numbers)}", sector="C", size_band="20_49"
        )
        add_round(
            organisation,
            datetime.date(2026, 1 + index % 12, 5),
            "op-weg",
            {"1": 50 + index % 7, "2": 30},
            [parallel(1 + index % 5)],
        )


@pytest.mark.parametrize("url", [DASHBOARD, ORGANISATIONS, f"{DASHBOARD}?sector=C&van=2026-02"])
def test_the_number_of_queries_does_not_grow_with_the_organisations(
    researcher_client, django_assert_max_num_queries, url
):
    add_many(3)
    researcher_client.get(url)  # warm up the session and the loaded data files
    with django_assert_max_num_queries(12) as few:
        researcher_client.get(url)
    add_many(30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = researcher_client.get(url)
    assert response.status_code == 200
