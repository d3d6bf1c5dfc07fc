"""Research exports written to a file with a progress hook, and the count of their rows that
a progress bar is measured against (exports.export_row_count)."""

from __future__ import annotations

import pytest

from leerkansen.reports.models import ActionRating
from leerkansen.reports.services import create_report
from leerkansen.reports.tests import add_responses, full_answers
from leerkansen.research import exports, writers
from leerkansen.research.export_rounds import pseudonyms
from leerkansen.research.exports import ExportFilter, pseudonym
from leerkansen.survey.rounds import close_round, open_round
from leerkansen.testing import make_organisation

from .export_fixtures import csv_rows, make_exported_round, read_sav, xlsx_sheets

pytestmark = pytest.mark.django_db


def closed_round(name: str, responses: int):
    organisation = make_organisation(name)
    assessment = open_round(organisation, ["medewerker"], f"Ronde {name}")
    add_responses(
        assessment, "medewerker", responses, lambda index: full_answers({"A_sector": "C"})
    )
    create_report(assessment)
    for action in ("1.1", "1.2"):
        ActionRating.objects.create(
            assessment=assessment, action_id=action, relevance=4, feasibility=2, recommended=True
        )
    close_round(assessment)
    return assessment


@pytest.fixture
def rounds():
    """Rounds of 7 and 6 responses, and one of 3: below the threshold, left out."""
    make_exported_round("Eerste", responses=7)
    closed_round("Tweede", 6)
    closed_round("Klein", 3)


def rows_in_file(file_format: str, path) -> int:
    data = path.read_bytes()
    if file_format == "csv":
        return len(csv_rows(data))
    if file_format == "xlsx":
        sheets = xlsx_sheets(data)
        return len(next(iter(sheets.values()))) - 1
    values, _meta = read_sav(data)
    return len(next(iter(values.values())))


WRITERS = {
    "csv": exports.export_csv_file,
    "xlsx": exports.export_xlsx,
    "sav": exports.export_sav,
}


@pytest.mark.parametrize("file_format", exports.FORMATS)
def test_the_count_is_the_rows_of_the_file_and_progress_ends_there(
    rounds, file_format, tmp_path, monkeypatch
):
    monkeypatch.setattr(writers, "PROGRESS_ROWS", 2)
    export_filter = ExportFilter()
    for dataset in exports.DATASETS:
        count = exports.export_row_count(dataset, export_filter)
        path = tmp_path / f"{dataset}.{file_format}"
        calls: list[int] = []
        WRITERS[file_format](path, dataset, export_filter, progress=calls.append)
        assert rows_in_file(file_format, path) == count, dataset
        # Every second row along the way, then the total once the file is complete.
        assert calls == [*range(2, count, 2), count], (dataset, calls)


def test_the_counts_leave_out_what_the_export_leaves_out(rounds):
    export_filter = ExportFilter()
    # 7 + 6 responses; the round of 3 is below the threshold.
    assert exports.export_row_count("responses", export_filter) == 13
    # One report per round of at least k; the first round has one rating, the second two.
    assert exports.export_row_count("scores", export_filter) == 2
    assert exports.export_row_count("ratings", export_filter) == 3
    assert exports.export_row_count("responses", ExportFilter(sector="F")) == 0


def test_the_count_is_one_query(rounds, django_assert_num_queries):
    for dataset in exports.DATASETS:
        with django_assert_num_queries(1):
            exports.export_row_count(dataset, ExportFilter())


def test_a_csv_file_holds_the_bytes_the_streamed_csv_sends(rounds, tmp_path):
    for dataset in exports.DATASETS:
        path = tmp_path / f"{dataset}.csv"
        exports.export_csv_file(path, dataset, ExportFilter())
        streamed = "".join(exports.export_csv(dataset, ExportFilter())).encode()
        assert path.read_bytes() == streamed
        assert streamed.startswith(b"org_key,round_key,") and streamed.count(b"\r\n") > 1


def test_an_empty_export_reports_zero_rows(tmp_path):
    calls: list[int] = []
    exports.export_xlsx(tmp_path / "x.xlsx", "responses", ExportFilter(), progress=calls.append)
    assert calls == [0]
    assert list(xlsx_sheets((tmp_path / "x.xlsx").read_bytes())) == ["responses", "codebook"]


def test_the_fast_keys_are_the_pseudonyms():
    for kind in ("response", "round", "organisation"):
        keyed = pseudonyms(kind)
        for code in ("1", "ABC-123", "ééé"):
            assert keyed(code) == pseudonym(kind, code)
