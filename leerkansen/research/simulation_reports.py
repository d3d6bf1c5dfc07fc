"""Report content for many simulated rounds at once, exactly as reports.compute_report makes it.

simulate_organisations writes 100,000 organisations in about two minutes; the report machinery
takes about 12 ms a round (a third of it the top 3), which alone would take 20 minutes. So the
fields of a report are computed here for a whole chunk of rounds with numpy, by the rules of
scoring.scales (scores: item means over the respondents, reverse keys, the 75% rule per form,
one decimal rounded half to even), scoring.profiles (posterior, dominant profile, runner-up,
nearest prototype), scoring.agreement (mean item r_wg) and scoring.round_outcome (needs, counts
per role, groups shown apart). Every value that lies on a rounding or tie edge, and every round
with a missing score, is handed to those functions themselves, so the content is identical: the
tests compare it with compute_report field by field.

Left out is the recommendation: `top3` and `also_strong` are empty lists. Nobody reads a
simulated organisation's report, and its top 3 is not what a simulation checks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
from django.conf import settings

from leerkansen.content.catalogue import get_catalogue
from leerkansen.content.questionnaire import get_questionnaire, questionnaire_for
from leerkansen.scoring.agreement import mean_item_rwg
from leerkansen.scoring.anonymity import report_groups, role_counts
from leerkansen.scoring.model import ProfileModel
from leerkansen.scoring.profiles import ProfileAssignment, assign_profile
from leerkansen.scoring.round_outcome import open_answers, profile_entry
from leerkansen.scoring.scales import ScaleItem, challenge_scores, scale_items

# Options of the agreement scale: r_wg compares with a uniform answer on 1-5.
UNIFORM_VARIANCE = (5**2 - 1) / 12
# A float this close to a rounding edge (in units of the last kept decimal) or two posteriors
# this close together: handed to the scoring functions, which decide it exactly.
EDGE = 1e-6


@dataclass(frozen=True)
class Challenge:
    number: int
    # Columns of the challenge's items in Layout.items, and which of them are reverse-keyed.
    columns: np.ndarray
    reverse: np.ndarray
    # Per form (the items one respondent was asked together): its columns.
    forms: tuple[np.ndarray, ...]
    items: tuple[ScaleItem, ...]


@dataclass(frozen=True)
class Layout:
    """The questionnaire's diagnostic items as matrix columns (every role, retired ones too)."""

    items: tuple[ScaleItem, ...]
    column: dict[str, int]
    challenges: tuple[Challenge, ...]


@cache
def layout(version: str) -> Layout:
    """The layout of the active questionnaire (cached per version: it is read once)."""
    questionnaire = get_questionnaire()
    assert questionnaire.version == version
    items = tuple(scale_items(questionnaire))
    column = {item.id: index for index, item in enumerate(items)}
    challenges = []
    for number in sorted({item.challenge for item in items}):
        own = [index for index, item in enumerate(items) if item.challenge == number]
        forms: dict[str, list[int]] = {}
        for index in own:
            for form in items[index].forms or {""}:
                forms.setdefault(form, []).append(index)
        challenges.append(
            Challenge(
                number=number,
                columns=np.array(own),
                reverse=np.array([items[index].reverse for index in own]),
                forms=tuple(np.array(forms[form]) for form in sorted(forms)),
                items=tuple(items[index] for index in own),
            )
        )
    return Layout(items=items, column=column, challenges=tuple(challenges))


def current_layout() -> Layout:
    return layout(get_questionnaire().version)


def role_columns(role: str) -> tuple[np.ndarray, np.ndarray]:
    """The columns of the diagnostic items `role` answers, and which are reverse-keyed."""
    found = current_layout()
    items = [item for item in questionnaire_for(role).items("B") if item.challenge is not None]
    return (
        np.array([found.column[item.id] for item in items]),
        np.array([item.reverse for item in items]),
    )


# Scores ----------------------------------------------------------------------------------


def _sums(answers: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Per round and item: the sum of the answers (0 = none) and how many answered."""
    total = np.zeros(answers[0].shape, dtype=np.int64)
    count = np.zeros(answers[0].shape, dtype=np.int64)
    for respondent in answers:
        total += respondent
        count += respondent > 0
    return total, count


def group_scores(answers: Sequence[np.ndarray]) -> np.ndarray:
    """The 0-100 score per challenge of each round (rows), from its respondents' answers.

    `answers`: one (rounds x items) array per respondent, in Layout columns, 0 where they gave
    no number. As scales.scores_of on the same responses: nan where it gives None.
    """
    found = current_layout()
    total, count = _sums(answers)
    rows = total.shape[0]
    answered = count > 0
    whole = count.max(initial=0) <= 1
    if not whole:
        means = np.divide(total, count, out=np.full(total.shape, np.nan), where=answered)
    scores = np.full((rows, len(found.challenges)), np.nan)
    for j, challenge in enumerate(found.challenges):
        columns = challenge.columns
        enough = np.zeros(rows, dtype=bool)
        for form in challenge.forms:
            enough |= answered[:, form].sum(axis=1) >= 0.75 * len(form) - 1e-9
        k = answered[:, columns].sum(axis=1)
        scored = enough & (k > 0)
        divisor = np.where(k > 0, k, 1)
        if whole:
            # Whole answers: 10 x score = 250 (sum - k) / k, rounded half to even exactly.
            values = total[:, columns]
            keyed = np.where(challenge.reverse, 6 - values, values) * answered[:, columns]
            numerator = 250 * (keyed.sum(axis=1) - k)
            quotient, remainder = np.divmod(numerator, divisor)
            up = (2 * remainder > divisor) | ((2 * remainder == divisor) & (quotient % 2 == 1))
            scores[scored, j] = ((quotient + up) / 10)[scored]
            continue
        values = means[:, columns]
        keyed = np.where(challenge.reverse, 6 - values, values)
        tenfold = (np.nansum(keyed, axis=1) / divisor - 1) * 250
        scores[scored, j] = (np.rint(tenfold) / 10)[scored]
        for row in np.flatnonzero(scored & (np.abs(tenfold - np.floor(tenfold) - 0.5) < EDGE)):
            item_means = {
                item.id: None if np.isnan(value) else float(value)
                for item, value in zip(challenge.items, values[row], strict=True)
            }
            scores[row, j] = challenge_scores(item_means, challenge.items)[challenge.number]
    return scores


def group_agreement(answers: Sequence[np.ndarray]) -> np.ndarray:
    """The mean item r_wg per challenge of each round, rounded to 2 decimals (nan: None).

    As round_outcome.agreement_by_challenge on the same responses.
    """
    found = current_layout()
    total, count = _sums(answers)
    rows = total.shape[0]
    agreement = np.full((rows, len(found.challenges)), np.nan)
    if count.max(initial=0) < 2:
        return agreement
    mean = np.divide(total, count, out=np.zeros(total.shape), where=count > 0)
    squares = np.zeros(total.shape)
    for respondent in answers:
        squares += np.where(respondent > 0, (respondent - mean) ** 2, 0.0)
    two = count >= 2
    variance = np.divide(squares, count - 1, out=np.zeros(total.shape), where=two)
    rwg = np.maximum(0.0, 1 - variance / UNIFORM_VARIANCE)
    for j, challenge in enumerate(found.challenges):
        columns = challenge.columns
        items = two[:, columns].sum(axis=1)
        value = np.minimum(
            1.0, np.where(two[:, columns], rwg[:, columns], 0).sum(axis=1) / np.maximum(items, 1)
        )
        hundredfold = value * 100
        agreement[items > 0, j] = (np.rint(hundredfold) / 100)[items > 0]
        edges = (items > 0) & (np.abs(hundredfold - np.floor(hundredfold) - 0.5) < EDGE)
        for row in np.flatnonzero(edges):
            given = {
                item.id: [int(a[row, column]) for a in answers if a[row, column] > 0]
                for item, column in zip(challenge.items, columns, strict=True)
            }
            agreement[row, j] = round(mean_item_rwg(given, options=5), 2)
    return agreement


# Profiles --------------------------------------------------------------------------------


def _close(sorted_values: np.ndarray, first: int, second: int) -> np.ndarray:
    return np.abs(sorted_values[:, first] - sorted_values[:, second]) < EDGE


def profile_entries(scores: np.ndarray, model: ProfileModel) -> list[dict | None]:
    """The report's "profile" entry of each round (None: no score at all, no report).

    As profiles.assign_profile: rows with a missing score or a near tie (and every row, under a
    model with covariance matrices) go to it directly.
    """
    challenges = [challenge.number for challenge in current_layout().challenges]
    assert list(model.challenges) == challenges
    mean = np.array([model.standardisation.mean[c] for c in challenges])
    sd = np.array([model.standardisation.sd[c] for c in challenges])
    means = np.array([[p.means[c] for c in challenges] for p in model.profiles])
    variances = np.array([[p.variances[c] for c in challenges] for p in model.profiles])
    weights = np.array([p.weight for p in model.profiles])
    ids = [p.id for p in model.profiles]

    z = (scores - mean) / sd
    # Rows with a missing score give nan here; they go to assign_profile below.
    with np.errstate(invalid="ignore"):
        log_joint = np.log(weights) - 0.5 * np.sum(
            np.log(2 * np.pi * variances) + (z[:, None, :] - means) ** 2 / variances, axis=2
        )
        log_posterior = log_joint - np.logaddexp.reduce(log_joint, axis=1)[:, None]
        posterior = np.exp(log_posterior)
        posterior /= posterior.sum(axis=1)[:, None]
    distances = np.sqrt(np.sum((z[:, None, :] - means) ** 2, axis=2))

    k = len(ids)
    order = np.argsort(-log_posterior, axis=1, kind="stable")
    ranked = np.take_along_axis(log_posterior, order, axis=1)
    nearest = np.argsort(distances, axis=1, kind="stable")
    by_distance = np.take_along_axis(distances, nearest, axis=1)
    dominant_probability = posterior[np.arange(len(scores)), order[:, 0]]
    runner_up_named = (dominant_probability < model.dominance_threshold) & (k > 1)
    unsure = np.isnan(scores).any(axis=1)
    # A profile with its own covariance matrix (an estimated tied or full model) is not the
    # diagonal likelihood above: every round goes to assign_profile then.
    if any(getattr(p, "covariances", None) is not None for p in model.profiles):
        unsure[:] = True
    if k > 1:
        unsure |= _close(ranked, 0, 1) | _close(by_distance, 0, 1)
    if k > 2:
        unsure |= runner_up_named & _close(ranked, 1, 2)

    entries: list[dict | None] = []
    for row in range(len(scores)):
        if unsure[row]:
            given = {
                c: None if np.isnan(s) else float(s)
                for c, s in zip(challenges, scores[row], strict=True)
            }
            if all(value is None for value in given.values()):
                entries.append(None)
                continue
            entries.append(profile_entry(assign_profile(given, model), model))
            continue
        assignment = ProfileAssignment(
            probabilities={ids[j]: float(posterior[row, j]) for j in range(k)},
            dominant=ids[order[row, 0]],
            dominant_probability=float(dominant_probability[row]),
            runner_up=ids[order[row, 1]] if runner_up_named[row] else None,
            nearest_prototype=ids[nearest[row, 0]],
            distances={ids[j]: float(distances[row, j]) for j in range(k)},
        )
        entries.append(profile_entry(assignment, model))
    return entries


# The report ------------------------------------------------------------------------------


def _as_dict(values: np.ndarray) -> dict[str, float | None]:
    found = current_layout()
    return {
        str(challenge.number): None if np.isnan(value) else float(value)
        for challenge, value in zip(found.challenges, values, strict=True)
    }


def counted_respondents(roles: Sequence[str]) -> list[int]:
    """The respondents (indexes) the anonymity rule counts in a round of these roles, its
    responses all published in one step (anonymity.report_groups)."""
    counts = role_counts(list(roles))
    plan = report_groups(counts, settings.ANONYMITY_THRESHOLD, [counts])
    return [index for index, role in enumerate(roles) if plan.counted(role)]


@dataclass(frozen=True)
class ReportContents:
    """What compute_report stores for each round of a chunk: the fields every round shares
    (`same`), and per round the others (None: no score at all, no report)."""

    same: dict
    rows: list[dict | None]

    def content(self, row: int) -> dict | None:
        found = self.rows[row]
        return None if found is None else {**self.same, **found}


def report_contents(
    roles: Sequence[str],
    answers: Sequence[np.ndarray],
    needs: np.ndarray,
    model: ProfileModel,
) -> ReportContents:
    """What compute_report stores for each round of a chunk (ReportContents).

    `roles`: each respondent's role, the same in every round; `answers`: per respondent a
    (rounds x items) array in Layout columns, 0 where no number; `needs`: (rounds x 3) the
    challenges each respondent asked about them ranks first, second and third (the same for
    every such respondent: see simulation.py). The round is final, its responses all taken in
    by one publication, none entered by the organisation.
    """
    questionnaire = get_questionnaire()
    threshold = settings.ANONYMITY_THRESHOLD
    free_text_threshold = settings.FREE_TEXT_THRESHOLD
    counts = role_counts(list(roles))
    plan = report_groups(counts, threshold, [counts])
    counted = counted_respondents(roles)
    counted_answers = [answers[index] for index in counted]
    scores = group_scores(counted_answers)
    agreement = group_agreement(counted_answers)
    profiles = profile_entries(scores, model)
    groups = {
        key: group_scores([answers[i] for i in counted if roles[i] in group_roles])
        for key, group_roles in sorted(plan.shown.items())
    }
    asked = any(questionnaire_for(roles[i]).need_items() for i in counted)
    free_text_allowed = len(roles) >= free_text_threshold
    same = {
        "questionnaire_version": questionnaire.version,
        "model_version": model.version,
        "catalogue_version": get_catalogue().version,
        "response_count": len(counted),
        "dominance_threshold": model.dominance_threshold,
        "top3": [],
        "also_strong": [],
        "practices": {},
        "role_counts": counts,
        "free_text": open_answers([], questionnaire) if free_text_allowed else {},
        "free_text_allowed": free_text_allowed,
        "anonymity_threshold": threshold,
        "free_text_threshold": free_text_threshold,
        "final": True,
    }
    rows: list[dict | None] = []
    for row, profile in enumerate(profiles):
        if profile is None:
            rows.append(None)
            continue
        rows.append(
            {
                "scores": _as_dict(scores[row]),
                "profile": profile,
                "needs": [{"challenge": int(c), "urgency": None} for c in needs[row]]
                if asked
                else [],
                "role_scores": {key: _as_dict(values[row]) for key, values in groups.items()},
                "agreement": _as_dict(agreement[row]),
            }
        )
    return ReportContents(same=same, rows=rows)
