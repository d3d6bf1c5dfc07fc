"""What the report says in words and marks, decided from the snapshot (presentation.py)."""

import re
from pathlib import Path

import pytest
from django.template.loader import render_to_string

from leerkansen.content.catalogue import get_catalogue
from leerkansen.reports.chart import CHALLENGE_COLOURS, chart
from leerkansen.reports.presentation import (
    certainty_words,
    percent,
    practice_mark,
    profile_view,
    report_context,
)
from leerkansen.scoring.model import get_shipped_model

from . import make_report

STYLESHEET = (
    Path(__file__).resolve().parents[2] / "static" / "leerkansen" / "css" / "leerkansen.css"
)

# The snapshot below was made with the shipped model: its dominance threshold is 0.70.
DOMINANCE = get_shipped_model().dominance_threshold

PROFILE = {
    "id": "druk-en-verspreid",
    "name": "Druk en verspreid",
    "description": "Het werk is druk.",
    "probability": 0.62,
    "runner_up": {"id": "op-weg", "name": "Op weg", "probability": 0.31},
    "model_status": "prior",
    "model_note": "Dit is een startmodel.",
}


@pytest.mark.parametrize(
    ("probability", "words"),
    [
        (1.0, "past sterk"),
        (0.90, "past sterk"),
        (0.8999, "past vrij goed"),
        (0.70, "past vrij goed"),
        (0.6999, "past gedeeltelijk"),
        (0.2, "past gedeeltelijk"),
    ],
)
def test_certainty_is_said_in_words_at_the_thresholds(probability, words):
    assert certainty_words(probability, DOMINANCE) == words


def test_percentages_never_round_up_into_a_stronger_band():
    assert percent(0.899) == 89
    assert percent(0.90) == 90
    assert percent(0.29) == 29  # 0.29 * 100 is 28.999… in floating point


def profile_html(profile: dict) -> str:
    html = render_to_string("reports/_profile.html", {"profile": profile_view(profile, DOMINANCE)})
    return " ".join(html.split())


def test_a_prior_profile_shows_no_probability_and_says_what_the_model_is():
    html = profile_html(PROFILE)
    assert "Jullie organisatie lijkt het meest op dit profiel:" in html
    assert "Druk en verspreid" in html
    assert "Jullie organisatie lijkt ook op het profiel ‘Op weg’. Lees het advies" in html
    assert "%" not in html and "kans" not in html and "Hoe zeker" not in html
    assert (
        "De profielen en hoe goed elke actie bij een profiel past, zijn een startmodel, "
        "opgebouwd uit de uitdagingen van het onderzoek. Ze zijn nog niet getoetst aan "
        "gegevens van organisaties." in html
    )
    # Nobody has been grouped yet: the profile is not called a group of organisations.
    assert "groep organisaties" not in html


def test_a_prior_profile_names_no_runner_up_when_there_is_none():
    html = profile_html({**PROFILE, "probability": 0.93, "runner_up": None})
    assert "lijkt ook op" not in html
    assert "%" not in html


def test_an_estimated_profile_says_how_sure_with_its_probability():
    estimated = {**PROFILE, "model_status": "estimated", "model_note": "Geschat in 2027."}
    html = profile_html(estimated)
    assert "Jullie organisatie past gedeeltelijk bij dit profiel (62% kans)." in html
    assert "Jullie organisatie lijkt ook op het profiel ‘Op weg’ (31% kans)" in html
    assert "Een profiel is een groep organisaties met gelijkaardige uitdagingen." in html
    assert "De profielen zijn geschat op de antwoorden van de organisaties die deelnamen." in html
    assert "Geschat in 2027." in html
    assert "startmodel" not in html
    sure = profile_html({**estimated, "probability": 0.93, "runner_up": None})
    assert "Jullie organisatie past sterk bij dit profiel (93% kans)." in sure
    assert "lijkt ook op" not in sure


def test_a_prior_model_shows_its_own_sentence_and_not_the_model_note():
    assert profile_view(PROFILE, DOMINANCE).model_note == ""
    assert profile_view(PROFILE, DOMINANCE).prior
    # A snapshot without a status is from before statuses existed: the prior model 1.0.0.
    assert profile_view({k: v for k, v in PROFILE.items() if k != "model_status"}, DOMINANCE).prior


@pytest.mark.parametrize(
    ("state", "mark"),
    [("al", "Hebben we al"), ("deels", "Deels"), ("nog_niet", None), ("nvt", None), (None, None)],
)
def test_practice_marks_only_what_exists(state, mark):
    assert practice_mark(state) == mark


def test_chart_has_a_bar_per_challenge_and_no_bar_without_a_score():
    scores = {str(n): float(n * 10) for n in range(1, 10)}
    scores["1"], scores["2"], scores["3"] = 100.0, 0.0, None
    result = chart(scores, get_catalogue())
    assert [row.number for row in result.rows] == list(range(1, 10))
    by_number = {row.number: row for row in result.rows}
    assert by_number[1].bar_width == "85.00%"
    assert by_number[2].bar_width == "0.00%"
    assert by_number[3].value is None
    assert result.has_missing
    assert by_number[4].value == 40


def test_chart_rounds_half_up_like_the_reasons():
    result = chart({"1": 72.5}, get_catalogue())
    assert result.rows[0].value == 73


def test_chart_colours_are_the_design_system_colours():
    css = STYLESHEET.read_text()
    in_css = {
        int(number): colour.lower()
        for number, colour in re.findall(r"--challenge-(\d):\s*(#[0-9a-fA-F]{6})", css)
    }
    assert in_css == CHALLENGE_COLOURS


@pytest.mark.django_db
def test_context_follows_the_snapshot_and_marks_current_practice():
    report = make_report(answers={"C_1_1": "al", "C_4_2": "deels"}, needs=(4, 1))
    context = report_context(report)

    assert [item.action.id for item in context["top3"]] == [i["action"] for i in report.top3]
    assert all(item.reasons for item in context["top3"])
    assert [need.challenge.title for need in context["needs"]] == [
        get_catalogue().challenge(4).title,
        get_catalogue().challenge(1).title,
    ]
    entries = {e.action.id: e for group in context["challenges"] for e in group.entries}
    assert len(entries) == context["action_count"] == 48
    assert entries["1.1"].mark == "Hebben we al"
    assert entries["4.2"].mark == "Deels"
    assert entries["1.2"].mark is None
    first = context["top3"][0].action.id
    assert entries[first].top3_rank == 1
    assert context["challenges"][0].already_count == 1


@pytest.mark.django_db
def test_a_report_says_what_it_said_with_the_thresholds_it_was_made_with(settings):
    report = make_report()
    assert (report.anonymity_threshold, report.free_text_threshold) == (5, 8)
    assert report.dominance_threshold == DOMINANCE
    settings.ANONYMITY_THRESHOLD, settings.FREE_TEXT_THRESHOLD = 7, 12
    context = report_context(report)
    assert context["threshold"] == context["roles"].threshold == 5
    assert context["open_answers"].threshold == 8
    # A model version with another dominance threshold words the same probability otherwise.
    report.profile = {**report.profile, "probability": 0.65, "runner_up": None}
    assert report_context(report)["profile"].certainty == "past gedeeltelijk"
    report.dominance_threshold = 0.6
    assert report_context(report)["profile"].certainty == "past vrij goed"
