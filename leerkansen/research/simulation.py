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
tools/bench_simulation.py; the target is 2 minutes and 1 GB). On PostgreSQL (the keys of
organisations, rounds and responses taken from their sequences, then every table by COPY) the
work is about 28 s of CPU in this process and 57 s in the database server, 263 MB peak here and
226 MB in the server's backend: 163 s wall on 2 cores shared at a load of 7-12 (93 s at a load
of about 4, when those keys still came from INSERT … RETURNING, 3-4 times slower for them).
About a third of the time is the foreign-key checks at commit (6 million rows, 4.8 million of
them answers; measured at 20,000 with and without them). `simulated_scores` runs the same
generator without the database and returns exactly the scores the reports would hold.

The generator without the database (steps 1–5) is research/simulation_draws.py; this module
writes what it draws and keeps what was planted.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import asdict, dataclass
from operator import itemgetter

import numpy as np
from django.db import transaction
from django.utils import timezone

from leerkansen.content.catalogue import get_catalogue
from leerkansen.content.questionnaire import get_questionnaire, questionnaire_for
from leerkansen.modelversions.services import get_active_model
from leerkansen.organisations.models import Organisation, sector_choices
from leerkansen.reports.models import ActionRating, Report
from leerkansen.survey.models import Answer, Assessment, Response

from .bulk_insert import date_value, insert_rows, json_value
from .models import PlantedProfile, SimulationRun
from .simulation_draws import (
    SCALE,
    TITLE,
    Chunk,
    Settings,
    chunks,
    composition,
    default_to_evidence,
    generators,
    planted_table,
)
from .simulation_reports import (
    current_layout,
    report_contents,
    role_columns,
)


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
    _latent_rng, _answer_rng, context_rng, _rating_rng = generators(settings.seed)
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
