"""Agreement between respondents, and the gap between groups: how alike people see a challenge.

Pure functions without Django; round_outcome.agreement_by_challenge applies `mean_item_rwg`
per challenge, the report words it with `agreement_level` next to the gap between the groups
it shows (`group_gap`).

Why the mean of the items' r_wg and not r_wg(J) (docs/scoring.md, "Agreement"): r_wg(J)
(James, Demaree & Wolf 1984) treats a challenge's J items as parallel measures and steps the
agreement up with J, like the Spearman-Brown formula: five items with moderate agreement each
read as strong agreement together (LeBreton & Senter 2008 warn about exactly this). The mean
of the single-item r_wg (James, Demaree & Wolf 1984, per item; averaged over the items as in
LeBreton & Senter 2008) stays on the scale of one item: five items with 0.5 each give 0.5.
The usual words (LeBreton & Senter 2008, table 3) then keep their meaning: from 0.71 strong,
from 0.51 moderate.

Agreement over everyone says nothing about agreement between groups: 5 line managers at 25 and
7 employees at 75 each agree among themselves. So the report never calls a challenge agreed
when the groups it shows are more than GAP_LIMIT points apart (`agreement_level`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# The words for the mean item r_wg (LeBreton & Senter 2008, table 3): above 0.70 strong,
# above 0.50 moderate, else little agreement.
STRONG_AGREEMENT = 0.70
MODERATE_AGREEMENT = 0.50

# A gap of more than this many points (0-100) between two groups shown apart on a challenge:
# they see it very differently, and the report never calls the challenge agreed. A report
# convention set in issue 14 (a fifth of the scale), not a finding.
GAP_LIMIT = 20


def mean_item_rwg(item_answers: Mapping[str, Sequence[float]], options: int = 5) -> float | None:
    """Within-group agreement over the items of one scale: the mean of the items' r_wg.

    `item_answers` maps each item to the respondents' answers (keyed or not: flipping an item
    does not change its variance), on a scale of 1 to `options`. Per item with s² the sample
    variance (n − 1) of its answers and σ²_EU = (A² − 1) / 12 the variance of a uniform "no
    agreement at all" answer pattern on A options:

        r_wg = 1 − s²/σ²_EU, clipped to 0 when the answers spread more than random ones

    (James, Demaree & Wolf 1984; the clip as LeBreton & Senter 2008 advise), then the mean
    over the items. 1 means everyone gave the same answers; 0 answers as spread as random
    ones. Items with fewer than two answers are left out; None when no item has two answers.
    Raises ValueError for an answer outside 1..options or fewer than 2 options.

    >>> mean_item_rwg({"a": [3, 4], "b": [2, 2, 2]})
    0.875
    """
    if options < 2:
        raise ValueError(f"a scale needs at least 2 options, not {options}")
    uniform = (options**2 - 1) / 12
    per_item = []
    for item_id, answers in item_answers.items():
        for value in answers:
            if isinstance(value, bool) or not 1 <= value <= options:
                raise ValueError(f"answer to {item_id} must be from 1 to {options}, not {value!r}")
        if len(answers) >= 2:
            per_item.append(max(0.0, 1 - _sample_variance(answers) / uniform))
    if not per_item:
        return None
    return min(1.0, math.fsum(per_item) / len(per_item))


def _sample_variance(values: Sequence[float]) -> float:
    mean = math.fsum(values) / len(values)
    return math.fsum((value - mean) ** 2 for value in values) / (len(values) - 1)


@dataclass(frozen=True)
class Gap:
    """The lowest and the highest group on a challenge, and the points between them."""

    low: str
    low_value: int
    high: str
    high_value: int

    @property
    def points(self) -> int:
        return self.high_value - self.low_value

    @property
    def large(self) -> bool:
        """More than GAP_LIMIT points: the groups see this very differently."""
        return self.points > GAP_LIMIT


def group_gap(values: Mapping[str, int | None]) -> Gap | None:
    """The gap between the groups shown apart on one challenge, from their whole-point scores.

    None with fewer than two groups with a score. Equal values keep the groups' order (the
    first of them is the low one, the last the high one).

    >>> group_gap({"leidinggevende": 25, "medewerker": 75})
    Gap(low='leidinggevende', low_value=25, high='medewerker', high_value=75)
    >>> group_gap({"medewerker": 75, "hr": None}) is None
    True
    """
    scored = [(group, value) for group, value in values.items() if value is not None]
    if len(scored) < 2:
        return None
    low = min(scored, key=lambda pair: pair[1])
    high = max(reversed(scored), key=lambda pair: pair[1])
    return Gap(low[0], low[1], high[0], high[1])


def agreement_level(agreement: float | None, gap: Gap | None = None) -> str:
    """The agreement on a challenge as a level for the report's words.

    "split" when the groups shown apart are more than GAP_LIMIT points apart (whatever the
    index says: everyone's answers cannot be called agreed then); else "strong" above 0.70,
    "moderate" above 0.50, "little" below, "unknown" without a value.

    >>> agreement_level(0.9, Gap("leidinggevende", 25, "medewerker", 75))
    'split'
    >>> agreement_level(0.9), agreement_level(0.6), agreement_level(0.5), agreement_level(None)
    ('strong', 'moderate', 'little', 'unknown')
    """
    if gap is not None and gap.large:
        return "split"
    if agreement is None:
        return "unknown"
    if agreement > STRONG_AGREEMENT:
        return "strong"
    if agreement > MODERATE_AGREEMENT:
        return "moderate"
    return "little"
