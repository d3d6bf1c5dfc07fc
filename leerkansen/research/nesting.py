"""Respondents within rounds, and roles answering the same items: pure functions, no Django.

A round's report averages its respondents. Whether that average says something about the
organisation, and whether an item means the same to an employee as to a manager, is checked
here (issue 15, item 4; docs/scoring.md "Nesting and roles"):

- `icc_oneway`: ICC(1) and ICC(2) of a one-way random-effects ANOVA with rounds as groups
  (Bliese 2000). With MSB and MSW the between- and within-round mean squares, N respondents
  in J rounds and k0 = (N − Σ n_j² / N) / (J − 1) the size of a round (equal to n when all
  rounds have n respondents):
      ICC(1) = (MSB − MSW) / (MSB + (k0 − 1) · MSW)   the share of a respondent's score that
                                                     lies between rounds;
      ICC(2) = (MSB − MSW) / MSB                      the reliability of a round's mean.
  Both can be negative in a sample (then the rounds differ less than chance would make them).
- `respondent_scores`: each respondent's 0-100 score per challenge from a respondents × items
  matrix, over the items their role is asked, with the app's 75% rule (scoring.scales).
- `omega_by_role`: McDonald's ω per challenge for each role, over the items that role answers.
- `items_across_roles`: per item and role, the keyed mean and the one-factor loading; an item
  is flagged when its between-role difference, in standard deviations of the item, departs
  from the difference of its challenge's score by more than MEAN_SHIFT_FLAG (uniform
  differential functioning: the role differs on this item, not on the challenge), or when
  its loadings differ between roles by more than LOADING_GAP_FLAG (it measures the challenge
  less well for one role). Both limits are screening conventions (a "medium" half standard
  deviation; a loading gap of 0.2 as used in metric-invariance screening), not findings: a
  flag asks the researcher to look, with a multi-group factor model, before pooling roles.

Only roles with at least `min_respondents` complete rows count (the dashboard passes the
anonymity threshold): nothing here is computed on fewer. And the dashboard gives these
functions only the responses of a role in a round where that role has at least k responses
(`role_groups_of_k`): filters select whole rounds, so two filtered views then differ by whole
groups of k or more, and comparing them never isolates fewer than k respondents of a role.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from leerkansen.scoring.scales import ScaleItem, reverse_keyed

from .statistics import mcdonald_omega, one_factor_loadings

MEAN_SHIFT_FLAG = 0.5
LOADING_GAP_FLAG = 0.2
# The app's rule for a score: at least this share of the items asked is answered.
MIN_SHARE = 0.75


@dataclass(frozen=True)
class Nesting:
    """ICC(1) and ICC(2) of one challenge's respondent scores, rounds as groups."""

    challenge: int
    rounds: int
    respondents: int
    icc1: float | None
    icc2: float | None


def icc_oneway(values: Sequence[float], groups: Sequence[Hashable]) -> tuple[float, float] | None:
    """(ICC(1), ICC(2)) of `values` grouped by `groups`; None without two groups, without
    a group of two, or when nothing varies. Two rounds of three, means 2 and 8: MSB = 54,
    MSW = 1, k0 = 3, so ICC(1) = 53 / 56 and ICC(2) = 53 / 54.

    >>> icc1, icc2 = icc_oneway([1, 2, 3, 7, 8, 9], ["a", "a", "a", "b", "b", "b"])
    >>> round(icc1, 3), round(icc2, 3)
    (0.946, 0.981)
    """
    data = np.asarray(values, dtype=float)
    if data.shape != (len(groups),):
        raise ValueError("one group per value")
    labels, index = np.unique(np.asarray(groups, dtype=object).astype(str), return_inverse=True)
    count_groups, total = len(labels), len(data)
    if count_groups < 2 or total - count_groups < 1:
        return None
    sizes = np.bincount(index, minlength=count_groups).astype(float)
    means = np.bincount(index, weights=data, minlength=count_groups) / sizes
    grand = data.mean()
    between = float(np.sum(sizes * (means - grand) ** 2)) / (count_groups - 1)
    within = float(np.sum((data - means[index]) ** 2)) / (total - count_groups)
    if between <= 0:
        return None
    k0 = (total - float(np.sum(sizes**2)) / total) / (count_groups - 1)
    return (between - within) / (between + (k0 - 1) * within), (between - within) / between


def _keyed(matrix: np.ndarray, items: Sequence[ScaleItem]) -> np.ndarray:
    keyed = np.array(matrix, dtype=float, copy=True)
    reverse = [item.reverse for item in items]
    keyed[:, reverse] = reverse_keyed(keyed[:, reverse])
    return keyed


def _columns(items: Sequence[ScaleItem]) -> dict[int, list[int]]:
    columns: dict[int, list[int]] = {}
    for index, item in enumerate(items):
        columns.setdefault(item.challenge, []).append(index)
    return columns


def respondent_scores(
    matrix: np.ndarray,
    roles: Sequence[str],
    items: Sequence[ScaleItem],
    asked: Mapping[str, set[str]],
) -> dict[int, np.ndarray]:
    """Per challenge, each respondent's 0-100 score (NaN when fewer than 75% of the
    challenge's items their role is asked are answered). `matrix`: respondents × items,
    answers 1-5, NaN for no answer or "weet niet"; `asked`: per role, the item ids its
    version asks."""
    keyed = _keyed(matrix, items)
    roles_array = np.asarray(roles)
    scores: dict[int, np.ndarray] = {}
    for challenge, columns in _columns(items).items():
        block = keyed[:, columns]
        answered = (~np.isnan(block)).sum(axis=1)
        needed = np.zeros(len(roles_array))
        for role in set(roles):
            count = sum(1 for j in columns if items[j].id in asked.get(role, set()))
            needed[roles_array == role] = MIN_SHARE * count if count else np.inf
        with np.errstate(invalid="ignore", divide="ignore"):
            means = np.nansum(block, axis=1) / answered
        score = (means - 1) * 25
        score[(answered == 0) | (answered < needed)] = np.nan
        scores[challenge] = score
    return scores


def nesting_by_challenge(
    scores: Mapping[int, np.ndarray], rounds: Sequence[Hashable]
) -> list[Nesting]:
    """ICC(1) and ICC(2) per challenge over the respondents with a score."""
    result = []
    rounds_array = np.asarray(rounds, dtype=object)
    for challenge in sorted(scores):
        values = scores[challenge]
        present = ~np.isnan(values)
        groups = rounds_array[present]
        icc = icc_oneway(values[present], list(groups))
        result.append(
            Nesting(
                challenge=challenge,
                rounds=len(set(groups)),
                respondents=int(present.sum()),
                icc1=None if icc is None else icc[0],
                icc2=None if icc is None else icc[1],
            )
        )
    return result


def role_groups_of_k(
    roles: Sequence[str], rounds: Sequence[Hashable], threshold: int
) -> np.ndarray:
    """Which rows belong to a role with at least `threshold` rows in their round.

    >>> role_groups_of_k(["hr", "medewerker", "medewerker"], [1, 1, 1], 2).tolist()
    [False, True, True]
    """
    pairs = list(zip(roles, rounds, strict=True))
    counts: dict[tuple, int] = {}
    for pair in pairs:
        counts[pair] = counts.get(pair, 0) + 1
    return np.array([counts[pair] >= threshold for pair in pairs], dtype=bool)


@dataclass(frozen=True)
class RoleOmega:
    """ω of one challenge for one role, over the items it answers and its complete rows."""

    challenge: int
    role: str
    items: int
    n: int
    omega: float | None


def omega_by_role(
    matrix: np.ndarray,
    roles: Sequence[str],
    items: Sequence[ScaleItem],
    asked: Mapping[str, set[str]],
    min_respondents: int,
) -> list[RoleOmega]:
    """ω per challenge and role (roles with at least `min_respondents` complete rows)."""
    keyed = _keyed(matrix, items)
    roles_array = np.asarray(roles)
    result = []
    for challenge, columns in _columns(items).items():
        for role in sorted(set(roles)):
            own = [j for j in columns if items[j].id in asked.get(role, set())]
            if len(own) < 2:
                continue
            block = keyed[roles_array == role][:, own]
            block = block[~np.isnan(block).any(axis=1)]
            if len(block) < min_respondents:
                continue
            result.append(RoleOmega(challenge, role, len(own), len(block), mcdonald_omega(block)))
    return result


@dataclass(frozen=True)
class ItemAcrossRoles:
    """One item as each role answers it, and whether it behaves differently by role."""

    item: str
    challenge: int
    means: dict[str, float] = field(default_factory=dict)
    loadings: dict[str, float] = field(default_factory=dict)
    # The largest between-role difference of the item (in its SDs) beyond the challenge's.
    mean_shift: float | None = None
    loading_gap: float | None = None

    @property
    def flagged(self) -> bool:
        return (self.mean_shift is not None and self.mean_shift > MEAN_SHIFT_FLAG) or (
            self.loading_gap is not None and self.loading_gap > LOADING_GAP_FLAG
        )


def items_across_roles(
    matrix: np.ndarray,
    roles: Sequence[str],
    items: Sequence[ScaleItem],
    asked: Mapping[str, set[str]],
    min_respondents: int,
) -> list[ItemAcrossRoles]:
    """Every item two or more roles answer (each with `min_respondents` answers), in order."""
    keyed = _keyed(matrix, items)
    roles_array = np.asarray(roles)
    scores = respondent_scores(matrix, roles, items, asked)
    columns = _columns(items)
    result = []
    for challenge, challenge_columns in columns.items():
        score = scores[challenge]
        for j in challenge_columns:
            item_id = items[j].id
            answered = ~np.isnan(keyed[:, j])
            sd_item = float(np.nanstd(keyed[:, j], ddof=1)) if answered.sum() > 1 else 0.0
            scored = ~np.isnan(score)
            sd_score = float(np.std(score[scored], ddof=1)) if scored.sum() > 1 else 0.0
            means, shifts, loadings = {}, {}, {}
            for role in sorted(set(roles)):
                if item_id not in asked.get(role, set()):
                    continue
                mine = (roles_array == role) & answered
                if mine.sum() < min_respondents:
                    continue
                means[role] = float(keyed[mine, j].mean())
                role_scored = (roles_array == role) & scored
                if sd_item > 0 and sd_score > 0 and role_scored.sum():
                    item_z = (means[role] - float(np.nanmean(keyed[:, j]))) / sd_item
                    score_z = (float(score[role_scored].mean()) - float(score[scored].mean())) / (
                        sd_score
                    )
                    shifts[role] = item_z - score_z
                own = [c for c in challenge_columns if items[c].id in asked.get(role, set())]
                loading = _loading(keyed, roles_array == role, own, j)
                if loading is not None:
                    loadings[role] = loading
            if len(means) < 2:
                continue
            result.append(
                ItemAcrossRoles(
                    item=item_id,
                    challenge=challenge,
                    means=means,
                    loadings=loadings,
                    mean_shift=max(shifts.values()) - min(shifts.values())
                    if len(shifts) >= 2
                    else None,
                    loading_gap=max(loadings.values()) - min(loadings.values())
                    if len(loadings) >= 2
                    else None,
                )
            )
    return result


def _loading(
    keyed: np.ndarray, rows: np.ndarray, columns: Sequence[int], column: int
) -> float | None:
    """The item's one-factor loading among the role's complete rows on `columns`, its
    challenge's items the role answers (three at least, more complete rows than items)."""
    block = keyed[rows][:, list(columns)]
    block = block[~np.isnan(block).any(axis=1)]
    if len(columns) < 3 or len(block) <= len(columns):
        return None
    if np.any(block.std(axis=0) == 0):
        return None
    loadings = one_factor_loadings(np.corrcoef(block, rowvar=False))
    # The sign of a factor is arbitrary: point it so that the items load positively on average.
    if loadings.sum() < 0:
        loadings = -loadings
    return float(loadings[list(columns).index(column)])
