"""The organisation's download written to a file while it is read (gdpr.write_export), with
the count of its rows and a progress hook, for a job's progress bar."""

import csv
import io
import json
import zipfile

import pytest

from leerkansen.organisations import gdpr
from leerkansen.organisations.gdpr import export_data, export_row_count, write_export
from leerkansen.reports.demo import demo_answers
from leerkansen.reports.services import create_report
from leerkansen.survey.services import complete_response, save_answers, start_assessment
from leerkansen.testing import make_admin

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisation():
    """Two admins (one named with accents and a formula), a round with a report (JSON fields
    with nested values), and a second organisation whose rows must stay out."""
    _an, organisation = make_admin("an@zorggroep.be", '=Zorggroep "Noord" – één')
    make_admin("bert@zorggroep.be", organisation=organisation, name="Bërt\nNieuw")
    for each in (organisation, make_admin("x@school.be", "School Zuid")[1]):
        response, _token = start_assessment(each)
        save_answers(response, demo_answers())
        complete_response(response)
        create_report(response.assessment)
    return organisation


def test_the_json_file_is_what_the_whole_download_was(organisation, tmp_path):
    path = tmp_path / "data.json"
    write_export(path, organisation, "json")
    # The same bytes as dumping everything at once (as the download did before).
    expected = json.dumps(export_data(organisation), ensure_ascii=False, indent=1).encode()
    assert path.read_bytes() == expected
    data = json.loads(expected)
    assert data["organisations.Organisation"][0]["name"] == '=Zorggroep "Noord" – één'
    assert data["reports.Report"][0]["scores"]
    assert sorted(user["email"] for user in data["auth.User"]) == [
        "an@zorggroep.be",
        "bert@zorggroep.be",
    ]


def test_the_zip_file_holds_one_csv_per_table(organisation, tmp_path):
    path = tmp_path / "data.zip"
    write_export(path, organisation, "csv")
    data = export_data(organisation)
    archive = zipfile.ZipFile(path)
    assert archive.namelist() == [f"{label}.csv" for label in data]
    for label, rows in data.items():
        text = archive.read(f"{label}.csv").decode()
        read = list(csv.DictReader(io.StringIO(text)))
        assert len(read) == len(rows), label
        if rows:
            assert list(read[0]) == list(rows[0]), label
        else:
            assert text == ""
    [row] = csv.DictReader(io.StringIO(archive.read("organisations.Organisation.csv").decode()))
    assert row["name"] == '\'=Zorggroep "Noord" – één'
    # The bytes the download gave before: the same ZIP members.
    before = zipfile.ZipFile(io.BytesIO(gdpr.export_csv_zip(organisation)))
    for name in archive.namelist():
        assert archive.read(name) == before.read(name)


@pytest.mark.parametrize("file_format", gdpr.FORMATS)
def test_progress_counts_the_rows_of_every_table(organisation, file_format, tmp_path, monkeypatch):
    monkeypatch.setattr(gdpr, "PROGRESS_ROWS", 3)
    count = export_row_count(organisation)
    assert count == sum(len(rows) for rows in export_data(organisation).values())
    calls: list[int] = []
    write_export(tmp_path / "data", organisation, file_format, progress=calls.append)
    assert calls == [*range(3, count, 3), count]


def test_an_unknown_format_is_refused(organisation, tmp_path):
    with pytest.raises(ValueError):
        write_export(tmp_path / "data", organisation, "xml")
    assert not (tmp_path / "data").exists()
