"""Research exports: datasets as rows, written as CSV, XLSX or SPSS .sav, with a codebook.

Datasets (variables and codes: codebook.py; the rounds an export covers and their keys:
export_rounds.py; the profile datasets: export_profiles.py):
- responses: one row per completed response of a closed round, every item's answer (free text
  left out; practices coded as numbers), then whether the organisation entered it itself:
  per-respondent microdata, only for a researcher who passed a second factor
  (views_exports.py);
- scores: one row per round with a report: challenge scores, profile and posterior;
- practices: one row per round with a report: per action the state most respondents gave,
  coded as a number (codebook.PRACTICE_CODES);
- needs: one row per round with a report: the three ranked needs and their mean urgency;
- ratings: one row per action rating of a round (relevance, feasibility, recommended, and
  whether the action was asked at random);
- classes: one row per round with a report: its profile and posteriors under a model version
  the researcher chooses (a draft too), and for simulated organisations the planted profile.

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

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from leerkansen.content.catalogue import get_catalogue
from leerkansen.content.questionnaire import get_questionnaire
from leerkansen.reports.models import ActionRating
from leerkansen.survey.models import Answer, Assessment

from .codebook import (
    CODEBOOK_HEADER,
    Variable,
    codebook_rows,
    dont_know_code,
    excluded_item_variables,
    is_exported,
    is_practice,
    item_is_numeric,
    practice_code,
    response_variables,
)
from .codebook_rounds import NEED_RANKS, need_variables, practice_variables, rating_variables
from .export_profiles import _classes, _scores
from .export_rounds import (
    CHUNK_SIZE,
    ExportFilter,
    Row,
    _keys,
    _reports,
    _round_rows,
    month,
    pseudonym,
    rounds_q,
)
from .suppression import ROLE_ITEM, completed_responses, role_rules, shown_roles, threshold
from .writers import (  # noqa: F401 (the writers, re-exported for the views)
    csv_pieces,
    escape_formula,
    write_sav,
    write_xlsx,
)


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
