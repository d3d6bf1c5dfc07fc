"""Top 3: the three catalogue actions that fit an organisation best, each with its reason.

A personal score per action combines the model's evidence for the dominant profile with the
organisation's ranked needs and its score on the action's challenge; the weights come from the
model file. Selection then skips what is already in place and keeps the three varied.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.translation import gettext, gettext_lazy

from leerkansen.content.catalogue import Catalogue

from .model import ProfileModel
from .profiles import ProfileAssignment
from .scales import score_value

PRACTICE_STATES = frozenset({"al", "deels", "nog_niet", "nvt"})
# "al": already in place; "nvt": does not apply. Neither is worth recommending.
EXCLUDED_STATES = frozenset({"al", "nvt"})
TOP_N = 3
MAX_PER_CHALLENGE = 2

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
