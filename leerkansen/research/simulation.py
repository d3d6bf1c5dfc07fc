"""Simulated organisations with planted profiles, to check that re-estimation finds them back.

`simulate_organisations(n, profiles, seed)` writes n organisations flagged `is_simulated`
(kept out of real research views, exports and estimates), each with one closed round, one
completed HR response and its report. The generator, with numpy's default_rng(seed):

1. Planted profiles: `prototypes()` below, 0-100 barrier scores per challenge. Every challenge
   sits at BASE (42) except the profile's defining challenges, which sit GAP (30) higher:
       1: challenges 1, 4        (work comes first, many sites)
       2: challenges 2, 3, 7     (learning without direction)
       3: challenges 6, 8        (working alone, nobody knows who knows what)
       4: challenges 5, 9        (line managers)
       5: none, every challenge at BASE - 20 (lower barriers all round)
   `--profiles p` plants the first p of them, with shares proportional to SHARES[:p]
   (3, 3, 2, 2, 2: for four profiles 30%, 30%, 20%, 20%).
2. Organisation i draws its profile k_i by those shares, then a latent score per challenge
       s_ic = prototype[k_i, c] + e_ic,  e_ic ~ N(0, SPREAD = 10),  clipped to 0-100,
   independently per challenge, as the latent profile model assumes. (With an organisation-
   wide term added to every challenge, BIC finds extra profiles once there are a few thousand
   organisations: a known property of the method when that assumption fails, not something
   this check is about.)
3. Its respondent answers each section B item of challenge c with the keyed agreement
       round(1 + 4 * s_ic / 100 + u),  u ~ N(0, ITEM_NOISE = 0.6),  clipped to 1-5,
   stored as 6 - keyed on reverse-keyed items (as a real respondent who agrees with the
   barrier disagrees with a reverse statement). With probability DONT_KNOW (1%) an item is
   answered "weet niet" instead. The round's scores are then computed exactly as for a real
   round, so they lie near the planted prototype (one standard deviation: about 12 points).
4. Needs (section D): the three challenges with the highest latent scores, highest first.
   Sector and size band of the organisation are drawn uniformly; nothing else is answered.

The planted profile is kept in the round's title ("Simulatie: profiel 2") and returned, so that
recovery can be checked (adjusted Rand index) after `estimate_profiles --simulated`.
Rows are written with bulk_create: 500 organisations take a few seconds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from django.db import transaction
from django.utils import timezone

from leerkansen.content.questionnaire import questionnaire_for
from leerkansen.lib.codes import hash_token, new_token
from leerkansen.modelversions.services import get_active_model
from leerkansen.organisations.models import Organisation, sector_choices
from leerkansen.reports.models import Report
from leerkansen.reports.services import compute_report
from leerkansen.survey.models import Answer, Assessment, Response, Role

BASE = 42.0
GAP = 30.0
DEFINING: tuple[tuple[int, ...], ...] = ((1, 4), (2, 3, 7), (6, 8), (5, 9), ())
LOW_ALL_ROUND = BASE - 20.0
SHARES = (3, 3, 2, 2, 2)
SPREAD = 10.0
ITEM_NOISE = 0.6
DONT_KNOW = 0.01
CHALLENGES = tuple(range(1, 10))
MAX_PROFILES = len(DEFINING)
TITLE = "Simulatie: profiel {}"


def prototypes(count: int) -> np.ndarray:
    """The first `count` planted prototypes, one row of 0-100 scores per profile."""
    if not 1 <= count <= MAX_PROFILES:
        raise ValueError(f"from 1 to {MAX_PROFILES} profiles can be planted, not {count}")
    rows = []
    for defining in DEFINING[:count]:
        level = BASE if defining else LOW_ALL_ROUND
        rows.append([BASE + GAP if c in defining else level for c in CHALLENGES])
    return np.array(rows)


@dataclass(frozen=True)
class Simulation:
    organisation_ids: tuple[int, ...]
    # The planted profile of each organisation (1-based, as in the round's title).
    labels: tuple[int, ...]


def _latent(n: int, profiles: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Planted labels (0-based) and latent 0-100 scores of n organisations (steps 1 and 2)."""
    planted = prototypes(profiles)
    shares = np.array(SHARES[:profiles], dtype=float)
    labels = rng.choice(profiles, size=n, p=shares / shares.sum())
    latent = np.clip(planted[labels] + rng.normal(0, SPREAD, (n, len(CHALLENGES))), 0, 100)
    return labels, latent


def simulated_scores(n: int, profiles: int = 4, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """The generator without the database: 0-100 scores (n x 9) and planted labels (1-based).

    Steps 1-3 of the module doc, vectorised, without "weet niet" (every score exists); for
    benchmarks of the estimation at sizes the database would take long to fill.
    """
    rng = np.random.default_rng(seed)
    labels, latent = _latent(n, profiles, rng)
    # The simulated organisations answer as one HR respondent: HR's version of the statements.
    items = questionnaire_for(Role.HR).items("B")
    column = np.array([item.challenge - 1 for item in items])
    keyed = 1 + 4 * latent[:, column] / 100 + rng.normal(0, ITEM_NOISE, (n, len(items)))
    keyed = np.clip(np.rint(keyed), 1, 5)
    scores = np.empty((n, len(CHALLENGES)))
    for index in range(len(CHALLENGES)):
        mean = keyed[:, column == index].mean(axis=1)
        scores[:, index] = np.round((mean - 1) / 4 * 100, 1)
    return scores, labels + 1


def simulated_answers(latent: np.ndarray, rng: np.random.Generator) -> list[dict[str, int | None]]:
    """Section B and D answers for each row of latent 0-100 scores (see the module doc)."""
    questionnaire = questionnaire_for(Role.HR)
    items = questionnaire.items("B")
    need_ids = [need_id for need_id, _urgency in questionnaire.need_items()]
    column = {c: index for index, c in enumerate(CHALLENGES)}
    index = np.array([column[item.challenge] for item in items])
    reverse = np.array([item.reverse for item in items])
    n = len(latent)
    keyed = 1 + 4 * latent[:, index] / 100 + rng.normal(0, ITEM_NOISE, (n, len(items)))
    keyed = np.clip(np.rint(keyed), 1, 5).astype(int)
    stored = np.where(reverse, 6 - keyed, keyed)
    dont_know = rng.random((n, len(items))) < DONT_KNOW
    answers = []
    for i in range(n):
        row: dict[str, int | None] = {
            item.id: None if dont_know[i, j] else int(stored[i, j]) for j, item in enumerate(items)
        }
        # Highest latent score first; ties by challenge number (argsort is stable).
        ranked = np.argsort(-latent[i], kind="stable")[: len(need_ids)]
        row.update({need_id: CHALLENGES[c] for need_id, c in zip(need_ids, ranked, strict=True)})
        answers.append(row)
    return answers


def simulate_organisations(n: int = 500, profiles: int = 4, seed: int = 1) -> Simulation:
    """Write `n` simulated organisations with rounds, responses and reports (see module doc)."""
    if n < 1:
        raise ValueError(f"at least one organisation, not {n}")
    rng = np.random.default_rng(seed)
    labels, latent = _latent(n, profiles, rng)
    answers = simulated_answers(latent, rng)
    sectors = [value for value, _label in sector_choices()] or [""]
    sizes = Organisation.SizeBand.values
    sector_draws = rng.integers(0, len(sectors), n)
    size_draws = rng.integers(0, len(sizes), n)

    model = get_active_model()
    questionnaire = questionnaire_for(Role.HR)
    now = timezone.now()
    today = timezone.localdate()
    with transaction.atomic():
        organisations = Organisation.objects.bulk_create(
            Organisation(
                name=f"Simulatie {seed}-{i + 1:04d}",
                sector=sectors[sector_draws[i]],
                size_band=sizes[size_draws[i]],
                is_simulated=True,
            )
            for i in range(n)
        )
        assessments = Assessment.objects.bulk_create(
            Assessment(
                organisation=organisation,
                title=TITLE.format(labels[i] + 1),
                questionnaire_version=questionnaire.version,
                status=Assessment.Status.CLOSED,
                roles=[Role.HR.value],
                closed_at=now,
            )
            for i, organisation in enumerate(organisations)
        )
        responses = Response.objects.bulk_create(
            Response(
                assessment=assessment,
                role=Role.HR,
                resume_token_hash=hash_token(new_token()),
                last_section="E",
                created_on=today,
                updated_on=today,
                completed_on=today,
            )
            for assessment in assessments
        )
        Answer.objects.bulk_create(
            (
                Answer(response=response, item_id=item_id, number=value)
                for response, row in zip(responses, answers, strict=True)
                for item_id, value in row.items()
            ),
            batch_size=5_000,
        )
        Report.objects.bulk_create(
            (
                Report(
                    assessment=assessment,
                    **compute_report([(Role.HR.value, row)], model=model),
                )
                for assessment, row in zip(assessments, answers, strict=True)
            ),
            batch_size=500,
        )
    return Simulation(
        organisation_ids=tuple(organisation.pk for organisation in organisations),
        labels=tuple(int(label) + 1 for label in labels),
    )


def delete_simulated_organisations() -> int:
    """Remove every simulated organisation with its rounds, responses and reports."""
    _total, by_model = Organisation.objects.filter(is_simulated=True).delete()
    return by_model.get(Organisation._meta.label, 0)
