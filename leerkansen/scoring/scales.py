"""Scale scores: from 1-5 agreement answers to a 0-100 barrier score per challenge.

Higher always means the barrier weighs more: reverse-keyed items are flipped before averaging.
A challenge without enough answers gets no score (None); it is never guessed. Every caller
builds its items with `scale_items(questionnaire)` and scores one or several responses with
`scores_of`; a score is shown to people as `score_value` (a whole number, half up).

Each role answers its own version of the questionnaire, and answers given in an earlier
version keep their item ids: an item names the forms it belongs to (the sets of items one
respondent was asked together, "2.0.0:medewerker", "1.1.0"). A challenge is scored when the
answers cover at least 75% of the challenge's items of one form; the score is the mean over
every answered item of the challenge (docs/scoring.md, "Versions per role").
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from leerkansen.content.questionnaire import Questionnaire

MIN_ANSWER = 1
MAX_ANSWER = 5


@dataclass(frozen=True)
class ScaleItem:
    """One diagnostic item: its id, the challenge it measures, whether it is reverse-keyed and
    the forms (versions per role) that ask it; no forms: all items are one form."""

    id: str
    challenge: int
    reverse: bool
    forms: frozenset[str] = frozenset()


def scale_items(questionnaire: Questionnaire) -> list[ScaleItem]:
    """The questionnaire's diagnostic items, in questionnaire order."""
    return [ScaleItem(*spec) for spec in questionnaire.scale_items()]


_Answer = TypeVar("_Answer")


def reverse_keyed(answer: _Answer) -> _Answer:
    """The answer to a reverse-keyed item, flipped (6 - x) so that higher means a heavier barrier.

    Works on a number, a fraction or a numpy array of answers alike.
    """
    return MIN_ANSWER + MAX_ANSWER - answer


def _check_answer(item_id: str, value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"answer to {item_id} must be a number from 1 to 5, not {value!r}")
    if not (MIN_ANSWER <= value <= MAX_ANSWER):
        raise ValueError(f"answer to {item_id} must be from 1 to 5, not {value!r}")


def challenge_scores(
    answers: Mapping[str, float | None],
    items: Sequence[ScaleItem],
    min_share: float = 0.75,
) -> dict[int, float | None]:
    """The 0-100 score of every challenge that has items, in challenge order.

    `answers` maps item id to an agreement from 1 to 5 (a float is allowed: the mean of several
    respondents) or None for "weet niet"; a missing id counts as unanswered, ids of other
    items are ignored. Reverse-keyed answers are flipped (6 - x). The score is the mean keyed
    answer mapped to 0-100, rounded to one decimal; None when fewer than `min_share` of the
    items of every form of the challenge are answered (see `_enough_answered`).
    """
    if not 0 < min_share <= 1:
        raise ValueError(f"min_share must be in (0, 1], not {min_share}")
    by_challenge: dict[int, list[ScaleItem]] = {}
    seen: set[str] = set()
    for item in items:
        if item.id in seen:
            raise ValueError(f"item {item.id} occurs twice")
        seen.add(item.id)
        by_challenge.setdefault(item.challenge, []).append(item)

    scores: dict[int, float | None] = {}
    for challenge in sorted(by_challenge):
        challenge_items = by_challenge[challenge]
        keyed: list[Fraction] = []
        for item in challenge_items:
            value = answers.get(item.id)
            if value is None:
                continue
            _check_answer(item.id, value)
            # Fractions keep the arithmetic exact, so a score and its mirror image round alike
            # (27.75 → 27.8 and 72.25 → 72.2 add up to 100).
            exact = Fraction(value)
            keyed.append(reverse_keyed(exact) if item.reverse else exact)
        answered = {item.id for item in challenge_items if answers.get(item.id) is not None}
        if not keyed or not _enough_answered(challenge_items, answered, min_share):
            scores[challenge] = None
            continue
        mean = sum(keyed, Fraction(0)) / len(keyed)
        score = (mean - MIN_ANSWER) / (MAX_ANSWER - MIN_ANSWER) * 100
        scores[challenge] = float(round(score, 1))
    return scores


def _enough_answered(items: Sequence[ScaleItem], answered: set[str], min_share: float) -> bool:
    """Whether at least `min_share` of the items of one form are answered.

    Items without forms make one form together. One respondent is asked one form per
    challenge, so for them this is the 75% rule of their own version; for a group, enough
    answers to one whole version suffice and every answered item counts in the score.
    """
    forms: dict[str, list[str]] = {}
    for item in items:
        for form in item.forms or {""}:
            forms.setdefault(form, []).append(item.id)
    # The tolerance keeps shares such as 0.7 * 10 from missing by a rounding error.
    return any(
        sum(item_id in answered for item_id in ids) >= min_share * len(ids) - 1e-9
        for ids in forms.values()
    )


def aggregate_answers(responses: Sequence[Mapping[str, float | None]]) -> dict[str, float | None]:
    """The mean answer per item over several respondents, ignoring None.

    Items are listed in the order they are first met; an item nobody answered maps to None.
    """
    values: dict[str, list[float]] = {}
    for response in responses:
        for item_id, value in response.items():
            answered = values.setdefault(item_id, [])
            if value is not None:
                _check_answer(item_id, value)
                answered.append(value)
    return {
        item_id: math.fsum(answered) / len(answered) if answered else None
        for item_id, answered in values.items()
    }


def scores_of(
    responses: Sequence[Mapping[str, object]], items: Sequence[ScaleItem]
) -> dict[int, float | None]:
    """The challenge scores of one or several responses together (see challenge_scores).

    Only the answers to `items` count: per item the mean over the respondents
    (aggregate_answers), then the score per challenge. Answers to other items are ignored.
    """
    ids = {item.id for item in items}
    return challenge_scores(
        aggregate_answers(
            [{k: v for k, v in answers.items() if k in ids} for answers in responses]
        ),
        items,
    )


def score_value(score: float | None) -> int | None:
    """A 0-100 score as people read it: a whole number, rounded half up (72.5 → 73)."""
    return None if score is None else math.floor(score + 0.5)
