"""Profile assignment: which profile of the model an organisation's scores resemble most.

The model's profiles are components of a Gaussian mixture with diagonal covariances over the
standardised (z) challenge scores. The posterior probability of each profile is the assignment;
the nearest prototype (Euclidean distance) is a transparent cross-check.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from .model import ProfileModel

_TIE_DIGITS = 9


@dataclass(frozen=True)
class ProfileAssignment:
    """Posterior probability per profile (model order) and what the report names from it."""

    probabilities: dict[str, float]
    dominant: str
    dominant_probability: float
    # Named only when the dominant profile is not clear (probability below the threshold).
    runner_up: str | None
    nearest_prototype: str
    distances: dict[str, float]


def standardise(scores: Mapping[int, float | None], model: ProfileModel) -> dict[int, float]:
    """The z-score of every challenge that has a score, in challenge order.

    Raises ValueError for an unknown challenge or a score outside 0-100.
    """
    mean, sd = model.standardisation.mean, model.standardisation.sd
    z_scores: dict[int, float] = {}
    for challenge in sorted(scores):
        score = scores[challenge]
        if challenge not in mean:
            raise ValueError(f"unknown challenge {challenge}")
        if score is None:
            continue
        if not (isinstance(score, int | float) and math.isfinite(score) and 0 <= score <= 100):
            raise ValueError(f"score of challenge {challenge} must be from 0 to 100, not {score!r}")
        z_scores[challenge] = (score - mean[challenge]) / sd[challenge]
    return z_scores


def _log_density(
    x: np.ndarray,
    mean: np.ndarray,
    variances: np.ndarray,
    covariances: Mapping[int, Mapping[int, float]] | None,
    observed: list[int],
) -> float:
    """log N(x; mean, Σ) over the observed challenges: Σ diagonal, or the observed block of
    the profile's covariance matrix."""
    if covariances is None:
        return float(-0.5 * np.sum(np.log(2 * np.pi * variances) + (x - mean) ** 2 / variances))
    sigma = np.array([[covariances[r][c] for c in observed] for r in observed])
    _sign, log_det = np.linalg.slogdet(sigma)
    deviation = x - mean
    return float(
        -0.5
        * (len(x) * np.log(2 * np.pi) + log_det + deviation @ np.linalg.solve(sigma, deviation))
    )


def assign_profile(scores: Mapping[int, float | None], model: ProfileModel) -> ProfileAssignment:
    """Assign the profile from 0-100 challenge scores (None or absent: missing).

    Missing scores are left out of the likelihood: with diagonal covariances by leaving out
    their terms, with a profile's full covariance matrix (an estimated tied or full model) by
    taking the rows and columns of the observed challenges; both are exact marginalisation.
    Ties go to the profile listed first in the model file. Raises ValueError when no
    challenge has a score.
    """
    z_scores = standardise(scores, model)
    if not z_scores:
        raise ValueError("no challenge has a score: a profile cannot be assigned")
    observed = list(z_scores)
    x = np.array([z_scores[c] for c in observed])
    means = np.array([[profile.means[c] for c in observed] for profile in model.profiles])
    variances = np.array([[profile.variances[c] for c in observed] for profile in model.profiles])
    weights = np.array([profile.weight for profile in model.profiles])

    log_joint = np.log(weights) + np.array(
        [
            _log_density(x, means[k], variances[k], profile.covariances, observed)
            for k, profile in enumerate(model.profiles)
        ]
    )
    # Normalising in log space keeps far-away score vectors from underflowing to 0/0.
    log_posterior = log_joint - np.logaddexp.reduce(log_joint)
    posterior = np.exp(log_posterior)
    posterior /= posterior.sum()
    distances = np.sqrt(np.sum((x - means) ** 2, axis=1))

    ids = [profile.id for profile in model.profiles]
    # Compared after rounding, so that ties that differ only in the last bit of a float go to
    # the profile listed first instead of to the order of a sum.
    order = sorted(range(len(ids)), key=lambda k: (-round(log_posterior[k], _TIE_DIGITS), k))
    dominant = order[0]
    dominant_probability = float(posterior[dominant])
    runner_up = None
    if dominant_probability < model.dominance_threshold and len(order) > 1:
        runner_up = ids[order[1]]
    nearest = min(range(len(ids)), key=lambda k: (round(distances[k], _TIE_DIGITS), k))
    return ProfileAssignment(
        probabilities={ids[k]: float(posterior[k]) for k in range(len(ids))},
        dominant=ids[dominant],
        dominant_probability=dominant_probability,
        runner_up=runner_up,
        nearest_prototype=ids[nearest],
        distances={ids[k]: float(distances[k]) for k in range(len(ids))},
    )
