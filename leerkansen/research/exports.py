"""Research exports: datasets as rows, written as CSV, XLSX or SPSS .sav, with a codebook.

Datasets (variables and codes: codebook.py):
- responses: one row per completed response of a closed round, every item's answer (free text
  left out; practices coded as numbers), then whether the organisation entered it itself:
  per-respondent microdata, only for a researcher who passed a second factor
  (views_exports.py);
- scores: one row per round with a report: challenge scores, profile and posterior;
- practices: one row per round with a report: per action the state most respondents gave,
  coded as a number (codebook.PRACTICE_CODES);
- needs: one row per round with a report: the three ranked needs and their mean urgency;
- ratings: one row per action rating of a round (relevance, feasibility, recommended, and
  whether the action was asked at random).

New columns go at the end of their dataset, so that a column keeps its position.

No export holds a group below the anonymity threshold within a round (suppression.py: small
rounds left out, small role groups merged). No export holds a name, an e-mail address, a round
title or free text. Organisations and
rounds appear under pseudonymous keys (an HMAC of their code with SECRET_KEY: stable across
exports, not reversible without the key). Demo organisations never appear; simulated ones
(simulate_organisations) only in an export that asks for them alone, for validation.

Memory: rows come from `.iterator(chunk_size=CHUNK_SIZE)` queries, so CSV streams in constant
memory and XLSX is written row by row to a file (openpyxl's write-only mode; only its table of
distinct strings grows). SPSS streams too (spss.py, our own writer): a .sav file gives every
string's width before the data, so the rows are spooled to a temporary file once, while the
widths are measured, and then written from there in batches.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac

from leerkansen.content.catalogue import get_catalogue
from leerkansen.content.questionnaire import get_questionnaire
from leerkansen.modelversions.services import UnknownModelVersion, get_active_model, get_model
from leerkansen.reports.models import ActionRating, Report
from leerkansen.scoring.model import ProfileModel
from leerkansen.scoring.profiles import assign_profile
from leerkansen.survey.models import Answer, Assessment

from .codebook import (
    CODEBOOK_HEADER,
    NEED_RANKS,
    Variable,
    class_variables,
    codebook_rows,
    dont_know_code,
    excluded_item_variables,
    is_exported,
    is_practice,
    item_is_numeric,
    need_variables,
    practice_code,
    practice_variables,
    rating_variables,
    response_variables,
    score_variables,
)
from .population import eligible_organisations
from .simulation import planted_profiles
from .suppression import ROLE_ITEM, completed_responses, role_rules, shown_roles, threshold
from .writers import (  # noqa: F401 (the writers, re-exported for the views)
    csv_pieces,
    escape_formula,
    write_sav,
    write_xlsx,
)

CHUNK_SIZE = 2000

Row = list


@dataclass(frozen=True)
class ExportFilter:
    """Which rounds an export covers; the same choices as the research dashboard's filters.

    `start` and `end` are months (their first day): rounds opened from `start` up to and
    including `end`. Every dataset of one filter covers the same rounds, so they join.
    """

    sector: str = ""
    size_band: str = ""
    start: date | None = None
    end: date | None = None
    # Only simulated organisations (validation) instead of only real ones.
    simulated: bool = False
    # The model version the classes dataset classifies under (a draft too); "": the active.
    model_version: str = ""

    def describe(self) -> str:
        parts = [
            f"{name}={value}"
            for name, value in (
                ("sector", self.sector),
                ("size", self.size_band),
                ("from", self.start and f"{self.start:%Y-%m}"),
                ("until", self.end and f"{self.end:%Y-%m}"),
            )
            if value
        ]
        return " ".join([*parts, "simulated"] if self.simulated else parts)


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def rounds_q(export_filter: ExportFilter, prefix: str) -> Q:
    """The rounds an export covers, as a condition on `prefix` + Assessment's fields."""
    organisation = f"{prefix}organisation__"
    condition = eligible_organisations(export_filter.simulated, f"{prefix}organisation")
    if export_filter.sector:
        condition &= Q(**{f"{organisation}sector": export_filter.sector})
    if export_filter.size_band:
        condition &= Q(**{f"{organisation}size_band": export_filter.size_band})
    if export_filter.start:
        condition &= Q(**{f"{prefix}created_at__date__gte": export_filter.start.replace(day=1)})
    if export_filter.end:
        condition &= Q(**{f"{prefix}created_at__date__lt": _next_month(export_filter.end)})
    return condition


def pseudonym(kind: str, code: str) -> str:
    """A stable key for an organisation's or a round's code; without SECRET_KEY it tells
    nothing about the code (HMAC-SHA256, 64 bits shown: no collisions at our scale)."""
    return salted_hmac(f"leerkansen.research.{kind}", code, algorithm="sha256").hexdigest()[:16]


def _keys(kind: str) -> Callable[[str], str]:
    # Rows of one organisation or round mostly come together: a small cache saves the HMACs.
    return lru_cache(maxsize=1024)(lambda code: pseudonym(kind, code))


def month(day: date | datetime | None) -> str | None:
    if day is None:
        return None
    if isinstance(day, datetime):
        day = timezone.localtime(day)
    return f"{day:%Y-%m}"


def response_rows(export_filter: ExportFilter) -> Iterator[Row]:
    """One row per completed response of a closed round, in response_variables() order, under
    the anonymity rule of suppression.py (small rounds left out, small role groups merged).

    Two streams, responses and their answers, in the same order (round, then response) and
    merged on it: one query each. The rows of one round are held together, to be put in the
    order of a keyed hash instead of the order people started in; a round is small next to
    the whole export.
    """
    items = [item for item in get_questionnaire().items() if is_exported(item)]
    # The keys first, then the items, then the columns after the items.
    first = RESPONSE_KEYS
    after = len(response_variables()) - first - len(items)
    # item id → (column, numeric?, practice?, code of "weet niet" or None)
    columns = {
        item.id: (first + index, item_is_numeric(item), is_practice(item), dont_know_code(item))
        for index, item in enumerate(items)
    }
    role_column = columns[ROLE_ITEM][0] if ROLE_ITEM in columns else None
    width = first + len(items) + after
    rules = role_rules(rounds_q(export_filter, "assessment__"))
    responses = (
        completed_responses(rounds_q(export_filter, "assessment__"))
        .order_by("assessment_id", "pk")
        .values_list(
            "assessment_id",
            "pk",
            "assessment__organisation__code",
            "assessment__code",
            "assessment__organisation__sector",
            "assessment__organisation__size_band",
            "role",
            "assessment__questionnaire_version",
            "assessment__created_at",
            "entered_by_organisation",
        )
        .iterator(chunk_size=CHUNK_SIZE)
    )
    # Not the text column: free text is never read, so it cannot end up in a row.
    answers = (
        Answer.objects.filter(rounds_q(export_filter, "response__assessment__"))
        .filter(
            response__completed_on__isnull=False,
            response__assessment__status=Assessment.Status.CLOSED,
        )
        .order_by("response__assessment_id", "response_id", "item_id")
        .values_list("response__assessment_id", "response_id", "item_id", "number", "code")
        .iterator(chunk_size=CHUNK_SIZE)
    )
    organisation_key, round_key = _keys("organisation"), _keys("round")
    pending = next(answers, None)
    batch: list[tuple[str, Row]] = []
    batch_round = None
    for (
        round_id,
        pk,
        org_code,
        round_code,
        sector,
        size_band,
        role,
        version,
        created,
        entered,
    ) in responses:
        if round_id != batch_round:
            yield from _in_keyed_order(batch)
            batch, batch_round = [], round_id
        row: Row = [None] * width
        # Answers of a response completed after the first query started are skipped.
        while pending is not None:
            answer_round, answer_pk, item_id, number, code = pending
            if answer_pk == pk:
                column = columns.get(item_id)
                if column is not None:
                    at, numeric, practice, dont_know = column
                    if practice:
                        row[at] = practice_code(code) if code else dont_know
                    elif numeric:
                        row[at] = number if number is not None else (None if code else dont_know)
                    else:
                        row[at] = code or (str(number) if number is not None else dont_know)
            elif answer_round > round_id or (answer_round == round_id and answer_pk > pk):
                break
            pending = next(answers, None)
        rule = rules.get(round_id)
        stated = row[role_column] if role_column is not None else None
        shown = None if rule is None else shown_roles(rule, (role, stated or None))
        if shown is None:
            # A round below the threshold, or a response the counts did not see: left out.
            continue
        role, stated = shown
        if role_column is not None:
            row[role_column] = stated
        row[:first] = [
            organisation_key(org_code),
            round_key(round_code),
            sector,
            size_band,
            role,
            version,
            month(created),
        ]
        row[-1] = int(entered)
        batch.append((pseudonym("response", str(pk)), row))
    yield from _in_keyed_order(batch)


# The responses' columns before the items (codebook.response_variables).
RESPONSE_KEYS = 7


def _in_keyed_order(batch: list[tuple[str, Row]]) -> Iterator[Row]:
    for _key, row in sorted(batch, key=lambda pair: pair[0]):
        yield row


ROUND_FIELDS = (
    "assessment__organisation__code",
    "assessment__code",
    "assessment__organisation__sector",
    "assessment__organisation__size_band",
    "assessment__created_at",
)


def _round_rows(queryset, fields: Sequence[str]) -> Iterator[tuple[Row, tuple]]:
    """(the round's first columns as in codebook.round_variables, the other fields)."""
    organisation_key, round_key = _keys("organisation"), _keys("round")
    rows = queryset.values_list(*ROUND_FIELDS, *fields).iterator(chunk_size=CHUNK_SIZE)
    for org_code, round_code, sector, size_band, created_at, *rest in rows:
        yield (
            [
                organisation_key(org_code),
                round_key(round_code),
                sector,
                size_band,
                month(created_at),
            ],
            tuple(rest),
        )


def _reports(export_filter: ExportFilter):
    """Reports made from at least k responses (suppression.py): a smaller round's scores are
    close to one person's answers."""
    return (
        Report.objects.filter(rounds_q(export_filter, "assessment__"))
        .filter(response_count__gte=threshold())
        .order_by("assessment_id")
    )


def _version_key(version: str) -> tuple:
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"[.]", version))


def report_profiles(export_filter: ExportFilter) -> dict[str, str]:
    """Profile id → label, for every model version the reports were made with (oldest first).

    One report per version is read: a version's profiles are fixed once it is used, so every
    report of it has the same ones. Names and order come from the version's model; a version
    that is gone gives its ids as names, sorted (jsonb keeps no key order).
    """
    reports = _reports(export_filter).order_by()
    versions = sorted(
        set(reports.values_list("model_version", flat=True).distinct()), key=_version_key
    )
    by_version: dict[str, dict[str, str]] = {}
    for version in versions:
        try:
            names = {profile.id: profile.name for profile in get_model(version).profiles}
        except UnknownModelVersion:
            names = {}
        profile = reports.filter(model_version=version).values_list("profile", flat=True).first()
        stored = set((profile or {}).get("probabilities", {}))
        in_order = [profile_id for profile_id in names if profile_id in stored]
        for profile_id in in_order + sorted(stored - set(in_order)):
            by_version.setdefault(profile_id, {})[version] = names.get(profile_id, profile_id)
    # One id named differently in two versions (renamed, or estimated anew) is labelled with
    # each version's name: a single name would be wrong for the other version's rounds.
    return {
        profile_id: next(iter(names.values()))
        if len(set(names.values())) == 1
        else "; ".join(f"{name} (model {version})" for version, name in names.items())
        for profile_id, names in by_version.items()
    }


def score_rows(export_filter: ExportFilter, profiles: Iterable[str]) -> Iterator[Row]:
    challenges = [challenge.number for challenge in get_catalogue().challenges]
    fields = (
        "questionnaire_version",
        "model_version",
        "catalogue_version",
        "response_count",
        "scores",
        "profile",
    )
    profiles = list(profiles)
    for first, rest in _round_rows(_reports(export_filter), fields):
        questionnaire, model, catalogue, count, scores, profile = rest
        probabilities = profile.get("probabilities", {})
        yield [
            *first,
            questionnaire,
            model,
            catalogue,
            count,
            *(scores.get(str(number)) for number in challenges),
            profile.get("id"),
            profile.get("probability"),
            profile.get("nearest_prototype"),
            *(probabilities.get(profile_id) for profile_id in profiles),
        ]


def practice_rows(export_filter: ExportFilter) -> Iterator[Row]:
    actions = [action.id for action in get_catalogue().actions()]
    fields = ("questionnaire_version", "practices")
    for first, (questionnaire, practices) in _round_rows(_reports(export_filter), fields):
        yield [*first, questionnaire, *(practice_code(practices.get(action)) for action in actions)]


def need_rows(export_filter: ExportFilter) -> Iterator[Row]:
    fields = ("questionnaire_version", "needs")
    for first, (questionnaire, needs) in _round_rows(_reports(export_filter), fields):
        row = [*first, questionnaire]
        for rank in NEED_RANKS:
            need = needs[rank - 1] if rank <= len(needs) else {}
            row += [need.get("challenge"), need.get("urgency")]
        yield row


def rating_rows(export_filter: ExportFilter) -> Iterator[Row]:
    catalogue = get_catalogue()
    ratings = (
        ActionRating.objects.filter(rounds_q(export_filter, "assessment__"))
        # The same rounds as the other per-round datasets (see _reports).
        .filter(assessment__report__response_count__gte=threshold())
        .order_by("assessment_id", "action_id")
    )
    fields = (
        "assessment__questionnaire_version",
        "action_id",
        "relevance",
        "feasibility",
        "recommended",
        "updated_on",
        "asked_at_random",
    )
    for first, rest in _round_rows(ratings, fields):
        questionnaire, action_id, relevance, feasibility, recommended, updated_on, at_random = rest
        action = catalogue.action(action_id)
        yield [
            *first,
            questionnaire,
            action_id,
            action.challenge_number if action else None,
            relevance,
            feasibility,
            int(recommended),
            month(updated_on),
            int(at_random),
        ]


@dataclass(frozen=True)
class Dataset:
    name: str
    # The variables and the rows together: some variables depend on the data (the scores'
    # posterior columns), and the rows must follow the same variables.
    build: Callable[[ExportFilter], tuple[list[Variable], Iterator[Row]]]
    # One row per respondent: downloaded only with a verified second factor.
    per_respondent: bool = False


def _scores(export_filter: ExportFilter) -> tuple[list[Variable], Iterator[Row]]:
    profiles = report_profiles(export_filter)
    return score_variables(profiles), score_rows(export_filter, profiles)


def classification_model(export_filter: ExportFilter) -> ProfileModel:
    """The model the classes dataset uses: the chosen version, else the active one."""
    return (
        get_model(export_filter.model_version)
        if export_filter.model_version
        else (get_active_model())
    )


def class_rows(export_filter: ExportFilter, model: ProfileModel) -> Iterator[Row]:
    """Per round with a report (the scores dataset's rounds): its profile and posteriors
    under `model`, from the report's stored scores; with `simulated`, the planted profile."""
    ids = [profile.id for profile in model.profiles]
    planted = planted_profiles() if export_filter.simulated else None
    fields = ("assessment__questionnaire_version", "assessment__organisation_id", "scores")
    for first, (questionnaire, organisation_id, scores) in _round_rows(
        _reports(export_filter), fields
    ):
        values = {int(number): value for number, value in scores.items()}
        try:
            assignment = assign_profile(values, model)
        except ValueError:
            # No score at all: no profile.
            cells = [None, None, *([None] * len(ids))]
        else:
            cells = [
                assignment.dominant,
                round(assignment.dominant_probability, 4),
                *(round(assignment.probabilities[profile_id], 4) for profile_id in ids),
            ]
        row = [*first, questionnaire, model.version, *cells]
        if planted is not None:
            row.append(planted.get(organisation_id))
        yield row


def _classes(export_filter: ExportFilter) -> tuple[list[Variable], Iterator[Row]]:
    model = classification_model(export_filter)
    profiles = {profile.id: profile.name for profile in model.profiles}
    variables = class_variables(model.version, profiles, export_filter.simulated)
    return variables, class_rows(export_filter, model)


def _fixed(
    variables: Callable[[], list[Variable]], rows: Callable[[ExportFilter], Iterator[Row]]
) -> Callable[[ExportFilter], tuple[list[Variable], Iterator[Row]]]:
    return lambda export_filter: (variables(), rows(export_filter))


DATASETS: dict[str, Dataset] = {
    dataset.name: dataset
    for dataset in (
        Dataset("responses", _fixed(response_variables, response_rows), per_respondent=True),
        Dataset("scores", _scores),
        Dataset("practices", _fixed(practice_variables, practice_rows)),
        Dataset("needs", _fixed(need_variables, need_rows)),
        Dataset("ratings", _fixed(rating_variables, rating_rows)),
        Dataset("classes", _classes),
    )
}
FORMATS = ("csv", "xlsx", "sav")
CODEBOOK_FORMATS = ("csv", "xlsx")


def dataset_codebook(name: str, variables: Sequence[Variable]) -> list[tuple[str, list]]:
    """(dataset, variables) pairs for the codebook of one dataset; the responses' codebook
    also names the items it leaves out."""
    pairs = [(name, list(variables))]
    if name == "responses":
        pairs.append((name, excluded_item_variables()))
    return pairs


def full_codebook(export_filter: ExportFilter) -> list[tuple[str, list]]:
    pairs: list[tuple[str, list]] = []
    for dataset in DATASETS.values():
        # Only the variables: the rows are a generator that is never started.
        variables, _rows = dataset.build(export_filter)
        pairs += dataset_codebook(dataset.name, variables)
    return pairs


# Writing ------------------------------------------------------------------------------------


def write_dataset_xlsx(target, name: str, variables: Sequence[Variable], rows: Iterable[Row]):
    header = [variable.name for variable in variables]
    codebook = codebook_rows(dataset_codebook(name, variables))
    write_xlsx(target, [(name, header, rows), ("codebook", CODEBOOK_HEADER, codebook)])


def write_codebook_csv(export_filter: ExportFilter) -> Iterator[str]:
    return csv_pieces(CODEBOOK_HEADER, codebook_rows(full_codebook(export_filter)))


def write_codebook_xlsx(target, export_filter: ExportFilter) -> None:
    write_xlsx(target, [("codebook", CODEBOOK_HEADER, codebook_rows(full_codebook(export_filter)))])


def export_csv(name: str, export_filter: ExportFilter) -> Iterator[str]:
    variables, rows = DATASETS[name].build(export_filter)
    return csv_pieces([variable.name for variable in variables], rows)


def export_xlsx(target, name: str, export_filter: ExportFilter) -> None:
    variables, rows = DATASETS[name].build(export_filter)
    write_dataset_xlsx(target, name, variables, rows)


def export_sav(path: str | Path, name: str, export_filter: ExportFilter) -> None:
    variables, rows = DATASETS[name].build(export_filter)
    write_sav(path, variables, rows)
