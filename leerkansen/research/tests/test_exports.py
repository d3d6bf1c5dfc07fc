"""Research exports: who may download, what the files hold and what they never hold."""

from __future__ import annotations

import csv
import io

import defusedcsv.csv as defused
import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from leerkansen.content.questionnaire import get_questionnaire
from leerkansen.jobs.models import Job
from leerkansen.organisations.auth import RESEARCHERS_GROUP
from leerkansen.organisations.models import Organisation, SecurityEvent
from leerkansen.reports.models import Report
from leerkansen.research import exports, writers
from leerkansen.research.codebook import (
    CODEBOOK_HEADER,
    DONT_KNOW_CODE,
    DONT_KNOW_NUMBER,
    Variable,
)
from leerkansen.research.exports import pseudonym
from leerkansen.survey.models import Answer, Assessment, Response
from leerkansen.testing import make_organisation, make_researcher, make_user

from .conftest import logged_in
from .export_fixtures import (
    DATASETS,
    RESPONSES,
    SECRET_EMAIL,
    SECRET_NAME,
    SECRET_TEXT,
    SECRET_TITLE,
    all_text,
    csv_rows,
    dataset_url,
    download,
    fetch_export,
    make_exported_round,
    xlsx_sheets,
)

pytestmark = pytest.mark.django_db


def test_export_pages_are_for_researchers_only():
    make_exported_round()
    urls = [
        reverse("research:exports"),
        dataset_url("responses", "csv"),
        dataset_url("scores", "xlsx"),
        reverse("research:export_codebook", args=["csv"]),
    ]
    admin = make_user("an@zorggroep.be")
    make_organisation("Zorggroep Noord", admin=admin)
    staff = make_user("staf@leerkansen.be", is_staff=True)
    not_staff = make_user("niet-staf@ugent.be")
    not_staff.groups.add(Group.objects.get(name=RESEARCHERS_GROUP))
    researcher = logged_in(make_researcher())
    for url in urls:
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("organisations:login"))
        for user in (admin, staff, not_staff):
            assert logged_in(user).get(url).status_code == 403, (url, user)
        # A dataset is started by POST and fetched from its job; the rest is a GET.
        assert fetch_export(researcher, url).status_code == 200, url
    for url in urls[1:3]:
        # An old bookmark of a download leads to the exports page, starting nothing.
        assert researcher.get(url)["Location"] == reverse("research:exports")
    for url in (urls[0], urls[3]):
        assert researcher.post(url).status_code == 405
    # Refusals are logged, and nothing was exported.
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.DENIED).count() == 3 * len(urls)


def test_unknown_datasets_and_formats_are_not_found():
    client = logged_in(make_researcher())
    assert client.get(dataset_url("answers", "csv")).status_code == 404
    assert client.get(dataset_url("responses", "json")).status_code == 404
    assert client.get(dataset_url("ratings", "pdf")).status_code == 404
    assert client.get(reverse("research:export_codebook", args=["sav"])).status_code == 404


def test_the_page_lists_every_dataset_in_every_format_and_the_codebook():
    response = logged_in(make_researcher()).get(reverse("research:exports"))
    html = response.content.decode()
    assert "no-store" in response["Cache-Control"]
    for dataset in DATASETS:
        assert f'id="dataset-{dataset}"' in html
        for file_format in exports.FORMATS:
            # A form that starts the export as a job (with its CSRF token).
            assert f'<form method="post" action="{dataset_url(dataset, file_format)}"' in html
    assert html.count('name="csrfmiddlewaretoken"') >= len(DATASETS) * len(exports.FORMATS)
    for file_format in exports.CODEBOOK_FORMATS:
        assert reverse("research:export_codebook", args=[file_format]) in html


def test_the_page_carries_valid_filters_over_to_the_links_and_refuses_bad_ones():
    client = logged_in(make_researcher())
    html = client.get(reverse("research:exports"), {"sector": "Q", "van": "2026-01"}).content
    assert f'action="{dataset_url("needs", "sav", "sector=Q&amp;van=2026-01")}"' in html.decode()
    html = client.get(reverse("research:exports"), {"simulated": "on"}).content.decode()
    assert f'action="{dataset_url("scores", "csv", "simulated=1")}"' in html
    html = client.get(reverse("research:exports"), {"van": "januari"}).content.decode()
    assert 'id="datasets"' not in html
    assert 'aria-invalid="true"' in html
    assert client.post(dataset_url("responses", "csv", "van=januari")).status_code == 400
    assert not Job.objects.exists()


@pytest.mark.parametrize("file_format", exports.FORMATS)
def test_a_download_is_an_attachment_never_cached_and_logged(file_format):
    make_exported_round()
    researcher = make_researcher()
    response = fetch_export(logged_in(researcher), dataset_url("responses", file_format))
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f'.{file_format}"' in disposition
    assert "no-store" in response["Cache-Control"]
    events = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.EXPORT).order_by("pk")
    assert [(event.user, event.organisation, event.detail) for event in events] == [
        (researcher, None, f"research responses {file_format}"),
        (researcher, None, f"research download responses {file_format}"),
    ]


def test_the_log_line_names_the_filters_and_the_codebook():
    client = logged_in(make_researcher())
    download(client, reverse("research:export_codebook", args=["xlsx"]) + "?sector=Q&simulated=1")
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.EXPORT)
    assert event.detail == "research codebook xlsx sector=Q simulated"


def test_an_export_is_a_job_that_counts_its_rows_and_waits_for_whoever_asked():
    make_exported_round(responses=6)
    researcher = make_researcher()
    client = logged_in(researcher)
    started = client.post(dataset_url("responses", "xlsx"))
    job = Job.objects.get()
    assert started["Location"] == reverse("jobs:job", args=[job.pk])
    assert (job.status, job.done_count, job.total_count) == ("done", 6, 6)
    page = client.get(started["Location"]).content.decode()
    assert "Vragenlijsten (Excel (XLSX))" in page and "6 rijen" in page
    assert f'href="{reverse("jobs:download", args=[job.pk])}"' in page
    # Another researcher does not see it.
    other = logged_in(make_researcher("ander@ugent.be"))
    assert other.get(reverse("jobs:download", args=[job.pk])).status_code == 404


def test_no_names_emails_titles_codes_or_free_text_in_any_export():
    assessment = make_exported_round()
    organisation = assessment.organisation
    secrets = [SECRET_NAME, SECRET_EMAIL, SECRET_TITLE, SECRET_TEXT, "Jozefien"]
    secrets += [organisation.code, assessment.code]
    client = logged_in(make_researcher())
    checked = []
    for dataset in DATASETS:
        for file_format in exports.FORMATS:
            text = all_text(file_format, download(client, dataset_url(dataset, file_format)))
            # The file holds the round: its pseudonymous key, not its code.
            assert pseudonym("round", assessment.code) in text, (dataset, file_format)
            leaked = [secret for secret in secrets if secret in text]
            assert not leaked, (dataset, file_format, leaked)
            checked.append((dataset, file_format))
    for file_format in exports.CODEBOOK_FORMATS:
        url = reverse("research:export_codebook", args=[file_format])
        text = all_text(file_format, download(client, url))
        assert not [secret for secret in secrets if secret in text]
    assert len(checked) == len(DATASETS) * len(exports.FORMATS)


def test_a_response_row_holds_coded_answers_under_pseudonymous_keys():
    assessment = make_exported_round()
    rows = csv_rows(download(logged_in(make_researcher()), dataset_url("responses", "csv")))
    # Completed responses only: the draft is not exported.
    assert len(rows) == RESPONSES
    row = rows[0]
    organisation = assessment.organisation
    assert row["org_key"] == pseudonym("organisation", organisation.code)
    assert row["round_key"] == pseudonym("round", assessment.code)
    assert len(row["org_key"]) == 16 and row["org_key"] != row["round_key"]
    # The round's month, not the respondent's (suppression.py).
    assert row["round_month"] == f"{assessment.created_at:%Y-%m}"
    assert (row["sector"], row["size_band"], row["role"]) == ("Q", "50_249", "medewerker")
    assert row["questionnaire_version"] == get_questionnaire().version
    # "Weet niet" has its own code; an unanswered item is empty.
    assert row["B1_1"] == str(DONT_KNOW_NUMBER)
    assert row["A_size"] == DONT_KNOW_CODE
    assert row["A_sites"] == ""
    assert row["B1_2"] == "5"
    # Practices as numbers: 3 = al, 1 = nog niet (codebook.PRACTICE_CODES).
    assert (row["C_1_1"], row["C_2_1"], row["C_3_1"]) == ("3", "1", "")
    assert (row["D_1"], row["D_1_urgency"], row["D_2_urgency"]) == ("1", "4", "")
    assert row["E_1"] == "3"
    assert "E_open" not in row
    exported = [item.id for item in get_questionnaire().items() if item.scale != "text"]
    # The items after the keys; the column added later comes last.
    assert list(row)[7:-1] == exported
    assert list(row)[-1] == "entered_by_organisation"
    assert row["entered_by_organisation"] == "0"


def test_the_keys_are_stable_and_depend_on_the_secret_key(settings):
    key = pseudonym("organisation", "abc")
    assert pseudonym("organisation", "abc") == key
    assert pseudonym("round", "abc") != key
    settings.SECRET_KEY = "een-andere-geheime-sleutel-" + "x" * 30
    assert pseudonym("organisation", "abc") != key


def test_demo_and_simulated_organisations_are_left_out_unless_simulated_alone_is_asked():
    real = make_exported_round()
    demo = make_exported_round("Demo BV", email="", is_demo=True)
    simulated = make_exported_round("Simulatie BV", email="", is_simulated=True)
    client = logged_in(make_researcher())
    keys = {
        name: pseudonym("round", a.code)
        for name, a in (("real", real), ("demo", demo), ("simulated", simulated))
    }
    for dataset in DATASETS:
        rounds = {
            row["round_key"] for row in csv_rows(download(client, dataset_url(dataset, "csv")))
        }
        assert rounds == {keys["real"]}, dataset
        only = csv_rows(download(client, dataset_url(dataset, "csv", "simulated=1")))
        assert {row["round_key"] for row in only} == {keys["simulated"]}, dataset
    real_again = csv_rows(download(client, dataset_url("responses", "csv", "simulated=0")))
    assert {row["round_key"] for row in real_again} == {keys["real"]}


def test_filters_choose_the_same_rounds_in_every_dataset():
    care = make_exported_round()
    building = make_exported_round("Bouwbedrijf", title="Ronde bouw", email="")
    Organisation.objects.filter(pk=building.organisation_id).update(sector="F", size_band="lt10")
    Assessment.objects.filter(pk=care.pk).update(created_at="2026-01-15T10:00:00Z")
    Assessment.objects.filter(pk=building.pk).update(created_at="2026-03-02T10:00:00Z")
    client = logged_in(make_researcher())
    care_key, building_key = pseudonym("round", care.code), pseudonym("round", building.code)
    expected = {
        "": {care_key, building_key},
        "sector=F": {building_key},
        "grootte=50_249": {care_key},
        "van=2026-02": {building_key},
        "tot=2026-01": {care_key},
        "van=2026-02&tot=2026-02": set(),
    }
    for query, keys in expected.items():
        for dataset in DATASETS:
            rows = csv_rows(download(client, dataset_url(dataset, "csv", query)))
            assert {row["round_key"] for row in rows} == keys, (query, dataset)


def test_scores_needs_practices_and_ratings_come_from_the_report_and_the_ratings():
    assessment = make_exported_round()
    report = Report.objects.get(assessment=assessment)
    client = logged_in(make_researcher())
    [scores] = csv_rows(download(client, dataset_url("scores", "csv")))
    assert scores["n_responses"] == str(RESPONSES)
    assert scores["model_version"] == report.model_version
    for number in range(1, 10):
        expected = report.scores[str(number)]
        assert scores[f"score_{number}"] == ("" if expected is None else str(expected))
    assert scores["profile"] == report.profile["id"]
    assert float(scores["profile_probability"]) == pytest.approx(report.profile["probability"])
    for profile_id, probability in report.profile["probabilities"].items():
        column = "posterior_" + profile_id.replace("-", "_")
        assert float(scores[column]) == pytest.approx(probability)

    [needs] = csv_rows(download(client, dataset_url("needs", "csv")))
    assert [needs["need_1"], needs["need_2"], needs["need_3"]] == ["1", "4", "9"]
    assert (needs["need_1_urgency"], needs["need_2_urgency"]) == ("4.0", "")

    [practices] = csv_rows(download(client, dataset_url("practices", "csv")))
    assert (practices["practice_1_1"], practices["practice_2_1"]) == ("3", "1")
    assert practices["practice_3_1"] == ""

    [rating] = csv_rows(download(client, dataset_url("ratings", "csv")))
    assert rating["round_key"] == scores["round_key"] == needs["round_key"]
    assert (rating["action"], rating["challenge"]) == ("1.1", "1")
    assert (rating["relevance"], rating["feasibility"], rating["recommended"]) == ("4", "2", "1")
    assert rating["asked_at_random"] == "0"


def test_csv_and_xlsx_neutralise_formulas_in_every_text_cell():
    assessment = make_exported_round()
    # Neither form allows these, but the admin site or the database might.
    Organisation.objects.filter(pk=assessment.organisation_id).update(sector="=1")
    Answer.objects.filter(item_id="A_training_plan").delete()
    response = Response.objects.filter(completed_on__isnull=False).first()
    Answer.objects.create(response=response, item_id="A_training_plan", code='@SUM(1+1)*cmd|"/C"')
    client = logged_in(make_researcher())

    rows = csv_rows(download(client, dataset_url("responses", "csv")))
    assert {row["sector"] for row in rows} == {"'=1"}
    assert '\'@SUM(1+1)*cmd\\|"/C"' in {row["A_training_plan"] for row in rows}

    sheets = xlsx_sheets(download(client, dataset_url("responses", "xlsx")))
    header, *data = sheets["responses"]
    sector = header.index("sector")
    assert {row[sector] for row in data} == {"'=1"}
    workbook = load_workbook(io.BytesIO(download(client, dataset_url("scores", "xlsx"))))
    cells = [cell for row in workbook["scores"].iter_rows() for cell in row]
    assert not [cell for cell in cells if cell.data_type == "f"]
    assert "'=1" in [cell.value for cell in cells]


def test_the_xlsx_writer_escapes_like_defusedcsv_and_keeps_numbers(tmp_path):
    payloads = [
        "=1+1",
        "+31 9",
        "-2+3",
        "@SUM(A1)",
        "|x",
        "%y",
        "=cmd|' /C calc'!A0",
        "-12.5",
        "12",
        "gewoon",
        "",
        "'al",
        " =spatie",
    ]
    text = io.StringIO()
    defused.writer(text).writerow(payloads)
    expected = next(csv.reader(io.StringIO(text.getvalue())))
    assert [exports.escape_formula(p) for p in payloads] == expected

    path = tmp_path / "x.xlsx"
    exports.write_xlsx(path, [("data", ["a", "=b"], [[*payloads, 3, -1, 0.5, None, "z"]])])
    workbook = load_workbook(path)
    header, row = list(workbook["data"].iter_rows())
    assert [cell.value for cell in header][:2] == ["a", "'=b"]
    assert [cell.value for cell in row][: len(payloads)] == [v or None for v in expected]
    assert [cell.value for cell in row][len(payloads) :] == [3, -1, 0.5, None, "z"]
    assert not [cell for cell in [*header, *row] if cell.data_type == "f"]


def test_a_codebook_text_cannot_become_a_formula(tmp_path):
    variables = [Variable("x", '=HYPERLINK("https://example.org")', "text", {"a": "+a"})]
    path = tmp_path / "x.xlsx"
    exports.write_dataset_xlsx(path, "responses", variables, iter([["-a"]]))
    sheets = xlsx_sheets(path.read_bytes())
    assert sheets["responses"] == [["x"], ["'-a"]]
    label = sheets["codebook"][1][CODEBOOK_HEADER.index("label")]
    assert label == '\'=HYPERLINK("https://example.org")'
    text = "".join(exports.csv_pieces(["x"], [["=1", "+2"]]))
    assert text == "x\r\n'=1,'+2\r\n"


def test_a_long_dataset_continues_on_a_next_sheet(tmp_path, monkeypatch):
    monkeypatch.setattr(writers, "XLSX_MAX_ROWS", 3)
    path = tmp_path / "x.xlsx"
    exports.write_xlsx(path, [("data", ["n"], ([n] for n in range(5))), ("leeg", ["m"], [])])
    sheets = xlsx_sheets(path.read_bytes())
    assert sheets == {
        "data": [["n"], [0], [1]],
        "data (2)": [["n"], [2], [3]],
        "data (3)": [["n"], [4]],
        "leeg": [["m"]],
    }


def test_xlsx_holds_the_dataset_and_its_codebook():
    make_exported_round()
    data = download(logged_in(make_researcher()), dataset_url("ratings", "xlsx"))
    sheets = xlsx_sheets(data)
    assert list(sheets) == ["ratings", "codebook"]
    header, row = sheets["ratings"]
    assert dict(zip(header, row, strict=True))["feasibility"] == 2
    codebook = sheets["codebook"]
    assert tuple(codebook[0]) == CODEBOOK_HEADER
    assert [line[1] for line in codebook[1:]] == header
