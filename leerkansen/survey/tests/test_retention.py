"""`manage.py purge_expired`: old drafts and expired invitations go, what reports need stays."""

from datetime import timedelta
from io import StringIO

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.utils import timezone

from leerkansen.jobs.models import Job
from leerkansen.organisations.models import AdminInvitation
from leerkansen.organisations.services import accept_invitation, invite_admin
from leerkansen.organisations.tests.helpers import login_records
from leerkansen.reports.services import compute_report
from leerkansen.reports.tests import full_answers
from leerkansen.survey.models import Answer, Invitation, Response
from leerkansen.survey.retention import purge_expired
from leerkansen.survey.rounds import close_round, invited_addresses, round_status
from leerkansen.survey.services import (
    complete_response,
    completed_responses,
    save_answers,
    start_response,
)
from leerkansen.survey.tests import link, make_invitation
from leerkansen.testing import make_admin, make_round, make_user

pytestmark = pytest.mark.django_db

SOME_ANSWERS = {"B1_1": 4, "B1_6": None, "B1_3": 5}


def days_ago(days: int):
    return timezone.localdate() - timedelta(days=days)


def run(*args: str) -> str:
    out = StringIO()
    call_command("purge_expired", *args, stdout=out)
    return out.getvalue()


def counts(output: str) -> list[int]:
    """The count at the end of each output line, in order."""
    return [int(line.rsplit(":", 1)[1]) for line in output.strip().splitlines()]


def expire(invitation) -> None:
    type(invitation).objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )


def draft(assessment, role: str = "medewerker", last_saved_days_ago: int = 0) -> Response:
    response, _token = start_response(assessment, role)
    save_answers(response, SOME_ANSWERS)
    Response.objects.filter(pk=response.pk).update(updated_on=days_ago(last_saved_days_ago))
    return response


def sent(assessment, role: str = "medewerker", invitation=None, agreement=None) -> Response:
    response, _token = start_response(assessment, role)
    save_answers(response, full_answers(agreement=agreement) if agreement else full_answers())
    complete_response(response, invitation.pk if invitation else None)
    return response


def exists(obj) -> bool:
    return type(obj).objects.filter(pk=obj.pk).exists()


# --- Drafts ---------------------------------------------------------------------------------


def test_an_old_draft_is_deleted_with_its_answers_and_a_recent_one_kept():
    assessment = make_round()
    old = draft(assessment, last_saved_days_ago=91)
    on_the_day = draft(assessment, last_saved_days_ago=90)
    recent = draft(assessment, last_saved_days_ago=3)
    assert Answer.objects.filter(response=old).count() == len(SOME_ANSWERS)

    assert purge_expired(timezone.now())["drafts"] == 1

    assert not exists(old)
    assert not Answer.objects.filter(response_id=old.pk).exists()
    # Saved exactly 90 days ago: not more than 90 days, so kept until tomorrow.
    assert exists(on_the_day)
    assert exists(recent)
    assert Answer.objects.filter(response=recent).count() == len(SOME_ANSWERS)


def test_a_sent_response_is_never_deleted_however_old():
    assessment = make_round()
    response = sent(assessment)
    Response.objects.filter(pk=response.pk).update(
        created_on=days_ago(2000), updated_on=days_ago(2000), completed_on=days_ago(2000)
    )
    close_round(assessment)

    assert purge_expired(timezone.now(), draft_days=1)["drafts"] == 0
    assert exists(response)
    assert Answer.objects.filter(response=response).exists()


def test_draft_days_sets_how_long_a_draft_is_kept():
    assessment = make_round()
    month_old = draft(assessment, last_saved_days_ago=31)
    week_old = draft(assessment, last_saved_days_ago=7)

    assert counts(run("--draft-days", "30"))[2] == 1
    assert not exists(month_old)
    assert exists(week_old)


# --- Invitations ----------------------------------------------------------------------------


def test_an_expired_revoked_invitation_never_completed_is_deleted_the_others_stay():
    assessment = make_round()
    dead, _ = make_invitation(assessment, email="weg@linde.be")
    revoked_still_valid, _ = make_invitation(assessment, email="later@linde.be")
    expired, _ = make_invitation(assessment, email="oud@linde.be")
    valid, _ = make_invitation(assessment, email="nieuw@linde.be")
    answered, _ = make_invitation(assessment, email="klaar@linde.be")
    sent(assessment, invitation=answered)
    Invitation.objects.filter(pk__in=[dead.pk, revoked_still_valid.pk]).update(revoked=True)
    for invitation in (dead, expired, answered):
        expire(invitation)

    assert purge_expired(timezone.now())["invitations"] == 1

    assert not exists(dead)
    # An expired link is still counted as invited and still sends its draft (next test);
    # a completed one keeps its link from a second completion.
    for kept in (revoked_still_valid, expired, valid, answered):
        assert exists(kept)


def test_an_expired_revoked_invitation_goes_whether_it_was_completed_or_not():
    # Keeping only the completed ones would show the admin, in the invited addresses and the
    # data download, which of the revoked invitees had answered.
    assessment = make_round()
    answered, _ = make_invitation(assessment, email="klaar@linde.be")
    silent, _ = make_invitation(assessment, email="stil@linde.be")
    sent(assessment, invitation=answered)
    Invitation.objects.filter(pk__in=[answered.pk, silent.pk]).update(revoked=True)
    addresses_before = invited_addresses(assessment)
    assert [address for address, _mail in addresses_before] == ["klaar@linde.be", "stil@linde.be"]

    purge_expired(timezone.now())
    assert invited_addresses(assessment) == addresses_before  # still valid: both kept

    for invitation in (answered, silent):
        expire(invitation)
    assert purge_expired(timezone.now())["invitations"] == 2
    assert invited_addresses(assessment) == []
    assert len(completed_responses(assessment)) == 1


def test_an_expired_personal_link_still_sends_its_draft_after_purging(client):
    assessment = make_round()
    invitation, token = make_invitation(assessment, "medewerker")
    client.get(link(token))
    client.post("/vragenlijst/stap/B/", {"B1_1": "4", "B1_6": "4", "B1_3": "5", "B1_7": "2"})
    expire(invitation)

    purge_expired(timezone.now())

    assert client.post("/vragenlijst/overzicht/")["Location"] == "/vragenlijst/bedankt/"
    invitation.refresh_from_db()
    assert invitation.completed_on == timezone.localdate()


def test_an_expired_admin_invitation_not_accepted_is_deleted():
    admin, organisation = make_admin()
    expired, _ = invite_admin(organisation, "oud@zorggroep.be", admin)
    pending, _ = invite_admin(organisation, "nieuw@zorggroep.be", admin)
    accepted, _ = invite_admin(organisation, "bram@zorggroep.be", admin)
    accept_invitation(accepted, make_user("bram@zorggroep.be", name="Bram"))
    AdminInvitation.objects.filter(pk__in=[expired.pk, accepted.pk]).update(
        expires_at=timezone.now() - timedelta(days=1)
    )

    assert purge_expired(timezone.now())["admin_invitations"] == 1

    assert not exists(expired)
    assert exists(pending)
    assert exists(accepted)


# --- The round's figures --------------------------------------------------------------------


def test_the_rounds_report_and_counts_are_unchanged_after_purging():
    assessment = make_round()
    invitations = [make_invitation(assessment, role)[0] for role in ("hr", "medewerker") * 3]
    sent(assessment, "hr", invitations[0], agreement={c: 5 if c < 5 else 2 for c in range(1, 10)})
    sent(assessment, "medewerker", invitations[1])
    sent(assessment, "medewerker", agreement={c: 3 for c in range(1, 10)})  # shared link
    draft(assessment, "medewerker", last_saved_days_ago=200)
    draft(assessment, "hr", last_saved_days_ago=1)
    for invitation in invitations:
        expire(invitation)
    Invitation.objects.filter(pk=invitations[5].pk).update(revoked=True)
    close_round(assessment)
    report_before = compute_report(completed_responses(assessment))
    status_before = {row.role: row for row in round_status(assessment)}

    assert purge_expired(timezone.now()) == {
        "forgotten_rounds": 0,
        "invitations": 1,
        "drafts": 1,
        "admin_invitations": 0,
        "login_records": 0,
        "sessions": 0,
        "throttle_counters": 0,
        "job_files": 0,
    }

    assert compute_report(completed_responses(assessment)) == report_before
    status_after = {row.role: row for row in round_status(assessment)}
    assert set(status_after) == set(status_before)
    for role, before in status_before.items():
        after = status_after[role]
        # The revoked invitation was not counted as invited before either.
        assert (after.invited, after.completed) == (before.invited, before.completed)
        assert after.started == before.started - (1 if role == "medewerker" else 0)
    assert (status_after["hr"].invited, status_after["medewerker"].invited) == (3, 2)
    assert (status_after["hr"].completed, status_after["medewerker"].completed) == (1, 2)


# --- Forgotten rounds -----------------------------------------------------------------------


def expired_long_ago(invitation, days: int = 100) -> None:
    type(invitation).objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(days=days)
    )


def opened_long_ago(days: int = 100):
    assessment = make_round()
    type(assessment).objects.filter(pk=assessment.pk).update(
        created_at=timezone.now() - timedelta(days=days)
    )
    return assessment


def test_a_forgotten_round_is_closed_and_its_addresses_erased():
    assessment = opened_long_ago()
    waited, _ = make_invitation(assessment, email="nooit@linde.be")
    answered, _ = make_invitation(assessment, email="wel@linde.be")
    sent(assessment, invitation=answered)
    Response.objects.filter(assessment=assessment).update(updated_on=days_ago(100))
    for invitation in (waited, answered):
        expired_long_ago(invitation)

    assert purge_expired(timezone.now())["forgotten_rounds"] == 1

    assessment.refresh_from_db()
    assert assessment.status == assessment.Status.CLOSED
    assert not Invitation.objects.filter(assessment=assessment).exclude(email="").exists()
    # Closed, not deleted: the sent answers and the "invited" count stay.
    assert len(completed_responses(assessment)) == 1
    assert Invitation.objects.filter(assessment=assessment).count() == 2


@pytest.mark.parametrize(
    "sign_of_life", ["recent draft", "live shared link", "recent link", "new round"]
)
def test_a_round_still_in_use_stays_open(sign_of_life):
    assessment = opened_long_ago() if sign_of_life != "new round" else make_round()
    invitation, _ = make_invitation(assessment, email="nooit@linde.be")
    expired_long_ago(invitation)
    if sign_of_life == "recent draft":
        draft(assessment, last_saved_days_ago=10)
    elif sign_of_life == "live shared link":
        make_invitation(assessment, shared=True)
    elif sign_of_life == "recent link":
        make_invitation(assessment, email="later@linde.be")

    assert purge_expired(timezone.now())["forgotten_rounds"] == 0
    assessment.refresh_from_db()
    assert assessment.status == assessment.Status.OPEN
    assert Invitation.objects.get(pk=invitation.pk).email == "nooit@linde.be"


# --- Login records and sessions -------------------------------------------------------------


def session_that_expired() -> Session:
    store = SessionStore()
    store["survey_response_id"] = 1
    store.create()
    Session.objects.filter(pk=store.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    return Session.objects.get(pk=store.session_key)


def test_login_records_older_than_30_days_are_deleted_the_recent_kept():
    old = login_records("an@zorggroep.be", days_old=31)
    recent = login_records("bert@school.be", days_old=29)

    assert purge_expired(timezone.now())["login_records"] == 3

    assert not any(exists(row) for row in old)
    assert all(exists(row) for row in recent)


def test_axes_days_sets_how_long_login_records_are_kept():
    fortnight = login_records("an@zorggroep.be", days_old=14)
    week = login_records("bert@school.be", days_old=7)

    assert counts(run("--axes-days", "10"))[4] == 3

    assert not any(exists(row) for row in fortnight)
    assert all(exists(row) for row in week)


def test_a_real_failed_login_is_recorded_and_pruned_after_30_days(client):
    make_user("an@zorggroep.be")
    client.post("/account/inloggen/", {"username": "an@zorggroep.be", "password": "fout"})
    recorded = [
        model.objects.filter(username="an@zorggroep.be")
        for model in (AccessAttempt, AccessFailureLog, AccessLog)
    ]
    assert sum(rows.count() for rows in recorded) >= 1

    assert purge_expired(timezone.now())["login_records"] == 0
    assert purge_expired(timezone.now() + timedelta(days=31))["login_records"] >= 1

    assert sum(rows.count() for rows in recorded) == 0


def test_expired_sessions_are_deleted_and_live_ones_kept():
    expired = session_that_expired()
    live = SessionStore()
    live["survey_response_id"] = 2
    live.create()

    assert purge_expired(timezone.now(), dry_run=True)["sessions"] == 1
    assert exists(expired)

    assert purge_expired(timezone.now())["sessions"] == 1

    assert not exists(expired)
    assert Session.objects.filter(pk=live.session_key).exists()


# --- The command ----------------------------------------------------------------------------


def test_a_dry_run_reports_the_counts_and_deletes_nothing():
    assessment = make_round()
    old = draft(assessment, last_saved_days_ago=120)
    dead, _ = make_invitation(assessment)
    Invitation.objects.filter(pk=dead.pk).update(revoked=True)
    expire(dead)
    admin, organisation = make_admin()
    admin_invitation, _ = invite_admin(organisation, "oud@zorggroep.be", admin)
    expire(admin_invitation)

    login = login_records("an@zorggroep.be", days_old=31)
    session = session_that_expired()
    cache.set("throttle:test:expired", 1, timeout=0)
    job = Job.objects.create(
        kind="research-export", title="Scores", requested_by=admin, expires_at=timezone.now()
    )

    output = run("--dry-run")

    assert counts(output) == [0, 1, 1, 1, 3, 1, 1, 1]
    assert "dry run" in output
    assert all(exists(obj) for obj in (old, dead, admin_invitation, *login, session, job))
    assert Answer.objects.filter(response=old).exists()

    output = run()
    assert counts(output) == [0, 1, 1, 1, 3, 1, 1, 1]
    assert "deleted" in output and "dry run" not in output
    assert not any(exists(obj) for obj in (old, dead, admin_invitation, *login, session, job))
    assert counts(run()) == [0, 0, 0, 0, 0, 0, 0, 0]


@pytest.mark.parametrize("days", ["0", "-5", "veel"])
def test_a_bad_draft_days_is_refused(days):
    assessment = make_round()
    old = draft(assessment, last_saved_days_ago=400)
    with pytest.raises(CommandError, match="draft-days"):
        run("--draft-days", days)
    assert exists(old)


@pytest.mark.parametrize("days", ["0", "-5", "veel"])
def test_a_bad_axes_days_is_refused(days):
    login = login_records("an@zorggroep.be", days_old=400)
    with pytest.raises(CommandError, match="axes-days"):
        run("--axes-days", days)
    assert all(exists(row) for row in login)


def test_the_function_refuses_draft_days_below_one():
    with pytest.raises(ValueError):
        purge_expired(timezone.now(), draft_days=0)
    with pytest.raises(ValueError):
        purge_expired(timezone.now(), axes_days=0)
