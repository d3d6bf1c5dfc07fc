"""Role differences shown honestly, small groups protected without hiding the big ones (issue 14).

The gap between groups in words and numbers, never "eensgezind" next to more than 20 points;
the issue's role counts (k = 5) as a report shows them: 1/2/5/7, 4/6, 5/5/1 and the demo's
2/3/5/9; and the attack: everything a report ever published (every step, every group,
"Iedereen"), added and subtracted, never gives a group below k.
"""

import itertools
import re

import pytest

from leerkansen.reports.api import report_as_dict
from leerkansen.reports.models import Report
from leerkansen.reports.services import compute_report, render_report_html
from leerkansen.scoring.scales import score_value

from . import add_responses, close_and_publish, full_answers, make_answered_round, member_client
from .test_demo import run_load_demo
from .test_differencing import Round, matches, own_scores, person

pytestmark = pytest.mark.django_db

K = 5
CHALLENGES = [str(number) for number in range(1, 10)]


@pytest.fixture(autouse=True)
def _threshold(settings):
    settings.ANONYMITY_THRESHOLD = K


def at(level: int):
    """Every respondent answers every challenge at `level` (score (level − 1) × 25)."""
    return lambda _index: full_answers(agreement=dict.fromkeys(range(1, 10), level))


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def roles_section(client, report: Report) -> str:
    html = member_client(client, report).get(f"/rapport/{report.code}/").content.decode()
    start = html.index('id="per-rol"')
    return html[start : html.index("</section>", start)]


def challenge_rows(section: str) -> dict[int, str]:
    """Per challenge number, the text of its block in the comparison."""
    section = section[: section.rindex('<p class="help">')]
    blocks = section.split('<li class="comparison__row challenge-')[1:]
    return {int(block.split('"', 1)[0]): text_of(block.split(">", 1)[1]) for block in blocks}


# -- The gap and the agreement ---------------------------------------------------------------


def test_1_2_5_7_compares_managers_and_employees_and_calls_a_25_point_gap_no_agreement(client):
    # Managers all answer 2 (score 25), employees all 3 (50): everyone's answers lie close
    # together (the index alone would say strong agreement), the groups are 25 points apart.
    report = close_and_publish(
        make_answered_round(
            {"hr": 1, "directie": 2, "leidinggevende": 5, "medewerker": 7},
            {"hr": at(5), "directie": at(5), "leidinggevende": at(2), "medewerker": at(3)},
        )
    )
    assert set(report.role_scores) == {"leidinggevende", "medewerker"}
    assert report.agreement["1"] > 0.70
    section = roles_section(client, report)
    rows = challenge_rows(section)
    assert len(rows) == 9
    for row in rows.values():
        assert "Leidinggevenden 25, medewerkers 50: ze zien dit heel verschillend." in row
        assert "eensgezindheid" not in row
        assert row.endswith("geen gedeelde kijk")
    # HR and directie (3) are in no figure: "Iedereen" is the 12 others, (5·25 + 7·50) / 12.
    assert report.response_count == 12
    assert all(row.startswith(f"{n}. ") and "Iedereen 40 " in row for n, row in rows.items())
    assert not any("100" in row for row in rows.values())
    assert (
        "Niet meegeteld in de cijfers, ook niet bij ‘Iedereen’: HR of opleiding, Directie "
        "(3 antwoorden). Samen minder dan 5"
    ) in text_of(section)


def test_a_small_gap_is_given_in_points_and_agreement_keeps_its_words(client):
    report = close_and_publish(
        make_answered_round(
            {"leidinggevende": 5, "medewerker": 5},
            {"leidinggevende": at(3), "medewerker": at(3)},
        )
    )
    rows = challenge_rows(roles_section(client, report))
    assert "Alle groepen 50: ze zien dit hetzelfde." in rows[1]
    assert "grote eensgezindheid" in rows[1]


def test_the_demo_shows_its_gaps_as_gaps_and_its_agreement_where_there_is_some(client):
    run_load_demo()
    report = Report.objects.get()
    assert set(report.role_scores) == {"hr+directie", "leidinggevende", "medewerker"}
    section = client.get("/rapport/demo/").content.decode()
    section = section[section.index('id="per-rol"') :]
    section = section[: section.index("</section>")]
    assert "HR en directie tonen we samen: apart heeft elke groep minder dan 5 antwoorden." in (
        text_of(section)
    )
    rows = challenge_rows(section)
    managers, employees = report.role_scores["leidinggevende"], report.role_scores["medewerker"]
    # Challenge 5 (managers' support): the managers see little wrong, the employees much.
    low, high = score_value(managers["5"]), score_value(employees["5"])
    assert high - low > 20
    assert f"Leidinggevenden {low}, medewerkers {high}: ze zien dit heel verschillend." in rows[5]
    large = [n for n, row in rows.items() if "heel verschillend" in row]
    agreed = [n for n, row in rows.items() if "grote eensgezindheid" in row]
    assert large and agreed and not set(large) & set(agreed)
    for number in agreed:
        values = [score_value(report.role_scores[g][str(number)]) for g in report.role_scores]
        assert max(values) - min(values) <= 20


# -- The role counts ----------------------------------------------------------------


def test_4_6_shows_nobody_apart_and_says_why(client):
    report = close_and_publish(make_answered_round({"leidinggevende": 4, "medewerker": 6}))
    assert report.role_scores == {} and report.response_count == 10
    section = text_of(roles_section(client, report))
    assert "Niet apart getoond: Leidinggevenden, Medewerkers." in section
    assert "Soms laten we ook een grotere groep weg" in section
    assert "Niet meegeteld" not in section


def test_5_5_1_compares_the_two_groups_and_leaves_the_one_out(client):
    report = close_and_publish(
        make_answered_round(
            {"leidinggevende": 5, "medewerker": 5, "directie": 1},
            {"leidinggevende": at(1), "medewerker": at(5), "directie": at(3)},
        )
    )
    assert set(report.role_scores) == {"leidinggevende", "medewerker"}
    assert report.response_count == 10 and report.scores["1"] == 50.0
    section = text_of(roles_section(client, report))
    assert "Niet meegeteld in de cijfers, ook niet bij ‘Iedereen’: Directie (1 antwoord)." in (
        section
    )
    assert "Leidinggevenden 0, medewerkers 100: ze zien dit heel verschillend." in section


def test_an_old_snapshot_with_roles_only_still_renders(client):
    report = close_and_publish(make_answered_round({"medewerker": 6, "hr": 5}))
    # As stored before issue 14: the employees apart, HR and a manager hidden in "Iedereen".
    report.role_counts = {"hr": 5, "leidinggevende": 1, "medewerker": 6}
    report.role_scores = {"medewerker": report.role_scores["medewerker"]}
    report.response_count = 12
    report.html = render_report_html(report)
    report.save()
    section = text_of(roles_section(client, report))
    assert "Niet apart getoond: HR of opleiding, Leidinggevenden." in section
    assert "Soms laten we ook een grotere groep weg" in section
    assert "Niet meegeteld" not in section and "Medewerkers" in section


# -- The attack -------------------------------------------------------------------------------


# 1/2/5/7, each respondent with answers of their own (test_differencing.person).
ORDER = [
    *[("leidinggevende", 1), ("leidinggevende", 2)],
    *[("medewerker", n) for n in (3, 4, 5)],
    *[("directie", 6), ("directie", 7)],
    *[("medewerker", n) for n in (8, 9, 10)],
    ("hr", 11),
    *[("leidinggevende", n) for n in (12, 13, 14)],
    ("medewerker", 15),
]


def scores_of(role: str) -> dict:
    """What the role's own scores would be (what the report must not let anyone derive)."""
    answers = [(r, person(n)) for r, n in ORDER if r == role]
    return compute_report(answers, threshold=3, final=False)["scores"]


def published_sums(states: list[dict]) -> list[tuple[int, dict]]:
    """Everything a report published, as (n, scores): every state's "Iedereen", and the
    final state's groups."""
    final = states[-1]
    published = [(state["response_count"], state["scores"]) for state in states]
    counts = final["role_counts"]
    return published + [
        (sum(counts[role] for role in group.split("+")), scores)
        for group, scores in final["role_scores"].items()
    ]


def test_a_round_closed_at_once_shows_managers_and_employees_and_gives_away_nobody():
    """1/2/5/7 closed in one publication: "Iedereen" is the 12 counted, so "Iedereen" minus
    the two groups is nobody."""
    assessment = make_answered_round({"hr": 0})
    for role, number in ORDER:
        add_responses(assessment, role, 1, lambda _index, number=number: person(number))
    report = close_and_publish(assessment)
    assert set(report.role_scores) == {"leidinggevende", "medewerker"}
    states = [report_as_dict(report)]
    assert not found_by_subtraction(published_sums(states))
    # The attack is sound: had "Iedereen" counted HR and directie, it would find them.
    everyone = compute_report([(r, person(n)) for r, n in ORDER], threshold=K, final=False)
    assert found_by_subtraction([*published_sums(states), (15, everyone["scores"])]) == [
        "hr+directie"
    ]


def test_a_round_published_in_steps_compares_managers_and_employees_too():
    """The same answers through shared links, in that order. An open step takes in a group's
    five new ones: the employees at their fifth (3, 4, 5, 8, 9), the managers at theirs
    (1, 2, 12, 13, 14); HR and directie never reach five and wait, as do employees 10 and
    15. At the close HR and directie come in, counted in no figure, and the two late
    employees stay out (taking them in, "all employees" minus the employees' step would be
    them). The final state compares managers and employees, and no combination of
    everything the report ever published gives anyone below k."""
    round_ = Round(roles=("hr", "directie", "leidinggevende", "medewerker"))
    states = []
    for role, number in ORDER:
        round_.answer(role, person(number))
        state = round_.api()
        if state is not None and (not states or state != states[-1]):
            states.append(state)
    round_.close()
    states.append(round_.api())
    assert [state["response_count"] for state in states] == [5, 10, 10]
    final = states[-1]
    assert final["role_counts"] == {"hr": 1, "directie": 2, "leidinggevende": 5, "medewerker": 5}
    assert set(final["role_scores"]) == {"leidinggevende", "medewerker"}
    assert final["left_out"] == 2
    assert final["role_scores"]["leidinggevende"] == scores_of("leidinggevende")
    assert not found_by_subtraction(published_sums(states))
    # The attack is sound: had the open states taken in everyone as they came (5, 10, 15),
    # "Iedereen" of 15 minus both groups would be HR and directie.
    everyone = compute_report([(r, person(n)) for r, n in ORDER], threshold=K, final=False)
    assert "hr+directie" in found_by_subtraction(
        [(15, everyone["scores"]), (5, scores_of("leidinggevende")), (7, scores_of("medewerker"))]
    )
    page = text_of(round_.page())
    assert "Niet meegeteld in de cijfers, ook niet bij ‘Iedereen’: HR" in page
    assert "(3 antwoorden)" in page


# The respondents below k an attacker could be after: HR and directie together, or anyone.
SMALL = {
    "hr+directie": [6, 7, 11],
    **{f"respondent {number}": [number] for number in range(1, 16)},
}


def found_by_subtraction(published: list[tuple[int, dict]]) -> list[str]:
    """Which small groups some ±1 combination of the published (n, scores) gives: the
    combined n · scores over the combined n, within 0.6 of the group's own mean."""
    found = []
    for coefficients in itertools.product((-1, 0, 1), repeat=len(published)):
        parts = list(zip(coefficients, published, strict=True))
        size = sum(c * n for c, (n, _scores) in parts)
        if not 0 < size < K:
            continue
        derived = {
            challenge: sum(c * n * scores[challenge] for c, (n, scores) in parts) / size
            for challenge in CHALLENGES
        }
        for name, numbers in SMALL.items():
            if len(numbers) == size:
                mean = {
                    challenge: sum(own_scores(person(n))[challenge] for n in numbers) / size
                    for challenge in CHALLENGES
                }
                if matches(derived, mean) and name not in found:
                    found.append(name)
    return found
