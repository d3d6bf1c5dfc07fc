"""The report page's cheap path (issue 16, item 4): the stored body is read with one query
compiled once per process (lib/prepared.py), inside the visitor's organisation. Being cheap
must not make it stale or leaky: a refresh or a hidden comment shows on the next view, in
every process, and another organisation still gets a 404."""

import re

import pytest
from django.test import Client
from django.utils.html import escape

from leerkansen.organisations.models import Membership
from leerkansen.organisations.tenancy import SESSION_ORGANISATION_KEY
from leerkansen.reports.comments import comment_key
from leerkansen.reports.models import Report
from leerkansen.reports.services import refresh_report
from leerkansen.reports.views import _OWN_REPORT

from . import add_responses, close_and_publish, full_answers, make_answered_round, make_member

pytestmark = pytest.mark.django_db

OPEN = "E_open"
SECRET_TEXT = "Piet van de nachtdienst zegt nooit iets"
TEXTS = [SECRET_TEXT] + [f"Meer tijd om te leren, nummer {index}" for index in range(1, 8)]


def member(report: Report) -> Client:
    client = Client()
    client.force_login(make_member(report.assessment.organisation))
    return client


def people(html: str) -> int:
    """The number of people the report page says it is made from."""
    return int(re.search(r"(?:answers of|antwoorden van) (\d+)", html).group(1))


def test_a_refreshed_report_shows_its_new_state_on_the_next_view():
    assessment = make_answered_round({"medewerker": 5})
    report = refresh_report(assessment)
    hr = member(report)
    first = hr.get(f"/rapport/{report.code}/").content.decode()
    assert people(first) == 5

    add_responses(assessment, "medewerker", 5)
    refreshed = refresh_report(assessment)
    assert refreshed.revision == report.revision + 1

    second = hr.get(f"/rapport/{report.code}/").content.decode()
    assert people(second) == 10
    # And from a visitor whose process never served it before: same bytes, nothing kept.
    assert Client().get(f"/rapport/{report.code}/").status_code == 302
    assert people(member(report).get(f"/rapport/{report.code}/").content.decode()) == 10


def test_a_hidden_comment_is_gone_from_the_very_next_view():
    report = close_and_publish(
        make_answered_round(
            {"medewerker": 8}, {"medewerker": lambda i: full_answers({OPEN: TEXTS[i]})}
        )
    )
    hr = member(report)
    url = f"/rapport/{report.code}/"
    assert escape(SECRET_TEXT) in hr.get(url).content.decode()

    hidden = hr.post(url + "opmerkingen/", {"question": OPEN, "comment": comment_key(SECRET_TEXT)})
    assert hidden.status_code == 302

    page = hr.get(url).content.decode()
    assert escape(SECRET_TEXT) not in page and SECRET_TEXT not in page
    assert escape(TEXTS[1]) in page


def test_another_organisation_gets_not_found_also_after_the_owner_has_read_it():
    report = close_and_publish(make_answered_round({"medewerker": 5}))
    other = close_and_publish(
        make_answered_round({"medewerker": 5}, organisation_name="Bouw Noord")
    )
    assert member(report).get(f"/rapport/{report.code}/").status_code == 200

    outsider = member(other)
    response = outsider.get(f"/rapport/{report.code}/")
    assert response.status_code == 404
    assert b"Zorggroep De Linde" not in response.content
    assert outsider.get(f"/rapport/{other.code}/").status_code == 200


def test_a_member_of_two_organisations_reads_only_the_one_they_work_in_now():
    report = close_and_publish(make_answered_round({"medewerker": 5}))
    other = close_and_publish(
        make_answered_round({"medewerker": 5}, organisation_name="Bouw Noord")
    )
    user = make_member(report.assessment.organisation)
    Membership.objects.create(user=user, organisation=other.assessment.organisation)
    client = Client()
    client.force_login(user)
    session = client.session
    session[SESSION_ORGANISATION_KEY] = other.assessment.organisation.code
    session.save()

    assert client.get(f"/rapport/{other.code}/").status_code == 200
    assert client.get(f"/rapport/{report.code}/").status_code == 404


def test_the_prepared_lookup_is_the_members_own_organisations_query():
    report = close_and_publish(make_answered_round({"medewerker": 5}))
    other = close_and_publish(
        make_answered_round({"medewerker": 5}, organisation_name="Bouw Noord")
    )
    mine = make_member(report.assessment.organisation).pk
    [(pk, body)] = _OWN_REPORT.rows(mine, "", report.code)
    # Bytes on SQLite, text on PostgreSQL (lib/prepared.Utf8).
    assert pk == report.pk and (body if isinstance(body, str) else body.decode()) == report.html
    assert _OWN_REPORT.rows(mine, "", other.code) == []
    # Choosing another organisation's code does not make its report the member's.
    other_code = other.assessment.organisation.code
    assert _OWN_REPORT.rows(mine, other_code, other.code) == []
    assert _OWN_REPORT.rows(make_member(other.assessment.organisation).pk, "", report.code) == []
    # A code is text: never compared as a number or a pattern.
    assert _OWN_REPORT.rows(mine, "", "%") == []
    assert _OWN_REPORT.rows(mine, "%", report.code) == [(pk, body)]
    with pytest.raises(TypeError):
        _OWN_REPORT.rows(str(mine), "", report.code)


def test_the_body_comes_as_its_own_utf8_bytes_backslashes_and_all(client):
    report = close_and_publish(make_answered_round({"medewerker": 5}))
    body = "<p>Één \\\\x41 \\n — “citaat” 😀 %s {{ x }}</p>"
    Report.objects.filter(pk=report.pk).update(html=body)
    page = member(report).get(f"/rapport/{report.code}/")
    assert page.status_code == 200
    assert body.encode() in page.content


def test_a_body_cleared_by_a_change_of_wording_is_rendered_on_the_next_view():
    report = close_and_publish(make_answered_round({"medewerker": 5}))
    Report.objects.filter(pk=report.pk).update(html="")
    page = member(report).get(f"/rapport/{report.code}/").content.decode()
    assert "Zorggroep De Linde" in page and people(page) == 5
    assert Report.objects.get(pk=report.pk).html in page
