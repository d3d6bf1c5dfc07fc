"""The anonymity rule of the research exports: no group below the threshold within a round.

k is settings.ANONYMITY_THRESHOLD (5 by default, never below 3).

Per-round datasets (scores, practices, needs, ratings) hold only rounds whose report was made
from at least k completed responses: a "mean" of fewer than k people is close to their own
answers.

The per-respondent dataset (responses) follows four rules:

1. Closed rounds only. An open round gains respondents; two exports a day apart would show
   the new row, and so the answers of whoever answered in between. A closed round no longer
   changes (rounds are never reopened).
2. A round with fewer than k completed responses is left out entirely.
3. Within a round, the role columns (`role`, the link's role, and `A_role`, the role the
   respondent gave) are coarsened together: each combination held by at least k respondents
   is shown as it is; the others are merged into "overig" (in both columns). If that merged
   group would hold fewer than k respondents, the smallest shown combination joins it, until it
   holds at least k or nothing is left to show; then both columns are empty for the whole
   round. So every role value shown, "overig" included, covers at least k respondents of the
   round, and no small group can be found as the difference of the others (the complement).
4. No date finer than the round: the row gives the month the round opened, not the day or
   month someone answered; and rows come in the order of a random key, not the order in
   which people started (which an HR admin could match with the invitations).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Mapping
from typing import TypeVar

from django.conf import settings
from django.db.models import Count, OuterRef, Q, Subquery

from leerkansen.survey.models import Answer, Assessment, Response

from .codebook import MERGED_ROLE

MERGED = MERGED_ROLE
# The questionnaire's own question about the respondent's role: a column like `role`.
ROLE_ITEM = "A_role"

Key = TypeVar("Key", bound=Hashable)


def threshold() -> int:
    return settings.ANONYMITY_THRESHOLD


def coarsen(counts: Mapping[Key, int], k: int) -> dict[Key, Key | str | None] | None:
    """What each group of a round is shown as: itself, MERGED, or None (blanked).

    `counts` holds the number of respondents per group (every group of the round). None when
    the round has fewer than k respondents: it is left out.
    """
    total = sum(counts.values())
    if total < k:
        return None
    shown = {key for key, number in counts.items() if number >= k}

    def merged() -> int:
        return sum(number for key, number in counts.items() if key not in shown)

    while shown and 0 < merged() < k:
        # The smallest group shown joins the merged one (ties: in a fixed order).
        shown.remove(min(shown, key=lambda key: (counts[key], repr(key))))
    if not shown:
        return dict.fromkeys(counts)
    return {key: key if key in shown else MERGED for key in counts}


RoleKey = tuple[str, str | None]


def completed_responses(round_condition: Q):
    """The completed responses the per-respondent dataset may hold: closed rounds only."""
    return Response.objects.filter(round_condition).filter(
        completed_on__isnull=False, assessment__status=Assessment.Status.CLOSED
    )


def role_rules(round_condition: Q, k: int | None = None) -> dict[int, dict[RoleKey, object]]:
    """Per round id: (role, A_role) → what the row shows (see coarsen). Rounds left out are
    absent. One grouped query: the counts, not the rows, are read."""
    k = threshold() if k is None else k
    stated_role = Answer.objects.filter(response=OuterRef("pk"), item_id=ROLE_ITEM).values("code")[
        :1
    ]
    counts: dict[int, dict[RoleKey, int]] = defaultdict(dict)
    groups = (
        completed_responses(round_condition)
        .annotate(stated_role=Subquery(stated_role))
        .values("assessment_id", "role", "stated_role")
        .annotate(number=Count("pk"))
        .order_by()
    )
    for group in groups:
        key = (group["role"], group["stated_role"] or None)
        per_round = counts[group["assessment_id"]]
        per_round[key] = per_round.get(key, 0) + group["number"]
    rules = {}
    for round_id, per_round in counts.items():
        rule = coarsen(per_round, k)
        if rule is not None:
            rules[round_id] = rule
    return rules


def shown_roles(rule: Mapping[RoleKey, object], key: RoleKey) -> RoleKey | None:
    """The (role, A_role) a row shows, or None when its group was not counted (the row is
    then left out: it completed after the counts were read)."""
    if key not in rule:
        return None
    shown = rule[key]
    if shown is None:
        return (None, None)
    if shown == MERGED:
        return (MERGED, MERGED)
    return shown
