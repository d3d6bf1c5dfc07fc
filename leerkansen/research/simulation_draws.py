"""The simulation's generator without the database: planted profiles, latent scores, answers,
needs and action ratings, drawn with numpy (research/simulation.py writes them; its docstring
describes the generator in full).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np

from leerkansen.content.catalogue import get_catalogue
from leerkansen.scoring.model import get_shipped_model
from leerkansen.survey.models import Role

from .simulation_reports import (
    counted_respondents,
    current_layout,
    group_scores,
    role_columns,
)

BASE = 42.0
GAP = 30.0
# Profile 5 sits this share of the separation below BASE (20 points at the default 30).
LOW_FRACTION = 2 / 3
DEFINING: tuple[tuple[int, ...], ...] = ((1, 4), (2, 3, 7), (6, 8), (5, 9), ())
PROFILE_IDS = (
    "druk-en-verspreid",
    "leren-zonder-richting",
    "alleen-aan-de-slag",
    "leidinggevenden-als-sleutel",
    "op-weg",
)
SHARES = (3, 3, 2, 2, 2)
SPREAD = 10.0
ITEM_NOISE = 0.6
DONT_KNOW = 0.01
CHALLENGES = tuple(range(1, 10))
MAX_PROFILES = len(DEFINING)
MAX_SEPARATION = 50.0
MAX_MISSING = 0.5
MAX_RESPONDENTS = 50
TITLE = "Simulatie: profiel {}"
CHUNK = 5_000
# Planted ratings (step 5).
RATINGS = 6
RELEVANT, NOT_RELEVANT = 4.0, 2.4
CELL_SPREAD = 0.8
FEASIBILITY = (2.2, 4.4)
RATING_NOISE = 0.9
EVIDENCE_SEED = 15
SCALE = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class Settings:
    """The generator's options (module doc); ValueError names the option that is wrong."""

    n: int = 500
    profiles: int = 4
    seed: int = 1
    within_correlation: float = 0.0
    separation: float = GAP
    missing: float = DONT_KNOW
    respondents: int = 1
    ratings: int = RATINGS

    def __post_init__(self) -> None:
        actions = len(list(get_catalogue().actions()))
        checks = (
            (self.n >= 1, f"--n must be at least 1, not {self.n}"),
            (
                1 <= self.profiles <= MAX_PROFILES,
                f"--profiles must be from 1 to {MAX_PROFILES}, not {self.profiles}",
            ),
            (
                0 <= self.within_correlation < 1,
                f"--within-correlation must be from 0 to below 1, not {self.within_correlation}",
            ),
            (
                0 <= self.separation <= MAX_SEPARATION,
                f"--separation must be from 0 to {MAX_SEPARATION:g}, not {self.separation}",
            ),
            (
                0 <= self.missing <= MAX_MISSING,
                f"--missing must be from 0 to {MAX_MISSING:g}, not {self.missing}",
            ),
            (
                1 <= self.respondents <= MAX_RESPONDENTS,
                f"--respondents must be from 1 to {MAX_RESPONDENTS}, not {self.respondents}",
            ),
            (
                0 <= self.ratings <= actions,
                f"--ratings must be from 0 to {actions}, not {self.ratings}",
            ),
        )
        for ok, message in checks:
            if not ok:
                raise ValueError(message)


def prototypes(count: int, separation: float = GAP) -> np.ndarray:
    """The first `count` planted prototypes, one row of 0-100 scores per profile."""
    if not 1 <= count <= MAX_PROFILES:
        raise ValueError(f"from 1 to {MAX_PROFILES} profiles can be planted, not {count}")
    rows = []
    for defining in DEFINING[:count]:
        level = BASE if defining else BASE - LOW_FRACTION * separation
        rows.append([BASE + separation if c in defining else level for c in CHALLENGES])
    return np.array(rows)


def composition(respondents: int) -> tuple[str, ...]:
    """The roles of a round's respondents: 1 HR, (M + 1) // 4 line managers, the rest employees."""
    managers = (respondents + 1) // 4 if respondents > 1 else 0
    employees = respondents - 1 - managers
    return (
        (Role.HR.value,)
        + (Role.LEIDINGGEVENDE.value,) * managers
        + (Role.MEDEWERKER.value,) * employees
    )


# The generator (steps 1-3 and 5) ---------------------------------------------------------


@dataclass
class Chunk:
    """Consecutive organisations of a simulation, as drawn (before anything is written)."""

    labels: np.ndarray  # planted profile, 0-based
    latent: np.ndarray  # (rows, 9) latent 0-100 scores
    # Per respondent: (rows, items) stored answers in simulation_reports.Layout columns, 0 for
    # "weet niet" or an item of another role's version.
    answers: list[np.ndarray]
    needs: np.ndarray  # (rows, 3) challenge numbers, first need first
    rated: np.ndarray = field(default_factory=lambda: np.empty((0, 0), dtype=int))
    relevance: np.ndarray = field(default_factory=lambda: np.empty((0, 0), dtype=int))
    feasibility: np.ndarray = field(default_factory=lambda: np.empty((0, 0), dtype=int))


def generators(seed: int) -> list[np.random.Generator]:
    return [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(4)]


def draw_latent(settings: Settings, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Planted labels (0-based) and latent 0-100 scores of all organisations (steps 1-2)."""
    planted = prototypes(settings.profiles, settings.separation)
    shares = np.array(SHARES[: settings.profiles], dtype=float)
    labels = rng.choice(settings.profiles, size=settings.n, p=shares / shares.sum())
    common = rng.normal(0, 1, (settings.n, 1))
    own = rng.normal(0, 1, (settings.n, len(CHALLENGES)))
    r = settings.within_correlation
    noise = SPREAD * (math.sqrt(r) * common + math.sqrt(1 - r) * own)
    return labels, np.clip(planted[labels] + noise, 0, 100)


def draw_answers(
    latent: np.ndarray, settings: Settings, rng: np.random.Generator
) -> tuple[list[np.ndarray], np.ndarray]:
    """Every respondent's stored section B answers and the needs (step 3)."""
    layout = current_layout()
    rows = len(latent)
    answers = []
    for role in composition(settings.respondents):
        columns, reverse = role_columns(role)
        challenge = np.array([layout.items[c].challenge - 1 for c in columns])
        keyed = 1 + 4 * latent[:, challenge] / 100 + rng.normal(0, ITEM_NOISE, (rows, len(columns)))
        keyed = np.clip(np.rint(keyed), 1, 5).astype(np.int8)
        stored = np.where(reverse, 6 - keyed, keyed)
        dont_know = rng.random((rows, len(columns))) < settings.missing
        full = np.zeros((rows, len(layout.items)), dtype=np.int8)
        full[:, columns] = np.where(dont_know, 0, stored)
        answers.append(full)
    # Highest latent score first; ties by challenge number (a stable sort).
    needs = np.argsort(-latent, axis=1, kind="stable")[:, :3] + 1
    return answers, needs


def rating_means(profiles: int) -> tuple[np.ndarray, np.ndarray]:
    """mu_R (profiles x actions) and mu_F (actions), in catalogue order (step 5)."""
    actions = list(get_catalogue().actions())
    challenge_of = {a.id: ch.number for ch in get_catalogue().challenges for a in ch.actions}
    rng = np.random.default_rng(EVIDENCE_SEED)
    offsets = rng.uniform(-CELL_SPREAD, CELL_SPREAD, (MAX_PROFILES, len(actions)))
    feasibility = rng.uniform(*FEASIBILITY, len(actions))
    relevance = np.array(
        [
            [RELEVANT if challenge_of[a.id] in defining else NOT_RELEVANT for a in actions]
            for defining in DEFINING
        ]
    )
    return (relevance + offsets)[:profiles], feasibility


def draw_ratings(chunk: Chunk, settings: Settings, rng: np.random.Generator) -> None:
    """Which actions each organisation rates, and its relevance and feasibility (step 5)."""
    mu_r, mu_f = rating_means(settings.profiles)
    rows, count = len(chunk.labels), settings.ratings
    chunk.rated = np.argsort(rng.random((rows, mu_f.size)), axis=1)[:, :count]
    noise = rng.normal(0, RATING_NOISE, (2, rows, count))
    relevance = mu_r[chunk.labels[:, None], chunk.rated] + noise[0]
    chunk.relevance = np.clip(np.rint(relevance), 1, 5).astype(int)
    chunk.feasibility = np.clip(np.rint(mu_f[chunk.rated] + noise[1]), 1, 5).astype(int)


def chunks(settings: Settings) -> Iterator[Chunk]:
    """The simulation's organisations, CHUNK at a time (steps 1-3 and 5)."""
    latent_rng, answer_rng, _context_rng, rating_rng = generators(settings.seed)
    labels, latent = draw_latent(settings, latent_rng)
    for start in range(0, settings.n, CHUNK):
        part = slice(start, min(settings.n, start + CHUNK))
        answers, needs = draw_answers(latent[part], settings, answer_rng)
        chunk = Chunk(labels[part], latent[part], answers, needs)
        if settings.ratings:
            draw_ratings(chunk, settings, rating_rng)
        yield chunk


def simulated_scores(
    n: int, profiles: int = 4, seed: int = 1, **options
) -> tuple[np.ndarray, np.ndarray]:
    """The generator without the database: 0-100 scores (n x 9) and planted labels (1-based).

    The scores the reports of `simulate_organisations(Settings(n, profiles, seed, **options))`
    hold (nan where a report has none), for benchmarks and tests of the estimation at sizes
    the database would take long to fill. Without `missing` in `options` nothing is answered
    "weet niet", so every score exists.
    """
    options.setdefault("missing", 0.0)
    settings = Settings(n=n, profiles=profiles, seed=seed, ratings=0, **options)
    counted = counted_respondents(composition(settings.respondents))
    scores, labels = [], []
    for chunk in chunks(settings):
        scores.append(group_scores([chunk.answers[i] for i in counted]))
        labels.append(chunk.labels + 1)
    return np.vstack(scores), np.concatenate(labels)


# What was planted ------------------------------------------------------------------------


def _answer_probabilities(mean: float) -> list[float]:
    """P(clip(round(mean + N(0, RATING_NOISE)), 1, 5) = 1..5)."""

    def below(x: float) -> float:
        return 0.5 * (1 + math.erf((x - mean) / (RATING_NOISE * math.sqrt(2))))

    edges = [below(x + 0.5) for x in SCALE[:-1]]
    return [b - a for a, b in zip([0.0, *edges], [*edges, 1.0], strict=True)]


def planted_table(profiles: int) -> dict:
    """What a run stores as planted: per profile id and action the probabilities of relevance
    1-5, per action those of feasibility 1-5 (step 5)."""
    actions = [a.id for a in get_catalogue().actions()]
    mu_r, mu_f = rating_means(profiles)
    return {
        "relevance": {
            PROFILE_IDS[k]: {
                a: _answer_probabilities(float(mu_r[k, j])) for j, a in enumerate(actions)
            }
            for k in range(profiles)
        },
        "feasibility": {a: _answer_probabilities(float(mu_f[j])) for j, a in enumerate(actions)},
    }


def default_to_evidence() -> Callable[[int, int], float]:
    """relevance x feasibility (1-25) put linearly on the shipped model's evidence range."""
    values = [v for row in get_shipped_model().evidence.values() for v in row.values()]
    low, high = min(values), max(values)
    return lambda relevance, feasibility: low + (high - low) * (relevance * feasibility - 1) / 24
