"""An organisation's ratings of actions for one round: relevance and feasibility, 1–5.

The organisation rates the report's top 3, two actions outside the top 3 chosen at random
(`random_actions`), and any other action of the catalogue it picks. A rating belongs to the
round (one per action; a new one replaces the old) and records whether the action was in the
report's top 3, or one of the two asked at random, when it was rated. The evidence model weighs
the ratings by the round's profile probabilities (research: estimate_evidence); the random
ones keep its estimates from resting only on the actions the app itself recommends.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from leerkansen.content.catalogue import Action, get_catalogue
from leerkansen.survey.models import Assessment

from .models import ActionRating, Report, today

ASPECTS = ("relevance", "feasibility")
SCALE = tuple(ActionRating.SCALE)
# The error that concerns no single field: nothing rated at all.
NOTHING_RATED = "__all__"
# How many actions outside the top 3 the page asks about at random.
RANDOM_COUNT = 2


@dataclass(frozen=True)
class Rating:
    action_id: str
    relevance: int
    feasibility: int


def field_name(aspect: str, action_id: str) -> str:
    """The form field of one aspect of one action: "relevance-1.1"."""
    return f"{aspect}-{action_id}"


def recommended_actions(report: Report) -> list[str]:
    """The ids of the report's top 3, in their order."""
    return [item["action"] for item in report.top3]


def random_actions(
    report: Report, count: int = RANDOM_COUNT, rated_otherwise: Collection[str] = ()
) -> list[str]:
    """`count` actions of the catalogue outside the report's top 3, chosen at random per round.

    Random, but the same on every visit: a permutation of the catalogue seeded by the round's
    code (itself random), of which the first actions are taken that are neither in the top 3
    nor in `rated_otherwise` (rated before, but not as asked at random: chosen by the
    organisation, or in an earlier top 3). If the top 3 changes, an action that joins it is
    replaced by the next one of the same permutation.
    """
    skipped = set(recommended_actions(report)) | set(rated_otherwise)
    action_ids = sorted(action.id for action in get_catalogue().actions())
    # Not for secrecy: a fair draw that stays put for the round (the code is itself random).
    random.Random(f"ratings:{report.assessment.code}").shuffle(action_ids)  # noqa: S311
    return [action_id for action_id in action_ids if action_id not in skipped][:count]


def rated_otherwise(existing: Mapping[str, ActionRating]) -> set[str]:
    """The actions of the round's ratings that were not asked at random."""
    return {action_id for action_id, rating in existing.items() if not rating.asked_at_random}


def ratings_of(assessment: Assessment) -> dict[str, ActionRating]:
    """The round's ratings by action id."""
    return {rating.action_id: rating for rating in assessment.action_ratings.all()}


def known_actions(action_ids: Iterable[str]) -> list[str]:
    """The ids that name an action of the catalogue, each once, in the order given."""
    catalogue = get_catalogue()
    found: list[str] = []
    for action_id in action_ids:
        if catalogue.action(action_id) is not None and action_id not in found:
            found.append(action_id)
    return found


def actions_to_rate(
    recommended: Iterable[str],
    rated: Iterable[str],
    extra: Iterable[str],
    chosen_at_random: Iterable[str] = (),
) -> list[Action]:
    """The top 3 first, in their order; then the actions asked at random, in their order; then
    every other action rated or picked, in catalogue order. Unknown ids are left out."""
    catalogue = get_catalogue()
    first = known_actions([*recommended, *chosen_at_random])
    others = set(known_actions([*rated, *extra])) - set(first)
    return [catalogue.action(action_id) for action_id in first] + [
        action for action in catalogue.actions() if action.id in others
    ]


def read_ratings(
    data: Mapping[str, str], action_ids: Iterable[str]
) -> tuple[list[Rating], dict[str, str]]:
    """The ratings in posted form data, and the errors by field name.

    An action may be left unrated (both aspects empty); one aspect without the other, or a
    value other than 1 to 5, is an error on that field.
    """
    ratings: list[Rating] = []
    errors: dict[str, str] = {}
    for action_id in action_ids:
        values: dict[str, int] = {}
        given = {
            aspect: (data.get(field_name(aspect, action_id)) or "").strip() for aspect in ASPECTS
        }
        if not any(given.values()):
            continue
        for aspect, raw in given.items():
            name = field_name(aspect, action_id)
            if not raw:
                errors[name] = _("Choose a score here as well, or leave both questions open.")
            elif not raw.isdigit() or int(raw) not in SCALE:
                errors[name] = _("Choose a score from 1 to 5.")
            else:
                values[aspect] = int(raw)
        if len(values) == len(ASPECTS):
            ratings.append(Rating(action_id, values["relevance"], values["feasibility"]))
    return ratings, errors


@transaction.atomic
def save_ratings(
    assessment: Assessment,
    ratings: Iterable[Rating],
    recommended: Collection[str],
    chosen_at_random: Collection[str] = (),
) -> int:
    """Store the ratings of one round, replacing earlier ones of the same actions.

    `recommended` are the ids of the report's top 3 now, `chosen_at_random` those of the
    actions the page asked about at random (random_actions); whether a rating was asked at
    random is decided by its first version. Returns how many ratings are new or changed; an
    unchanged rating keeps its day of last change.
    """
    existing = ratings_of(assessment)
    changed = 0
    for rating in ratings:
        if rating.relevance not in SCALE or rating.feasibility not in SCALE:
            raise ValueError(f"{rating.action_id}: scores run from 1 to 5, not {rating}")
        old = existing.get(rating.action_id)
        is_recommended = rating.action_id in recommended
        # Asked at random stays what the first rating recorded: an action the organisation
        # rated of its own accord is not made random later, nor the other way round.
        first_at_random = old.asked_at_random if old else rating.action_id in chosen_at_random
        at_random = not is_recommended and first_at_random
        if old is not None and (
            old.relevance,
            old.feasibility,
            old.recommended,
            old.asked_at_random,
        ) == (rating.relevance, rating.feasibility, is_recommended, at_random):
            continue
        ActionRating.objects.update_or_create(
            assessment=assessment,
            action_id=rating.action_id,
            defaults={
                "relevance": rating.relevance,
                "feasibility": rating.feasibility,
                "recommended": is_recommended,
                "asked_at_random": at_random,
                "updated_on": today(),
            },
        )
        changed += 1
    return changed
