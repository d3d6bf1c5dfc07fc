"""Progress compares like with like (issue 14, item 6): when other groups answered in the two
rounds, the page says so next to the overall scores; a group is compared on its own only
where both reports show it apart, so never a group below the anonymity threshold."""

from __future__ import annotations

import re

import pytest

from leerkansen.plans.progress import counted_roles
from leerkansen.reports.models import Report
from leerkansen.reports.services import create_report
from leerkansen.reports.tests import (
    add_responses,
    close_and_publish,
    make_answered_round,
    make_member,
)
from leerkansen.scoring.scales import score_value
from leerkansen.survey.services import new_assessment

from .test_progress import FIRST, SECOND, answers_with, text, url_of

pytestmark = pytest.mark.django_db

WARNING = "In de twee rondes antwoordden niet dezelfde groepen."
GROUPS = "Per groep, waar beide rondes die tonen"


def closed_round(organisation, counts, agreement) -> Report:
    assessment = new_assessment(organisation, roles=list(counts))
    for role, number in counts.items():
        add_responses(assessment, role, number, answers_with(agreement))
    return close_and_publish(assessment)


def page(client, report: Report) -> str:
    client.force_login(make_member(report.assessment.organisation))
    response = client.get(url_of(report))
    assert response.status_code == 200
    return response.content.decode()


def group_tables(html: str) -> dict[str, str]:
    """Per caption, the text of each group table."""
    tables = re.findall(
        r'<table class="data-table progress-table progress-table--group">(.*?)</table>',
        html,
        re.S,
    )
    return {
        text(re.search(r"<caption[^>]*>(.*?)</caption>", table, re.S).group(1)): table
        for table in tables
    }


def test_other_groups_answering_is_said_plainly_and_only_shared_groups_are_compared(client):
    employees = {**FIRST, 1: 1}
    first = close_and_publish(
        make_answered_round(
            {"hr": 5, "directie": 5, "medewerker": 5},
            {
                "hr": answers_with(FIRST),
                "directie": answers_with(FIRST),
                "medewerker": answers_with(employees),
            },
        )
    )
    second = closed_round(first.assessment.organisation, {"medewerker": 5}, SECOND)
    assert counted_roles(first) == ("hr", "directie", "medewerker")
    assert counted_roles(second) == ("medewerker",)
    html = page(client, second)
    words = text(html)
    assert WARNING in words
    assert "De scores van de vorige ronde bevatten de antwoorden van: HR of opleiding" in words
    assert "Die van deze ronde: Medewerkers." in words
    assert "vergelijken dus niet gelijk met gelijk" in words
    # Overall scores are still shown, with the warning above them.
    assert html.index(WARNING) < html.index('id="voortgang"')
    # Only the employees answered in both rounds: compared on their own, from their own scores.
    tables = group_tables(html)
    assert list(tables) == ["Medewerkers"]
    assert 'aria-labelledby="groep-medewerker"' in html and 'id="groep-medewerker"' in html
    rows = re.findall(r"<tr>(.*?)</tr>", tables["Medewerkers"], re.S)[1:]
    first_row = [text(cell) for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", rows[0], re.S)]
    assert first_row[1] == str(score_value(first.role_scores["medewerker"]["1"]))  # 0
    assert first_row[2] == str(score_value(second.role_scores["medewerker"]["1"]))  # 50
    assert "+50 hoger" in first_row[3]


def test_the_same_groups_get_no_warning(client):
    first = create_report(make_answered_round({"hr": 2}, {"hr": answers_with(FIRST)}))
    assessment = new_assessment(first.assessment.organisation, roles=["hr"])
    add_responses(assessment, "hr", 3, answers_with(SECOND))
    second = create_report(assessment)
    html = page(client, second)
    assert WARNING not in text(html)
    assert GROUPS not in html
    assert "Alleen de scores van iedereen samen worden vergeleken." in text(html)


def test_a_group_below_the_threshold_is_never_compared_on_its_own(client):
    first = close_and_publish(
        make_answered_round({"hr": 5, "medewerker": 5}, {"hr": answers_with(FIRST)})
    )
    second = closed_round(first.assessment.organisation, {"hr": 5, "medewerker": 2}, SECOND)
    assert "medewerker" not in second.role_scores
    html = page(client, second)
    tables = group_tables(html)
    assert "Medewerkers" not in tables
    assert set(tables) <= {"HR of opleiding"}
    # Whether the two employees count in "Iedereen" or in no figure, the page says whether
    # the overall scores hold the same groups.
    assert (WARNING in text(html)) == (counted_roles(second) != counted_roles(first))
