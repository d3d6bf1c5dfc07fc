"""Invitation and reminder mails are background tasks (issue 16): a mail server that fails
never fails the page, each mail is tried again, and the invite page says per address whether
the mail went out (never whether someone answered)."""

import smtplib

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client, override_settings

from leerkansen.survey.models import Invitation, MailStatus
from leerkansen.survey.rounds import invite_people
from leerkansen.testing import make_admin, make_round

pytestmark = pytest.mark.django_db

BASE = "https://leerkansen.example"


@pytest.fixture
def admin_round():
    user, organisation = make_admin()
    return user, make_round(organisation)


def failing(times: int, monkeypatch):
    """EmailMessage.send fails `times` times, then works as usual."""
    original = mail.EmailMessage.send
    calls = {"n": 0}

    def send(self, fail_silently=False):
        calls["n"] += 1
        if calls["n"] <= times:
            raise smtplib.SMTPServerDisconnected("the server hung up")
        return original(self, fail_silently)

    monkeypatch.setattr(mail.EmailMessage, "send", send)
    return calls


def test_a_mail_that_fails_once_is_sent_on_the_next_try(admin_round, monkeypatch):
    _user, assessment = admin_round
    calls = failing(1, monkeypatch)
    invite_people(assessment, "medewerker", ["an@linde.be"], BASE)
    invitation = Invitation.objects.get(email="an@linde.be")
    assert (invitation.mail_status, invitation.mail_attempts) == (MailStatus.SENT, 2)
    assert calls["n"] == 2 and [m.to for m in mail.outbox] == [["an@linde.be"]]


def test_a_mail_server_that_stays_down_never_fails_the_page_and_the_page_says_so(
    admin_round, monkeypatch, caplog
):
    user, assessment = admin_round
    calls = failing(10, monkeypatch)
    client = Client()
    client.force_login(user)
    url = f"/organisatie/rondes/{assessment.code}/uitnodigen/"
    response = client.post(url, {"role": "medewerker", "addresses": "an@linde.be"})
    assert response.status_code == 302
    invitation = Invitation.objects.get(email="an@linde.be")
    assert (invitation.mail_status, invitation.mail_attempts) == (MailStatus.FAILED, 3)
    assert calls["n"] == 3 and mail.outbox == []
    page = " ".join(client.get(url).content.decode().split())
    assert "an@linde.be <strong" in page and "mail na drie pogingen niet afgeleverd" in page
    # The log names the invitation and the error, never the address.
    assert "an@linde.be" not in caplog.text and "failed (attempt 3)" in caplog.text


DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.mark.django_db(transaction=True)
def test_with_the_database_backend_the_worker_sends_what_the_page_queued(admin_round):
    _user, assessment = admin_round
    with override_settings(TASKS=DATABASE_TASKS):
        invite_people(assessment, "medewerker", ["an@linde.be", "bo@linde.be"], BASE)
        # Queued, nothing sent yet: the request did not wait for the mail server.
        assert mail.outbox == []
        assert set(Invitation.objects.values_list("mail_status", flat=True)) == {"queued"}
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    assert sorted(m.to[0] for m in mail.outbox) == ["an@linde.be", "bo@linde.be"]
    assert set(Invitation.objects.values_list("mail_status", flat=True)) == {"sent"}


def test_an_invitation_whose_round_closed_before_the_mail_left_is_not_mailed(admin_round):
    _user, assessment = admin_round
    invite_people(assessment, "medewerker", ["an@linde.be"], BASE)
    mail.outbox.clear()
    invitation = Invitation.objects.get(email="an@linde.be")
    Invitation.objects.filter(pk=invitation.pk).update(email="")
    from leerkansen.survey.tasks import send_invitation_mail

    assert send_invitation_mail.call(invitation.pk, BASE) == "gone"
    assert mail.outbox == []


def test_a_failed_reminder_is_retried_but_never_shown_next_to_the_address(admin_round, monkeypatch):
    """Reminders go only to those who have not answered: a reminder's status next to an
    address would tell the admin who has not answered yet."""
    from leerkansen.survey.rounds import send_reminders

    _user, assessment = admin_round
    invite_people(assessment, "medewerker", ["an@linde.be"], BASE)
    invitation = Invitation.objects.get(email="an@linde.be")
    calls = failing(10, monkeypatch)
    assert send_reminders([invitation], BASE) == 1
    assert calls["n"] == 3  # tried three times
    invitation.refresh_from_db()
    assert (invitation.mail_status, invitation.mail_attempts) == (MailStatus.SENT, 1)
