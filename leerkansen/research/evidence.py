"""Estimating the evidence E(action, profile) from the organisations' action ratings.

The procedure (docs/scoring.md "Re-estimation"):

1. Base: the active model version. The new draft copies it and replaces its evidence table,
   with a weighted n and a standard error per cell (`evidence_uncertainty` in the model).
2. Each rating (reports.ActionRating: relevance and feasibility, 1-5, per round and action)
   gets the value v = relevance x feasibility (1-25), put linearly on the evidence scale of the
   shipped model, from its lowest to its highest E (0.30-0.85):
       y = low + (high - low) * (v - 1) / 24
   so that ratings move evidence within the range the top-3 weights were designed for (a
   first need keeps winning, docs/scoring.md "Top 3"). The scale is the shipped model's, not
   the base's, so that estimating again on an estimated version does not narrow it.
3. A rated round belongs to each profile k with its posterior probability p_k: the report's
   stored probabilities when it was made with the base version, else assign_profile on the
   report's stored scores with the base model (p below 0.0001 left out, the rest scaled to add
   up to 1). Rounds without a report are skipped.
4.–5. Per cell the weighted n and mean, and the empirical-Bayes estimate with its SE:
   research/evidence_bayes.py (its docstring continues this list).
6. Nothing is written when no action has been rated twice in one profile (the spread of
   ratings cannot be told from the spread of cells then). The draft stores E rounded to 3
   decimals, and per cell n and SE (4 decimals); the fit keeps mu, sigma, tau, the scale and
   how many ratings came from the top 3, from the two actions asked at random and from actions
   the organisation chose itself.

Real research data leaves out demo and simulated organisations; `simulated=True` takes only
the simulated ones.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from leerkansen.content.catalogue import get_catalogue
from leerkansen.modelversions.models import ModelVersion
from leerkansen.modelversions.services import active_version, create_draft, get_model
from leerkansen.reports.models import ActionRating, Report
from leerkansen.scoring.model import ProfileModel
from leerkansen.scoring.profiles import assign_profile

from .evidence_bayes import (
    EvidenceEstimate,
    Rating,
    estimate_table,
)
from .population import eligible_organisations


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


def _origin(recommended: bool, asked_at_random: bool) -> str:
    return "recommended" if recommended else "random" if asked_at_random else "chosen"


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
    ).values_list(
        "assessment_id", "action_id", "relevance", "feasibility", "recommended", "asked_at_random"
    )
    return [
        Rating(
            probabilities[assessment_id],
            action_id,
            relevance,
            feasibility,
            _origin(recommended, asked_at_random),
        )
        for assessment_id, action_id, relevance, feasibility, recommended, asked_at_random in (
            rows.iterator(chunk_size=10_000)
        )
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
        f"{total} combinaties op beoordelingen door organisaties, des te meer naarmate er meer "
        "zijn; de andere staan op het midden van de schaal tot ze beoordeeld worden."
    )


@dataclass(frozen=True)
class Comparison:
    """An estimate against the evidence planted in simulated data."""

    correlation: float
    mean_absolute_error: float
    # The share of cells whose planted value lies within 2 standard errors of the estimate.
    within_2_se: float
    cells: int


def compare_with_planted(
    estimate: EvidenceEstimate, planted: Mapping[str, Mapping[str, float]], min_n: float = 1.0
) -> Comparison:
    """Pearson correlation, mean absolute error and share within 2 SE over the planted cells
    with at least `min_n` weighted ratings. `planted`: {profile id: {action id: E}}, on the
    evidence scale."""
    cells = [
        (estimate.cells[profile_id, action_id], float(value))
        for profile_id, row in planted.items()
        for action_id, value in row.items()
        if (profile_id, action_id) in estimate.cells
        and estimate.cells[profile_id, action_id].n >= min_n
    ]
    pairs = [(cell.estimate, value) for cell, value in cells]
    if len(pairs) < 2:
        return Comparison(math.nan, math.nan, math.nan, len(pairs))
    xs, ys = [x for x, _ in pairs], [y for _, y in pairs]
    mx, my = math.fsum(xs) / len(xs), math.fsum(ys) / len(ys)
    sxy = math.fsum((x - mx) * (y - my) for x, y in pairs)
    sxx = math.fsum((x - mx) ** 2 for x in xs)
    syy = math.fsum((y - my) ** 2 for y in ys)
    correlation = sxy / math.sqrt(sxx * syy) if sxx > 0 and syy > 0 else math.nan
    error = math.fsum(abs(x - y) for x, y in pairs) / len(pairs)
    inside = sum(abs(cell.estimate - value) <= 2 * cell.se for cell, value in cells) / len(cells)
    return Comparison(correlation, error, inside, len(pairs))


def uncertainty_table(model: ProfileModel | None) -> dict | None:
    """The model page's table of evidence with its uncertainty (research/
    _evidence_uncertainty.html): per action, per profile E, SE and the weighted n. None for a
    model without measured evidence (the shipped files, a version of new profiles)."""
    if model is None or model.evidence_uncertainty is None:
        return None
    catalogue = get_catalogue()
    rows = []
    for challenge in catalogue.challenges:
        for action in challenge.actions:
            cells = []
            for profile in model.profiles:
                cell = model.evidence_uncertainty[profile.id][action.id]
                estimate = model.evidence[profile.id][action.id]
                cells.append({"estimate": estimate, "se": cell.se, "n": cell.n})
            rows.append({"action": action, "challenge": challenge, "cells": cells})
    rated = sum(1 for row in rows for cell in row["cells"] if cell["n"] > 0)
    return {
        "profiles": model.profiles,
        "rows": rows,
        # Below this a weighted n is shown as "< 0.1".
        "small": 0.1,
        "rated": rated,
        "total": sum(len(row["cells"]) for row in rows),
    }


def estimate_evidence(
    *, simulated: bool = False, write: bool = True, user=None
) -> tuple[EvidenceEstimate, ModelVersion | None]:
    """Estimate the evidence on the active model and (when `write`) store it as a draft.

    Raises NoEvidence (nothing written) when no action is rated twice in one profile.
    """
    base_version = active_version()
    base = get_model(base_version)
    result = estimate_table(base, collected_ratings(base, simulated))
    if not write:
        return result, None
    base_row = ModelVersion.objects.filter(version=base_version).first()
    content = base.model_dump(mode="json")
    content["evidence"] = result.evidence
    content["evidence_uncertainty"] = result.uncertainty
    content["description_nl"] = _description(base_row, base, len(result.estimated))
    fit = {
        "kind": "evidence",
        "estimator": "empirical Bayes, normal-normal, prior at the middle of the scale",
        "simulated": simulated,
        "ratings": result.ratings,
        "origins": result.origins,
        "cells_estimated": len(result.estimated),
        "cells_total": sum(len(row) for row in result.evidence.values()),
        "range": [result.low, result.high],
        "prior": round(result.prior, 4),
        "sigma": round(result.sigma, 4),
        "tau": round(result.tau, 4),
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
