"""Simulated organisations with planted profiles and ratings, to check that estimation finds them.

`simulate_organisations(Settings(...))` writes n organisations flagged `is_simulated` (kept out
of real research views, exports and estimates), each with one closed round, its completed
responses, its report and its action ratings, and keeps what it planted: the profile of every
organisation (research.PlantedProfile, `planted_profiles()`) and the run's settings and planted
ratings (research.SimulationRun, `planted_evidence()`). The generator, with numpy generators
spawned from SeedSequence(seed) (one for the profiles and scores, one for the answers, one for
sector and size, one for the ratings):

1. Planted profiles: `prototypes(p, D)` below, 0-100 barrier scores per challenge. Every
   challenge sits at BASE (42) except the profile's defining challenges, which sit D higher
   (`--separation`, default GAP = 30):
       1: challenges 1, 4        (work comes first, many sites)
       2: challenges 2, 3, 7     (learning without direction)
       3: challenges 6, 8        (working alone, nobody knows who knows what)
       4: challenges 5, 9        (line managers)
       5: none, every challenge at BASE - 2D/3 (lower barriers all round; 22 at D = 30)
   They are the profiles of the shipped model 1.1.0, in its order (PROFILE_IDS).
   `--profiles p` plants the first p of them, with shares proportional to SHARES[:p]
   (3, 3, 2, 2, 2: for four profiles 30%, 30%, 20%, 20%).
2. Organisation i draws its profile k_i by those shares, then a latent score per challenge
       s_ic = prototype[k_i, c] + SPREAD * (sqrt(R) f_i + sqrt(1 - R) e_ic),  clipped to 0-100,
   with f_i and e_ic independent N(0, 1) and SPREAD = 10: within a profile every challenge has
   sd 10 and any two challenges correlate R before clipping (`--within-correlation`, default
   0: independent, as the latent profile model assumes; real survey data has an
   organisation-wide factor). The scores, measured with item noise, correlate less (about
   0.65 R with one respondent).
3. The round has M respondents (`--respondents`, default 1): 1 HR, then (M + 1) // 4 line
   managers (leidinggevenden) and the rest employees (medewerkers); 8 gives 1, 2 and 5. Each
   answers only the section B statements of their role's version (questionnaire_for(role):
   45 for HR, 36 for the others) from the organisation's latent scores, with the keyed
   agreement
       round(1 + 4 * s_ic / 100 + u),  u ~ N(0, ITEM_NOISE = 0.6),  clipped to 1-5,
   stored as 6 - keyed on reverse-keyed items. Respondents differ only by that item noise.
   With probability P (`--missing`, default DONT_KNOW = 1%) an item is answered "weet niet"
   instead. The HR respondent and the line managers also rank their needs (section D): the
   three challenges with the highest latent scores, highest first, without urgency. Sector and
   size band are drawn uniformly; nothing else is answered (no practices, no open answers).
4. The round is closed and its responses are published once, together: the report holds what
   reports.compute_report makes of them (scores, profile under the active model, needs, counts
   per role, the groups the anonymity rule shows apart, agreement; see simulation_reports.py),
   computed for thousands of rounds at once, except the top 3, which stays empty. A round
   without any score (possible with a large P) gets no report, as no profile can be assigned.
   The scores lie near the planted prototypes (one HR respondent: one sd is about 12 points).
5. Ratings (reports.ActionRating, recorded as asked at random, not recommended): each
   organisation rates `--ratings` actions (default RATINGS = 6), drawn without replacement from
   the catalogue's 48, with
       relevance   = round(mu_R[k_i, a] + N(0, RATING_NOISE = 0.9)),  clipped to 1-5,
       feasibility = round(mu_F[a] + N(0, RATING_NOISE)),              clipped to 1-5.
   mu_R is RELEVANT (4.0) for an action of one of the profile's defining challenges and
   NOT_RELEVANT (2.4) otherwise, plus a fixed offset per profile and action drawn uniformly from
   ±CELL_SPREAD (0.8); mu_F is drawn uniformly from 2.2-4.4 per action. Offsets and mu_F come
   from default_rng(EVIDENCE_SEED), so every run plants the same table. The planted evidence
   E(action, profile) is the expectation of a rating's evidence value under these
   distributions: with the evidence estimation's linear map of relevance x feasibility onto
   the shipped model's evidence range (0.30-0.85), E = 0.30 + 0.55 * (E[relevance] *
   E[feasibility] - 1) / 24, computed exactly from the probabilities of each answer that the
   run stores. With n organisations, a cell (action, profile with share w) gets about
   n * w * ratings / 48 ratings: 40 per cell for a 20% profile at n = 2,000 with 5 ratings.

Rows are written in chunks of CHUNK (5,000) organisations with multi-row INSERTs (COPY on
PostgreSQL; research/bulk_insert.py), in one transaction: 100,000 organisations with one
respondent and 6 ratings each took 51 s and 270 MB on SQLite (`make bench`,
tools/bench_simulation.py; the target is 2 minutes and 1 GB). `simulated_scores` runs the same
generator without the database and returns exactly the scores the reports would hold.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from operator import itemgetter

import numpy as np
from django.db import transaction
from django.utils import timezone

from leerkansen.content.catalogue import get_catalogue
from leerkansen.content.questionnaire import get_questionnaire, questionnaire_for
from leerkansen.modelversions.services import get_active_model
from leerkansen.organisations.models import Organisation, sector_choices
from leerkansen.reports.models import ActionRating, Report
from leerkansen.scoring.model import get_shipped_model
from leerkansen.survey.models import Answer, Assessment, Response, Role

from .bulk_insert import date_value, insert_rows, json_value
from .models import PlantedProfile, SimulationRun
from .simulation_reports import (
    counted_respondents,
    current_layout,
    group_scores,
    report_contents,
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


def _generators(seed: int) -> list[np.random.Generator]:
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
    latent_rng, answer_rng, _context_rng, rating_rng = _generators(settings.seed)
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


def planted_evidence(
    to_evidence: Callable[[int, int], float] | None = None, run: SimulationRun | None = None
) -> dict[str, dict[str, float]]:
    """The planted E(action, profile) of the latest simulation run: {profile id: {action id: E}}.

    E is the exact expectation of `to_evidence(relevance, feasibility)` over the planted answer
    probabilities the run stored (default: the linear map onto the shipped model's evidence
    range, 0.30-0.85, as research/evidence.py puts a rating on it). Profile ids are those of
    the shipped model (PROFILE_IDS), for the profiles the run planted. Empty without a run.
    """
    run = run or SimulationRun.objects.first()
    if run is None:
        return {}
    to_evidence = to_evidence or default_to_evidence()
    values = np.array([[to_evidence(r, f) for f in SCALE] for r in SCALE])
    feasibility = {a: np.array(p) for a, p in run.planted["feasibility"].items()}
    return {
        profile_id: {
            action_id: float(np.array(p) @ values @ feasibility[action_id])
            for action_id, p in row.items()
        }
        for profile_id, row in run.planted["relevance"].items()
    }


def planted_profiles(organisation_ids=None) -> dict[int, int]:
    """Organisation id → its planted profile (1-based, DEFINING order), for simulated ones.

    All simulated organisations, or those of `organisation_ids` that have one.
    """
    rows = PlantedProfile.objects.values_list("organisation_id", "profile").iterator(10_000)
    found = dict(rows)
    if organisation_ids is None:
        return found
    return {pk: found[pk] for pk in organisation_ids if pk in found}


# Writing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Simulation:
    organisation_ids: tuple[int, ...]
    # The planted profile of each organisation (1-based, as in the round's title).
    labels: tuple[int, ...]
    run_id: int
    reports: int
    ratings: int


def _answer_rows(chunk: Chunk, roles, response_ids: np.ndarray) -> list[tuple]:
    """(response id, item id, number) of every answer, in response order."""
    layout = current_layout()
    rows: list[tuple] = []
    for index, role in enumerate(roles):
        columns, _reverse = role_columns(role)
        ids = [layout.items[c].id for c in columns]
        numbers = chunk.answers[index][:, columns].ravel().tolist()
        responses = np.repeat(response_ids[:, index], len(columns)).tolist()
        rows += zip(responses, ids * len(chunk.labels), [v or None for v in numbers], strict=True)
        need_ids = [need for need, _urgency in questionnaire_for(role).need_items()]
        if need_ids:
            responses = np.repeat(response_ids[:, index], len(need_ids)).tolist()
            needs = chunk.needs[:, : len(need_ids)].ravel().tolist()
            rows += zip(responses, need_ids * len(chunk.labels), needs, strict=True)
    rows.sort(key=itemgetter(0))
    return rows


RESPONSE_COLUMNS = (
    "assessment_id",
    "role",
    "resume_token_hash",
    "last_section",
    "created_on",
    "updated_on",
    "completed_on",
    "report_step",
)


def _write(chunk: Chunk, start: int, settings: Settings, run: SimulationRun, context) -> tuple:
    sectors, sizes, sector_draws, size_draws, model, now, today = context
    roles = composition(settings.respondents)
    rows = len(chunk.labels)
    width = max(4, len(str(settings.n)))
    numbers = range(start, start + rows)
    organisations = insert_rows(
        Organisation,
        ("name", "sector", "size_band", "is_simulated"),
        (
            (
                f"Simulatie {settings.seed}-{i + 1:0{width}d}",
                sectors[sector_draws[i]],
                sizes[size_draws[i]],
                True,
            )
            for i in numbers
        ),
        returning=True,
    )
    version = get_questionnaire().version
    assessments = insert_rows(
        Assessment,
        ("organisation_id", "title", "questionnaire_version", "status", "roles", "closed_at"),
        (
            (
                organisation,
                TITLE.format(label + 1),
                version,
                Assessment.Status.CLOSED.value,
                json_value(sorted(set(roles), key=roles.index)),
                now,
            )
            for organisation, label in zip(organisations, chunk.labels.tolist(), strict=True)
        ),
        returning=True,
    )
    day = date_value(today)
    responses = insert_rows(
        Response,
        RESPONSE_COLUMNS,
        (
            # The hash of a resume token nobody holds.
            (assessment, role, secrets.token_hex(32), "E", day, day, day, 1)
            for assessment in assessments
            for role in roles
        ),
        returning=True,
    )
    response_ids = np.array(responses).reshape(rows, len(roles))
    insert_rows(
        Answer, ("response_id", "item_id", "number"), _answer_rows(chunk, roles, response_ids)
    )
    contents = report_contents(roles, chunk.answers, chunk.needs, model)
    json_fields = {
        f.attname for f in Report._meta.concrete_fields if f.get_internal_type() == "JSONField"
    }

    def ready(name: str, value: object) -> object:
        return json_value(value) if name in json_fields else value

    same = {name: ready(name, value) for name, value in contents.same.items()}
    varying = next((tuple(row) for row in contents.rows if row is not None), ())
    insert_rows(
        Report,
        ("assessment_id", *varying, *same),
        (
            (assessment, *(ready(name, row[name]) for name in varying), *same.values())
            for assessment, row in zip(assessments, contents.rows, strict=True)
            if row is not None
        ),
    )
    actions = [a.id for a in get_catalogue().actions()]
    if settings.ratings:
        insert_rows(
            ActionRating,
            ("assessment_id", "action_id", "relevance", "feasibility", "asked_at_random"),
            (
                (assessment, actions[a], relevance, feasibility, True)
                for assessment, rated, relevances, feasibilities in zip(
                    assessments,
                    chunk.rated.tolist(),
                    chunk.relevance.tolist(),
                    chunk.feasibility.tolist(),
                    strict=True,
                )
                for a, relevance, feasibility in zip(rated, relevances, feasibilities, strict=True)
            ),
        )
    insert_rows(
        PlantedProfile,
        ("organisation_id", "run_id", "profile"),
        (
            (o, run.pk, label + 1)
            for o, label in zip(organisations, chunk.labels.tolist(), strict=True)
        ),
    )
    return organisations, sum(row is not None for row in contents.rows)


def simulate_organisations(settings: Settings | None = None, **options) -> Simulation:
    """Write simulated organisations with rounds, responses, reports and ratings (module doc).

    `simulate_organisations(Settings(n=100))` or `simulate_organisations(n=100, profiles=3)`.
    """
    settings = settings or Settings(**options)
    _latent_rng, _answer_rng, context_rng, _rating_rng = _generators(settings.seed)
    sectors = [value for value, _label in sector_choices()] or [""]
    sizes = Organisation.SizeBand.values
    context = (
        sectors,
        sizes,
        context_rng.integers(0, len(sectors), settings.n),
        context_rng.integers(0, len(sizes), settings.n),
        get_active_model(),
        timezone.now(),
        timezone.localdate(),
    )
    organisation_ids: list[int] = []
    labels: list[int] = []
    reports = 0
    with transaction.atomic():
        run = SimulationRun.objects.create(
            settings=asdict(settings), planted=planted_table(settings.profiles)
        )
        start = 0
        for chunk in chunks(settings):
            written, made = _write(chunk, start, settings, run, context)
            organisation_ids += written
            labels += (chunk.labels + 1).tolist()
            reports += made
            start += len(chunk.labels)
    return Simulation(
        organisation_ids=tuple(organisation_ids),
        labels=tuple(labels),
        run_id=run.pk,
        reports=reports,
        ratings=settings.n * settings.ratings,
    )


def delete_simulated_organisations(chunk: int = 2_000) -> int:
    """Remove every simulated organisation with its rounds, responses, reports and runs.

    By chunks of organisations, the answers first with one DELETE each, so that Django does
    not load millions of rows to cascade.
    """
    ids = list(
        Organisation.objects.filter(is_simulated=True).values_list("pk", flat=True).order_by("pk")
    )
    with transaction.atomic():
        for start in range(0, len(ids), chunk):
            part = ids[start : start + chunk]
            Answer.objects.filter(response__assessment__organisation_id__in=part).delete()
            ActionRating.objects.filter(assessment__organisation_id__in=part).delete()
            Organisation.objects.filter(pk__in=part).delete()
        SimulationRun.objects.filter(profiles__isnull=True).delete()
    return len(ids)
