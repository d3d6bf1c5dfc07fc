"""The organisation's data pages: download everything (JSON, CSV in a zip) and erase the
organisation — only one's own, only by POST, never cached, always logged."""

import io
import json
import re
import zipfile
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from leerkansen.content.questionnaire_pages import questionnaire_pages
from leerkansen.jobs.models import Job
from leerkansen.organisations.gdpr import tenant_models
from leerkansen.organisations.models import Membership, Organisation, SecurityEvent
from leerkansen.organisations.services import choose_organisation
from leerkansen.organisations.tenancy import owned
from leerkansen.reports.demo import demo_answers
from leerkansen.reports.models import Report
from leerkansen.reports.services import create_report
from leerkansen.reports.tests import full_answers
from leerkansen.survey.models import Answer, Assessment, Response
from leerkansen.survey.rounds import open_round
from leerkansen.survey.services import complete_response, save_answers, start_assessment
from leerkansen.survey.tests import link, make_invitation
from leerkansen.testing import PASSWORD, job_download, make_admin, make_organisation, make_user

pytestmark = pytest.mark.django_db

Kind = SecurityEvent.Kind
DATA = "/organisatie/gegevens/"
JSON = "/organisatie/gegevens/download.json"
CSV = "/organisatie/gegevens/download.zip"
ERASE = "/organisatie/gegevens/verwijderen/"


def with_round(organisation: Organisation) -> Organisation:
    """A completed response with its report, as in tests/test_gdpr.py."""
    response, _ = start_assessment(organisation)
    save_answers(response, demo_answers())
    complete_response(response)
    create_report(response.assessment)
    return organisation


def two_organisations():
    """A and B, each with an admin and a round; returns (admin A, A, admin B, B)."""
    an, a = make_admin("an@zorggroep.be", "Zorggroep Noord")
    bert, b = make_admin("bert@school.be", "Scholengroep Zuid")
    return an, with_round(a), bert, with_round(b)


def counts(organisation: Organisation) -> dict[str, int]:
    return {m._meta.label: owned(m, organisation).count() for m in tenant_models()}


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# Who may come in --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url"), [("get", DATA), ("post", JSON), ("post", CSV), ("get", ERASE)]
)
def test_anonymous_visitor_is_sent_to_login(client, method, url):
    make_admin()
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/account/inloggen/?next=")
    assert not SecurityEvent.objects.filter(kind=Kind.EXPORT).exists()


def test_data_page_offers_both_downloads_as_post_forms_and_is_not_cached():
    an, _organisation = make_admin()
    response = logged_in(an).get(DATA)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    for url in (JSON, CSV):
        form = re.search(
            rf'<form method="post" action="{re.escape(url)}"[^>]*>(.*?)</form>', html, re.S
        )
        assert form, url
        assert "csrfmiddlewaretoken" in form.group(1)
    assert f'href="{ERASE}"' in html


def test_data_page_says_in_dutch_that_no_ones_answers_are_in_the_download():
    an, _organisation = make_admin()
    html = logged_in(an).get(DATA).content.decode()
    assert "niet of en wanneer iemand geantwoord heeft" in html
    assert "nooit de antwoorden van één persoon" in html
    # The respondents' own access: their link, not the HR admin.
    assert "de link om verder te gaan" in html
    assert "All answers, as anonymous rows" not in html


def test_dashboard_links_to_the_data_page():
    an, _organisation = make_admin()
    assert f'href="{DATA}"' in logged_in(an).get("/organisatie/").content.decode()


# Downloads -------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [JSON, CSV])
def test_downloads_are_post_only_and_need_the_csrf_token(url):
    an, _organisation = make_admin()
    client = Client(enforce_csrf_checks=True)
    client.force_login(an)
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 403
    assert not SecurityEvent.objects.filter(kind=Kind.EXPORT).exists()


@pytest.mark.parametrize(
    ("url", "extension", "detail"), [(JSON, "json", "json"), (CSV, "zip", "csv")]
)
def test_download_is_an_attachment_named_by_code_not_cached_and_logged(url, extension, detail):
    an, organisation = make_admin()
    client = logged_in(an)
    started = client.post(url)
    assert started.status_code == 302 and "no-store" in started["Cache-Control"]
    # Logged when the file is fetched, not when it is asked for.
    assert not SecurityEvent.objects.filter(kind=Kind.EXPORT).exists()
    response = job_download(client, started)
    assert "no-store" in response["Cache-Control"]
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert organisation.code in disposition
    assert timezone.localdate().isoformat() in disposition
    assert disposition.rstrip('"').endswith(f".{extension}")
    assert "Zorggroep" not in disposition
    event = SecurityEvent.objects.get(kind=Kind.EXPORT)
    assert (event.user, event.organisation, event.detail) == (an, organisation, detail)


def test_a_download_while_three_files_are_being_made_is_refused_with_the_list_and_a_way_back():
    an, _organisation = make_admin()
    waiting = [
        Job.objects.create(
            kind="research_export",
            title=f"Export {number}",
            requested_by=an,
            expires_at=timezone.now() + timedelta(hours=24),
        )
        for number in (1, 2, 3)
    ]

    refused = logged_in(an).post(JSON)

    assert refused.status_code == 429
    page = refused.content.decode()
    assert "Je hebt al 3 bestanden of taken die wachten of gemaakt worden" in page
    assert "niets nieuws gestart" in page
    for job in waiting:
        assert f'href="/bestanden/{job.pk}/"' in page and job.title in page
    assert f'href="{DATA}"' in page
    assert Job.objects.count() == 3


def test_json_download_holds_the_own_rounds_and_reports_and_nothing_of_another():
    _an, a, bert, b = two_organisations()
    client = logged_in(bert)
    data = json.loads(job_download(client, client.post(JSON)).body)
    assert [row["name"] for row in data["organisations.Organisation"]] == ["Scholengroep Zuid"]
    assert [row["code"] for row in data["survey.Assessment"]] == list(
        owned(Assessment, b).values_list("code", flat=True)
    )
    # The answers as the report's aggregates, never as rows of one respondent.
    assert owned(Answer, b).count() > 0
    assert "survey.Answer" not in data and "survey.Response" not in data
    assert [row["code"] for row in data["reports.Report"]] == list(
        owned(Report, b).values_list("code", flat=True)
    )
    assert [row["email"] for row in data["auth.User"]] == ["bert@school.be"]
    text = json.dumps(data, ensure_ascii=False)
    assert "Zorggroep Noord" not in text and "an@zorggroep.be" not in text
    assert a.code not in text


def test_csv_download_opens_escapes_formulas_and_holds_nothing_of_another():
    _an, _a, bert, b = two_organisations()
    b.name = '=HYPERLINK("http://x.example","klik")'
    b.save()
    client = logged_in(bert)
    response = job_download(client, client.post(CSV))
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.body))
    organisations_csv = archive.read("organisations.Organisation.csv").decode()
    assert "'=HYPERLINK" in organisations_csv or "\t=HYPERLINK" in organisations_csv
    assert not re.search(r'(^|,)"?=HYPERLINK', organisations_csv, re.M)
    assert "survey.Answer.csv" not in archive.namelist()
    assert "survey.Response.csv" not in archive.namelist()
    reports_csv = archive.read("reports.Report.csv").decode()
    assert len(reports_csv.splitlines()) == owned(Report, b).count() + 1  # with the header
    everything = "".join(archive.read(name).decode() for name in archive.namelist())
    assert "Zorggroep Noord" not in everything and "an@zorggroep.be" not in everything
    assert SecurityEvent.objects.get(kind=Kind.EXPORT).detail == "csv"


# The attack of issue 11: download, let one invitee answer, download again, compare ---------

MIEKE = "mieke@zorggroep.be"
MIEKES_TEXT = "Mijn directeur luistert nooit naar voorstellen"


def answer_through_the_link(url: str, answers: dict, role: str) -> None:
    """A respondent opens `url` in their own browser, answers the pages of their role's
    version (what it does not ask is left out) and sends."""
    browser = Client()
    assert browser.get(url).status_code == 302
    pages = questionnaire_pages(role)
    for section in pages.sections:
        asked = {item.id for item in pages.items(section.id)}
        page = {item_id: str(value) for item_id, value in answers.items() if item_id in asked}
        if page:
            assert browser.post(f"/vragenlijst/stap/{section.id}/", page).status_code in (200, 302)
    assert browser.post("/vragenlijst/overzicht/")["Location"] == "/vragenlijst/bedankt/"


def both_downloads(client: Client) -> tuple[dict, dict[str, str]]:
    data = json.loads(job_download(client, client.post(JSON)).body)
    archive = zipfile.ZipFile(io.BytesIO(job_download(client, client.post(CSV)).body))
    return data, {name: archive.read(name).decode() for name in archive.namelist()}


def test_two_downloads_around_one_invitees_answers_do_not_tell_who_answered():
    an, organisation = make_admin()
    assessment = open_round(organisation, ["leidinggevende", "medewerker"], "Voorjaar")
    _shared, shared_token = make_invitation(assessment, "medewerker", shared=True)
    for _employee in range(5):
        answer_through_the_link(link(shared_token), full_answers(), "medewerker")
    managers = {
        email: make_invitation(assessment, "leidinggevende", email)
        for email in ("jan@zorggroep.be", MIEKE, "pieter@zorggroep.be")
    }
    admin = logged_in(an)
    json_before, csv_before = both_downloads(admin)

    mieke, token = managers[MIEKE]
    answer_through_the_link(
        link(token), full_answers({"E_1": 2, "E_open": MIEKES_TEXT}), "leidinggevende"
    )
    # What the attacker looks for is in the database: her invitation is marked as used, and
    # one more response holds her answers.
    mieke.refresh_from_db()
    assert mieke.completed_on is not None
    assert owned(Answer, organisation).filter(text=MIEKES_TEXT).exists()
    assert owned(Response, organisation).filter(completed_on__isnull=False).count() == 6

    json_after, csv_after = both_downloads(admin)

    # No respondent's rows in either download, so no new one to spot.
    for data, files in ((json_before, csv_before), (json_after, csv_after)):
        assert not {"survey.Response", "survey.Answer"} & set(data)
        assert not {"survey.Response.csv", "survey.Answer.csv"} & set(files)
    # The invitations, with Mieke's address, are the same before and after she answered.
    assert MIEKE in json.dumps(json_after["survey.Invitation"])
    assert json_after["survey.Invitation"] == json_before["survey.Invitation"]
    assert csv_after["survey.Invitation.csv"] == csv_before["survey.Invitation.csv"]
    # Nothing else changed but the security log, which gained the two downloads made before.
    # Not even the report: it is published in steps of k responses (docs/scoring.md), and
    # her answers are the 6th.
    assert json_before["reports.Report"][0]["response_count"] == 5
    changing = {"organisations.SecurityEvent"}
    assert set(json_after) == set(json_before)
    for label in set(json_before) - changing:
        assert json_after[label] == json_before[label], label
        assert csv_after[f"{label}.csv"] == csv_before[f"{label}.csv"], label
    new_lines = [
        (row["kind"], row["detail"])
        for row in json_after["organisations.SecurityEvent"]
        if row not in json_before["organisations.SecurityEvent"]
    ]
    assert new_lines == [("export", "json"), ("export", "csv")]
    # Her words appear nowhere (free text is shown from 8 responses, as in the report).
    assert MIEKES_TEXT not in json.dumps(json_after, ensure_ascii=False)
    assert MIEKES_TEXT not in "".join(csv_after.values())


# Erasure ---------------------------------------------------------------------------------


def test_erase_page_asks_for_name_and_password_and_is_not_cached():
    an, _organisation = make_admin()
    response = logged_in(an).get(ERASE)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert 'name="name"' in html and 'type="password"' in html
    assert "Zorggroep Noord" in html
    assert "hun aanmeldingen en de adressen waarvan ze zich aanmeldden" in html
    assert "csrfmiddlewaretoken" in html


@pytest.mark.parametrize(
    ("typed", "password", "field"),
    [
        ("zorggroep noord", PASSWORD, "name"),  # the name is case-sensitive
        ("Scholengroep Zuid", PASSWORD, "name"),  # another organisation's name
        ("Zorggroep Noord", "niet mijn wachtwoord", "password"),
        ("Zorggroep Noord", "", "password"),
    ],
)
def test_erase_with_wrong_name_or_password_keeps_everything_and_says_why(typed, password, field):
    an, a, _bert, _b = two_organisations()
    client = logged_in(an)  # logs a login: counted before
    before = counts(a)
    response = client.post(ERASE, {"name": typed, "password": password})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="error-summary"' in html
    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert f'<a href="#id_{field}">{errors[field][0]}</a>' in html
    assert counts(a) == before
    assert get_user_model().objects.filter(pk=an.pk).exists()
    assert not SecurityEvent.objects.filter(kind=Kind.ERASURE).exists()


def test_erase_removes_the_organisation_logs_out_and_leaves_the_other_untouched():
    an, a, bert, b = two_organisations()
    code = a.code
    other_before = counts(b)
    client = logged_in(an)
    job_download(client, client.post(JSON))  # an earlier export goes with A's security log

    response = client.post(ERASE, {"name": "  Zorggroep Noord ", "password": PASSWORD})

    assert response.status_code == 200
    assert "Zorggroep Noord" in response.content.decode()
    for model in tenant_models():
        path = model.organisation_path
        lookup = {"pk": a.pk} if path == "" else {f"{path}_id": a.pk}
        assert not model._default_manager.filter(**lookup).exists(), model._meta.label
    assert not Organisation.objects.filter(code=code).exists()
    assert not get_user_model().objects.filter(pk=an.pk).exists()
    assert counts(b) == other_before
    assert get_user_model().objects.filter(pk=bert.pk).exists()

    event = SecurityEvent.objects.get(kind=Kind.ERASURE)
    assert event.organisation is None
    assert event.user is None
    assert event.detail == ""
    # Nothing left in the security log names the organisation or its admin.
    for line in SecurityEvent.objects.all():
        assert line.user_id != an.pk
        for trace in (code, "Zorggroep", "an@zorggroep.be"):
            assert trace not in line.detail
    # Logged out: the organisation pages ask to log in again.
    assert client.get("/organisatie/")["Location"].startswith("/account/inloggen/")


def test_an_admin_of_two_organisations_keeps_the_account_and_the_other_organisation():
    an, a, _bert, b = two_organisations()
    Membership.objects.create(user=an, organisation=b)
    client = logged_in(an)
    session = client.session
    choose_organisation(session, a)
    session.save()
    file_of_a = job_download(client, client.post(JSON))
    choose_organisation(session := client.session, b)
    session.save()
    file_of_b = client.post(JSON)["Location"]
    choose_organisation(session := client.session, a)
    session.save()

    response = client.post(ERASE, {"name": "Zorggroep Noord", "password": PASSWORD})

    assert response.status_code == 200
    assert not Organisation.objects.filter(pk=a.pk).exists()
    # A's data download, ready for 24 hours, went with A; B's stays.
    assert client.get(file_of_a.request["PATH_INFO"]).status_code == 404
    assert client.get(f"{file_of_b}download/").status_code == 200
    event = SecurityEvent.objects.get(kind=Kind.ERASURE)
    assert (event.user, event.organisation) == (an, None)
    dashboard = client.get("/organisatie/")
    assert dashboard.status_code == 200
    assert "Scholengroep Zuid" in dashboard.content.decode()


def test_a_member_erases_only_the_organisation_they_work_in():
    _an, a, _bert, b = two_organisations()
    carla = make_user("carla@school.be", name="Carla")
    Membership.objects.create(user=carla, organisation=b)
    a_before = counts(a)

    logged_in(carla).post(ERASE, {"name": "Zorggroep Noord", "password": PASSWORD})
    assert counts(a) == a_before
    assert Organisation.objects.filter(pk=b.pk).exists()

    logged_in(carla).post(ERASE, {"name": "Scholengroep Zuid", "password": PASSWORD})
    assert counts(a) == a_before
    assert not Organisation.objects.filter(pk=b.pk).exists()
    # Carla and Bert had no other organisation; An keeps hers.
    assert list(get_user_model().objects.values_list("email", flat=True)) == ["an@zorggroep.be"]


def test_an_organisation_without_rounds_can_be_erased():
    user = make_user()
    organisation = make_organisation(admin=user)
    logged_in(user).post(ERASE, {"name": organisation.name, "password": PASSWORD})
    assert not Organisation.objects.exists()
    assert SecurityEvent.objects.filter(kind=Kind.ERASURE, organisation=None).count() == 1
