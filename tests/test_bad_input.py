"""Odd input at the edge: a NUL byte or another control character in any free-text field.

The attack (issue 11, point 9): a NUL in an open answer made PostgreSQL refuse the save (a 500,
the page lost), and a control character in a plan note broke every later XLSX download. Now
every free-text field saves the text without its invisible control characters, on SQLite and
PostgreSQL alike; nothing else the person typed is lost. Run on both databases.
"""

from __future__ import annotations

import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from openpyxl import load_workbook

from leerkansen.organisations.forms import RegistrationForm
from leerkansen.organisations.models import ApiToken, Membership, Organisation
from leerkansen.organisations.services import create_api_token
from leerkansen.plans import services as plans
from leerkansen.plans.models import PlanItem
from leerkansen.survey.models import Assessment
from leerkansen.survey.services import answers_of
from leerkansen.survey.tests import link, make_invitation, the_response
from leerkansen.testing import job_download, make_round

pytestmark = pytest.mark.django_db

# What a paste or a crafted request brings along: a NUL, a vertical tab, a C1 control.
NUL, VT, C1 = "\x00", "\x0b", "\x85"
OPEN_ANSWER = f"Meer{NUL} tijd{VT} om\r\nsamen te{C1} leren."
OPEN_ANSWER_KEPT = "Meer tijd om\r\nsamen te leren."
MODEL_BACKEND = "leerkansen.organisations.backends.AccountBackend"


def admin_of(organisation: Organisation) -> Client:
    user = get_user_model().objects.create_user(username="an@alfa.be", email="an@alfa.be")
    Membership.objects.create(user=user, organisation=organisation)
    return logged_in(user)


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user, backend=MODEL_BACKEND)
    return client


@pytest.fixture
def organisation():
    return Organisation.objects.create(name="Alfa Zorg", sector="Q", size_band="50_249")


@pytest.fixture
def respondent():
    client = Client()
    # HR: the version with the context step the option test posts to.
    _invitation, token = make_invitation(make_round(), "hr")
    assert client.get(link(token)).status_code == 302
    return client


# -- The questionnaire ----------------------------------------------------------------------


def test_an_open_answer_with_control_characters_is_saved_without_them(respondent):
    response = respondent.post("/vragenlijst/stap/E/", {"E_1": "4", "E_open": OPEN_ANSWER})
    assert response.status_code == 302
    assert answers_of(the_response(respondent)) == {"E_1": 4, "E_open": OPEN_ANSWER_KEPT}


def test_an_autosaved_open_answer_with_a_nul_byte_is_saved_without_it(respondent):
    response = respondent.post(
        "/vragenlijst/stap/E/", {"E_open": f"Goed{NUL}zo{VT}"}, headers={"X-Autosave": "1"}
    )
    assert response.status_code == 204
    assert answers_of(the_response(respondent)) == {"E_open": "Goedzo"}


def test_an_open_answer_of_only_control_characters_clears_it_like_an_empty_one(respondent):
    respondent.post("/vragenlijst/stap/E/", {"E_open": "Eerst dit."})
    respondent.post("/vragenlijst/stap/E/", {"E_open": f"{NUL}{VT}"})
    assert "E_open" not in answers_of(the_response(respondent))


def test_an_option_value_with_a_nul_byte_gets_the_dutch_message_not_a_500(respondent):
    response = respondent.post("/vragenlijst/stap/A/", {"A_sector": f"Q{NUL}x", "A_size": "lt10"})
    assert response.status_code == 200
    assert "Kies een van de antwoorden" in response.content.decode()
    assert answers_of(the_response(respondent)) == {"A_size": "lt10"}


def test_a_round_title_with_control_characters_is_saved_without_them(organisation):
    admin = admin_of(organisation)
    response = admin.post(
        "/organisatie/rondes/", {"title": f"Voorjaar{NUL} 2027{VT}", "roles": ["medewerker"]}
    )
    assert response.status_code == 302
    assert Assessment.objects.get(organisation=organisation).title == "Voorjaar 2027"


def test_invitation_addresses_with_control_characters_are_read_without_them(organisation):
    admin = admin_of(organisation)
    assessment = make_round(organisation, roles=["medewerker"])
    response = admin.post(
        f"/organisatie/rondes/{assessment.code}/uitnodigen/",
        {"role": "medewerker", "addresses": f"jo{NUL}@alfa.be\r\nlies@alfa.be{VT}"},
    )
    assert response.status_code == 302
    assert sorted(assessment.invitations.values_list("email", flat=True)) == [
        "jo@alfa.be",
        "lies@alfa.be",
    ]


# -- The API --------------------------------------------------------------------------------


def test_an_open_answer_sent_to_the_api_is_saved_without_control_characters(organisation):
    secret = create_api_token(organisation, "tests", None).secret
    body = {
        "answers": {"B1_1": 4, "B1_2": 4, "B1_3": 5, "B1_4": 2, "E_open": OPEN_ANSWER},
        "context": {"A_size": f"50_249{VT}"},
    }
    response = Client().post(
        "/api/v1/assessments",
        json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 201, response.content
    answers = answers_of(Assessment.objects.get(code=response.json()["id"]).responses.get())
    assert answers["E_open"] == OPEN_ANSWER_KEPT
    assert answers["A_size"] == "50_249"


# -- The plan -------------------------------------------------------------------------------


def test_plan_owner_and_note_with_control_characters_are_saved_without_them(organisation):
    admin = admin_of(organisation)
    item = plans.add_action(organisation, "1.1").item
    response = admin.post(
        f"/organisatie/plan/{item.code}/",
        {
            "owner": f"Sofie{NUL} Peeters{VT}\r\nTeam HR",
            "status": "planned",
            "note": f"Eerst{NUL} IT{VT}\r\nDan{C1} HR",
            "version": item.version,
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.owner == "Sofie Peeters Team HR"
    assert item.note == "Eerst IT\r\nDan HR"


def test_the_plan_xlsx_opens_with_a_control_character_stored_before_the_fix(organisation):
    admin = admin_of(organisation)
    item = plans.add_action(organisation, "1.1").item
    # Stored directly, as a note saved before the forms cleaned input would be (PostgreSQL
    # takes a vertical tab, not a NUL).
    PlanItem.objects.filter(pk=item.pk).update(
        owner=f"{VT}=1+1", note=f"Eerst IT{VT}\nDan{C1} HR\x1f"
    )
    Organisation.objects.filter(pk=organisation.pk).update(name=f"Alfa{VT} Zorg")
    response = admin.get("/organisatie/plan/actieplan.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    row = dict(zip(header, (cell.value for cell in sheet[2]), strict=True))
    assert row["Notitie"] == "Eerst IT\nDan HR"
    # Cleaned first, then still kept from being read as a formula.
    assert row["Trekker"] == "=1+1"
    assert sheet["E2"].data_type == "s" and sheet["E2"].quotePrefix


def test_the_plan_pdf_renders_with_a_control_character_stored_before_the_fix(organisation):
    admin = admin_of(organisation)
    item = plans.add_action(organisation, "1.1").item
    PlanItem.objects.filter(pk=item.pk).update(note=f"Eerst IT{VT} dan HR")
    response = admin.get("/organisatie/plan/actieplan.pdf")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


# -- Accounts and the organisation ------------------------------------------------------------


def test_a_registration_name_with_control_characters_is_kept_without_them():
    form = RegistrationForm(
        {
            "email": "an@alfa.be",
            "name": f"An{NUL} Peeters{VT}",
            "password1": "een lang wachtwoord 123",
            "password2": "een lang wachtwoord 123",
        }
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["name"] == "An Peeters"


def test_an_organisation_name_with_control_characters_is_saved_without_them():
    user = get_user_model().objects.create_user(username="an@alfa.be", email="an@alfa.be")
    response = logged_in(user).post(
        "/organisatie/nieuw/",
        {"name": f"Alfa{NUL} Zorg{VT}", "sector": "Q", "size_band": "50_249"},
    )
    assert response.status_code == 302
    assert Organisation.objects.get(memberships__user=user).name == "Alfa Zorg"


def test_an_api_key_name_with_control_characters_is_saved_without_them(organisation):
    admin = admin_of(organisation)
    response = admin.post("/organisatie/api-sleutels/", {"name": f"HR{NUL}-systeem{VT}"})
    assert response.status_code == 200
    assert ApiToken.objects.get(organisation=organisation).name == "HR-systeem"


# -- Paths ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/organisatie/plan/a%00b/",
        "/organisatie/rondes/a%00b/",
        "/organisatie/rondes/a%0Bb/rapport/",
        "/api/v1/assessments/a%00b/report",
    ],
)
def test_a_path_with_a_control_character_is_not_found_not_a_500(organisation, path):
    admin = admin_of(organisation)
    secret = create_api_token(organisation, "tests", None).secret
    response = admin.get(path, headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 404


def test_the_data_download_csv_leaves_out_control_characters_stored_before_the_fix(
    organisation,
):
    import zipfile

    admin = admin_of(organisation)
    item = plans.add_action(organisation, "1.1").item
    PlanItem.objects.filter(pk=item.pk).update(note=f"Eerst IT{VT}\nDan{C1} HR\x1f")
    response = job_download(admin, admin.post("/organisatie/gegevens/download.zip"))
    archive = zipfile.ZipFile(io.BytesIO(response.body))
    text = "".join(archive.read(name).decode() for name in archive.namelist())
    assert "Eerst IT\nDan HR" in text.replace("\r\n", "\n")
    assert not any(character in text for character in (VT, C1, "\x1f"))


def test_every_research_writer_leaves_out_control_characters(tmp_path):
    import pyreadstat

    from leerkansen.research import writers
    from leerkansen.research.codebook import Variable

    text = f"Zorg{VT} en{C1} welzijn\x1f"
    csv_text = "".join(writers.csv_pieces(["sector"], [[text]]))
    assert "Zorg en welzijn" in csv_text and VT not in csv_text and C1 not in csv_text

    target = io.BytesIO()
    writers.write_xlsx(target, [("data", ["sector"], [[text]])])
    assert load_workbook(io.BytesIO(target.getvalue())).active["A2"].value == "Zorg en welzijn"

    path = tmp_path / "data.sav"
    variable = Variable(name="sector", label="Sector", kind="text")
    writers.write_sav(path, [variable], [[text]])
    frame, _meta = pyreadstat.read_sav(str(path), output_format="dict")
    assert frame["sector"][0] == "Zorg en welzijn"
