"""Before writing a comment, the respondent reads exactly what happens to it (issue 14, item 4):
word for word in the report, without name or group, only from FREE_TEXT_THRESHOLD responses
on, and HR can hide it."""

import re

import pytest
from django.test import Client

from leerkansen.content.questionnaire import get_questionnaire
from leerkansen.survey.tests import link, make_invitation
from leerkansen.testing import make_round

pytestmark = pytest.mark.django_db


def open_question_page(role: str = "hr") -> str:
    item = next(item for item in get_questionnaire().items() if item.scale == "text")
    respondent = Client()
    respondent.get(link(make_invitation(make_round(roles=[role]), role)[1]))
    page = respondent.get(f"/vragenlijst/stap/{item.section}/")
    assert page.status_code == 200
    return page.content.decode()


def note_of(html: str) -> tuple[str, str]:
    """The text of the note next to the open question, and the textarea's description id."""
    described = re.search(r'<textarea[^>]*aria-describedby="([^" ]+)', html).group(1)
    start = html.index(f'id="{described}"')
    note = html[start : html.index("</div>", start)]
    return " ".join(re.sub(r"<[^>]+>", " ", note).split()), described


@pytest.mark.parametrize("threshold", [8, 12])
def test_the_open_question_says_what_happens_to_a_comment_with_the_threshold(settings, threshold):
    settings.FREE_TEXT_THRESHOLD = threshold
    note, described = note_of(open_question_page())
    assert described.startswith("hulp-")
    for promise in (
        "Wat er gebeurt met wat je schrijft:",
        "het komt letterlijk in het rapport van je organisatie",
        "zonder je naam en zonder je groep",
        f"alleen als minstens {threshold} mensen in deze ronde geantwoord hebben",
        "met minder toont het rapport geen enkele opmerking",
        "HR kan een opmerking uit het rapport weglaten",
        "Noem dus geen namen",
    ):
        assert promise in note, promise
