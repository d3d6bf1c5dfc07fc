"""Several respondents, one organisation: counts per role, which roles may be shown, agreement.

Pure functions without Django. The report of a round is computed from all its completed
responses; these functions decide what of the breakdown by role can be shown without singling
anyone out, and how much the respondents agree.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence

# Below this, a group of respondents is too small to show on its own, whatever the settings say.
MIN_THRESHOLD = 3

# The respondent roles in a fixed order. It breaks ties when complementary suppression must
# choose between equally small groups: the earlier role is hidden, so "medewerker" (usually
# the largest group and the one people want to compare) stays visible longest. Roles not
# listed here come after these, by name.
ROLE_ORDER = ("hr", "directie", "leidinggevende", "medewerker")


def role_counts(roles: Sequence[str]) -> dict[str, int]:
    """How many responses each role has, e.g. ["hr", "medewerker", "hr"] → {"hr": 2, ...}.

    Roles come out in ROLE_ORDER (unknown roles after them, by name); roles without a
    response are not listed.
    """
    counts = Counter(roles)
    return {role: counts[role] for role in sorted(counts, key=_role_rank)}


def visible_groups(counts: Mapping[str, int], threshold: int) -> set[str]:
    """The roles whose own results may be shown next to the total of all responses.

    A role is shown when it has at least `threshold` responses. The total of all responses is
    always shown, so the total minus the visible roles gives away the hidden responses taken
    together: with one hidden role, that role itself. So when the hidden responses together
    are fewer than `threshold` and some role is visible, the smallest visible role is hidden
    as well (complementary suppression). Then the hidden responses are at least `threshold`
    and belong to at least two roles: no hidden role can be derived on its own, and what can
    be derived (all hidden responses together) is as large as a group that may be shown.

    Examples with threshold 5:

    >>> sorted(visible_groups({"medewerker": 6, "leidinggevende": 4, "hr": 1}, 5))
    ['medewerker']
    >>> sorted(visible_groups({"medewerker": 6, "hr": 5, "leidinggevende": 1}, 5))
    ['medewerker']
    >>> sorted(visible_groups({"medewerker": 6, "hr": 1}, 5))
    []
    >>> sorted(visible_groups({"medewerker": 6, "leidinggevende": 2, "hr": 1}, 5))
    []
    >>> sorted(visible_groups({"medewerker": 6, "hr": 5, "leidinggevende": 0}, 5))
    ['hr', 'medewerker']

    In the first example the 4 managers and the 1 HR respondent are hidden together (5
    responses): nothing more is hidden. In the fourth, the 3 hidden responses would be known
    together, so the employees are hidden too.

    Ties between the smallest visible roles are broken by ROLE_ORDER: the earlier role is
    hidden. Raises ValueError for a threshold below 3 or a negative count.
    """
    if threshold < MIN_THRESHOLD:
        raise ValueError(
            f"the anonymity threshold must be at least {MIN_THRESHOLD}, not {threshold}"
        )
    for role, count in counts.items():
        if count < 0:
            raise ValueError(f"role {role!r} has a negative count: {count}")
    visible = {role for role, count in counts.items() if count >= threshold}
    hidden = sum(count for count in counts.values() if count < threshold)
    if visible and 0 < hidden < threshold:
        # One extra role is enough: it has at least `threshold` responses of its own.
        smallest = min(visible, key=lambda role: (counts[role], _role_rank(role)))
        visible.discard(smallest)
    return visible


def rwg_j(item_answers: Mapping[str, Sequence[float]], options: int = 5) -> float | None:
    """Within-group agreement r_wg(J) over the items of one scale (James, Demaree & Wolf 1984).

    `item_answers` maps each item to the respondents' answers (keyed or not: flipping an item
    does not change its variance), on a scale of 1 to `options`. With J items, s̄² the mean of
    the items' sample variances (n − 1) and σ²_EU = (A² − 1) / 12 the variance of a uniform
    "no agreement at all" answer pattern on A options:

        r_wg(J) = J(1 − s̄²/σ²_EU) / (J(1 − s̄²/σ²_EU) + s̄²/σ²_EU)

    1 means everyone gave the same answers; 0 means answers as spread as random ones. More
    spread than random (s̄² ≥ σ²_EU) is clipped to 0 (LeBreton & Senter 2008). Items with
    fewer than two answers are left out; None when no item has two answers (fewer than two
    respondents). Raises ValueError for an answer outside 1..options or fewer than 2 options.
    """
    if options < 2:
        raise ValueError(f"a scale needs at least 2 options, not {options}")
    variances = []
    for item_id, answers in item_answers.items():
        for value in answers:
            if isinstance(value, bool) or not 1 <= value <= options:
                raise ValueError(f"answer to {item_id} must be from 1 to {options}, not {value!r}")
        if len(answers) >= 2:
            variances.append(_sample_variance(answers))
    if not variances:
        return None
    items = len(variances)
    ratio = math.fsum(variances) / items / ((options**2 - 1) / 12)
    if ratio >= 1:
        return 0.0
    agreement = items * (1 - ratio)
    return min(1.0, max(0.0, agreement / (agreement + ratio)))


def _sample_variance(values: Sequence[float]) -> float:
    mean = math.fsum(values) / len(values)
    return math.fsum((value - mean) ** 2 for value in values) / (len(values) - 1)


def _role_rank(role: str) -> tuple[int, str]:
    return (ROLE_ORDER.index(role) if role in ROLE_ORDER else len(ROLE_ORDER), role)
