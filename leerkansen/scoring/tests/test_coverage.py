"""The top 3's coverage on random plausible organisations (issue 13), on a fixed seed."""

from leerkansen.content.action_attributes import get_action_attributes
from leerkansen.content.catalogue import get_catalogue
from leerkansen.content.questionnaire import get_questionnaire
from leerkansen.scoring.coverage import measure_coverage
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
