"""No token of a link reaches a log line: not a 4xx's path, not any line of a respondent's way."""

import io
import logging

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from leerkansen.lib.logging import MaskTokens, mask_tokens
from leerkansen.survey.rounds import close_round, disable_link
from leerkansen.survey.tests import link, make_invitation, resume_token_of
from leerkansen.testing import make_round

# Route parameters that are secrets: their segment must never be logged.
SECRET_PARAMETERS = {"token", "uidb64"}
# Every other parameter a route takes: public ids behind a login, or words. A new parameter
# must be put in one of the two sets.
PUBLIC_PARAMETERS = {
    "action_id",
    "app_label",
    "code",  # rounds, plan items, reports: random, but only their organisation gets past login
    "content_type_id",
    "dataset",
    "file_format",
    "id",
    "job_id",  # a job's UUID: only whoever started it gets past its login and owner check
    "link",  # a shared link's public code on the admin's page (the token is its HMAC)
    "object_id",
    "pk",
    "section_id",
    "url",
    "version",
}
SAMPLE = "Zk9-s3cr3t_T0ken.Qm7-s3cr3t_Inv1te"


def _parameters(pattern) -> set[str]:
    return set(getattr(pattern.pattern, "converters", {})) | set(pattern.pattern.regex.groupindex)


def _routes(patterns, namespace=None, inherited=frozenset()):
    for pattern in patterns:
        parameters = inherited | _parameters(pattern)
        if isinstance(pattern, URLResolver):
            inner = ":".join(filter(None, [namespace, pattern.namespace])) or None
            yield from _routes(pattern.url_patterns, inner, parameters)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield ":".join(filter(None, [namespace, pattern.name])), parameters


ROUTES = list(_routes(get_resolver().url_patterns))
TOKEN_ROUTES = [(name, params) for name, params in ROUTES if params & SECRET_PARAMETERS]


def test_every_route_parameter_is_judged_secret_or_public():
    seen = set().union(*(parameters for _name, parameters in ROUTES))
    assert seen - SECRET_PARAMETERS - PUBLIC_PARAMETERS == set()


def test_the_token_routes_are_the_ones_we_know():
    # survey links and resume links, team invitations, e-mail confirmation, password reset.
    assert len(TOKEN_ROUTES) == 5


@pytest.mark.parametrize("name,parameters", TOKEN_ROUTES, ids=[n for n, _p in TOKEN_ROUTES])
def test_every_route_with_a_token_is_masked(name, parameters):
    path = reverse(name, kwargs={parameter: f"{SAMPLE}{parameter}" for parameter in parameters})
    for text in (
        f"Not Found: {path}",
        f"https://leerkansen.be{path}?x=1",
        f"/account/inloggen/?next={path.replace('/', '%2F')}",
    ):
        masked = mask_tokens(text)
        assert "s3cr3t" not in masked, masked
        assert "***" in masked


def test_other_paths_are_left_as_they_are():
    for text in ("Not Found: /vragenlijst/stap/Z/", "GET /organisatie/rondes/Abc123/ 200"):
        assert mask_tokens(text) == text


def _record(msg, *args, exc_info=None):
    return logging.LogRecord("django.request", logging.WARNING, __file__, 1, msg, args, exc_info)


def test_the_filter_masks_arguments_of_any_type_and_tracebacks():
    class Request:
        def __str__(self):
            return f"<WSGIRequest: GET '/vragenlijst/hervat/{SAMPLE}/'>"

    record = _record("%s: %s", "Not Found", Request())
    assert MaskTokens().filter(record)
    assert SAMPLE not in record.getMessage()
    assert record.getMessage() == "Not Found: <WSGIRequest: GET '/vragenlijst/hervat/***/'>"

    try:
        raise ValueError(f"bad path /account/bevestigen/{SAMPLE}/")
    except ValueError:
        import sys

        record = _record("Internal Server Error: %s", "/x/", exc_info=sys.exc_info())
    MaskTokens().filter(record)
    line = logging.Formatter().format(record)
    assert "ValueError: bad path /account/bevestigen/***/" in line
    assert SAMPLE not in line


def test_a_line_without_a_token_keeps_its_arguments():
    record = _record("Not Found: %s", "/vragenlijst/stap/Z/")
    MaskTokens().filter(record)
    assert record.args == ("/vragenlijst/stap/Z/",)


# --- Through the configured logging (settings.LOGGING) ---------------------------------------


@pytest.fixture
def log_output():
    """What the configured handlers write, for the length of a test."""
    handlers = [
        handler
        for handler in logging.getLogger().handlers
        if any(isinstance(f, MaskTokens) for f in handler.filters)
    ]
    assert handlers, "settings.LOGGING puts the token filter on the root's handlers"
    output = io.StringIO()
    previous = [handler.setStream(output) for handler in handlers]
    yield output
    for handler, stream in zip(handlers, previous, strict=True):
        handler.setStream(stream)


def _logged(caplog, output) -> str:
    return "\n".join(record.getMessage() for record in caplog.records) + output.getvalue()


@pytest.mark.django_db
def test_a_404_on_a_link_logs_the_masked_path(caplog, log_output):
    assessment = make_round()
    invitation, token = make_invitation(assessment)
    disable_link(invitation)  # a real token that no longer works: 404
    caplog.set_level(logging.INFO)
    assert Client().get(link(token)).status_code == 404
    assert "Not Found: /vragenlijst/uitnodiging/***/" in log_output.getvalue()
    assert any(r.getMessage() == "Not Found: /vragenlijst/uitnodiging/***/" for r in caplog.records)
    assert token not in _logged(caplog, log_output)


@pytest.mark.django_db
def test_no_token_of_a_respondents_way_reaches_the_log(caplog, log_output):
    caplog.set_level(logging.DEBUG)
    assessment = make_round()
    _invitation, token = make_invitation(assessment, "medewerker")
    phone = Client()
    phone.get(link(token))
    phone.post("/vragenlijst/stap/B/", {"B1_1": "4", "B1_2": "4", "B1_3": "5", "B1_4": "2"})
    resume_token = resume_token_of(phone)
    # Wrong ways on the way: an unknown section, a resume link cut short, a wrong method.
    phone.get("/vragenlijst/stap/Z/")
    Client().get(f"/vragenlijst/hervat/{resume_token[:20]}/")
    Client().post(link(token))
    laptop = Client()
    laptop.get(f"/vragenlijst/hervat/{resume_token}/")
    laptop.post("/vragenlijst/overzicht/")
    laptop.get("/vragenlijst/bedankt/")
    Client().get(link(token))  # answered already
    close_round(assessment)
    Client().get(f"/vragenlijst/hervat/{resume_token}/")
    assert Client().get(link(token)).status_code == 404

    logged = _logged(caplog, log_output)
    assert "/vragenlijst/uitnodiging/***/" in logged  # the journey was logged, masked
    for secret in (token, resume_token, *resume_token.split("."), resume_token[:20]):
        assert secret not in logged
