"""A database outage: a friendly Dutch 503 page with Retry-After, never a 500.

The attack (issue 11, point 9): with the database stopped, every page answered 500 ("Er liep iets
mis"), as if the site were broken for good, and API clients got no hint to retry.
"""

from __future__ import annotations

import logging
from unittest import mock

import pytest
from django.db import InterfaceError, OperationalError
from django.db.backends.utils import CursorWrapper
from django.test import Client

from leerkansen.lib.middleware import outage_response, server_error
from leerkansen.organisations.models import Organisation
from leerkansen.organisations.services import create_api_token
from leerkansen.survey.tests import link, make_invitation
from leerkansen.testing import make_round

pytestmark = pytest.mark.django_db

FRIENDLY = "Leerkansen is even niet bereikbaar"
OUTAGE_LOGGER = "leerkansen.outage"


def database_down(exc_class=OperationalError):
    """Every query fails as it does while PostgreSQL restarts."""
    return mock.patch.object(
        CursorWrapper, "execute", side_effect=exc_class("connection refused"), autospec=True
    )


def outage_records(caplog) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == OUTAGE_LOGGER]


@pytest.fixture
def respondent() -> Client:
    """A respondent who opened their link: their session lives in the database."""
    client = Client()
    _invitation, token = make_invitation(make_round(), "medewerker")
    assert client.get(link(token)).status_code == 302
    return client


@pytest.fixture
def api_key():
    return create_api_token(Organisation.objects.create(name="Alfa Zorg"), "tests", None).secret


@pytest.mark.parametrize("exc_class", [OperationalError, InterfaceError])
def test_a_page_that_needs_the_database_answers_503_with_a_friendly_page(
    respondent, exc_class, caplog
):
    with database_down(exc_class), caplog.at_level(logging.ERROR, logger=OUTAGE_LOGGER):
        response = respondent.get("/vragenlijst/stap/B/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert FRIENDLY in html
    assert "Antwoorden die al bewaard waren, blijven bewaard." in html
    assert '<html lang="nl">' in html
    assert response["Permissions-Policy"]
    [record] = outage_records(caplog)
    assert record.levelno == logging.ERROR
    assert record.exc_info and record.exc_info[0] is exc_class


def test_the_outage_log_line_holds_no_token_of_the_path(caplog):
    token = "geheim-token-van-een-respondent"
    with database_down(), caplog.at_level(logging.ERROR, logger=OUTAGE_LOGGER):
        response = Client().get(f"/vragenlijst/hervat/{token}/")
    assert response.status_code == 503
    [record] = outage_records(caplog)
    assert token not in record.getMessage()
    assert "survey:resume" in record.getMessage()


def test_saving_a_page_during_an_outage_tells_the_respondent_to_send_it_again(respondent):
    with database_down():
        response = respondent.post("/vragenlijst/stap/B/", {"B1_1": "4"})
    assert response.status_code == 503
    assert "nog niet bewaard" in response.content.decode()


def test_an_outage_when_the_session_is_saved_after_the_view_is_a_503_too(caplog):
    # The link's view works; the database goes away before the session middleware saves.
    _invitation, token = make_invitation(make_round(), "medewerker")
    client = Client(raise_request_exception=False)
    with (
        mock.patch(
            "django.contrib.sessions.backends.db.SessionStore.save",
            side_effect=OperationalError("server closed the connection"),
        ),
        caplog.at_level(logging.ERROR, logger=OUTAGE_LOGGER),
    ):
        response = client.get(link(token))
    assert response.status_code == 503
    assert FRIENDLY in response.content.decode()
    assert response["Retry-After"] == "30"
    assert len(outage_records(caplog)) == 1


def test_the_handler_gives_the_503_page_only_for_an_outage(rf):
    try:
        raise InterfaceError("connection already closed")
    except InterfaceError:
        assert server_error(rf.get("/")).status_code == 503
    try:
        raise ValueError("a bug")
    except ValueError:
        assert server_error(rf.get("/")).status_code == 500


def test_the_api_answers_503_as_json_with_retry_after(api_key, caplog):
    with database_down(), caplog.at_level(logging.ERROR, logger=OUTAGE_LOGGER):
        response = Client().get(
            "/api/v1/assessments/abc/report", headers={"Authorization": f"Bearer {api_key}"}
        )
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    [problem] = response.json()["detail"]
    assert problem["type"] == "unavailable"
    assert "even niet bereikbaar" in problem["msg"]
    assert len(outage_records(caplog)) == 1


def test_other_errors_still_give_the_500_page(respondent):
    respondent.raise_request_exception = False
    with mock.patch.object(CursorWrapper, "execute", side_effect=ValueError("bug"), autospec=True):
        response = respondent.get("/vragenlijst/stap/B/")
    assert response.status_code == 500
    assert FRIENDLY not in response.content.decode()


def test_the_503_page_needs_no_database():
    with database_down() as execute:
        response = outage_response()
    assert response.status_code == 503
    assert execute.call_count == 0
