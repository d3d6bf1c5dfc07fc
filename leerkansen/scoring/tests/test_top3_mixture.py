"""The "mixture" top 3 (model 1.1.0): every part of the score, exclusions and properties."""

import math
import random
from dataclasses import replace

import pytest

from leerkansen.content.action_attributes import get_action_attributes
from leerkansen.content.catalogue import get_catalogue
from leerkansen.content.questionnaire import get_questionnaire
from leerkansen.scoring.context_fit import FITS, HINDERS, ContextFit
from leerkansen.scoring.coverage import _Organisation
from leerkansen.scoring.model import get_shipped_model
from leerkansen.scoring.profiles import assign_profile
from leerkansen.scoring.round_outcome import compute_outcome, group_answers
from leerkansen.scoring.top3 import (
    GroupAnswers,
    excluded_actions,
    recommend_mixture,
    score_actions_mixture,
)

MODEL = get_shipped_model("1.1.0")
OLD = get_shipped_model("1.0.0")
CATALOGUE = get_catalogue()
QUESTIONNAIRE = get_questionnaire()
ATTRIBUTES = get_action_attributes()
WEIGHTS = MODEL.top3_weights
SCORES = {1: 70.0, 2: 50.0, 3: 50.0, 4: 80.0, 5: 45.0, 6: 45.0, 7: 55.0, 8: 42.0, 9: 50.0}
ITEMS = [item.id for item in QUESTIONNAIRE.items("B")]


def group(**changes) -> GroupAnswers:
    base = GroupAnswers(
        respondents=4,
        facets={item: (2, 4) for item in ITEMS},
        context={},
        need_points={},
        need_chosen_by={},
        urgency={},
    )
    return replace(base, **changes)


def scored(scores=SCORES, needs=(), practices=None, answers=None, assignment=None):
    recs = score_actions_mixture(
        scores=scores,
        needs=list(needs),
        group=answers or group(),
        practices=practices or {},
        assignment=assignment or assign_profile(scores, MODEL),
        model=MODEL,
        catalogue=CATALOGUE,
        attributes=ATTRIBUTES,
    )
    return {rec.action_id: rec for rec in recs}


def recommend(scores=SCORES, needs=(), practices=None, answers=None):
    return recommend_mixture(
        scores=scores,
        needs=list(needs),
        group=answers or group(),
        practices=practices or {},
        assignment=assign_profile(scores, MODEL),
        model=MODEL,
        catalogue=CATALOGUE,
        attributes=ATTRIBUTES,
    )


def test_the_shipped_models_keep_their_own_method():
    assert (OLD.method, OLD.top3_weights) == ("dominant", None)
    assert MODEL.method == "mixture" and MODEL.evidence == OLD.evidence


def test_evidence_is_weighed_over_all_profiles_not_only_the_dominant_one():
    assignment = assign_profile(SCORES, MODEL)
    recs = scored(assignment=assignment)
    for action_id in ("1.1", "4.2", "8.1"):
        expected = math.fsum(
            p * MODEL.evidence[k][action_id] for k, p in assignment.probabilities.items()
        )
        parts = recs[action_id].components
        assert parts.evidence_mixture == pytest.approx(expected)
        assert parts.evidence_part == pytest.approx(WEIGHTS.evidence * expected)
    dominant = MODEL.evidence[assignment.dominant]
    assert any(recs[a].components.evidence_mixture != pytest.approx(dominant[a]) for a in dominant)


def test_facets_tell_the_actions_of_one_challenge_apart():
    challenge = CATALOGUE.challenge(1)
    first, *others = [action.id for action in challenge.actions]
    own = ATTRIBUTES.action(first).facet_items
    facets = {item: ((4, 4) if item in own else (0, 4)) for item in ITEMS}
    recs = scored(answers=group(facets=facets))
    parts = recs[first].components
    assert {(f.item_id, f.agree, f.answered) for f in parts.facets} == {(i, 4, 4) for i in own}
    # Shrunk once towards the challenge's share over all its items.
    items = [item.id for item in QUESTIONNAIRE.diagnostic_items(1)]
    whole = sum(4 for item in items if item in own) / (4 * len(items))
    assert parts.facet_share == pytest.approx((len(own) + whole) / (len(own) + 1))
    assert parts.facet_part == pytest.approx(WEIGHTS.facets * parts.facet_share)
    for other in others:
        if not ATTRIBUTES.action(other).facet_items <= own:
            assert recs[other].total < recs[first].total


def test_no_facet_answers_give_no_facet_part():
    recs = scored(answers=group(facets={item: (0, 0) for item in ITEMS}))
    assert all(rec.components.facet_share is None for rec in recs.values())
    assert all(rec.components.facet_part == 0 for rec in recs.values())


def reaching(value: str, present: bool) -> str:
    return next(
        entry.id for entry in ATTRIBUTES.actions if (value in entry.reach_values) == present
    )


def test_context_fits_actions_that_reach_people_at_a_distance_and_hinders_others():
    remote, on_site = reaching("at_distance", True), reaching("at_distance", False)
    recs = scored(answers=group(context={"A_sites": "4_10", "A_telework": "0_10"}))
    assert recs[remote].components.context == (ContextFit("A_sites", "4_10", FITS),)
    assert recs[on_site].components.context == (ContextFit("A_sites", "4_10", HINDERS),)
    assert recs[remote].components.context_part == pytest.approx(WEIGHTS.context.fits)
    assert recs[on_site].components.context_part == pytest.approx(-WEIGHTS.context.hinders)
    # Several distance answers count as one aspect.
    many = scored(answers=group(context={"A_sites": "11plus", "A_telework": "75plus"}))
    assert len(many[remote].components.context) == 2
    assert many[remote].components.context_part == pytest.approx(WEIGHTS.context.fits)


def test_working_alone_and_hr_capacity():
    alone, together = reaching("working_alone", True), reaching("working_alone", False)
    recs = scored(answers=group(context={"A_alone": "50_75"}))
    assert recs[alone].components.context == (ContextFit("A_alone", "50_75", FITS),)
    assert recs[together].components.context == (ContextFit("A_alone", "50_75", HINDERS),)
    hr = next(e.id for e in ATTRIBUTES.actions if "hr_capacity" in e.need_values)
    free = next(e.id for e in ATTRIBUTES.actions if "hr_capacity" not in e.need_values)
    for value in ("none", "lt1"):
        recs = scored(answers=group(context={"A_hr_capacity": value}))
        assert recs[hr].components.context == (ContextFit("A_hr_capacity", value, HINDERS),)
        assert recs[free].components.context == ()
    assert scored(answers=group(context={"A_hr_capacity": "2_5"}))[hr].components.context == ()


def test_unknown_context_is_neutral():
    # "Weet niet" is not in the group's context at all (round_outcome leaves it out).
    answers = [{"A_sites": None, "A_alone": None, "A_hr_capacity": None}] * 3
    assert group_answers(answers, QUESTIONNAIRE).context == {}
    recs = scored(answers=group(context={}))
    assert all(rec.components.context_part == 0 for rec in recs.values())


def test_the_groups_context_is_the_median_answer_whatever_the_order():
    answers = [{"A_sites": "1"}, {"A_sites": "11plus"}, {"A_sites": "4_10"}, {"A_sites": None}]
    assert group_answers(answers, QUESTIONNAIRE).context == {"A_sites": "4_10"}
    assert group_answers(answers[::-1], QUESTIONNAIRE).context == {"A_sites": "4_10"}


def test_need_points_share_and_urgency():
    base = group(need_points={4: 12}, need_chosen_by={4: 4})
    neutral = scored(needs=[4], answers=base)["4.1"].components
    assert (neutral.need_rank, neutral.need_points, neutral.need_chosen_by) == (1, 12, 4)
    assert neutral.need_part == pytest.approx(WEIGHTS.need * 12 / (3 * 4))
    urgent = scored(needs=[4], answers=replace(base, urgency={4: 5.0}))["4.1"].components
    calm = scored(needs=[4], answers=replace(base, urgency={4: 1.0}))["4.1"].components
    middle = scored(needs=[4], answers=replace(base, urgency={4: 3.0}))["4.1"].components
    assert middle.need_part == pytest.approx(neutral.need_part)
    assert calm.need_part < middle.need_part < urgent.need_part
    assert urgent.need_part == pytest.approx(neutral.need_part * (1 + WEIGHTS.urgency))
    assert scored(answers=base)["5.1"].components.need_part == 0


def test_partly_in_place_lowers_the_need_for_it():
    plain = scored(practices={"3.1": "nog_niet"})["3.1"]
    partly = scored(practices={"3.1": "deels"})["3.1"]
    assert partly.components.practice == "deels"
    assert partly.components.practice_part == -WEIGHTS.partly
    assert partly.total == pytest.approx(plain.total - WEIGHTS.partly)


def test_in_place_excludes_the_action_and_its_twins():
    twins = [a for a in CATALOGUE.actions() if a.related]
    assert twins
    for action in twins:
        assert excluded_actions({action.id: "al"}, CATALOGUE) == {action.id, *action.related}
    assert excluded_actions({twins[0].id: "nvt"}, CATALOGUE) == {twins[0].id}
    # 5.4 "al" leaves out 9.1 too, even when 9 is the first need.
    needs = [CATALOGUE.action("5.4").challenge_number, 9]
    answers = group(need_points={5: 12, 9: 8})
    top, also = recommend(needs=needs, practices={"5.4": "al"}, answers=answers)
    shown = {rec.action_id for rec in top + also}
    assert "5.4" not in shown and not shown & set(CATALOGUE.action("5.4").related)


def test_top3_and_also_strong():
    top, also = recommend(needs=[4, 1], answers=group(need_points={4: 12, 1: 8}))
    assert len(top) == 3 and len(also) == 3
    for listed in (top, also):
        assert [rec.total for rec in listed] == sorted((r.total for r in listed), reverse=True)
    capped = {c for c in range(1, 10) if sum(rec.challenge == c for rec in top) == 2}
    assert capped == {4}
    # "Ook sterk" holds the best actions after the top 3; one that outscores the third of the
    # top 3 is a third action of a challenge that has its two.
    for rec in also:
        assert rec.total <= top[-1].total or rec.challenge in capped
    chosen = [rec.action_id for rec in top + also]
    for action_id in chosen:
        assert not set(CATALOGUE.action(action_id).related) & set(chosen)


def test_the_largest_need_is_served_even_when_it_scores_low():
    # Challenge 8 is the only need, the third choice of one of four, and scores low: on their
    # totals the three best are two actions of challenge 4 and one of challenge 1.
    answers = group(need_points={8: 1}, need_chosen_by={8: 1})
    top, also = recommend(needs=[8], answers=answers)
    assert [rec.challenge for rec in top] == [4, 4, 8]
    # Its best action that is not related to the two actions kept (8.1 returns at 4.2).
    related = {r for rec in top[:2] for r in CATALOGUE.action(rec.action_id).related}
    of_8 = [
        rec
        for rec in scored(needs=[8], answers=answers).values()
        if rec.challenge == 8 and rec.action_id not in related
    ]
    assert top[-1].action_id == max(of_8, key=lambda rec: rec.total).action_id
    # The action it displaced leads the rest, unless a third action of 4 scores higher.
    on_totals_only = recommend(needs=[], answers=answers)[0]
    assert [rec.challenge for rec in on_totals_only] == [4, 4, 1]
    displaced = on_totals_only[-1]
    assert displaced.action_id in [rec.action_id for rec in also] or all(
        rec.challenge == 4 and rec.total >= displaced.total for rec in also
    )
    # Its actions in place ("al") leave the rule nothing to serve it with.
    practices = {a.id: "al" for a in CATALOGUE.actions() if a.challenge_number == 8}
    top, _also = recommend(needs=[8], answers=answers, practices=practices)
    assert 8 not in [rec.challenge for rec in top]


# --- Properties, on random plausible organisations drawn as in the coverage measure. ---


def organisations(count, seed):
    import numpy as np

    rng = np.random.default_rng(seed)
    action_ids = [action.id for action in CATALOGUE.actions()]
    for index in range(count):
        organisation = _Organisation(rng, MODEL, QUESTIONNAIRE)
        if index % 2:
            organisation.practices = {
                a: ("al", "deels", "nog_niet", "nvt")[rng.integers(4)] for a in action_ids
            }
        yield [organisation.respondent(rng) for _ in range(int(rng.integers(1, 8)))]


def outcome(responses):
    return compute_outcome(
        responses,
        questionnaire=QUESTIONNAIRE,
        catalogue=CATALOGUE,
        model=MODEL,
        attributes=ATTRIBUTES,
    )


def chosen(content):
    return [entry["action"] for entry in content["top3"] + content["also_strong"]]


def test_the_outcome_is_deterministic_and_does_not_depend_on_response_order():
    for responses in organisations(30, seed=3):
        first = outcome(responses)
        assert outcome(responses) == first
        shuffled = list(responses)
        random.Random(1).shuffle(shuffled)
        assert chosen(outcome(shuffled)) == chosen(first)


def test_the_largest_need_is_in_the_top3_whenever_it_has_an_action_to_show():
    for responses in organisations(40, seed=6):
        content = outcome(responses)
        if not content["needs"]:
            continue
        largest = content["needs"][0]["challenge"]
        excluded = excluded_actions(content["practices"], CATALOGUE)
        showable = [
            action.id
            for action in CATALOGUE.actions()
            if action.challenge_number == largest and action.id not in excluded
        ]
        if showable:
            assert largest in [entry["challenge"] for entry in content["top3"]]


def test_an_action_in_place_and_its_twins_never_appear():
    for responses in organisations(40, seed=4):
        content = outcome(responses)
        excluded = excluded_actions(content["practices"], CATALOGUE)
        assert not set(chosen(content)) & excluded


def test_the_same_answers_twice_change_nothing():
    for responses in organisations(30, seed=5):
        once, twice = outcome(responses), outcome(responses + responses)
        assert chosen(twice) == chosen(once)
        assert [e["total"] for e in twice["top3"]] == [e["total"] for e in once["top3"]]


def test_the_snapshot_holds_the_parts_and_no_sentence():
    responses = next(organisations(1, seed=6))
    content = outcome(responses)
    entry = content["top3"][0]
    assert "reason" not in entry and entry["respondents"] == len(responses)
    assert {
        "evidence_mixture",
        "need_rank",
        "need_points",
        "need_chosen_by",
        "urgency",
        "facets",
        "context",
        "practice",
    } <= set(entry["components"])
    assert {"item_id", "agree", "answered"} == set(entry["components"]["facets"][0])
    assert len(content["also_strong"]) == 3
    old = compute_outcome(responses, questionnaire=QUESTIONNAIRE, catalogue=CATALOGUE, model=OLD)
    assert old["also_strong"] == [] and all(e["reason"] for e in old["top3"])
    assert set(old["top3"][0]["components"]) == {
        "evidence",
        "evidence_part",
        "need_rank",
        "need_part",
        "severity",
        "severity_part",
    }
