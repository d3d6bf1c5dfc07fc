"""Re-estimating the profiles: the organisations' scores in, a named draft model version out.

The procedure (MEASUREMENT.md, docs/scoring.md "Re-estimation"):

1. One score vector per organisation: the nine 0-100 challenge scores of its latest round
   with a score on at least one challenge (the stored report's scores, else computed from the
   round's completed responses). A challenge without a score (fewer than 75% of its items
   answered) stays missing: it is not imputed and the organisation is not dropped.
   Organisations without any score are left out and counted. Real research data leaves out
   demo and simulated organisations (population.py); `simulated=True` takes only those.
2.–8. Standardise, fit every covariance structure x k by EM with full-information likelihood,
   random starts with replication, choose by BIC, extend the grid at its edge, stability and
   the bootstrap LRT: research/mixtures.py (its docstring continues this list).
9. The chosen solution becomes a draft model version: profile means and variances in the new
   z-scores, weights from the mixture, largest profile first. A tied or full solution is stored
   with each profile's covariance matrix, which the app's assignment (scoring/profiles.py) uses,
   so reports assign with the fitted model. Each profile is named after the closest prior
   profile (the active model's): prototypes are compared as 0-100 scores put on the prior's
   z-scale, and matched one to one with the least total Euclidean distance (Hungarian
   algorithm), so that two profiles never get the same name. A profile beyond the number of
   prior profiles takes its nearest prior's name with a number. It inherits the prior profile's
   description and evidence row, with the row's weighted n and standard error per cell when
   the prior's evidence was measured (research/evidence.py); names are renamable while it is
   a draft.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from django.db.models import Exists, OuterRef
from scipy.optimize import linear_sum_assignment

from leerkansen.content.questionnaire import get_questionnaire
from leerkansen.modelversions.models import ModelVersion
from leerkansen.modelversions.services import active_version, create_draft, get_model
from leerkansen.reports.models import Report
from leerkansen.scoring.model import ProfileModel
from leerkansen.scoring.scales import scale_items, scores_of
from leerkansen.survey.models import Answer, Assessment, Response

from .mixtures import (
    FINAL_STARTS,
    INITIAL_ITERATIONS,
    MIN_REPLICATIONS,
    MIN_SHARE,
    RANDOM_STATE,
    REPLICATION_TOLERANCE,
    STARTS,
    STRUCTURES,
    Fit,
    standardisation,
)
from .model_selection import (
    BIC_TIE,
    BOOTSTRAPS,
    MAX_K,
    ProgressCallback,
    Selection,
    Tally,
    bootstrap_lrt,
    diagonal_agreement,
    select_model,
    stability,
)
from .population import eligible_organisations

MIN_ORGANISATIONS = 150


class TooFewOrganisations(Exception):
    def __init__(self, found: int, needed: int) -> None:
        self.found, self.needed = found, needed
        super().__init__(
            f"Too few organisations to estimate profiles: {found} with a score on at least "
            f"one challenge, at least {needed} needed. Nothing was written; the current model "
            "stays."
        )


# Data -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreTable:
    """One row of 0-100 scores per organisation, challenges in order; NaN = no score."""

    organisation_ids: tuple[int, ...]
    assessment_ids: tuple[int, ...]
    challenges: tuple[int, ...]
    scores: np.ndarray
    # Organisations with completed responses but no round with a score on any challenge.
    left_out: int

    @property
    def missing(self) -> int:
        return int(np.isnan(self.scores).sum())

    @property
    def incomplete(self) -> int:
        """Organisations with at least one challenge without a score."""
        return int(np.isnan(self.scores).any(axis=1).sum())


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
    """The latest score vector of every eligible organisation (see the module doc)."""
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
        if all(value is None for value in vector):
            continue
        seen.add(organisation_id)
        organisation_ids.append(organisation_id)
        assessment_ids.append(assessment_id)
        vectors.append([math.nan if value is None else value for value in vector])
    return ScoreTable(
        organisation_ids=tuple(organisation_ids),
        assessment_ids=tuple(assessment_ids),
        challenges=challenges,
        scores=np.array(vectors, dtype=float).reshape(len(vectors), len(challenges)),
        left_out=len(organisations) - len(seen),
    )


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


def profile_order(fit: Fit) -> list[int]:
    """The draft's order of the fitted profiles: largest weight first."""
    return sorted(range(fit.k), key=lambda j: (-fit.weights[j], j))


def draft_content(
    prior: ProfileModel,
    fit: Fit,
    mean: np.ndarray,
    sd: np.ndarray,
    challenges: tuple[int, ...],
    n: int,
) -> tuple[dict, list[dict]]:
    """The model-file content of a fitted solution, and how each profile was named."""
    order = profile_order(fit)
    means = fit.means[order]
    covariances = _rounded_covariances(fit.covariances[order])
    variances = np.diagonal(covariances, axis1=-2, axis2=-1)
    weights = _rounded_weights(fit.weights[order])
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
                "variances": {str(c): float(variances[j, i]) for i, c in enumerate(challenges)},
            }
        )
        if fit.structure in ("tied", "full"):
            # Reports assign with the covariances the selection chose (scoring/profiles.py).
            profiles[-1]["covariances"] = {
                str(r): {str(c): float(covariances[j, a, b]) for b, c in enumerate(challenges)}
                for a, r in enumerate(challenges)
            }
        naming.append({"id": profile_id, "prior": prior_id, "distance": round(distance, 3)})
    evidence = {
        profile["id"]: dict(prior.evidence[match[0]])
        for profile, match in zip(profiles, matches, strict=True)
    }
    # Measured evidence keeps its weighted n and standard error with each copied row: the
    # values are the prior's estimates, and so is their uncertainty.
    uncertainty = None
    if prior.evidence_uncertainty is not None:
        uncertainty = {
            profile["id"]: {
                action_id: cell.model_dump(mode="json")
                for action_id, cell in prior.evidence_uncertainty[match[0]].items()
            }
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
    if uncertainty is not None:
        content["evidence_uncertainty"] = uncertainty
    return content, naming


def _rounded_covariances(covariances: np.ndarray) -> np.ndarray:
    """Covariance matrices rounded to 4 decimals as a model file states them, still symmetric
    and positive definite: a ridge of 0.0001 is added until the rounded matrix factorises."""
    rounded = np.round((covariances + np.swapaxes(covariances, -1, -2)) / 2, 4)
    for matrix in rounded:
        np.fill_diagonal(matrix, np.maximum(np.diag(matrix), 0.0001))
        while True:
            try:
                np.linalg.cholesky(matrix)
                break
            except np.linalg.LinAlgError:
                matrix[np.diag_indices_from(matrix)] += 0.0001
    return np.round(rounded, 4)


def specification(fit: Fit, table: ScoreTable, z: np.ndarray, naming: list[dict]) -> dict:
    """What was fitted, for the model page: structure, missing data, covariances per profile."""
    order = profile_order(fit)
    return {
        "structure": fit.structure,
        "k": fit.k,
        "parameters": fit.parameters,
        "estimator": "EM, full-information likelihood (missing scores not imputed)",
        "organisations_with_missing": table.incomplete,
        "missing_scores": table.missing,
        "covariances": {
            line["id"]: np.round(fit.covariances[j], 3).tolist()
            for line, j in zip(naming, order, strict=True)
        },
        "diagonal_agreement": round(diagonal_agreement(fit, z), 4),
    }


@dataclass(frozen=True)
class Estimate:
    """What estimate_profiles found and, unless it was a dry run, the draft it wrote."""

    table: ScoreTable
    selection: Selection
    draft: ModelVersion | None
    naming: list[dict]
    stability: dict
    blrt: list[dict]
    fit_stats: dict

    @property
    def fits(self) -> list[Fit]:
        return self.selection.fits

    @property
    def chosen(self) -> Fit:
        return self.selection.chosen

    def labels_by_organisation(self) -> dict[int, int]:
        """The chosen solution's most probable profile (mixture index) per organisation id."""
        return dict(zip(self.table.organisation_ids, self.chosen.labels.tolist(), strict=True))


def estimate_profiles(
    *,
    simulated: bool = False,
    min_organisations: int = MIN_ORGANISATIONS,
    starts: int = STARTS,
    final_starts: int = FINAL_STARTS,
    structures: Sequence[str] = STRUCTURES,
    max_k: int = MAX_K,
    random_state: int = RANDOM_STATE,
    bootstraps: int = BOOTSTRAPS,
    blrt: int = 0,
    write: bool = True,
    user=None,
    progress: ProgressCallback | None = None,
) -> Estimate:
    """Fit the grid, choose, check stability and (when `write`) store a draft version.

    Raises TooFewOrganisations (nothing written) below `min_organisations`. `progress`, if
    given, is told the number of models to fit and each one fitted (model_selection.Tally).
    """
    tally = Tally(progress) if progress is not None else None
    table = organisation_scores(simulated)
    n = len(table.organisation_ids)
    if n < max(min_organisations, 2):
        raise TooFewOrganisations(n, max(min_organisations, 2))
    mean, sd = standardisation(table.scores)
    z = (table.scores - mean) / sd
    selection = select_model(
        z,
        max_k=max_k,
        structures=structures,
        starts=starts,
        final_starts=final_starts,
        random_state=random_state,
        tally=tally,
    )
    chosen = selection.chosen
    steady = stability(chosen, z, bootstraps=bootstraps, random_state=random_state, tally=tally)
    lrt = (
        bootstrap_lrt(selection.fits, chosen, blrt, random_state=random_state, tally=tally)
        if blrt
        else []
    )
    base = active_version()
    prior = get_model(base)
    content, naming = draft_content(prior, chosen, mean, sd, table.challenges, n)
    fit_stats = {
        "kind": "profiles",
        "n": n,
        "left_out": table.left_out,
        "simulated": simulated,
        "chosen_k": chosen.k,
        "chosen_structure": chosen.structure,
        "at_edge": selection.at_edge,
        "max_k": selection.max_k,
        "extended": selection.extended,
        # The chosen structure's rows (the version list reads the chosen k from them).
        "table": [fit.as_row() for fit in selection.fits if fit.structure == chosen.structure],
        "grid": [fit.as_row() for fit in selection.fits],
        "rules": {
            "criterion": "BIC",
            "min_share": MIN_SHARE,
            "bic_tie": BIC_TIE,
            "min_replications": MIN_REPLICATIONS,
            "replication_tolerance": REPLICATION_TOLERANCE,
        },
        "starts": starts,
        "final_starts": final_starts,
        "initial_iterations": INITIAL_ITERATIONS,
        "random_state": random_state,
        "naming": naming,
        "stability": steady,
        "blrt": lrt,
        "specification": specification(chosen, table, z, naming),
    }
    draft = None
    if write:
        source = f"estimate_profiles ({n} {'simulated ' if simulated else ''}organisations)"
        draft = create_draft(content, based_on=base, source=source, fit=fit_stats, user=user)
    return Estimate(
        table=table,
        selection=selection,
        draft=draft,
        naming=naming,
        stability=steady,
        blrt=lrt,
        fit_stats=fit_stats,
    )
