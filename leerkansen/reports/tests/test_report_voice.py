"""The report tells the truth and speaks to a group as a group (issue 13, items 4 and 5).

While the report's model is a prior, no text of the report (web body and PDF) shows a
probability or an evidence value, also for reports stored before the explanation was built
from the organisation's own answers. A report of several respondents says "jullie" with counts,
never "je koos"; a report of one respondent may say "je".
"""

import copy
import re
from dataclasses import dataclass
from html import unescape

import pytest
from django.db import transaction

from leerkansen.reports.models import Report
from leerkansen.reports.pdf import render_report_pdf
from leerkansen.reports.services import render_report_html

from . import close_and_publish, make_answered_round, make_report
from .test_explanations import NEW_PARTS
from .test_pdf import page_texts

pytestmark = pytest.mark.django_db

# A probability ("97% kans", "(62% kans)") or an evidence value ("(0,85)").
INVENTED_NUMBERS = re.compile(r"\d+\s*%\s*kans|kans\)|\(\d+[,.]\d+\)")

# What a group report never says: one person's choice or "je" for the organisation. (The
# questionnaire's own open question, "Wil je nog iets kwijt over leren in je organisatie?", is
# quoted as written.)
SINGULAR_VOICE = (
    "Je koos",
    "je grootste nood",
    "je tweede grootste nood",
    "die je zelf",
    "Je duidde",
    "weegt in je organisatie",
    "in je actieplan",
    "je top 3",
    "Zo help je",
    "In de woorden van je collega's",
    "daar praat je",
    "bij je profiel",
)


def body_text(html: str) -> str:
    """The words of the body, without tags, the chart's SVG or the catalogue's action texts."""
    html = re.sub(r"<svg.*?</svg>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def texts(report) -> tuple[str, str]:
    """(web body, PDF) of the report as it is rendered now."""
    return body_text(render_report_html(report)), " ".join(page_texts(render_report_pdf(report)))


def old_style(report, *, with_parts: bool = True) -> None:
    """Turn the report's top 3 into what reports stored before issue 13: a reason sentence with
    the evidence value, and the old parts (or none at all)."""
    top3 = []
    for item in report.top3:
        entry = {
            "action": item["action"],
            "challenge": item["challenge"],
            "reason": "Je koos ‘Werk gaat voor’ als je grootste nood, deze uitdaging scoort 100 "
            "op 100 en in organisaties met het profiel ‘Druk en verspreid’ past deze actie "
            "sterk (0,85).",
        }
        if with_parts:
            entry["components"] = {
                "evidence": 0.85,
                "evidence_part": 0.85,
                "need_rank": 1,
                "need_part": 1.6,
                "severity": 100.0,
                "severity_part": 0.5,
            }
        top3.append(entry)
    report.top3 = top3
    report.profile = {
        **report.profile,
        "model_status": "prior",
        "probability": 0.62,
        "runner_up": {"id": "op-weg", "name": "Op weg", "probability": 0.31},
    }


def several_respondents():
    return close_and_publish(make_answered_round({"medewerker": 6, "leidinggevende": 4, "hr": 1}))


@dataclass(frozen=True)
class Made:
    """A report as made, its body as stored, and its web body and PDF text as rendered now."""

    report: Report
    stored: str
    web: str
    pdf: str

    def changeable(self) -> Report:
        """The report as made, to change in memory (the stored row stays as it was)."""
        return copy.deepcopy(self.report)


@pytest.fixture(scope="module")
def made(django_db_setup, django_db_blocker) -> dict[str, Made]:
    """The report of one respondent and the final report of a round of eleven, made and
    rendered once for the module (rendering a PDF takes seconds), inside a transaction that is
    rolled back after the module's last test; each test runs in its own savepoint within it."""
    with django_db_blocker.unblock(), transaction.atomic():
        made = {}
        for name, report in (("one", make_report()), ("several", several_respondents())):
            made[name] = Made(report, body_text(report.html), *texts(report))
        yield made
        transaction.set_rollback(True)


def test_a_new_prior_report_shows_no_probability_or_evidence_number(made):
    for report in made.values():
        assert report.report.profile["model_status"] == "prior"
        # The body as stored when the report was made, and as the web page and PDF render it.
        for text in (report.stored, report.web, report.pdf):
            assert not INVENTED_NUMBERS.findall(text), INVENTED_NUMBERS.findall(text)
            assert "Hoe zeker" not in text
            assert "Jullie organisatie lijkt het meest op dit profiel" in text
            assert "nog niet getoetst aan gegevens van organisaties" in text
            assert "Een profiel is een groep organisaties" not in text


@pytest.mark.parametrize("with_parts", [True, False])
def test_an_old_stored_snapshot_renders_without_its_numbers(made, with_parts):
    for report in (made["one"].changeable(), made["several"].changeable()):
        old_style(report, with_parts=with_parts)
        web, pdf = texts(report)
        for text in (web, pdf):
            assert not INVENTED_NUMBERS.findall(text), INVENTED_NUMBERS.findall(text)
            assert "Waarom voor jullie" in text
            assert "lijkt ook op het profiel ‘Op weg’" in text
        if with_parts:
            if report.response_count > 1:
                assert "‘Het werk gaat voor op leren’ is jullie grootste nood." in web
                assert "Je koos" not in web
            else:
                assert "Je koos ‘Het werk gaat voor op leren’ als je grootste nood." in web
            assert "Deze uitdaging scoort bij jullie 100 op 100." in web
        else:
            assert "past deze actie sterk." in web


def test_the_new_parts_explain_the_top3_from_the_groups_answers_and_list_also_strong(made):
    report = made["several"].changeable()
    assert report.response_count == 11
    actions = [item["action"] for item in report.top3]
    report.top3 = [
        {
            "action": action,
            "challenge": int(action.split(".")[0]),
            "total": 2.0,
            "components": {**NEW_PARTS, "need_chosen_by": 6},
            "respondents": 11,
        }
        for action in actions
    ]
    # Set as an attribute: reports made before "ook sterk" have none.
    report.also_strong = [
        {"action": action, "challenge": int(action[0]), "components": NEW_PARTS}
        for action in ("5.1", "6.2", "9.1")
    ]
    web, pdf = texts(report)
    for text in (web, pdf):
        assert not INVENTED_NUMBERS.findall(text)
        assert "is jullie tweede grootste nood, gekozen door 6 van 11 collega's." in text
        assert (
            "11 van 15 collega's zijn het eens met ‘Als het druk wordt, schrappen we eerst de "
            "leermomenten’." in text
        )
        assert "Dat past bij jullie situatie: jullie werken op 4 tot 10 locaties." in text
        assert "Het bestaat bij jullie al deels" in text
        assert "Ook sterk" in text
    also = web[web.index("Ook sterk") :]
    for action in ("5.1", "6.2", "9.1"):
        assert f"Actie {action}" in also[:1200]
    # Each with the one answer that sets it apart.
    assert also[:1200].count("11 van 15 collega's zijn het eens met") == 3


def test_a_report_without_also_strong_shows_no_such_list(made):
    report = made["one"].changeable()
    report.also_strong = []
    web = body_text(render_report_html(report))
    assert "Ook sterk" not in web


def test_a_report_of_several_respondents_speaks_as_jullie_with_counts(made):
    web, pdf = made["several"].web, made["several"].pdf
    for text in (web, pdf):
        for words in SINGULAR_VOICE:
            assert words not in text, words
    assert "Hoe zwaar elke uitdaging weegt in jullie organisatie" in web
    assert "De uitdagingen die jullie samen als grootste noden aanduidden" in web
    assert "In jullie eigen woorden" in web and "In jullie eigen woorden" in pdf
    assert "Zet de acties in jullie actieplan" in web
    assert "daar praten jullie best samen over" in web


def test_a_report_of_one_respondent_may_say_je():
    report = make_report(needs=(4, 1, 9), answers={"D_1_urgency": 5})
    web = body_text(render_report_html(report))
    assert "De uitdagingen die je zelf als grootste noden aanduidde, de grootste eerst." in web
    assert "Dringendheid 5 op 5." in web
    assert "Gemiddelde dringendheid" not in web
    # The reasons speak of the one person's own choice, without counts of colleagues.
    assert "Je koos ‘" in web
    assert "gekozen door" not in web and "collega's zijn het" not in web


def test_the_shipped_profile_descriptions_speak_of_the_organisation_not_to_one_person():
    from leerkansen.scoring.model import get_shipped_model

    for profile in get_shipped_model().profiles:
        assert not re.search(r"\b(je|jij|jouw)\b", profile.description, re.I), profile.id
