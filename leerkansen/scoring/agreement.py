"""Agreement between respondents: r_wg(J), how alike several people answered one scale.

A pure function without Django; round_outcome.agreement_by_challenge applies it per challenge.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence


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
