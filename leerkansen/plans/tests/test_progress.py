"""The progress page after a re-scan: per challenge the previous score, this round's and the
change, with the response counts of both rounds and the plan's actions next to their challenge."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
from django.urls import reverse

from leerkansen.organisations.models import Organisation
from leerkansen.plans.progress import (
    HIGHER,
    LOWER,
    SAME,
    UNKNOWN,
    change_text,
    direction,
    later_report,
    previous_report,
    score_change,
)
from leerkansen.plans.services import ItemChanges, add_action, update_item
from leerkansen.reports.demo import load_demo
from leerkansen.reports.models import Report
from leerkansen.reports.services import create_report
from leerkansen.reports.tests import (
    add_responses,
    close_and_publish,
    full_answers,
    make_answered_round,
    make_member,
)
from leerkansen.scoring.scales import score_value
from leerkansen.survey.models import Assessment
from leerkansen.survey.services import new_assessment

pytestmark = pytest.mark.django_db

# Every keyed answer of challenge c is agreement[c], so its score is (agreement − 1) × 25.
FIRST = {1: 5, 2: 2, 3: 3, 4: 5, 5: 2, 6: 3, 7: 2, 8: 4, 9: 3}
SECOND = {1: 3, 2: 4, 3: 3, 4: 4, 5: 2, 6: 1, 7: 5, 8: 4, 9: None}
# (previous, current, change) per challenge, worked out by hand from the two tables above.
EXPECTED = {
    1: ("100", "50", "−50"),
    2: ("25", "75", "+50"),
    3: ("50", "50", "0"),
    4: ("100", "75", "−25"),
    5: ("25", "25", "0"),
    6: ("50", "0", "−50"),
    7: ("25", "100", "+75"),
    8: ("75", "75", "0"),
    9: ("50", None, None),
}


def answers_with(agreement):
    return lambda _index: full_answers(agreement=agreement)


def url_of(report: Report) -> str:
    return f"/rapport/{report.code}/voortgang/"


def next_round(organisation: Organisation, counts: dict[str, int], agreement) -> Report:
    """A new round of the organisation with completed responses, and its report."""
    assessment = new_assessment(organisation, roles=list(counts))
    for role, number in counts.items():
        add_responses(assessment, role, number, answers_with(agreement))
    return create_report(assessment)


@pytest.fixture
def two_rounds() -> tuple[Report, Report]:
    """Round 1: two HR answers (FIRST); round 2, later: three HR answers (SECOND)."""
    first = create_report(make_answered_round({"hr": 2}, {"hr": answers_with(FIRST)}))
    second = next_round(first.assessment.organisation, {"hr": 3}, SECOND)
    return first, second


def logged_in(client, report: Report):
    client.force_login(make_member(report.assessment.organisation))
    return client


def text(fragment: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def table_rows(html: str) -> dict[int, dict[str, str]]:
    """Per challenge number, the text of each cell of the progress table's row."""
    body = html[html.index('<table class="data-table progress-table"') :]
    body = body[: body.index("</table>")]
    rows = {}
    for number, row in re.findall(r'<tr id="uitdaging-(\d)">(.*?)</tr>', body, re.S):
        cells = re.findall(
            r'<t[dh][^>]*class="[^"]*progress-(table__\w+|change)[^"]*"[^>]*>(.*?)</t[dh]>',
            row,
            re.S,
        )
        rows[int(number)] = {name: text(cell) for name, cell in cells} | {"html": row}
    return rows


def plan_blocks(html: str) -> dict[int, str]:
    """Per challenge number, the HTML of its block in "your plan per challenge"."""
    found = re.findall(
        r'<li class="progress-challenge challenge-\d" id="plan-uitdaging-(\d)">(.*?)\n      </li>',
        html,
        re.S,
    )
    return {int(number): block for number, block in found}


# -- The comparison -------------------------------------------------------------------------


def test_page_shows_per_challenge_the_previous_score_the_current_one_and_the_change(
    client, two_rounds
):
    _first, second = two_rounds
    response = logged_in(client, second).get(url_of(second))

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    rows = table_rows(html)
    assert sorted(rows) == list(range(1, 10))
    for number, (previous, current, change) in EXPECTED.items():
        row = rows[number]
        assert row["table__previous"] == previous, number
        if current is None:
            assert row["table__current"] in ("no score", "geen score")
        else:
            assert row["table__current"] == current, number
        if change is None:
            assert 'progress-change--unknown"' in row["html"]
        else:
            assert (
                row["change"].replace("↓", "").replace("↑", "").replace("=", "").split()[0]
                == change
            )
    # The direction is a word and an arrow, not a colour alone.
    assert 'progress-change--lower"' in rows[1]["html"] and "↓" in rows[1]["change"]
    assert 'progress-change--higher"' in rows[2]["html"] and "↑" in rows[2]["change"]
    assert 'progress-change--same"' in rows[3]["html"]
    # The table has a caption; the chart is a server-made SVG with a text alternative.
    assert re.search(r"<caption[ >]", html)
    assert html.count('<g class="progress-chart__row">') == 9
    chart = html[html.index('<svg class="chart progress-chart"') : html.index("</svg>")]
    assert 'role="img"' in chart and "<desc" in chart
    assert re.search(r"(?:now|nu) 50 \(−50\)", chart)
    assert re.search(r"(?:previous|vorige) 100<", chart)
    assert "<script" not in html[html.index("<main") :]


def test_page_shows_the_response_counts_of_both_rounds(client, two_rounds):
    first, second = two_rounds
    html = logged_in(client, second).get(url_of(second)).content.decode()
    assert re.search(r'id="aantal-nu">3 (responses sent|antwoorden verstuurd)<', html)
    assert re.search(r'id="aantal-vorige">2 (responses sent|antwoorden verstuurd)<', html)
    # Each round is named and linked.
    assert reverse("rounds:detail", args=[first.assessment.code]) in html
    assert reverse("rounds:detail", args=[second.assessment.code]) in html


def test_only_everyones_scores_are_compared_never_a_roles(client):
    # Five HR answers and five employees' may be shown apart in the report; here only
    # everyone's scores count.
    employees = {**FIRST, 1: 1, 2: 5}
    first = close_and_publish(
        make_answered_round(
            {"hr": 5, "medewerker": 5},
            {"hr": answers_with(FIRST), "medewerker": answers_with(employees)},
        )
    )
    second = next_round(first.assessment.organisation, {"hr": 1}, SECOND)
    assert set(first.role_scores) == {"hr", "medewerker"}
    rows = table_rows(logged_in(client, second).get(url_of(second)).content.decode())
    for number in range(1, 10):
        overall = first.scores[str(number)]
        assert rows[number]["table__previous"] == str(score_value(overall))
    for role in ("hr", "medewerker"):
        assert rows[1]["table__previous"] != str(score_value(first.role_scores[role]["1"]))


def test_previous_round_is_the_latest_earlier_round_with_a_report():
    first = create_report(make_answered_round({"hr": 1}, {"hr": answers_with(FIRST)}))
    organisation = first.assessment.organisation
    second = next_round(organisation, {"hr": 1}, SECOND)
    # A round without a report (nobody answered) and another organisation's report in between.
    new_assessment(organisation, roles=["hr"])
    create_report(make_answered_round({"hr": 1}, organisation_name="Bravo Bouw"))
    fourth = next_round(organisation, {"hr": 1}, FIRST)

    assert previous_report(fourth) == second
    assert previous_report(second) == first
    assert previous_report(first) is None


def test_rounds_are_ordered_by_when_they_were_opened_not_by_their_id():
    first = create_report(make_answered_round({"hr": 1}, {"hr": answers_with(FIRST)}))
    second = next_round(first.assessment.organisation, {"hr": 1}, SECOND)
    # The second round's id is higher, but it was opened earlier.
    Assessment.objects.filter(pk=second.assessment.pk).update(
        created_at=first.assessment.created_at - timedelta(days=30)
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert previous_report(first) == second
    assert previous_report(second) is None


def test_rounds_opened_at_the_same_moment_follow_each_other_by_id():
    first = create_report(make_answered_round({"hr": 1}, {"hr": answers_with(FIRST)}))
    second = next_round(first.assessment.organisation, {"hr": 1}, SECOND)
    Assessment.objects.filter(pk=second.assessment.pk).update(
        created_at=first.assessment.created_at
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert previous_report(second) == first
    assert previous_report(first) is None
    assert later_report(first) == second
    assert later_report(second) is None


@pytest.mark.parametrize(
    ("previous", "current", "change", "words", "shown"),
    [
        (73, 70, -3, LOWER, "−3"),
        (40, 52, 12, HIGHER, "+12"),
        (50, 50, 0, SAME, "0"),
        (None, 50, None, UNKNOWN, ""),
        (50, None, None, UNKNOWN, ""),
    ],
)
def test_change_is_current_minus_previous(previous, current, change, words, shown):
    assert score_change(previous, current) == change
    assert direction(change) == words
    assert change_text(change) == shown


# -- The plan's actions ---------------------------------------------------------------------


def test_plan_actions_are_listed_next_to_the_challenge_they_target(client, two_rounds):
    _first, second = two_rounds
    organisation = second.assessment.organisation
    busy = add_action(organisation, "1.2").item
    add_action(organisation, "4.3")
    add_action(organisation, "1.4")
    changes = ItemChanges(owner="An", start=None, status="in_progress", note="")
    update_item(busy, busy.version, changes)

    blocks = plan_blocks(logged_in(client, second).get(url_of(second)).content.decode())
    assert sorted(blocks) == list(range(1, 10))

    def listed(number: int) -> list[str]:
        return re.findall(r'<li class="progress-action" data-action="([^"]+)"', blocks[number])

    # In the plan's order, under the action's own challenge.
    assert listed(1) == ["1.2", "1.4"]
    assert listed(4) == ["4.3"]
    assert all(listed(number) == [] for number in (2, 3, 5, 6, 7, 8, 9))
    row_1 = blocks[1]
    action_12 = row_1[row_1.index('data-action="1.2"') : row_1.index('data-action="1.4"')]
    assert "plan-status--in_progress" in action_12
    assert f'href="/organisatie/plan/#item-{busy.code}"' in action_12
    assert "plan-status--planned" in row_1[row_1.index('data-action="1.4"') :]
    # 1.2 is a HIGHLIGHT action: the label says what it means, also to a screen reader.
    assert (
        '<span class="visually-hidden"> (Een actie die in de analyse of in workshops naar voren '
        "kwam als bijzonder krachtig of veelbelovend.)</span>"
    ) in action_12
    assert 'class="plan-empty"' in blocks[2]
    # Next to the actions, the challenge's change: challenge 1 went from 100 to 50.
    assert re.search(r"100 → 50: .*−50", text(blocks[1]))


def test_another_organisations_plan_is_not_listed(client, two_rounds):
    _first, second = two_rounds
    other = create_report(make_answered_round({"hr": 1}, organisation_name="Bravo Bouw"))
    add_action(other.assessment.organisation, "2.1")
    html = logged_in(client, second).get(url_of(second)).content.decode()
    assert 'data-action="2.1"' not in html


# -- Without a previous round ---------------------------------------------------------------


def test_first_round_shows_how_to_see_progress_and_a_link_to_open_a_new_round(client):
    report = create_report(make_answered_round({"hr": 1}))
    response = logged_in(client, report).get(url_of(report))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="empty-state' in html
    assert "progress-table" not in html and "progress-chart" not in html
    assert f'href="{reverse("rounds:list")}#nieuwe-ronde"' in html


def test_first_round_links_to_the_progress_of_a_later_round(client, two_rounds):
    first, second = two_rounds
    html = logged_in(client, first).get(url_of(first)).content.decode()
    assert 'class="empty-state' in html
    assert f'href="{url_of(second)}"' in html


# -- Who may see it -------------------------------------------------------------------------


def test_another_organisations_report_is_not_found(client, two_rounds):
    _first, second = two_rounds
    other = create_report(make_answered_round({"hr": 1}, organisation_name="Bravo Bouw"))
    client.force_login(make_member(other.assessment.organisation))
    response = client.get(url_of(second))
    assert response.status_code == 404
    assert client.get("/rapport/bestaat-niet/voortgang/").status_code == 404


def test_anonymous_visitor_is_sent_to_log_in(client, two_rounds):
    _first, second = two_rounds
    response = client.get(url_of(second))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("organisations:login"))
    assert Report.objects.count() == 2


def test_page_is_read_only(client, two_rounds):
    _first, second = two_rounds
    assert logged_in(client, second).post(url_of(second)).status_code == 405


def test_demo_report_has_no_progress_page(client):
    load_demo()
    demo = Report.objects.get(assessment__organisation__is_demo=True)
    client.force_login(make_member(demo.assessment.organisation))
    assert client.get(url_of(demo)).status_code == 404
    assert client.get("/rapport/demo/voortgang/").status_code == 404


def test_round_page_links_to_the_progress_page(client, two_rounds):
    _first, second = two_rounds
    html = (
        logged_in(client, second)
        .get(reverse("rounds:detail", args=[second.assessment.code]))
        .content.decode()
    )
    assert f'href="{url_of(second)}"' in html
