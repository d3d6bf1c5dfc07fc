"""Nesting and roles (issue 15, item 4): ICC(1)/ICC(2), ω per role, items across roles.

Planted data with fixed seeds: the functions must find what was put in, and nothing else.
"""

import doctest
import re

import numpy as np
import pytest

from leerkansen.research import nesting
from leerkansen.research.nesting import (
    icc_oneway,
    items_across_roles,
    nesting_by_challenge,
    omega_by_role,
    respondent_scores,
)
from leerkansen.scoring.scales import ScaleItem

ITEMS = [ScaleItem(f"B1_{n}", 1, n == 4) for n in range(1, 6)] + [
    ScaleItem(f"B2_{n}", 2, False) for n in range(1, 5)
]
EVERY_ITEM = {item.id for item in ITEMS}


def test_the_examples_in_the_docstrings_hold():
    result = doctest.testmod(nesting)
    assert result.attempted >= 1 and result.failed == 0


def test_icc_recovers_a_planted_share_between_rounds():
    # 300 rounds of 12: between-round variance 1, within 4, so ICC(1) = 0.2 and
    # ICC(2) = 12 · 0.2 / (1 + 11 · 0.2) = 0.75.
    rng = np.random.default_rng(3)
    rounds = np.repeat(np.arange(300), 12)
    values = rng.normal(0, 1, 300)[rounds] + rng.normal(0, 2, len(rounds))
    icc1, icc2 = icc_oneway(values, rounds)
    assert icc1 == pytest.approx(0.2, abs=0.03)
    assert icc2 == pytest.approx(0.75, abs=0.04)
    # Rounds of unequal size: the same planted share.
    sizes = rng.integers(3, 20, 300)
    rounds = np.repeat(np.arange(300), sizes)
    values = rng.normal(0, 1, 300)[rounds] + rng.normal(0, 2, len(rounds))
    assert icc_oneway(values, rounds)[0] == pytest.approx(0.2, abs=0.03)


def test_icc_is_none_without_two_rounds_or_without_variation_between_them():
    assert icc_oneway([1, 2, 3], ["a", "a", "a"]) is None
    assert icc_oneway([1, 2], ["a", "b"]) is None
    assert icc_oneway([1, 3, 1, 3], ["a", "a", "b", "b"]) is None
    with pytest.raises(ValueError):
        icc_oneway([1, 2], ["a"])


def test_a_respondent_score_follows_the_75_percent_rule_of_their_own_version():
    asked = {"hr": EVERY_ITEM, "medewerker": {"B1_1", "B1_2", "B1_3", "B1_4"}}
    nan = np.nan
    matrix = np.array(
        [
            # HR, 4 of 5 items of challenge 1: a score; reverse B1_4 answered 1 counts as 5.
            [5, 5, 5, 1, nan, 1, 1, 1, 1],
            # An employee asked 4 items, answered 3: a score (75%).
            [3, 3, 3, nan, nan, nan, nan, nan, nan],
            # An employee with 2 of 4: no score.
            [3, 3, nan, nan, nan, nan, nan, nan, nan],
        ],
        dtype=float,
    )
    scores = respondent_scores(matrix, ["hr", "medewerker", "medewerker"], ITEMS, asked)
    assert scores[1][0] == 100 and scores[1][1] == 50 and np.isnan(scores[1][2])
    assert scores[2][0] == 0 and np.isnan(scores[2][1])


def factor_data(rng, n, loadings, shift=None):
    """Answers 1-5 from one factor with the given loadings (shift: added to an item)."""
    factor = rng.normal(size=n)
    noise = rng.normal(size=(n, len(loadings)))
    latent = factor[:, None] * loadings + noise * np.sqrt(1 - np.square(loadings))
    if shift is not None:
        latent[:, shift[0]] += shift[1]
    return np.clip(np.round(3 + 1.1 * latent), 1, 5)


def two_roles(rng, *, manager_shift=None, employee_loadings=None, n=400):
    loadings = np.array([0.8, 0.75, 0.7, 0.8, 0.7])
    managers = factor_data(rng, n, loadings, manager_shift)
    employees = factor_data(
        rng, n, employee_loadings if employee_loadings is not None else loadings
    )
    challenge_1 = np.vstack([managers, employees])
    # B1_4 is reverse-keyed: answered the other way round.
    challenge_1[:, 3] = 6 - challenge_1[:, 3]
    challenge_2 = factor_data(rng, 2 * n, np.array([0.7, 0.7, 0.7, 0.7]))
    roles = ["leidinggevende"] * n + ["medewerker"] * n
    return np.hstack([challenge_1, challenge_2]), roles


def test_an_item_one_role_answers_higher_than_its_challenge_says_is_flagged():
    rng = np.random.default_rng(5)
    matrix, roles = two_roles(rng, manager_shift=(1, 1.2))
    asked = dict.fromkeys(set(roles), EVERY_ITEM)
    found = {check.item: check for check in items_across_roles(matrix, roles, ITEMS, asked, 5)}
    assert found["B1_2"].flagged and found["B1_2"].mean_shift > 0.5
    assert found["B1_2"].means["leidinggevende"] > found["B1_2"].means["medewerker"]
    assert [item for item, check in found.items() if check.flagged] == ["B1_2"]


def test_an_item_that_measures_nothing_for_one_role_is_flagged_by_its_loading():
    rng = np.random.default_rng(6)
    matrix, roles = two_roles(rng, employee_loadings=np.array([0.8, 0.75, 0.7, 0.8, 0.05]))
    asked = dict.fromkeys(set(roles), EVERY_ITEM)
    found = {check.item: check for check in items_across_roles(matrix, roles, ITEMS, asked, 5)}
    assert found["B1_5"].flagged and found["B1_5"].loading_gap > 0.4
    assert found["B1_5"].loadings["medewerker"] < 0.2 < found["B1_5"].loadings["leidinggevende"]
    assert not any(check.flagged for item, check in found.items() if item != "B1_5")


def test_items_one_role_is_not_asked_and_small_roles_are_left_out():
    rng = np.random.default_rng(7)
    matrix, roles = two_roles(rng, n=60)
    matrix = np.vstack([matrix, matrix[:3]])
    roles = [*roles, "hr", "hr", "hr"]
    asked = {
        "leidinggevende": EVERY_ITEM,
        "medewerker": EVERY_ITEM - {"B2_4"},
        "hr": EVERY_ITEM,
    }
    checks = items_across_roles(matrix, roles, ITEMS, asked, 5)
    assert all("hr" not in check.means for check in checks)
    assert "B2_4" not in {check.item for check in checks}
    omegas = omega_by_role(matrix, roles, ITEMS, asked, 5)
    assert {(o.challenge, o.role) for o in omegas} == {
        (1, "leidinggevende"),
        (1, "medewerker"),
        (2, "leidinggevende"),
        (2, "medewerker"),
    }
    employees_2 = next(o for o in omegas if (o.challenge, o.role) == (2, "medewerker"))
    assert employees_2.items == 3 and employees_2.n == 60
    assert all(o.omega > 0.6 for o in omegas)


def test_nesting_by_challenge_counts_rounds_and_respondents_with_a_score():
    scores = {1: np.array([10.0, 20.0, np.nan, 80.0, 90.0]), 2: np.full(5, np.nan)}
    result = nesting_by_challenge(scores, ["a", "a", "a", "b", "b"])
    assert (result[0].rounds, result[0].respondents) == (2, 4)
    assert result[0].icc1 > 0.9
    assert (result[1].respondents, result[1].icc1) == (0, None)


# -- On the researchers' dashboard ----------------------------------------------------------


@pytest.mark.django_db
def test_the_dashboard_shows_icc_omega_per_role_and_the_item_one_role_reads_differently():
    from django.conf import settings

    from leerkansen.content.questionnaire import questionnaire_for
    from leerkansen.reports.tests import make_answered_round
    from leerkansen.testing import make_researcher

    from .conftest import logged_in

    rng = np.random.default_rng(11)
    anchors = [
        item
        for item in questionnaire_for("medewerker").items()
        if item.challenge == 1 and "leidinggevende" in item.roles
    ]
    shifted = anchors[0]

    def answers_of(role: str, level: float):
        def answer(_index: int) -> dict:
            person = level + rng.normal(0, 0.7)
            result = {}
            for item in questionnaire_for(role).items():
                if item.challenge is None:
                    continue
                keyed = (
                    person
                    + rng.normal(0, 0.5)
                    + (2 if item is shifted and role == "leidinggevende" else 0)
                )
                value = int(np.clip(round(keyed), 1, 5))
                result[item.id] = 6 - value if item.reverse else value
            return result

        return answer

    for number in range(8):
        level = 3 + rng.normal(0, 0.8)  # the round's own level: ICC above 0
        make_answered_round(
            {"leidinggevende": 5, "medewerker": 6},
            {
                "leidinggevende": answers_of("leidinggevende", level),
                "medewerker": answers_of("medewerker", level),
            },
            organisation_name=f"Organisatie {number}",
        )
    # Two HR answers: below the threshold, never a column of their own. Four managers next
    # to six employees: the managers of that round count in no figure per role.
    make_answered_round({"hr": 2}, organisation_name="Klein")
    make_answered_round(
        {"leidinggevende": 4, "medewerker": 6},
        {
            "leidinggevende": answers_of("leidinggevende", 3.0),
            "medewerker": answers_of("medewerker", 3.0),
        },
        organisation_name="Vier",
    )

    page = logged_in(make_researcher()).get("/onderzoek/").content.decode()
    text = " ".join(page.split())
    table = text[text.index('id="nesting"') : text.index("</table>", text.index('id="nesting"'))]
    headers = re.findall(r"</abbr> ([A-Za-z]+)</th>", table)
    assert headers == ["Leidinggevende", "Medewerker"]
    row = re.search(r'data-challenge="1">(.*?)</tr>', table).group(1)
    icc1 = float(re.findall(r'<td class="number">([0-9.,-]+)</td>', row)[2].replace(",", "."))
    assert icc1 > 0.2
    by_role = text[text.index('id="rolscores"') :]
    by_role = by_role[: by_role.index("</table>")]
    counts = re.findall(
        r"\(n = (\d+)\)", re.search(r'data-challenge="1">(.*?)</tr>', by_role).group(1)
    )
    assert counts == ["40", "54"]
    flagged = text[text.index('id="items-rollen"') :]
    assert f'data-item="{shifted.id}"' in flagged
    assert shifted.text in " ".join(flagged.split())
    assert settings.ANONYMITY_THRESHOLD == 5
