"""Top 3: the three catalogue actions that fit an organisation best, with what explains them.

The model file's `method` chooses the score. "dominant" (model 1.0.0): the model's evidence
for the dominant profile, the organisation's ranked needs and its score on the action's
challenge (`recommend_top3`, with `reason_sentence`). "mixture" (1.1.0 on): the evidence over
all profiles, the group's needs with urgency, the item answers on the action's facets, the fit
with the context and what is (partly) in place (`recommend_mixture`), every part kept as plain
data for the report to word. Selection skips what is already in place and keeps the three
varied.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.translation import gettext, gettext_lazy

from leerkansen.content.action_attributes import ActionAttributesFile
from leerkansen.content.catalogue import Catalogue

from .context_fit import ContextFit, context_aspects, context_fit
from .model import ProfileModel
from .profiles import ProfileAssignment
from .scales import score_value

PRACTICE_STATES = frozenset({"al", "deels", "nog_niet", "nvt"})
# "al": already in place; "nvt": does not apply. Neither is worth recommending.
EXCLUDED_STATES = frozenset({"al", "nvt"})
TOP_N = 3
MAX_PER_CHALLENGE = 2
# Need points of a first, second and third choice (the same in round_outcome.NEED_POINTS).
NEED_POINTS_OF_RANK = (3, 2, 1)

# Evidence levels for the reason sentence: (lower bound, word), highest first.
EVIDENCE_LEVELS = (
    (0.75, gettext_lazy("strongly")),
    (0.5, gettext_lazy("well")),
    (0.3, gettext_lazy("reasonably")),
    (0.0, gettext_lazy("less")),
)
NEED_PHRASES = {
    1: gettext_lazy("you chose %(challenge)s as your largest need"),
    2: gettext_lazy("you chose %(challenge)s as your second largest need"),
    3: gettext_lazy("you chose %(challenge)s as your third largest need"),
}


@dataclass(frozen=True)
class ScoreComponents:
    """The parts of a personal score, kept so that the report can explain it."""

    evidence: float
    evidence_part: float
    need_rank: int | None
    need_part: float
    severity: float | None
    severity_part: float


@dataclass(frozen=True)
class Recommendation:
    action_id: str
    challenge: int
    total: float
    components: ScoreComponents


def _check_inputs(
    scores: Mapping[int, float | None],
    needs: Sequence[int],
    practices: Mapping[str, str],
    catalogue: Catalogue,
) -> None:
    numbers = {challenge.number for challenge in catalogue.challenges}
    if len(needs) > TOP_N:
        raise ValueError(f"at most {TOP_N} needs can be ranked, not {len(needs)}")
    if len(set(needs)) != len(needs):
        raise ValueError(f"a need is ranked twice: {list(needs)}")
    for number in needs:
        if number not in numbers:
            raise ValueError(f"need {number!r} is not a challenge number")
    for number, score in scores.items():
        if number not in numbers:
            raise ValueError(f"score for unknown challenge {number!r}")
        if score is not None and not (math.isfinite(score) and 0 <= score <= 100):
            raise ValueError(f"score of challenge {number} must be from 0 to 100, not {score!r}")
    for action_id, state in practices.items():
        if catalogue.action(action_id) is None:
            raise ValueError(f"practice for unknown action {action_id!r}")
        if state not in PRACTICE_STATES:
            raise ValueError(
                f"practice of action {action_id} is {state!r}, not one of "
                + ", ".join(sorted(PRACTICE_STATES))
            )


def score_actions(
    *,
    scores: Mapping[int, float | None],
    needs: Sequence[int],
    assignment: ProfileAssignment,
    model: ProfileModel,
    catalogue: Catalogue,
) -> list[Recommendation]:
    """The personal score of every catalogue action, in catalogue order (nothing left out)."""
    _check_inputs(scores, needs, {}, catalogue)
    weights = model.weights
    evidence_row = model.evidence.get(assignment.dominant)
    if evidence_row is None:
        raise ValueError(f"profile {assignment.dominant!r} is not in model {model.version}")
    ranks = {number: rank for rank, number in enumerate(needs, start=1)}
    scored = []
    for action in catalogue.actions():
        challenge = action.challenge_number
        evidence = evidence_row[action.id]
        need_rank = ranks.get(challenge)
        severity = scores.get(challenge)
        components = ScoreComponents(
            evidence=evidence,
            evidence_part=weights.evidence * evidence,
            need_rank=need_rank,
            need_part=weights.need.for_rank(need_rank),
            severity=severity,
            severity_part=weights.severity * severity / 100 if severity is not None else 0.0,
        )
        # Rounding makes equal totals really equal, so that ties fall to catalogue order and
        # not to the last bit of a float sum.
        total = round(components.evidence_part + components.need_part + components.severity_part, 9)
        scored.append(Recommendation(action.id, challenge, total, components))
    return scored


def recommend_top3(
    *,
    scores: Mapping[int, float | None],
    needs: Sequence[int],
    practices: Mapping[str, str],
    assignment: ProfileAssignment,
    model: ProfileModel,
    catalogue: Catalogue,
) -> list[Recommendation]:
    """The (at most) three best actions, best first.

    `needs` are challenge numbers, largest need first (at most three, unique); `practices` maps
    action id to "al", "deels", "nog_niet" or "nvt" (absent: unknown). Actions marked "al" or
    "nvt" are left out; at most two come from one challenge and never two related actions (the
    same practice in another challenge). Ties go to catalogue order. Raises ValueError on an
    unknown challenge, action or practice state.
    """
    _check_inputs(scores, needs, practices, catalogue)
    scored = score_actions(
        scores=scores, needs=needs, assignment=assignment, model=model, catalogue=catalogue
    )
    position = {rec.action_id: index for index, rec in enumerate(scored)}
    chosen: list[Recommendation] = []
    blocked: set[str] = set()
    per_challenge: dict[int, int] = {}
    for rec in sorted(scored, key=lambda rec: (-rec.total, position[rec.action_id])):
        if len(chosen) == TOP_N:
            break
        if practices.get(rec.action_id) in EXCLUDED_STATES or rec.action_id in blocked:
            continue
        if per_challenge.get(rec.challenge, 0) >= MAX_PER_CHALLENGE:
            continue
        chosen.append(rec)
        per_challenge[rec.challenge] = per_challenge.get(rec.challenge, 0) + 1
        action = catalogue.action(rec.action_id)
        blocked.update(action.related if action else ())
    return chosen


def evidence_level(evidence: float) -> str:
    """How well an action fits a profile, in words: strongly, well, reasonably, less."""
    return next(str(word) for bound, word in EVIDENCE_LEVELS if evidence >= bound)


def reason_sentence(rec: Recommendation, profile_name: str, challenge_title: str) -> str:
    """One sentence, in the active language, with the reason: need, score and evidence.

    In Dutch: "Je koos ‘Werk gaat voor’ als je grootste nood, deze uitdaging scoort 72 op 100
    en in organisaties met het profiel ‘Druk en verspreid’ past deze actie sterk (0,85)."
    """
    title = f"\u2018{challenge_title}\u2019"
    rank = rec.components.need_rank
    need = NEED_PHRASES[rank] % {"challenge": title} if rank is not None else None
    severity = rec.components.severity
    if severity is not None:
        # Half up, as people round: 72,5 reads as 73.
        values = {"challenge": title, "score": score_value(severity)}
        if need:
            score = gettext("this challenge scores %(score)s out of 100") % values
        else:
            score = gettext("%(challenge)s scores %(score)s out of 100") % values
    elif need:
        score = gettext("there is no score for this challenge (too few answers)")
    else:
        score = gettext("there is no score for %(challenge)s (too few answers)") % {
            "challenge": title
        }
    evidence = gettext(
        "in organisations with the profile %(profile)s this action fits %(level)s (%(value)s)"
    ) % {
        "profile": f"\u2018{profile_name}\u2019",
        "level": evidence_level(rec.components.evidence),
        "value": number_format(rec.components.evidence, 2),
    }
    if need:
        sentence = gettext("%(need)s, %(score)s and %(evidence)s.") % {
            "need": need,
            "score": score,
            "evidence": evidence,
        }
    else:
        sentence = gettext("%(score)s and %(evidence)s.") % {"score": score, "evidence": evidence}
    return sentence[0].upper() + sentence[1:]


# --- The "mixture" method (model 1.1.0 on): every part of what the organisation told us. ---

# The agreement answers that agree with the problem an item names: 4-5, or 1-2 on a reverse
# item (which names the absence of the problem).
AGREES_WITH_PROBLEM = frozenset({4, 5})
AGREES_WITH_PROBLEM_REVERSE = frozenset({1, 2})
NEUTRAL_URGENCY = 3
ALSO_STRONG_N = 3


@dataclass(frozen=True)
class FacetEvidence:
    """How many respondents agreed with the problem of one facet item, of those answering."""

    item_id: str
    agree: int
    answered: int


@dataclass(frozen=True)
class GroupAnswers:
    """What the respondents told us together, beyond the challenge scores.

    `facets`: per diagnostic item (agree, answered); `context`: per section A item the group's
    answer (missing: unknown); `need_points`, `need_chosen_by` and `urgency` per challenge
    (3-2-1 points, respondents naming it, mean urgency). `round_outcome.group_answers` builds it.
    """

    respondents: int
    facets: Mapping[str, tuple[int, int]]
    context: Mapping[str, str]
    need_points: Mapping[int, int]
    need_chosen_by: Mapping[int, int]
    urgency: Mapping[int, float]


@dataclass(frozen=True)
class MixtureComponents:
    """The parts of a "mixture" score, kept (as plain data) for the explanation."""

    evidence_mixture: float
    evidence_part: float
    need_rank: int | None
    need_points: int | None
    need_chosen_by: int | None
    urgency: float | None
    need_part: float
    severity: float | None
    severity_part: float
    facets: tuple[FacetEvidence, ...]
    facet_share: float | None
    facet_part: float
    context: tuple[ContextFit, ...]
    context_part: float
    practice: str | None
    practice_part: float


@dataclass(frozen=True)
class MixtureRecommendation:
    action_id: str
    challenge: int
    total: float
    components: MixtureComponents


def _challenge_shares(facets: Mapping[str, tuple[int, int]]) -> dict[int, float]:
    """Per challenge, the share agreeing with the problem over all its items' answers."""
    agree: Counter[int] = Counter()
    answered: Counter[int] = Counter()
    for item_id, (yes, given) in facets.items():
        challenge = int(item_id[1 : item_id.index("_")])
        agree[challenge] += yes
        answered[challenge] += given
    return {c: agree[c] / answered[c] for c in sorted(answered) if answered[c]}


def excluded_actions(practices: Mapping[str, str], catalogue: Catalogue) -> set[str]:
    """Actions not to recommend: "al" and "nvt", and the related actions (twins) of an "al"."""
    excluded = set()
    for action_id, state in practices.items():
        if state in EXCLUDED_STATES:
            excluded.add(action_id)
        if state == "al":
            action = catalogue.action(action_id)
            excluded.update(action.related if action else ())
    return excluded


def score_actions_mixture(
    *,
    scores: Mapping[int, float | None],
    needs: Sequence[int],
    group: GroupAnswers,
    practices: Mapping[str, str],
    assignment: ProfileAssignment,
    model: ProfileModel,
    catalogue: Catalogue,
    attributes: ActionAttributesFile,
) -> list[MixtureRecommendation]:
    """The "mixture" score of every catalogue action, in catalogue order (docs/scoring.md)."""
    _check_inputs(scores, needs, practices, catalogue)
    weights = model.top3_weights
    if weights is None:
        raise ValueError(f"model {model.version} has no top3_weights")
    if group.respondents < 1:
        raise ValueError("a score needs at least one respondent")
    ranks = {number: rank for rank, number in enumerate(needs, start=1)}
    probabilities = assignment.probabilities
    challenge_shares = _challenge_shares(group.facets)
    scored = []
    for action in catalogue.actions():
        challenge = action.challenge_number
        described = attributes.action(action.id)
        if described is None:
            raise ValueError(f"action {action.id} has no attributes")
        mixture = math.fsum(
            p * model.evidence[profile_id][action.id] for profile_id, p in probabilities.items()
        )
        points = group.need_points.get(challenge, 0)
        urgency = group.urgency.get(challenge)
        need_share = points / (len(NEED_POINTS_OF_RANK) * group.respondents)
        urgency_factor = (
            1.0
            if urgency is None
            else 1 + weights.urgency * (urgency - NEUTRAL_URGENCY) / (NEUTRAL_URGENCY - 1)
        )
        severity = scores.get(challenge)
        facets = tuple(
            FacetEvidence(item, *group.facets.get(item, (0, 0)))
            for item in sorted(described.facet_items)
        )
        shares = [facet.agree / facet.answered for facet in facets if facet.answered]
        # Shrunk towards the challenge as a whole (one pseudo-facet: the share over all its
        # items), so that an action answering one item is not favoured by chance.
        whole = challenge_shares.get(challenge)
        if shares and whole is not None:
            shares.append(whole)
        facet_share = math.fsum(shares) / len(shares) if shares else None
        context = context_fit(described, group.context)
        fitting, hindering = context_aspects(context)
        practice = practices.get(action.id)
        components = MixtureComponents(
            evidence_mixture=round(mixture, 9),
            evidence_part=weights.evidence * mixture,
            need_rank=ranks.get(challenge),
            need_points=points or None,
            need_chosen_by=group.need_chosen_by.get(challenge) or None,
            urgency=urgency,
            need_part=weights.need * need_share * urgency_factor,
            severity=severity,
            severity_part=weights.severity * severity / 100 if severity is not None else 0.0,
            facets=facets,
            facet_share=facet_share,
            facet_part=weights.facets * facet_share if facet_share is not None else 0.0,
            context=context,
            context_part=weights.context.fits * fitting - weights.context.hinders * hindering,
            practice=practice,
            practice_part=-weights.partly if practice == "deels" else 0.0,
        )
        total = round(
            math.fsum(
                (
                    components.evidence_part,
                    components.need_part,
                    components.severity_part,
                    components.facet_part,
                    components.context_part,
                    components.practice_part,
                )
            ),
            9,
        )
        scored.append(MixtureRecommendation(action.id, challenge, total, components))
    return scored


def recommend_mixture(
    *,
    scores: Mapping[int, float | None],
    needs: Sequence[int],
    group: GroupAnswers,
    practices: Mapping[str, str],
    assignment: ProfileAssignment,
    model: ProfileModel,
    catalogue: Catalogue,
    attributes: ActionAttributesFile,
) -> tuple[list[MixtureRecommendation], list[MixtureRecommendation]]:
    """(top 3, "ook sterk": the next three), best first, by the "mixture" score.

    Left out: "al" and "nvt" actions and the related actions of an "al" one. The top 3 takes at
    most two actions of one challenge; no list holds two related actions. Ties go to catalogue
    order. The organisation's largest need is always served: when the three best hold no action
    of it, its best action that may be shown takes the third place.
    """
    scored = score_actions_mixture(
        scores=scores,
        needs=needs,
        group=group,
        practices=practices,
        assignment=assignment,
        model=model,
        catalogue=catalogue,
        attributes=attributes,
    )
    excluded = excluded_actions(practices, catalogue)
    position = {rec.action_id: index for index, rec in enumerate(scored)}
    ranked = sorted(scored, key=lambda rec: (-rec.total, position[rec.action_id]))
    top, also = _pick(ranked, excluded, catalogue)
    largest_need = needs[0] if needs else None
    if len(top) == TOP_N and all(rec.challenge != largest_need for rec in top):
        kept = top[: TOP_N - 1]
        blocked = _related_of(kept, catalogue)
        serving = next(
            (
                rec
                for rec in ranked
                if rec.challenge == largest_need
                and rec.action_id not in excluded
                and rec.action_id not in blocked
            ),
            None,
        )
        if serving is not None:
            top, also = _pick(ranked, excluded, catalogue, chosen=[*kept, serving])
    return top, also


def _related_of(recs: Sequence[MixtureRecommendation], catalogue: Catalogue) -> set[str]:
    related: set[str] = set()
    for rec in recs:
        action = catalogue.action(rec.action_id)
        related.update(action.related if action else ())
    return related


def _pick(
    ranked: Sequence[MixtureRecommendation],
    excluded: set[str],
    catalogue: Catalogue,
    chosen: Sequence[MixtureRecommendation] = (),
) -> tuple[list[MixtureRecommendation], list[MixtureRecommendation]]:
    """The top 3 (starting from `chosen`), then "ook sterk": the three best actions after it.

    The cap per challenge holds for the top 3 only; neither list holds an excluded action or
    two related ones.
    """
    top: list[MixtureRecommendation] = list(chosen)
    per_challenge = Counter(rec.challenge for rec in top)

    def free(rec: MixtureRecommendation, listed: Sequence[MixtureRecommendation]) -> bool:
        return rec.action_id not in excluded | {r.action_id for r in listed} | _related_of(
            listed, catalogue
        )

    for rec in ranked:
        if len(top) == TOP_N:
            break
        if free(rec, top) and per_challenge[rec.challenge] < MAX_PER_CHALLENGE:
            top.append(rec)
            per_challenge[rec.challenge] += 1
    also: list[MixtureRecommendation] = []
    for rec in ranked:
        if len(also) == ALSO_STRONG_N:
            break
        if free(rec, [*top, *also]):
            also.append(rec)
    return top, also
