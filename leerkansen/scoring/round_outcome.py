"""The round outcome across respondents: what a round's report holds, from its responses.

Pure functions: the caller passes in the questionnaire, the catalogue, the profile model and
the thresholds; nothing here reads settings or the database (reports.services does that).
From the completed responses of a round, taken together:

- the scores: per item the mean answer over the respondents, then a score per challenge
  (scales.scores_of);
- the profile (profiles.assign_profile) and the top 3 (top3.recommend_top3);
- the needs: each respondent ranks up to three challenges; a first choice earns 3 points, a
  second 2, a third 1 (NEED_POINTS). The three challenges with the most points are the
  round's needs, ties to the challenge more respondents chose first, then to the lower
  number (never to the order of the responses); with each its mean urgency;
- the practices: per action the state most respondents gave, ties to the more cautious state
  (PRACTICE_TIE_ORDER);
- the agreement per challenge (agreement.mean_item_rwg), the open answers once there are
  enough responses to keep their writers unknown and, in a closed round's final state only,
  the counts per role and the scores of the groups the anonymity rule shows apart
  (anonymity.report_groups). That rule may leave small roles out of every figure: then all
  of the above but the open answers comes from the responses it counts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict

from leerkansen.content.action_attributes import ActionAttributesFile, get_action_attributes
from leerkansen.content.catalogue import Catalogue
from leerkansen.content.questionnaire import AGREEMENT_VALUES, Questionnaire

from .agreement import mean_item_rwg
from .anonymity import report_groups, role_counts
from .context_fit import CONTEXT_ITEMS
from .model import ProfileModel
from .profiles import ProfileAssignment, assign_profile
from .scales import scale_items, scores_of
from .top3 import (
    AGREES_WITH_PROBLEM,
    AGREES_WITH_PROBLEM_REVERSE,
    GroupAnswers,
    MixtureRecommendation,
    reason_sentence,
    recommend_mixture,
    recommend_top3,
)

# One respondent's answers by item id: a number, a code, a text or None.
Answers = Mapping[str, object]
# One completed response: the respondent's role and their answers.
RoleAnswers = tuple[str, Answers]

NEED_POINTS = (3, 2, 1)
# When respondents disagree on a practice, the most cautious state wins a tie: recommending
# something that partly exists is better than hiding it.
PRACTICE_TIE_ORDER = ("deels", "nog_niet", "al", "nvt")


def ranked_needs(responses: Sequence[Answers], questionnaire: Questionnaire) -> list[dict]:
    """The three largest needs over all respondents (3-2-1 points), with the mean urgency.

    Equal points go to the need more respondents chose first, then to the lower challenge
    number: the order never depends on the order of the responses.
    """
    points: Counter[int] = Counter()
    chosen_first: Counter[int] = Counter()
    urgencies: dict[int, list[int]] = {}
    for answers in responses:
        for rank, (need_id, urgency_id) in enumerate(questionnaire.need_items()):
            challenge = answers.get(need_id)
            if not isinstance(challenge, int):
                continue
            points[challenge] += NEED_POINTS[rank]
            chosen_first[challenge] += rank == 0
            urgency = answers.get(urgency_id) if urgency_id else None
            if isinstance(urgency, int):
                urgencies.setdefault(challenge, []).append(urgency)
    order = sorted(points, key=lambda c: (-points[c], -chosen_first[c], c))[: len(NEED_POINTS)]
    return [
        {
            "challenge": challenge,
            "urgency": round(sum(urgencies[challenge]) / len(urgencies[challenge]), 1)
            if urgencies.get(challenge)
            else None,
        }
        for challenge in order
    ]


def need_tallies(
    responses: Sequence[Answers], questionnaire: Questionnaire
) -> tuple[dict[int, int], dict[int, int], dict[int, float]]:
    """Per challenge: its 3-2-1 points, how many respondents named it, its mean urgency.

    The urgency is rounded to 1 decimal, as in `ranked_needs`; a challenge nobody gave an
    urgency has none.
    """
    points: Counter[int] = Counter()
    chosen_by: Counter[int] = Counter()
    urgencies: dict[int, list[int]] = {}
    for answers in responses:
        named = set()
        for rank, (need_id, urgency_id) in enumerate(questionnaire.need_items()):
            challenge = answers.get(need_id)
            if not isinstance(challenge, int):
                continue
            points[challenge] += NEED_POINTS[rank]
            named.add(challenge)
            urgency = answers.get(urgency_id) if urgency_id else None
            if isinstance(urgency, int):
                urgencies.setdefault(challenge, []).append(urgency)
        chosen_by.update(named)
    mean_urgency = {c: round(sum(u) / len(u), 1) for c, u in sorted(urgencies.items())}
    return dict(sorted(points.items())), dict(sorted(chosen_by.items())), mean_urgency


def facet_answers(
    responses: Sequence[Answers], questionnaire: Questionnaire
) -> dict[str, tuple[int, int]]:
    """Per diagnostic item (respondents agreeing with the problem, respondents answering).

    Agreeing with the problem is 4-5 on an item that names it and 1-2 on a reverse item (which
    names its absence); "weet niet" is not an answer.
    """
    result = {}
    for item in scale_items(questionnaire):
        agreeing = AGREES_WITH_PROBLEM_REVERSE if item.reverse else AGREES_WITH_PROBLEM
        values = [v for answers in responses if isinstance(v := answers.get(item.id), int)]
        result[item.id] = (sum(v in agreeing for v in values), len(values))
    return result


def group_context(responses: Sequence[Answers], questionnaire: Questionnaire) -> dict[str, str]:
    """The group's answer to each context item the top 3 uses: the (lower) median answer.

    In the order of the item's options, so that it does not depend on the order of the
    responses; "weet niet" and no answer are left out, an item nobody answered is absent.
    """
    context = {}
    for item_id in CONTEXT_ITEMS:
        item = questionnaire.item(item_id)
        if item is None:
            continue
        order = [option.value for option in item.options if option.value is not None]
        given = sorted(
            order.index(value) for answers in responses if (value := answers.get(item_id)) in order
        )
        if given:
            context[item_id] = str(order[given[(len(given) - 1) // 2]])
    return context


def group_answers(responses: Sequence[Answers], questionnaire: Questionnaire) -> GroupAnswers:
    """What the respondents told us together, for the "mixture" top 3."""
    points, chosen_by, urgency = need_tallies(responses, questionnaire)
    return GroupAnswers(
        respondents=len(responses),
        facets=facet_answers(responses, questionnaire),
        context=group_context(responses, questionnaire),
        need_points=points,
        need_chosen_by=chosen_by,
        urgency=urgency,
    )


def _as_json(value: object) -> object:
    """Tuples as lists, so that a snapshot equals itself after a trip through JSON."""
    if isinstance(value, dict):
        return {key: _as_json(inner) for key, inner in value.items()}
    if isinstance(value, list | tuple):
        return [_as_json(inner) for inner in value]
    return value


def _mixture_entry(rec: MixtureRecommendation, respondents: int) -> dict:
    return {
        "action": rec.action_id,
        "challenge": rec.challenge,
        "total": rec.total,
        "components": _as_json(asdict(rec.components)),
        "respondents": respondents,
    }


def agreed_practices(responses: Sequence[Answers], questionnaire: Questionnaire) -> dict[str, str]:
    """Per action the state most respondents gave ("al", "deels", "nog_niet", "nvt").

    A row that stands for several actions (one practice, e.g. 1.1 and 2.2) votes for each of
    them; a retired row still votes with the answers stored for it. "Weet niet" is no vote.
    """
    votes: dict[str, Counter[str]] = {}
    for item in questionnaire.items():
        for action in item.actions or ((item.action,) if item.action else ()):
            votes.setdefault(action, Counter()).update(
                state for answers in responses if (state := answers.get(item.id))
            )
    return {
        action: min(tally, key=lambda state: (-tally[state], PRACTICE_TIE_ORDER.index(state)))
        for action, tally in votes.items()
        if tally
    }


def profile_entry(assignment: ProfileAssignment, model: ProfileModel) -> dict:
    """The report's "profile": the dominant profile with its probability, every profile's
    probability, the runner-up (named when the dominant one is not clear), the nearest
    prototype, and the model's status and note."""
    profile = model.profile(assignment.dominant)
    runner_up = None
    if assignment.runner_up:
        runner = model.profile(assignment.runner_up)
        runner_up = {
            "id": runner.id,
            "name": runner.name,
            "probability": assignment.probabilities[runner.id],
        }
    return {
        "id": profile.id,
        "name": profile.name,
        "description": profile.description,
        "probability": assignment.dominant_probability,
        "probabilities": assignment.probabilities,
        "runner_up": runner_up,
        "nearest_prototype": assignment.nearest_prototype,
        "model_status": model.status,
        "model_note": model.description_nl,
    }


def compute_outcome(
    responses: Sequence[Answers],
    *,
    questionnaire: Questionnaire,
    catalogue: Catalogue,
    model: ProfileModel,
    attributes: ActionAttributesFile | None = None,
) -> dict:
    """Scores, profile, top 3 ("also_strong": the next three), needs and practices.

    The model's `method` chooses the top 3: "dominant" (1.0.0) stores each action with its
    reason sentence and parts, as it always did; "mixture" stores the parts as plain data
    (`top3.MixtureComponents`) and the number of respondents, no sentence. `attributes`: the
    action attributes (default: the active file), used by "mixture" only.
    """
    scores = scores_of(responses, scale_items(questionnaire))
    needs = ranked_needs(responses, questionnaire)
    practices = agreed_practices(responses, questionnaire)
    assignment = assign_profile(scores, model)
    profile = model.profile(assignment.dominant)
    need_order = [need["challenge"] for need in needs]
    if model.method == "mixture":
        top, also = recommend_mixture(
            scores=scores,
            needs=need_order,
            group=group_answers(responses, questionnaire),
            practices=practices,
            assignment=assignment,
            model=model,
            catalogue=catalogue,
            attributes=attributes or get_action_attributes(),
        )
        top3 = [_mixture_entry(rec, len(responses)) for rec in top]
        also_strong = [_mixture_entry(rec, len(responses)) for rec in also]
    else:
        top3 = [
            {
                "action": rec.action_id,
                "challenge": rec.challenge,
                "reason": reason_sentence(
                    rec, profile.name, catalogue.challenge(rec.challenge).title
                ),
                "components": asdict(rec.components),
            }
            for rec in recommend_top3(
                scores=scores,
                needs=need_order,
                practices=practices,
                assignment=assignment,
                model=model,
                catalogue=catalogue,
            )
        ]
        also_strong = []
    return {
        "questionnaire_version": questionnaire.version,
        "model_version": model.version,
        "catalogue_version": catalogue.version,
        "response_count": len(responses),
        "scores": {str(number): score for number, score in scores.items()},
        "profile": profile_entry(assignment, model),
        # The model's own cut-off, kept so that the report words how sure its profile is
        # as it did when it was made.
        "dominance_threshold": model.dominance_threshold,
        "top3": top3,
        "also_strong": also_strong,
        "needs": needs,
        "practices": practices,
    }


def scores_by_group(
    responses: Sequence[RoleAnswers],
    groups: Mapping[str, Sequence[str]],
    questionnaire: Questionnaire,
) -> dict[str, dict[str, float | None]]:
    """The challenge scores of each group (key → its roles), from its own responses alone."""
    items = scale_items(questionnaire)
    result = {}
    for key in sorted(groups):
        scores = scores_of([answers for role, answers in responses if role in groups[key]], items)
        result[key] = {str(number): score for number, score in scores.items()}
    return result


def agreement_by_challenge(
    responses: Sequence[Answers], questionnaire: Questionnaire
) -> dict[str, float | None]:
    """The mean item r_wg per challenge over the respondents ("weet niet" left out), rounded to
    2 decimals. None for a challenge that fewer than two respondents answered.
    """
    options = len(AGREEMENT_VALUES)
    challenges = sorted({item.challenge for item in scale_items(questionnaire)})
    agreement: dict[str, float | None] = {}
    for challenge in challenges:
        item_answers = {
            item.id: [
                value for answers in responses if isinstance(value := answers.get(item.id), int)
            ]
            for item in questionnaire.diagnostic_items(challenge)
        }
        value = mean_item_rwg(item_answers, options=options)
        agreement[str(challenge)] = None if value is None else round(value, 2)
    return agreement


def open_answers(
    responses: Sequence[Answers], questionnaire: Questionnaire
) -> dict[str, list[str]]:
    """The answers to each open question, sorted alphabetically so their order tells nothing.

    Not in the order they came in: that order would match the moment someone answered.
    """
    result = {}
    for item in questionnaire.items():
        if item.scale != "text":
            continue
        texts = [
            value.strip()
            for answers in responses
            if isinstance(value := answers.get(item.id), str) and value.strip()
        ]
        result[item.id] = sorted(texts, key=lambda text: (text.casefold(), text))
    return result


def round_outcome(
    responses: Sequence[RoleAnswers],
    *,
    questionnaire: Questionnaire,
    catalogue: Catalogue,
    model: ProfileModel,
    threshold: int,
    free_text_threshold: int,
    final: bool = True,
    steps: Sequence[Mapping[str, int]] = (),
    last_step_published: bool = False,
    protected: Mapping[str, int] | None = None,
) -> dict:
    """Everything a report stores, from a round's completed responses.

    Only a `final` state (a closed round's) holds anything per role: the counts per role, and
    the scores of the groups the anonymity rule shows apart with `threshold` and the earlier
    published `steps` (anonymity.report_groups; a merged group under a key like "hr+directie";
    `last_step_published`: the round closed without new responses, so an open state published
    the last step already). The outcome (scores, profile, top 3, needs, practices, agreement)
    comes from the responses the rule counts, together: all of them, unless it leaves small
    roles out (then `response_count` is below the sum of `role_counts`). Open answers are kept
    from all responses, only from `free_text_threshold` of them (else empty, with
    free_text_allowed False). The thresholds are kept with the outcome, so that the report says
    what it was made with.
    """
    counts = role_counts([role for role, _answers in responses]) if final else {}
    # `protected`: the counts the threshold applies to, when some answers were entered by the
    # organisation (anonymity.protected_counts; `steps` are then counted the same way).
    protected = (protected if protected is not None else counts) if final else {}
    # Not final: no counts, so no group; the call still refuses a threshold below the floor.
    plan = report_groups(
        protected, threshold, steps if final else (), last_step_published=last_step_published
    )
    counted = [(role, answers) for role, answers in responses if plan.counted(role)]
    answers = [answers for _role, answers in counted]
    free_text_allowed = len(responses) >= free_text_threshold
    return {
        **compute_outcome(answers, questionnaire=questionnaire, catalogue=catalogue, model=model),
        "role_counts": counts,
        "role_scores": scores_by_group(counted, plan.shown, questionnaire),
        "agreement": agreement_by_challenge(answers, questionnaire),
        "free_text": open_answers([answers for _role, answers in responses], questionnaire)
        if free_text_allowed
        else {},
        "free_text_allowed": free_text_allowed,
        "anonymity_threshold": threshold,
        "free_text_threshold": free_text_threshold,
        "final": final,
    }
