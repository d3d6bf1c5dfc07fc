"""The versioned profile model: profiles as prototypes, top-3 weights and action evidence.

A model file under data/ is the source of truth for one model version. It is validated when
loaded, against its schema and against the catalogue (every challenge, every action); a bad
file raises ModelFileError naming the file and the field. See docs/scoring.md.

The files shipped here (SHIPPED_FILES: 1.0.0, and 1.1.0 with the "mixture" top 3) are the
baseline; 1.0.0 stays for the reports made with it. Versions estimated later on collected data live
in the database (leerkansen.modelversions.services), in exactly the same shape, and are checked by
the same `validate_model`; that module decides which version new reports use.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path
from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from leerkansen.content.catalogue import ActionId, Catalogue, get_catalogue
from leerkansen.lib.datafiles import DataFileError, describe, load_data_file

DATA_DIR = Path(__file__).resolve().parent / "data"
# The model files shipped with the code, by version. A report keeps the version it was made
# with, so a shipped file is never removed: 1.0.0 still recomputes the reports made with it.
SHIPPED_FILES = {
    "1.0.0": DATA_DIR / "model-1.0.0.yaml",
    "1.1.0": DATA_DIR / "model-1.1.0.yaml",
}
# The shipped model new reports use while no estimated version is active.
SHIPPED_VERSION = "1.1.0"
DEFAULT_MODEL_FILE = SHIPPED_FILES[SHIPPED_VERSION]

# A challenge whose prototype mean is at least this many standard deviations above the
# reference mean defines the profile (it is what the profile is about).
DEFINING_Z = 0.5

ChallengeNumber = Annotated[int, Field(ge=1)]
Text = Annotated[str, Field(min_length=1)]
Slug = Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
Share = Annotated[float, Field(ge=0, le=1)]
Positive = Annotated[float, Field(gt=0)]
NonNegative = Annotated[float, Field(ge=0)]


class ModelFileError(DataFileError):
    pass


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class Standardisation(_Frozen):
    """Reference mean and standard deviation of each challenge's 0-100 score."""

    mean: dict[ChallengeNumber, float]
    sd: dict[ChallengeNumber, Positive]


class Profile(_Frozen):
    id: Slug
    name: Text
    description: Text
    weight: Annotated[float, Field(gt=0, le=1)]
    means: dict[ChallengeNumber, float]
    variances: dict[ChallengeNumber, Positive]
    # Optional: the full covariance matrix in z-scores (row → column → value), for a model
    # estimated with covariances between challenges (tied or full structure). Its diagonal is
    # `variances`; without it the challenges are independent within the profile (diagonal).
    covariances: dict[ChallengeNumber, dict[ChallengeNumber, float]] | None = None

    @property
    def defining_challenges(self) -> tuple[int, ...]:
        """Challenges at least DEFINING_Z above average, highest first (ties: by number)."""
        defining = [c for c, z in self.means.items() if z >= DEFINING_Z]
        return tuple(sorted(defining, key=lambda c: (-self.means[c], c)))


class NeedWeights(_Frozen):
    first: NonNegative
    second: NonNegative
    third: NonNegative

    def for_rank(self, rank: int | None) -> float:
        """The weight of a need ranked 1, 2 or 3; 0 for a challenge that is not ranked."""
        return {1: self.first, 2: self.second, 3: self.third}.get(rank or 0, 0.0)


class Weights(_Frozen):
    evidence: NonNegative
    need: NeedWeights
    severity: NonNegative


class ContextWeights(_Frozen):
    fits: NonNegative
    hinders: NonNegative


class MixtureWeights(_Frozen):
    """The weights of the "mixture" top-3 method (docs/scoring.md, "Top 3")."""

    # × Σ_k p_k·E(a, k)
    evidence: NonNegative
    # × the share of the 3-2-1 need points the group could give (1: everyone's first need)
    need: NonNegative
    # the need part is multiplied by 1 + urgency × (mean urgency − 3) / 2
    urgency: Annotated[float, Field(ge=0, le=1)]
    # × the challenge's 0-100 score / 100
    severity: NonNegative
    # × the mean share of respondents agreeing with the problem on the action's facet items
    facets: NonNegative
    # per aspect (distance, working alone, HR capacity) that fits or hinders
    context: ContextWeights
    # subtracted when the action is partly in place ("deels")
    partly: NonNegative


class CellUncertainty(_Frozen):
    """How sure an estimated evidence cell is (research/evidence.py, empirical Bayes)."""

    # The weighted number of ratings: the sum of the rated rounds' probabilities of the profile.
    n: NonNegative
    # The standard error of E(action, profile): the posterior standard deviation.
    se: NonNegative


class ProfileModel(_Frozen):
    version: Annotated[str, Field(pattern=r"^\d+\.\d+\.\d+$")]
    # "prior": stated by hand as a starting point; "estimated": fitted on collected data.
    status: Literal["prior", "estimated"]
    description_nl: Text
    standardisation: Standardisation
    profiles: tuple[Profile, ...] = Field(min_length=1)
    weights: Weights
    # How the top 3 is computed: "dominant" (1.0.0: the dominant profile's evidence, the rank
    # of the need, the severity) or "mixture" (1.1.0 on: every part in `top3_weights`).
    method: Literal["dominant", "mixture"] = "dominant"
    top3_weights: MixtureWeights | None = None
    dominance_threshold: Annotated[float, Field(gt=0, le=1)]
    evidence: dict[Slug, dict[ActionId, Share]]
    # Optional, for evidence estimated from ratings: per cell of `evidence`, its weighted n and
    # standard error. Absent in the shipped files (their evidence is designed, not measured).
    evidence_uncertainty: dict[Slug, dict[ActionId, CellUncertainty]] | None = None

    @property
    def challenges(self) -> tuple[int, ...]:
        return tuple(sorted(self.standardisation.mean))

    def profile(self, profile_id: str) -> Profile:
        for profile in self.profiles:
            if profile.id == profile_id:
                return profile
        raise KeyError(profile_id)


def _cross_check(model: ProfileModel, catalogue: Catalogue) -> list[tuple[str, str]]:
    """Problems no single field shows: keys against the catalogue and against each other."""
    challenges: list[object] = [challenge.number for challenge in catalogue.challenges]
    actions: list[object] = [action.id for action in catalogue.actions()]
    problems: list[tuple[str, str]] = []

    def check_keys(
        found: Iterable[object], expected: Sequence[object], what: str, path: str
    ) -> None:
        found_set = set(found)
        missing = [key for key in expected if key not in found_set]
        unknown = sorted(found_set - set(expected), key=str)
        if missing:
            problems.append((path, f"missing {what} " + ", ".join(map(str, missing))))
        if unknown:
            problems.append((path, f"unknown {what} " + ", ".join(map(str, unknown))))

    check_keys(model.standardisation.mean, challenges, "challenges", "standardisation.mean")
    check_keys(model.standardisation.sd, challenges, "challenges", "standardisation.sd")
    ids = [profile.id for profile in model.profiles]
    for index, profile in enumerate(model.profiles):
        if profile.id in ids[:index]:
            problems.append((f"profiles[{index}].id", f"{profile.id} occurs twice"))
        check_keys(profile.means, challenges, "challenges", f"profiles[{index}].means")
        check_keys(profile.variances, challenges, "challenges", f"profiles[{index}].variances")
        if profile.covariances is not None:
            problems.extend(_covariance_problems(profile, challenges, index))
    total = math.fsum(profile.weight for profile in model.profiles)
    if not math.isclose(total, 1.0, abs_tol=1e-6):
        problems.append(("profiles", f"weights add up to {total:g}, not 1"))
    if model.method == "mixture" and model.top3_weights is None:
        problems.append(("top3_weights", 'required with method "mixture"'))
    if model.method == "dominant" and model.top3_weights is not None:
        problems.append(("top3_weights", 'only with method "mixture"'))
    check_keys(model.evidence, ids, "profiles", "evidence")
    for profile_id, row in model.evidence.items():
        check_keys(row, actions, "actions", f"evidence.{profile_id}")
    if model.evidence_uncertainty is not None:
        check_keys(model.evidence_uncertainty, ids, "profiles", "evidence_uncertainty")
        for profile_id, row in model.evidence_uncertainty.items():
            check_keys(row, actions, "actions", f"evidence_uncertainty.{profile_id}")
    return problems


def _covariance_problems(
    profile: Profile, challenges: Sequence[int], index: int
) -> list[tuple[str, str]]:
    """A covariance matrix must cover every challenge, be symmetric, carry the variances on
    its diagonal and be positive definite (else it is no covariance matrix)."""
    path = f"profiles[{index}].covariances"
    covariances = profile.covariances or {}
    rows = set(covariances)
    if rows != set(challenges) or any(set(row) != set(challenges) for row in covariances.values()):
        return [(path, "needs a row and a column for every challenge")]
    matrix = np.array([[covariances[r][c] for c in challenges] for r in challenges])
    if not np.allclose(matrix, matrix.T, atol=1e-9):
        return [(path, "is not symmetric")]
    if not np.allclose(np.diag(matrix), [profile.variances[c] for c in challenges], atol=1e-6):
        return [(path, "its diagonal differs from variances")]
    try:
        np.linalg.cholesky(matrix)
    except np.linalg.LinAlgError:
        return [(path, "is not positive definite")]
    return []


def _raise_problems(source: object, problems: list[tuple[str, str]]) -> None:
    if problems:
        raise ModelFileError(
            f"{source}: " + "; ".join(f"{where}: {what}" for where, what in problems)
        )


def load_model(path: Path, catalogue: Catalogue | None = None) -> ProfileModel:
    """Read and validate a model file, also against the catalogue (default: the active one)."""
    model = load_data_file(path, ProfileModel, ModelFileError)
    _raise_problems(path, _cross_check(model, catalogue or get_catalogue()))
    return model


def validate_model(raw: object, source: str, catalogue: Catalogue | None = None) -> ProfileModel:
    """Validate a model given as data (the shape of a model file, e.g. decoded JSON).

    The same checks as `load_model`: the schema, then the catalogue. A problem raises
    ModelFileError("<source>: <field path>: <message>").
    """
    try:
        model = ProfileModel.model_validate(raw)
    except ValidationError as problem:
        raise ModelFileError(f"{source}: {describe(problem)}") from problem
    _raise_problems(source, _cross_check(model, catalogue or get_catalogue()))
    return model


def get_shipped_model(version: str = SHIPPED_VERSION) -> ProfileModel:
    """A model file shipped with the code (default: the one new reports use), read once."""
    return _load_shipped(version)


@cache
def _load_shipped(version: str) -> ProfileModel:
    return load_model(SHIPPED_FILES[version])
