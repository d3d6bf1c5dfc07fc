"""Estimating the evidence E(action, profile) from the organisations' action ratings.

The procedure (docs/scoring.md "Re-estimation"):

1. Base: the active model version. The new draft copies it and replaces evidence cells only.
2. Each rating (reports.ActionRating: relevance and feasibility, 1-5, per round and action)
   gets the value v = relevance x feasibility (1-25), rescaled linearly onto the evidence
   range of the base model, from its lowest to its highest E (0.30-0.85 in model 1.0.0):
       E_rating = low + (high - low) * (v - 1) / 24
   so that ratings move evidence within the range the top-3 weights were designed for (a
   first need keeps winning, docs/scoring.md "Top 3"). A flat base table uses 0-1.
3. A rated round belongs to each profile k with its posterior probability p_k: the report's
   stored probabilities when it was made with the base version, else assign_profile on the
   report's stored scores with the base model. Rounds without a report are skipped.
4. Per cell (action a, profile k): the weighted number of ratings n_ak = sum of p_k over the
   ratings of a, and the weighted mean of their E_rating. A cell with n_ak >= 20 (weighted,
   so that 20 ratings from organisations that hardly belong to k do not count as 20) takes
   that mean, rounded to 2 decimals; a cell below 20 keeps the base model's value.

Real research data leaves out demo and simulated organisations; `simulated=True` takes only
the simulated ones. With no cell reaching 20 ratings nothing is written.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from leerkansen.content.catalogue import get_catalogue
from leerkansen.modelversions.models import ModelVersion
from leerkansen.modelversions.services import active_version, create_draft, get_model
from leerkansen.reports.models import ActionRating, Report
from leerkansen.scoring.model import ProfileModel
from leerkansen.scoring.profiles import assign_profile

from .estimation import eligible_organisations

MIN_RATINGS = 20
RATING_MIN, RATING_MAX = 1, 25


class NoEvidence(Exception):
    def __init__(self, ratings: int, needed: float) -> None:
        self.ratings = ratings
        super().__init__(
            f"No action has {needed:g} ratings in any profile yet ({ratings} ratings in all). "
            "Nothing was written; the current evidence stays."
        )


@dataclass(frozen=True)
class Rating:
    """One rating, with the posterior probabilities of its round under the base model."""

    probabilities: Mapping[str, float]
    action_id: str
    relevance: int
    feasibility: int


@dataclass(frozen=True)
class EvidenceEstimate:
    evidence: dict[str, dict[str, float]]
    # Weighted number of ratings per profile and action (only rated cells).
    weights: dict[str, dict[str, float]]
    # The cells that took the ratings' mean: (profile id, action id).
    estimated: tuple[tuple[str, str], ...]
    ratings: int
    low: float
    high: float


def evidence_range(model: ProfileModel) -> tuple[float, float]:
    """The lowest and highest evidence of the model (0-1 when its table is flat)."""
    values = [value for row in model.evidence.values() for value in row.values()]
    low, high = min(values), max(values)
    return (low, high) if high > low else (0.0, 1.0)


def rating_evidence(relevance: int, feasibility: int, low: float, high: float) -> float:
    """relevance x feasibility (1-25) put linearly on the evidence range low-high."""
    value = relevance * feasibility
    return low + (high - low) * (value - RATING_MIN) / (RATING_MAX - RATING_MIN)


def estimate_table(
    base: ProfileModel, ratings: Iterable[Rating], min_ratings: float = MIN_RATINGS
) -> EvidenceEstimate:
    """The base model's evidence with every cell of >= min_ratings weighted ratings replaced."""
    low, high = evidence_range(base)
    sums: dict[str, dict[str, float]] = {p.id: {} for p in base.profiles}
    weights: dict[str, dict[str, float]] = {p.id: {} for p in base.profiles}
    count = 0
    for rating in ratings:
        count += 1
        value = rating_evidence(rating.relevance, rating.feasibility, low, high)
        for profile_id, probability in rating.probabilities.items():
            if profile_id not in sums or probability <= 0:
                continue
            sums[profile_id][rating.action_id] = (
                sums[profile_id].get(rating.action_id, 0.0) + probability * value
            )
            weights[profile_id][rating.action_id] = (
                weights[profile_id].get(rating.action_id, 0.0) + probability
            )
    evidence = {profile_id: dict(row) for profile_id, row in base.evidence.items()}
    estimated = []
    for profile in base.profiles:
        for action_id, weight in weights[profile.id].items():
            # A small tolerance: 20 ratings with probabilities adding up to 19.9999999.
            if action_id in evidence[profile.id] and weight >= min_ratings - 1e-9:
                evidence[profile.id][action_id] = round(sums[profile.id][action_id] / weight, 2)
                estimated.append((profile.id, action_id))
    return EvidenceEstimate(
        evidence=evidence,
        weights={k: {a: round(w, 4) for a, w in row.items()} for k, row in weights.items()},
        estimated=tuple(estimated),
        ratings=count,
        low=low,
        high=high,
    )


def _probabilities(report: dict, base: ProfileModel) -> dict[str, float] | None:
    """The round's posterior probabilities under the base model (None without any score)."""
    ids = {profile.id for profile in base.profiles}
    stored = (report["profile"] or {}).get("probabilities") or {}
    if report["model_version"] == base.version and set(stored) == ids:
        return {key: float(value) for key, value in stored.items()}
    scores = {int(c): value for c, value in (report["scores"] or {}).items()}
    if not any(value is not None for value in scores.values()):
        return None
    return assign_profile(scores, base).probabilities


def collected_ratings(base: ProfileModel, simulated: bool = False) -> list[Rating]:
    """Every rating of an eligible round with a report, with the round's probabilities."""
    actions = {action.id for action in get_catalogue().actions()}
    reports = Report.objects.filter(
        eligible_organisations(simulated, "assessment__organisation")
    ).values("assessment_id", "model_version", "profile", "scores")
    probabilities = {}
    for report in reports.iterator(chunk_size=2_000):
        found = _probabilities(report, base)
        if found is not None:
            probabilities[report["assessment_id"]] = found
    rows = ActionRating.objects.filter(
        eligible_organisations(simulated, "assessment__organisation")
    ).values_list("assessment_id", "action_id", "relevance", "feasibility")
    return [
        Rating(probabilities[assessment_id], action_id, relevance, feasibility)
        for assessment_id, action_id, relevance, feasibility in rows.iterator(chunk_size=10_000)
        if action_id in actions and assessment_id in probabilities
    ]


def _description(base_row: ModelVersion | None, base: ProfileModel, cells: int) -> str:
    total = sum(len(row) for row in base.evidence.values())
    if base.status == "estimated":
        n = (base_row.fit or {}).get("n") if base_row else None
        profiles = (
            f"De profielen zijn geschat op de antwoorden van {n} organisaties."
            if n
            else "De profielen zijn geschat op verzamelde gegevens."
        )
    else:
        profiles = "De profielen zijn nog vertrekpunten uit onderzoek."
    return (
        f"{profiles} Hoe goed een actie bij een profiel past, steunt voor {cells} van de "
        f"{total} combinaties op beoordelingen door organisaties; de andere zijn inschattingen "
        "uit onderzoek."
    )


def estimate_evidence(
    *, simulated: bool = False, min_ratings: float = MIN_RATINGS, write: bool = True, user=None
) -> tuple[EvidenceEstimate, ModelVersion | None]:
    """Estimate the evidence on the active model and (when `write`) store it as a draft.

    Raises NoEvidence (nothing written) when no cell reaches `min_ratings`.
    """
    base_version = active_version()
    base = get_model(base_version)
    result = estimate_table(base, collected_ratings(base, simulated), min_ratings)
    if not result.estimated:
        raise NoEvidence(result.ratings, min_ratings)
    if not write:
        return result, None
    base_row = ModelVersion.objects.filter(version=base_version).first()
    content = base.model_dump(mode="json")
    content["evidence"] = result.evidence
    content["description_nl"] = _description(base_row, base, len(result.estimated))
    fit = {
        "kind": "evidence",
        "simulated": simulated,
        "ratings": result.ratings,
        "min_ratings": min_ratings,
        "cells_estimated": len(result.estimated),
        "cells_total": sum(len(row) for row in result.evidence.values()),
        "range": [result.low, result.high],
        "estimated": [f"{profile_id} {action_id}" for profile_id, action_id in result.estimated],
    }
    if base_row is not None and base_row.fit.get("kind") == "profiles":
        # The profile figures stay those of the base: this version changes only evidence.
        fit.update({k: base_row.fit[k] for k in ("n", "chosen_k", "table") if k in base_row.fit})
    source = (
        f"estimate_evidence ({result.ratings} {'simulated ' if simulated else ''}ratings, "
        f"{len(result.estimated)} cells)"
    )
    draft = create_draft(content, based_on=base_version, source=source, fit=fit, user=user)
    return result, draft
