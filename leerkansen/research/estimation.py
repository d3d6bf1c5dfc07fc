"""Re-estimating the profiles: latent profile models for k = 1..7 on the organisations' scores.

The procedure (MEASUREMENT.md, docs/scoring.md "Re-estimation"):

1. One score vector per organisation: the nine 0-100 challenge scores of its latest round
   that has a score on every challenge (the stored report's scores, else computed from the
   round's completed responses). Organisations without such a round are left out and
   counted. Real research data leaves out demo and simulated organisations (population.py);
   `simulated=True` takes only the simulated ones.
2. Standardise each challenge with the sample mean and standard deviation (rounded to two
   decimals, as a model file states them): these become the new model's standardisation.
3. Fit scikit-learn's GaussianMixture with diagonal covariances (the latent profile model
   with class-specific variances) for k = 1..7, several starts (n_init) from a fixed seed.
4. Per k: BIC, relative entropy E = 1 - sum(-p log p) / (n log k) over the posterior
   probabilities (not defined for k = 1, where nothing is uncertain: counted as passing) and
   the smallest profile share (organisations whose most probable profile it is / n).
5. Choose k: the lowest BIC among the solutions with relative entropy >= 0.80, smallest share
   >= 5% and a converged fit. Ties: BICs equal to 0.01 go to the smaller k. k = 1 always
   passes, so there is always a choice.
6. The chosen solution becomes a draft model version: profile means and variances in the new
   z-scores, weights from the mixture, largest profile first. Each profile is named after the
   closest prior profile (the active model's): prototypes are compared as 0-100 scores put on
   the prior's z-scale, and matched one to one with the least total Euclidean distance
   (Hungarian algorithm), so that two profiles never get the same name. A profile beyond the
   number of prior profiles takes its nearest prior's name with a number. It inherits the
   prior profile's description and evidence row; names are renamable while it is a draft.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from django.db.models import Exists, OuterRef
from scipy.optimize import linear_sum_assignment
from sklearn.mixture import GaussianMixture

from leerkansen.content.questionnaire import get_questionnaire
from leerkansen.modelversions.models import ModelVersion
from leerkansen.modelversions.services import active_version, create_draft, get_model
from leerkansen.reports.models import Report
from leerkansen.scoring.model import ProfileModel
from leerkansen.scoring.scales import scale_items, scores_of
from leerkansen.survey.models import Answer, Assessment, Response

from .population import eligible_organisations

MAX_K = 7
MIN_ORGANISATIONS = 150
MIN_ENTROPY = 0.80
MIN_SHARE = 0.05
# BICs closer than this are a tie; the tie goes to the smaller k.
BIC_TIE = 0.01
N_INIT = 5
RANDOM_STATE = 0
MAX_ITER = 500


class TooFewOrganisations(Exception):
    def __init__(self, found: int, needed: int) -> None:
        self.found, self.needed = found, needed
        super().__init__(
            f"Too few organisations to estimate profiles: {found} with a score on every "
            f"challenge, at least {needed} needed. Nothing was written; the current model stays."
        )


class EstimationError(Exception):
    """The data cannot be standardised or fitted (e.g. a challenge without spread)."""


# Data -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreTable:
    """One row of 0-100 scores per organisation, challenges in order."""

    organisation_ids: tuple[int, ...]
    assessment_ids: tuple[int, ...]
    challenges: tuple[int, ...]
    scores: np.ndarray
    # Organisations with completed responses but no round with a score on every challenge.
    left_out: int


def _scores_from_answers(assessment_ids: list[int]) -> dict[int, dict[int, float | None]]:
    """Challenge scores of rounds without a report, from their completed responses."""
    items = scale_items(get_questionnaire())
    rows = (
        Answer.objects.filter(
            response__assessment_id__in=assessment_ids,
            response__completed_on__isnull=False,
            item_id__in=[item.id for item in items],
        )
        .order_by("response_id")
        .values_list("response__assessment_id", "response_id", "item_id", "number")
        .iterator(chunk_size=10_000)
    )
    responses: dict[int, dict[int, dict[str, float | None]]] = {}
    for assessment_id, response_id, item_id, number in rows:
        responses.setdefault(assessment_id, {}).setdefault(response_id, {})[item_id] = number
    return {
        assessment_id: scores_of(list(by_response.values()), items)
        for assessment_id, by_response in responses.items()
    }


def organisation_scores(simulated: bool = False, batch: int = 2_000) -> ScoreTable:
    """The latest complete score vector of every eligible organisation (see the module doc)."""
    challenges = tuple(sorted({item.challenge for item in scale_items(get_questionnaire())}))
    completed = Response.objects.filter(assessment=OuterRef("pk"), completed_on__isnull=False)
    rounds = list(
        Assessment.objects.filter(eligible_organisations(simulated), Exists(completed))
        .order_by("organisation_id", "-created_at", "-pk")
        .values_list("pk", "organisation_id")
    )
    # Filtered like the rounds, not by a list of ids: it may hold 100k of them.
    reports = Report.objects.filter(eligible_organisations(simulated, "assessment__organisation"))
    scores: dict[int, dict[int, float | None]] = {}
    for assessment_id, stored in reports.values_list("assessment_id", "scores").iterator(
        chunk_size=10_000
    ):
        scores[assessment_id] = {int(c): value for c, value in stored.items()}
    missing = [pk for pk, _org in rounds if pk not in scores]
    for start in range(0, len(missing), batch):
        scores.update(_scores_from_answers(missing[start : start + batch]))

    organisation_ids, assessment_ids, vectors = [], [], []
    seen: set[int] = set()
    organisations: set[int] = set()
    for assessment_id, organisation_id in rounds:
        organisations.add(organisation_id)
        if organisation_id in seen:
            continue
        vector = [scores.get(assessment_id, {}).get(c) for c in challenges]
        if any(value is None for value in vector):
            continue
        seen.add(organisation_id)
        organisation_ids.append(organisation_id)
        assessment_ids.append(assessment_id)
        vectors.append(vector)
    return ScoreTable(
        organisation_ids=tuple(organisation_ids),
        assessment_ids=tuple(assessment_ids),
        challenges=challenges,
        scores=np.array(vectors, dtype=float).reshape(len(vectors), len(challenges)),
        left_out=len(organisations) - len(seen),
    )


# Fitting ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fit:
    """One latent profile model with k profiles and the figures k is chosen by."""

    k: int
    bic: float
    # Relative entropy; None for k = 1.
    entropy: float | None
    smallest_share: float
    converged: bool
    mixture: GaussianMixture = field(repr=False, compare=False)
    labels: np.ndarray = field(repr=False, compare=False)

    @property
    def passes(self) -> bool:
        """Entropy and smallest share within the rules, on a converged fit."""
        entropy_ok = self.entropy is None or self.entropy >= MIN_ENTROPY
        return self.converged and entropy_ok and self.smallest_share >= MIN_SHARE

    def as_row(self) -> dict:
        return {
            "k": self.k,
            "bic": round(self.bic, 2),
            "entropy": None if self.entropy is None else round(self.entropy, 4),
            "smallest_share": round(self.smallest_share, 4),
            "converged": self.converged,
            "passes": self.passes,
        }


def standardisation(scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sample mean and standard deviation per column, rounded to two decimals."""
    mean = np.round(scores.mean(axis=0), 2)
    sd = np.round(scores.std(axis=0), 2)
    if np.any(sd <= 0):
        flat = [str(index + 1) for index in np.flatnonzero(sd <= 0)]
        raise EstimationError("no spread in the scores of column(s) " + ", ".join(flat))
    return mean, sd


def relative_entropy(posterior: np.ndarray) -> float | None:
    """1 - classification entropy / (n log k): 1 is a perfectly clear assignment."""
    n, k = posterior.shape
    if k < 2:
        return None
    p = np.clip(posterior, 1e-300, 1.0)
    entropy = float(-(posterior * np.log(p)).sum())
    return 1.0 - entropy / (n * math.log(k))


def fit_mixtures(
    z: np.ndarray,
    ks: Iterable[int] = range(1, MAX_K + 1),
    *,
    n_init: int = N_INIT,
    random_state: int = RANDOM_STATE,
    max_iter: int = MAX_ITER,
) -> list[Fit]:
    """A diagonal Gaussian mixture per k (skipping a k above the number of rows)."""
    fits = []
    n = len(z)
    for k in ks:
        if k > n:
            continue
        mixture = GaussianMixture(
            n_components=k,
            covariance_type="diag",
            n_init=n_init,
            random_state=random_state,
            max_iter=max_iter,
        ).fit(z)
        posterior = mixture.predict_proba(z)
        labels = posterior.argmax(axis=1)
        shares = np.bincount(labels, minlength=k) / n
        fits.append(
            Fit(
                k=k,
                bic=float(mixture.bic(z)),
                entropy=relative_entropy(posterior),
                smallest_share=float(shares.min()),
                converged=bool(mixture.converged_),
                mixture=mixture,
                labels=labels,
            )
        )
    return fits


def choose(fits: list[Fit]) -> Fit:
    """The lowest BIC among the fits that pass; equal BICs (to BIC_TIE) go to the smaller k."""
    passing = [fit for fit in fits if fit.passes]
    if not passing:
        raise EstimationError("no solution meets the rules, not even k = 1")
    return min(passing, key=lambda fit: (round(fit.bic / BIC_TIE), fit.k))


# The draft --------------------------------------------------------------------------------


def _rounded_weights(weights: np.ndarray) -> list[float]:
    """Rounded to 4 decimals and adding up to exactly 1 (the largest takes the remainder)."""
    rounded = [max(round(float(w), 4), 0.0001) for w in weights]
    largest = int(np.argmax(rounded))
    rounded[largest] = round(1.0 - math.fsum(rounded[:largest] + rounded[largest + 1 :]), 4)
    return rounded


def match_prior_profiles(
    score_means: np.ndarray, prior: ProfileModel, challenges: tuple[int, ...]
) -> list[tuple[str, float, int]]:
    """For each new prototype (0-100 scores): (prior profile id, distance, number).

    One-to-one with the least total distance on the prior's z-scale; profiles beyond the
    number of prior profiles take their nearest prior profile with number 2, 3 …
    """
    prior_mean = np.array([prior.standardisation.mean[c] for c in challenges])
    prior_sd = np.array([prior.standardisation.sd[c] for c in challenges])
    on_prior_scale = (score_means - prior_mean) / prior_sd
    prototypes = np.array([[p.means[c] for c in challenges] for p in prior.profiles])
    distances = np.sqrt(((on_prior_scale[:, None, :] - prototypes[None, :, :]) ** 2).sum(axis=2))
    rows, columns = linear_sum_assignment(distances)
    matched = dict(zip(rows.tolist(), columns.tolist(), strict=True))
    used: dict[int, int] = dict.fromkeys(matched.values(), 1)
    result = []
    for index in range(len(score_means)):
        if index in matched:
            column, number = matched[index], 1
        else:
            column = int(np.argmin(distances[index]))
            used[column] = used.get(column, 0) + 1
            number = used[column]
        result.append((prior.profiles[column].id, float(distances[index, column]), number))
    return result


def draft_content(
    prior: ProfileModel,
    fit: Fit,
    mean: np.ndarray,
    sd: np.ndarray,
    challenges: tuple[int, ...],
    n: int,
) -> tuple[dict, list[dict]]:
    """The model-file content of a fitted solution, and how each profile was named."""
    mixture = fit.mixture
    order = sorted(range(fit.k), key=lambda j: (-mixture.weights_[j], j))
    means = mixture.means_[order]
    variances = mixture.covariances_[order]
    weights = _rounded_weights(mixture.weights_[order])
    matches = match_prior_profiles(mean + sd * means, prior, challenges)
    profiles, naming = [], []
    for j, (prior_id, distance, number) in enumerate(matches):
        source = prior.profile(prior_id)
        profile_id = prior_id if number == 1 else f"{prior_id}-{number}"
        name = source.name if number == 1 else f"{source.name} ({number})"
        profiles.append(
            {
                "id": profile_id,
                "name": name,
                "description": source.description,
                "weight": weights[j],
                "means": {str(c): round(float(means[j, i]), 4) for i, c in enumerate(challenges)},
                "variances": {
                    str(c): max(round(float(variances[j, i]), 4), 0.0001)
                    for i, c in enumerate(challenges)
                },
            }
        )
        naming.append({"id": profile_id, "prior": prior_id, "distance": round(distance, 3)})
    evidence = {
        profile["id"]: dict(prior.evidence[match[0]])
        for profile, match in zip(profiles, matches, strict=True)
    }
    content = {
        "version": prior.version,
        "status": "estimated",
        "description_nl": (
            f"De profielen zijn geschat op de antwoorden van {n} organisaties. Hoe goed elke "
            "actie bij een profiel past, volgt nog de inschattingen van het vorige model."
        ),
        "standardisation": {
            "mean": {str(c): float(mean[i]) for i, c in enumerate(challenges)},
            "sd": {str(c): float(sd[i]) for i, c in enumerate(challenges)},
        },
        "profiles": profiles,
        "weights": prior.weights.model_dump(mode="json"),
        # The prior's top-3 method and its weights, so an estimated version scores as it did.
        "method": prior.method,
        "top3_weights": prior.top3_weights.model_dump(mode="json") if prior.top3_weights else None,
        "dominance_threshold": prior.dominance_threshold,
        "evidence": evidence,
    }
    return content, naming


@dataclass(frozen=True)
class Estimate:
    """What estimate_profiles found and, unless it was a dry run, the draft it wrote."""

    table: ScoreTable
    fits: list[Fit]
    chosen: Fit
    draft: ModelVersion | None
    naming: list[dict]

    def labels_by_organisation(self) -> dict[int, int]:
        """The chosen solution's most probable profile (mixture index) per organisation id."""
        return dict(zip(self.table.organisation_ids, self.chosen.labels.tolist(), strict=True))


def estimate_profiles(
    *,
    simulated: bool = False,
    min_organisations: int = MIN_ORGANISATIONS,
    n_init: int = N_INIT,
    random_state: int = RANDOM_STATE,
    write: bool = True,
    user=None,
) -> Estimate:
    """Fit k = 1..7, choose k and (when `write`) store the chosen solution as a draft version.

    Raises TooFewOrganisations (nothing written) below `min_organisations`.
    """
    table = organisation_scores(simulated)
    n = len(table.organisation_ids)
    if n < max(min_organisations, 2):
        raise TooFewOrganisations(n, max(min_organisations, 2))
    mean, sd = standardisation(table.scores)
    z = (table.scores - mean) / sd
    fits = fit_mixtures(
        z, range(1, min(MAX_K, n - 1) + 1), n_init=n_init, random_state=random_state
    )
    chosen = choose(fits)
    base = active_version()
    prior = get_model(base)
    content, naming = draft_content(prior, chosen, mean, sd, table.challenges, n)
    draft = None
    if write:
        fit_stats = {
            "kind": "profiles",
            "n": n,
            "left_out": table.left_out,
            "simulated": simulated,
            "chosen_k": chosen.k,
            "table": [fit.as_row() for fit in fits],
            "rules": {
                "min_entropy": MIN_ENTROPY,
                "min_share": MIN_SHARE,
                "bic_tie": BIC_TIE,
            },
            "n_init": n_init,
            "random_state": random_state,
            "naming": naming,
        }
        source = f"estimate_profiles ({n} {'simulated ' if simulated else ''}organisations)"
        draft = create_draft(content, based_on=base, source=source, fit=fit_stats, user=user)
    return Estimate(table=table, fits=fits, chosen=chosen, draft=draft, naming=naming)
