"""The rounds, downloads and file readers the research export tests share."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import pyreadstat
from django.test import Client
from django.urls import resolve, reverse
from openpyxl import load_workbook

from leerkansen.organisations.models import Organisation
from leerkansen.reports.models import ActionRating
from leerkansen.reports.services import create_report
from leerkansen.reports.tests import add_responses, full_answers
from leerkansen.research import exports
from leerkansen.survey.models import Assessment
from leerkansen.survey.rounds import close_round, open_round
from leerkansen.survey.services import save_answers, start_response
from leerkansen.testing import make_organisation, make_user

SECRET_NAME = "Geheime Naam BV"
SECRET_EMAIL = "geheim.persoon@geheimenaam.be"
SECRET_TITLE = "Geheime Ronde Voorjaar"
SECRET_TEXT = "Onze collega Jozefien Vermeersch leert iedereen alles"
DATASETS = list(exports.DATASETS)


def answers(index: int) -> dict:
    """Full answers with "weet niet" on B1_1 and A_size, practices, urgency and free text."""
    return full_answers(
        {
            "A_sector": "Q",
            "A_size": None,
            "A_role": "medewerker",
            "B1_1": None,
            "C_1_1": "al",
            "C_2_1": "nog_niet",
            "D_1_urgency": 4,
            "E_1": 3,
            "E_open": f"{SECRET_TEXT} ({index})",
        }
    )


# The anonymity threshold's default: fewer responses would leave the round out.
RESPONSES = 5


def make_exported_round(
    name: str = SECRET_NAME,
    *,
    responses: int = RESPONSES,
    title: str = SECRET_TITLE,
    email: str = SECRET_EMAIL,
    **flags,
) -> Assessment:
    """An organisation (with an admin) whose closed round has `responses` completed responses,
    one draft, a report and a rating."""
    admin = make_user(email) if email else None
    organisation = make_organisation(name, admin=admin)
    if flags:
        Organisation.objects.filter(pk=organisation.pk).update(**flags)
    assessment = open_round(organisation, ["hr", "medewerker"], title)
    add_responses(assessment, "medewerker", responses, answers)
    draft, _token = start_response(assessment, "hr")
    save_answers(draft, {"B1_1": 5})
    create_report(assessment)
    ActionRating.objects.create(
        assessment=assessment, action_id="1.1", relevance=4, feasibility=2, recommended=True
    )
    close_round(assessment)
    return assessment


def fetch_export(client: Client, url: str):
    """What a researcher gets for `url`: a dataset is started by POST and fetched from its
    job's page (tests run the job at once); the codebook is a GET. The response of the last
    step, with its bytes in `.body`."""
    if resolve(url.split("?")[0]).url_name == "export_download":
        response = client.post(url)
        location = response.get("Location", "")
        if response.status_code == 302 and location.startswith("/bestanden/"):
            response = client.get(f"{location}download/")
    else:
        response = client.get(url)
    if getattr(response, "streaming", False):
        # Reading to the end closes the response the way the test client expects; an
        # explicit close() would fire request_finished and close PostgreSQL's connection.
        response.body = b"".join(response.streaming_content)
    else:
        response.body = response.content
    return response


def download(client: Client, url: str) -> bytes:
    response = fetch_export(client, url)
    assert response.status_code == 200, response.status_code
    return response.body


def csv_rows(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode())))


def xlsx_sheets(data: bytes) -> dict[str, list[list]]:
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    return {
        sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)]
        for sheet in workbook.worksheets
    }


def read_sav(data: bytes, user_missing: bool = True):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.sav"
        path.write_bytes(data)
        return pyreadstat.read_sav(str(path), output_format="dict", user_missing=user_missing)


def all_text(file_format: str, data: bytes) -> str:
    """Everything a file says, values and labels, as one text."""
    if file_format == "csv":
        return data.decode()
    if file_format == "xlsx":
        return repr(xlsx_sheets(data))
    values, meta = read_sav(data)
    return repr(values) + repr(meta.column_names_to_labels) + repr(meta.variable_value_labels)


def dataset_url(dataset: str, file_format: str, query: str = "") -> str:
    url = reverse("research:export_download", args=[dataset, file_format])
    return f"{url}?{query}" if query else url
