"""The researchers' per-respondent exports against the attacks of issue 11 (item 3).

- A password alone gets no microdata: the download sends the researcher to the second factor
  (when ADMIN_REQUIRES_OTP is on, as in production), and the refusal is logged.
- No group below the anonymity threshold within a round, in any format: a round of 3 is left
  out; roles of 1 and 4 are merged or blanked; no completion date per respondent; rows not in
  the order people started; open rounds (which still grow) not at all.
- Every download, of every dataset and format, is in the security log.
"""

from __future__ import annotations

import csv
import io
import os
from base64 import b32encode
from collections import Counter

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from leerkansen.organisations.models import SecurityEvent
from leerkansen.reports.models import ActionRating
from leerkansen.reports.services import create_report
from leerkansen.reports.tests import add_responses, full_answers
from leerkansen.research import exports
from leerkansen.research.exports import pseudonym
from leerkansen.research.suppression import MERGED, coarsen
from leerkansen.research.tests.export_fixtures import fetch_export
from leerkansen.survey.models import Response
from leerkansen.survey.rounds import close_round, open_round
from leerkansen.testing import make_organisation, make_researcher, make_user

from .conftest import logged_in, totp_code, verified_client
from .export_fixtures import read_sav, xlsx_sheets

pytestmark = pytest.mark.django_db

OTP_ON = override_settings(ADMIN_REQUIRES_OTP=True)


def answers_of(role: str, marker: int = 3):
    return lambda index: full_answers({"A_role": role, "A_sector": "Q", "E_1": marker})


def closed_round(name: str, counts: dict[str, int], *, close: bool = True):
    """A round with `counts` completed responses per role (A_role as the link's role)."""
    organisation = make_organisation(name)
    assessment = open_round(organisation, list(counts), f"Ronde {name}")
    for role, number in counts.items():
        add_responses(assessment, role, number, answers_of(role))
    create_report(assessment)
    ActionRating.objects.create(
        assessment=assessment, action_id="1.1", relevance=4, feasibility=2, recommended=True
    )
    if close:
        close_round(assessment)
    return assessment


def url(dataset: str, file_format: str, query: str = "") -> str:
    path = reverse("research:export_download", args=[dataset, file_format])
    return f"{path}?{query}" if query else path


def fetch(client: Client, target: str):
    return fetch_export(client, target)


def table(file_format: str, data: bytes) -> list[dict]:
    """The rows of a dataset file as dicts, whatever the format."""
    if file_format == "csv":
        return list(csv.DictReader(io.StringIO(data.decode())))
    if file_format == "xlsx":
        header, *rows = next(iter(xlsx_sheets(data).values()))
        # Read-only openpyxl leaves out the empty cells at the end of a row.
        return [
            dict(zip(header, [*row, *[None] * (len(header) - len(row))], strict=True))
            for row in rows
        ]
    values, _meta = read_sav(data)
    names = list(values)
    count = len(values[names[0]]) if names else 0
    return [{name: values[name][index] for name in names} for index in range(count)]


def per_respondent_datasets() -> list[str]:
    return [name for name, dataset in exports.DATASETS.items() if dataset.per_respondent]


# The attack: a password alone ------------------------------------------------------------


def test_the_responses_dataset_is_the_per_respondent_one():
    assert per_respondent_datasets() == ["responses"]


@OTP_ON
@pytest.mark.parametrize("file_format", exports.FORMATS)
def test_a_password_alone_gets_no_microdata_but_the_second_factor_page(file_format):
    assessment = closed_round("Alfa", {"medewerker": 6})
    researcher = make_researcher()
    client = logged_in(researcher)
    target = url("responses", file_format, "sector=Q")
    response = fetch(client, target)
    assert response.status_code == 302
    page = reverse("research:second_factor")
    assert response["Location"].startswith(page + "?next=")
    assert pseudonym("round", assessment.code).encode() not in response.body
    assert b"medewerker" not in response.body
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.DENIED)
    assert event.user == researcher
    assert event.detail == f"research responses {file_format}: no second factor"
    assert not SecurityEvent.objects.filter(kind=SecurityEvent.Kind.EXPORT).exists()
    # The page is Dutch and offers to set up a device (the researcher has none yet).
    html = client.get(response["Location"]).content.decode()
    assert "Tweede stap" in html or "tweede stap" in html
    assert 'id="second-factor-key"' in html
    # Back to the exports with the same filters once the code is confirmed.
    back = reverse("research:exports") + "?sector=Q"
    assert 'name="next" value="' + back + '"' in html


@OTP_ON
def test_with_a_verified_totp_device_the_microdata_comes_and_is_logged():
    closed_round("Alfa", {"medewerker": 6})
    researcher = make_researcher()
    response = fetch(verified_client(researcher), url("responses", "csv"))
    assert response.status_code == 200
    assert len(table("csv", response.body)) == 6
    events = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.EXPORT).order_by("pk")
    assert [(event.user, event.detail) for event in events] == [
        (researcher, "research responses csv"),
        (researcher, "research download responses csv"),
    ]


@OTP_ON
def test_aggregated_datasets_and_the_codebook_need_the_password_only():
    assessment = closed_round("Alfa", {"medewerker": 6})
    client = logged_in(make_researcher())
    for dataset in exports.DATASETS:
        if dataset in per_respondent_datasets():
            continue
        response = fetch(client, url(dataset, "csv"))
        assert response.status_code == 200, dataset
        assert pseudonym("round", assessment.code) in response.body.decode(), dataset
    codebook = fetch(client, reverse("research:export_codebook", args=["csv"]))
    assert codebook.status_code == 200


def test_the_local_default_asks_no_second_factor(settings):
    # The tests run with the settings of a local checkout: DJANGO_DEBUG unset means debug,
    # and so no second factor (pytest-django turns DEBUG itself off only after the settings
    # were read). Production (DJANGO_DEBUG=0) turns it on unless ADMIN_REQUIRES_OTP=0.
    assert os.environ.get("DJANGO_DEBUG", "1") not in ("0", "false", "False")
    assert settings.ADMIN_REQUIRES_OTP is False
    closed_round("Alfa", {"medewerker": 6})
    client = logged_in(make_researcher())
    response = fetch(client, url("responses", "csv"))
    assert response.status_code == 200
    assert len(table("csv", response.body)) == 6


# The second factor page ------------------------------------------------------------------


@OTP_ON
def test_a_researcher_enrols_a_device_with_its_first_code_and_returns_to_the_export():
    closed_round("Alfa", {"medewerker": 6})
    researcher = make_researcher()
    client = logged_in(researcher)
    target = url("responses", "xlsx")
    page = reverse("research:second_factor")
    html = client.get(page, {"next": target}).content.decode()
    device = TOTPDevice.objects.get(user=researcher, confirmed=False)
    assert 'id="second-factor-key"' in html
    assert "otpauth://totp/Leerkansen" in html and "issuer=Leerkansen" in html
    # The same key on a second visit, until it is confirmed.
    client.get(page, {"next": target})
    assert TOTPDevice.objects.filter(user=researcher).count() == 1
    response = client.post(page, {"code": totp_code(device), "next": target})
    assert response.status_code == 302
    assert response["Location"] == target
    device.refresh_from_db()
    assert device.confirmed
    assert fetch(client, target).status_code == 200
    assert SecurityEvent.objects.filter(
        kind=SecurityEvent.Kind.LOGIN, detail="research second factor enrolled"
    ).exists()
    # The researcher is told (a stolen password could have been first), without key or code.
    [message] = mail.outbox
    assert message.to == [researcher.email]
    assert "authenticator-app" in message.body
    assert device.key not in message.body and b32encode(device.bin_key).decode() not in message.body
    # Once confirmed, the key is never shown again.
    html = client.get(page).content.decode()
    assert 'id="second-factor-key"' not in html
    assert "otpauth://" not in html


@OTP_ON
def test_a_wrong_code_is_refused_logged_without_the_code_and_sends_nothing():
    closed_round("Alfa", {"medewerker": 6})
    researcher = make_researcher()
    device = TOTPDevice.objects.create(user=researcher, name="Telefoon", confirmed=True)
    client = logged_in(researcher)
    page = reverse("research:second_factor")
    wrong = f"{(int(totp_code(device)) + 1) % 1_000_000:06d}"
    response = client.post(page, {"code": wrong, "next": url("responses", "csv")})
    assert response.status_code == 200
    assert "niet juist" in response.content.decode()
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.LOGIN_FAILED)
    assert event.user == researcher
    assert wrong not in event.detail
    # Neither a wrong code nor a password alone opens the export.
    assert fetch(client, url("responses", "csv")).status_code == 302
    # Someone with the password alone cannot add a device of their own.
    html = client.get(page).content.decode()
    assert 'id="second-factor-key"' not in html
    assert TOTPDevice.objects.filter(user=researcher).count() == 1


@OTP_ON
def test_a_confirmed_device_verifies_and_only_a_local_next_is_followed():
    researcher = make_researcher()
    device = TOTPDevice.objects.create(user=researcher, name="Telefoon", confirmed=True)
    client = logged_in(researcher)
    page = reverse("research:second_factor")
    response = client.post(page, {"code": totp_code(device), "next": "https://evil.example/x"})
    assert response.status_code == 302
    assert response["Location"] == reverse("research:exports")
    assert SecurityEvent.objects.filter(
        kind=SecurityEvent.Kind.LOGIN, detail="research second factor verified"
    ).exists()
    for unsafe in ("//evil.example/x", "javascript:alert(1)"):
        html = client.get(page, {"next": unsafe}).content.decode()
        assert "evil.example" not in html and "javascript:" not in html


def test_the_second_factor_page_is_for_researchers_only():
    page = reverse("research:second_factor")
    assert Client().get(page).status_code == 302
    client = logged_in(make_user("hr@zorggroep.be"))
    assert client.get(page).status_code == 403
    assert not TOTPDevice.objects.exists()


# Suppression -----------------------------------------------------------------------------


def test_the_rule_merges_small_groups_and_blanks_a_round_it_cannot_protect():
    assert coarsen({"a": 3}, 5) is None
    assert coarsen({"a": 6, "b": 5}, 5) == {"a": "a", "b": "b"}
    assert coarsen({"a": 6, "b": 4, "c": 1}, 5) == {"a": "a", "b": MERGED, "c": MERGED}
    # Merged, 1 + 4 is still 5: fine. 4 alone next to 6 is not; it takes the smallest shown.
    assert coarsen({"a": 6, "b": 4}, 5) == {"a": None, "b": None}
    assert coarsen({"a": 7, "b": 5, "c": 1}, 5) == {"a": "a", "b": MERGED, "c": MERGED}
    assert coarsen({"a": 4, "b": 1}, 5) == {"a": None, "b": None}


@pytest.fixture
def three_rounds():
    """Rounds of 11 (6 employees, 4 managers, 1 HR), of 5 (4 employees, 1 HR) and of 3."""
    return {
        "mixed": closed_round("Gemengd", {"hr": 1, "leidinggevende": 4, "medewerker": 6}),
        "small_roles": closed_round("Klein", {"hr": 1, "medewerker": 4}),
        "tiny": closed_round("Mini", {"medewerker": 3}),
    }


@pytest.mark.parametrize("file_format", exports.FORMATS)
def test_no_group_below_the_threshold_appears_in_any_format(three_rounds, file_format):
    client = verified_client(make_researcher())
    rows = table(file_format, fetch(client, url("responses", file_format)).body)
    keys = {name: pseudonym("round", a.code) for name, a in three_rounds.items()}
    by_round = Counter(row["round_key"] for row in rows)
    # The round of 3 is left out entirely; the others keep every respondent.
    assert by_round == {keys["mixed"]: 11, keys["small_roles"]: 5}

    def roles(name):
        return Counter(
            (row["role"] or None, row["A_role"] or None)
            for row in rows
            if row["round_key"] == keys[name]
        )

    # 6 employees shown; 4 managers and 1 HR merged into one group of 5.
    assert roles("mixed") == {("medewerker", "medewerker"): 6, (MERGED, MERGED): 5}
    # 4 + 1 cannot be split safely: no role at all in that round.
    assert roles("small_roles") == {(None, None): 5}
    for row in rows:
        assert row["role"] not in ("hr", "leidinggevende"), row["round_key"]
        assert row["A_role"] not in ("hr", "leidinggevende"), row["round_key"]
    # No date per respondent: the month the round opened.
    assert "completed_month" not in rows[0]
    for name in ("mixed", "small_roles"):
        month = f"{three_rounds[name].created_at:%Y-%m}"
        assert {row["round_month"] for row in rows if row["round_key"] == keys[name]} == {month}


@pytest.mark.parametrize("dataset", ["scores", "practices", "needs", "ratings"])
def test_per_round_datasets_leave_out_rounds_below_the_threshold(three_rounds, dataset):
    client = logged_in(make_researcher())
    for file_format in exports.FORMATS:
        rows = table(file_format, fetch(client, url(dataset, file_format)).body)
        found = {row["round_key"] for row in rows}
        assert pseudonym("round", three_rounds["tiny"].code) not in found, file_format
        assert pseudonym("round", three_rounds["mixed"].code) in found, file_format


def test_an_open_round_gives_no_rows_until_it_is_closed():
    """Two exports around one new response would show that response's row: open rounds stay
    out until they close (and a closed round never changes)."""
    assessment = closed_round("Open", {"medewerker": 6}, close=False)
    client = verified_client(make_researcher())
    assert table("csv", fetch(client, url("responses", "csv")).body) == []
    add_responses(assessment, "medewerker", 1, answers_of("medewerker"))
    assert table("csv", fetch(client, url("responses", "csv")).body) == []
    close_round(assessment)
    assert len(table("csv", fetch(client, url("responses", "csv")).body)) == 7


def test_rows_do_not_come_in_the_order_people_answered():
    """The order of a round's rows is a keyed hash of the response, not the order in which
    people started (which the invitations' dates would let HR match)."""
    organisation = make_organisation("Volgorde")
    assessment = open_round(organisation, ["medewerker"], "Ronde volgorde")
    for marker in range(1, 6):
        add_responses(assessment, "medewerker", 1, answers_of("medewerker", marker))
    close_round(assessment)
    rows = table("csv", fetch(verified_client(make_researcher()), url("responses", "csv")).body)
    started = list(Response.objects.filter(assessment=assessment).order_by("pk"))
    keyed = sorted(started, key=lambda response: pseudonym("response", str(response.pk)))
    expected = [str(response.answers.get(item_id="E_1").number) for response in keyed]
    assert [row["E_1"] for row in rows] == expected


# Logging ---------------------------------------------------------------------------------


@OTP_ON
def test_every_dataset_and_format_is_logged_and_so_is_every_refusal():
    closed_round("Alfa", {"medewerker": 6})
    researcher = make_researcher()
    verified = verified_client(researcher)
    password_only = logged_in(researcher)
    expected = []
    for dataset in exports.DATASETS:
        for file_format in exports.FORMATS:
            assert fetch(verified, url(dataset, file_format)).status_code == 200
            # Asked for, then fetched from its job's page.
            expected.append(("export", f"research {dataset} {file_format}"))
            expected.append(("export", f"research download {dataset} {file_format}"))
            refused = fetch(password_only, url(dataset, file_format))
            if dataset in per_respondent_datasets():
                assert refused.status_code == 302
                expected.append(("denied", f"research {dataset} {file_format}: no second factor"))
            else:
                expected.append(("export", f"research {dataset} {file_format}"))
                expected.append(("export", f"research download {dataset} {file_format}"))
    for file_format in exports.CODEBOOK_FORMATS:
        fetch(password_only, reverse("research:export_codebook", args=[file_format]))
        expected.append(("export", f"research codebook {file_format}"))
    logged = Counter(
        SecurityEvent.objects.filter(user=researcher)
        .exclude(kind=SecurityEvent.Kind.LOGIN)
        .values_list("kind", "detail")
    )
    assert logged == Counter(expected)


def test_the_codebook_states_the_rule():
    client = logged_in(make_researcher())
    rows = list(
        csv.DictReader(
            io.StringIO(
                fetch(client, reverse("research:export_codebook", args=["csv"])).body.decode()
            )
        )
    )
    responses = {row["variable"]: row for row in rows if row["dataset"] == "responses"}
    for name in ("role", "A_role"):
        assert "overig" in responses[name]["values"]
        assert "minder dan 5 respondenten" in responses[name]["note"]
    assert "Alleen afgesloten rondes met minstens 5" in responses["round_key"]["note"]
    assert "completed_month" not in responses
    scores = {row["variable"]: row for row in rows if row["dataset"] == "scores"}
    assert "minstens 5" in scores["n_responses"]["note"]


@OTP_ON
def test_the_code_form_needs_its_csrf_token():
    researcher = make_researcher()
    device = TOTPDevice.objects.create(user=researcher, name="Telefoon", confirmed=True)
    client = Client(enforce_csrf_checks=True)
    client.force_login(researcher, backend="leerkansen.organisations.backends.AccountBackend")
    page = reverse("research:second_factor")
    assert client.post(page, {"code": totp_code(device)}).status_code == 403
    # Not verified: the export's own form, without its token, is refused too.
    assert fetch(client, url("responses", "csv")).status_code == 403
