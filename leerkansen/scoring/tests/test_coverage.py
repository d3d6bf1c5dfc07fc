"""The top 3's coverage on random plausible organisations (issue 13), on a fixed seed."""

import numpy as np

from leerkansen.content.action_attributes import get_action_attributes
from leerkansen.content.catalogue import get_catalogue
from leerkansen.content.questionnaire import ROLES, get_questionnaire, questionnaire_for
from leerkansen.scoring.coverage import _Organisation, measure_coverage, roles_of
from leerkansen.scoring.model import get_shipped_model

# The targets hold on 5,000 organisations (tools/top3_coverage.py). A draw of 600 keeps the
# test fast; its share of the most frequent action has a sampling error of about 1.5 points, so
# it is held to the target plus two of those.
N = 600
SHARE_MARGIN = 2 * (0.15 * 0.85 / N) ** 0.5


def coverage(version, n=N):
    return measure_coverage(
        n,
        7,
        questionnaire=get_questionnaire(),
        catalogue=get_catalogue(),
        model=get_shipped_model(version),
        attributes=get_action_attributes(),
    )


def test_the_shipped_model_reaches_most_actions_and_none_dominates():
    result = coverage("1.1.0")
    assert result.organisations == N and result.actions == 48
    assert result.reached_without_c >= 44
    assert result.most_frequent_share <= 0.15 + SHARE_MARGIN
    assert sum(result.counts.values()) == 3 * N
    assert 0 < result.flip_rate < 1


def test_the_measure_sees_the_old_methods_narrow_top3():
    # Model 1.0.0: only the first actions of a challenge without section C (issue 13).
    result = coverage("1.0.0", n=200)
    assert result.reached_without_c < 30
    assert result.most_frequent_share > 0.2


def test_the_draw_is_seeded():
    assert coverage("1.1.0", n=20) == coverage("1.1.0", n=20)


def test_a_round_mixes_the_roles_with_one_hr_respondent():
    rng = np.random.default_rng(3)
    for size in (1, 2, 3, 6, 15):
        for _ in range(20):
            roles = roles_of(size, rng)
            assert len(roles) == size
            assert roles.count("hr") == 1
            assert roles.count("directie") <= 1
            if size - len({"hr", "directie"} & set(roles)) >= 3:
                assert "leidinggevende" in roles
    many = [role for _ in range(200) for role in roles_of(15, rng)]
    assert many.count("medewerker") > many.count("leidinggevende") > many.count("directie")


def test_each_drawn_respondent_answers_the_version_of_their_role():
    questionnaire = get_questionnaire()
    rng = np.random.default_rng(5)
    organisation = _Organisation(rng, get_shipped_model("1.1.0"), questionnaire)
    organisation.practices = {action.id: "deels" for action in get_catalogue().actions()}
    for role in ROLES:
        version = questionnaire_for(role)
        answers = organisation.respondent(rng, role)
        assert version.validate_answers(answers) == {}, role
        sections = {version.item(item_id).section for item_id in answers}
        asked = {item.section for item in version.items()} - {"E"}
        assert sections == asked, role
    employee = organisation.respondent(rng, "medewerker")
    assert not any(item_id.startswith(("A_", "C_", "D_")) for item_id in employee)
    assert "B1_8" in employee and "B1_1" not in employee and "B1_2" not in employee
