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

Speed and memory: the responses come in one query and their answers in one query per
RESPONSES_PER_QUERY responses, as plain tuples (no model objects), pivoted into wide rows;
text is made safe once per distinct text (writers.py); XLSX goes straight into the ZIP as
XML (xlsx.py, our own writer: for the 1.8 million cells of 10,000 responses it takes under a
second where XlsxWriter's constant_memory mode took 17 s). Memory stays flat in the number
of rows. SPSS streams too (spss.py, our own writer): a .sav file gives every string's width
before the data, so the rows are spooled to a temporary file once, while the widths are
measured, and then written from there in batches.

Progress: export_row_count gives the number of rows a dataset will have (one query), and the
writers (export_csv_file, export_xlsx, export_sav) take a `progress` hook that hears how many
rows are written (writers.RowCounter), for a job's progress bar.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain, groupby
from operator import itemgetter
from pathlib import Path

from django.db import connections
from django.db.models import Count

from leerkansen.content.catalogue import get_catalogue
from leerkansen.content.questionnaire import get_questionnaire
from leerkansen.reports.models import ActionRating
from leerkansen.survey.models import Answer

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
    pseudonym,  # noqa: F401 (re-exported: the tests key rows with it)
    pseudonyms,
    rounds_q,
)
from .suppression import ROLE_ITEM, completed_responses, role_rules, shown_roles, threshold
from .writers import (  # noqa: F401 (the writers, re-exported for the views)
    Progress,
    RowCounter,
    csv_pieces,
    escape_formula,
    write_csv,
    write_sav,
    write_xlsx,
)


def response_rows(export_filter: ExportFilter) -> Iterator[Row]:
    """One row per completed response of a closed round, in response_variables() order, under
    the anonymity rule of suppression.py (small rounds left out, small role groups merged).

    The responses come in one query, in order (round, then response); their answers in one
    query per RESPONSES_PER_QUERY responses, as plain tuples put straight into the rows (the
    coded value of an (item, number, code) is worked out once per export, not per answer).
    The rows of one round are held together, to be put in the order of a keyed hash instead
    of the order people started in; a round is small next to the whole export.
    """
    items = [item for item in get_questionnaire().items() if is_exported(item)]
    # The keys first, then the items, then the columns after the items.
    first = RESPONSE_KEYS
    after = len(response_variables()) - first - len(items)
    width = first + len(items) + after
    cells = _AnswerCells(
        {
            item.id: (first + index, item_is_numeric(item), is_practice(item), dont_know_code(item))
            for index, item in enumerate(items)
        },
        # An answer to an item that is not exported goes to a column after the last: unread.
        scratch=width,
    )
    role_column = cells.columns[ROLE_ITEM][0] if ROLE_ITEM in cells.columns else None
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
    organisation_key, round_key = _keys("organisation"), _keys("round")
    response_key = pseudonyms("response")
    months = _Months()
    batch: list[tuple[str, Row]] = []
    batch_round = None
    answer_key, response_of, columns = itemgetter(1, 2, 3), itemgetter(0), range(width)
    for chunk in _chunks(responses, RESPONSES_PER_QUERY):
        # Not the text column: free text is never read, so it cannot end up in a row.
        answers = (
            Answer.objects.filter(response_id__in=[response[1] for response in chunk])
            .order_by("response_id")
            .values_list("response_id", "item_id", "number", "code")
        )
        # Each response's answers as {column: value}, then as its row: map() and dict() do
        # the work per answer, not a loop written here (a large export has millions).
        rows = {
            response_id: list(
                map(dict(map(cells.__getitem__, map(answer_key, found))).get, columns)
            )
            for response_id, found in groupby(chain.from_iterable(_blocks(answers)), response_of)
        }
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
        ) in chunk:
            if round_id != batch_round:
                yield from _in_keyed_order(batch)
                batch, batch_round = [], round_id
            row = rows.get(pk) or [None] * width
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
                months[created],
            ]
            row[-1] = int(entered)
            batch.append((response_key(str(pk)), row))
    yield from _in_keyed_order(batch)


# The responses' columns before the items (codebook.response_variables).
RESPONSE_KEYS = 7
# Responses whose answers are read in one query.
RESPONSES_PER_QUERY = 500


class _AnswerCells(dict):
    """(item, number, code) → (column, the value the row shows), worked out once each."""

    def __init__(self, columns: dict[str, tuple[int, bool, bool, int | str | None]], scratch):
        super().__init__()
        # item id → (column, numeric?, practice?, code of "weet niet" or None)
        self.columns = columns
        self.scratch = scratch

    def __missing__(self, key: tuple[str, int | None, str]) -> tuple[int, object]:
        item_id, number, code = key
        column = self.columns.get(item_id)
        if column is None:
            cell = (self.scratch, None)
        else:
            at, numeric, practice, dont_know = column
            if practice:
                value = practice_code(code) if code else dont_know
            elif numeric:
                value = number if number is not None else (None if code else dont_know)
            else:
                value = code or (str(number) if number is not None else dont_know)
            cell = (at, value)
        if len(self) < ANSWER_CELLS_CACHED:
            self[key] = cell
        return cell


# Distinct (item, number, code) kept: the items' options, many times over.
ANSWER_CELLS_CACHED = 100_000


class _Months(dict):
    """A round's start → its month: every response of a round has the same."""

    def __missing__(self, day):
        value = month(day)
        if len(self) > 10_000:
            self.clear()
        self[day] = value
        return value


def _blocks(queryset) -> Iterator[list[tuple]]:
    """The rows of a values_list queryset whose fields need no conversion, in lists of
    CHUNK_SIZE tuples straight from the database cursor: one query, without the ORM's
    work per row (a large export reads millions of answers)."""
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        while block := cursor.fetchmany(CHUNK_SIZE):
            yield block


def _chunks(rows: Iterable, size: int) -> Iterator[list]:
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


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


def _ratings(export_filter: ExportFilter):
    return (
        ActionRating.objects.filter(rounds_q(export_filter, "assessment__"))
        # The same rounds as the other per-round datasets (see _reports).
        .filter(assessment__report__response_count__gte=threshold())
        .order_by("assessment_id", "action_id")
    )


def rating_rows(export_filter: ExportFilter) -> Iterator[Row]:
    catalogue = get_catalogue()
    ratings = _ratings(export_filter)
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


def response_count(export_filter: ExportFilter) -> int:
    """The rows response_rows gives: the completed responses of the closed rounds that have
    at least k of them (suppression.coarsen leaves out only smaller rounds). One query."""
    k = threshold()
    per_round = (
        completed_responses(rounds_q(export_filter, "assessment__"))
        .values("assessment_id")
        .annotate(number=Count("pk"))
        .order_by()
        .values_list("number", flat=True)
    )
    return sum(number for number in per_round if number >= k)


def _report_count(export_filter: ExportFilter) -> int:
    return _reports(export_filter).count()


def _rating_count(export_filter: ExportFilter) -> int:
    return _ratings(export_filter).count()


@dataclass(frozen=True)
class Dataset:
    name: str
    # The variables and the rows together: some variables depend on the data (the scores'
    # posterior columns), and the rows must follow the same variables.
    build: Callable[[ExportFilter], tuple[list[Variable], Iterator[Row]]]
    # The number of rows `build` gives, cheaply (one query): for a progress bar.
    count: Callable[[ExportFilter], int] = _report_count
    # One row per respondent: downloaded only with a verified second factor.
    per_respondent: bool = False


def _fixed(
    variables: Callable[[], list[Variable]], rows: Callable[[ExportFilter], Iterator[Row]]
) -> Callable[[ExportFilter], tuple[list[Variable], Iterator[Row]]]:
    return lambda export_filter: (variables(), rows(export_filter))


DATASETS: dict[str, Dataset] = {
    dataset.name: dataset
    for dataset in (
        Dataset(
            "responses",
            _fixed(response_variables, response_rows),
            count=response_count,
            per_respondent=True,
        ),
        Dataset("scores", _scores),
        Dataset("practices", _fixed(practice_variables, practice_rows)),
        Dataset("needs", _fixed(need_variables, need_rows)),
        Dataset("ratings", _fixed(rating_variables, rating_rows), count=_rating_count),
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


def write_dataset_xlsx(
    target,
    name: str,
    variables: Sequence[Variable],
    rows: Iterable[Row],
    *,
    progress: Progress | None = None,
):
    """The dataset's sheet and its codebook's; `progress` counts the dataset's rows."""
    header = [variable.name for variable in variables]
    codebook = codebook_rows(dataset_codebook(name, variables))
    counter = RowCounter(progress)
    write_xlsx(
        target, [(name, header, counter.rows(rows)), ("codebook", CODEBOOK_HEADER, codebook)]
    )
    counter.done()


def write_codebook_csv(export_filter: ExportFilter) -> Iterator[str]:
    return csv_pieces(CODEBOOK_HEADER, codebook_rows(full_codebook(export_filter)))


def write_codebook_xlsx(target, export_filter: ExportFilter) -> None:
    write_xlsx(target, [("codebook", CODEBOOK_HEADER, codebook_rows(full_codebook(export_filter)))])


def export_row_count(name: str, export_filter: ExportFilter) -> int:
    """How many rows the dataset's export will have (one query; for a progress bar). Rows
    added or completed between this count and the export can make them differ a little."""
    return DATASETS[name].count(export_filter)


def export_csv(name: str, export_filter: ExportFilter) -> Iterator[str]:
    """The CSV in pieces of text, for a streaming response."""
    variables, rows = DATASETS[name].build(export_filter)
    return csv_pieces([variable.name for variable in variables], rows)


def export_csv_file(
    path: str | Path, name: str, export_filter: ExportFilter, *, progress: Progress | None = None
) -> None:
    """The CSV written to `path`: the same bytes as export_csv's pieces, encoded as UTF-8."""
    variables, rows = DATASETS[name].build(export_filter)
    write_csv(path, [variable.name for variable in variables], rows, progress=progress)


def export_xlsx(
    target, name: str, export_filter: ExportFilter, *, progress: Progress | None = None
) -> None:
    variables, rows = DATASETS[name].build(export_filter)
    write_dataset_xlsx(target, name, variables, rows, progress=progress)


def export_sav(
    path: str | Path, name: str, export_filter: ExportFilter, *, progress: Progress | None = None
) -> None:
    variables, rows = DATASETS[name].build(export_filter)
    write_sav(path, variables, rows, progress=progress)
