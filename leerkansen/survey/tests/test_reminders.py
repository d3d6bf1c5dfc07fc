"""`manage.py send_reminders`: personal invitees of open rounds who have not answered."""

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from leerkansen.survey.models import Invitation
from leerkansen.survey.rounds import close_round
from leerkansen.survey.services import complete_response, start_response
from leerkansen.survey.tests import make_invitation
from leerkansen.testing import make_round

pytestmark = pytest.mark.django_db


def days_ago(days: int):
    return timezone.localdate() - timedelta(days=days)


def run() -> str:
    out = StringIO()
    call_command("send_reminders", "--base-url", "https://leerkansen.example", stdout=out)
    return out.getvalue()


def test_reminders_go_to_personal_invitees_who_have_not_answered_once_a_week():
    assessment = make_round()
    waiting, _ = make_invitation(assessment, "medewerker", "wacht@linde.be")
    reminded_long_ago, _ = make_invitation(assessment, "hr", "lang@linde.be")
    reminded_lately, _ = make_invitation(assessment, "hr", "net@linde.be")
    answered, _ = make_invitation(assessment, "medewerker", "klaar@linde.be")
    invited_today, _ = make_invitation(assessment, "medewerker", "nieuw@linde.be")
    make_invitation(assessment, "medewerker", shared=True)
    revoked, _ = make_invitation(assessment, "medewerker", "weg@linde.be")
    expired, _ = make_invitation(assessment, "medewerker", "oud@linde.be")
    closed_round = make_round(title="Vorig jaar")
    make_invitation(closed_round, "medewerker", "vorig@linde.be")

    Invitation.objects.exclude(pk=invited_today.pk).update(created_on=days_ago(20))
    Invitation.objects.filter(pk=reminded_long_ago.pk).update(reminded_on=days_ago(7))
    Invitation.objects.filter(pk=reminded_lately.pk).update(reminded_on=days_ago(6))
    Invitation.objects.filter(pk=revoked.pk).update(revoked=True)
    Invitation.objects.filter(pk=expired.pk).update(expires_at=timezone.now())
    response, _ = start_response(assessment, "medewerker")
    complete_response(response, answered.pk)
    close_round(closed_round)

    assert run().strip() == "Reminders sent: 2"
    assert sorted(m.to[0] for m in mail.outbox) == ["lang@linde.be", "wacht@linde.be"]
    message = next(m for m in mail.outbox if m.to == ["wacht@linde.be"])
    assert message.subject == "Herinnering: Zorggroep De Linde vraagt je mening"
    assert "Al begonnen?" in message.body
    url = re.search(r"https://leerkansen.example(/vragenlijst/uitnodiging/[\w-]+/)", message.body)
    # The reminder's link is the invitation's own link: it still opens the questionnaire.
    # An employee's version starts with the statements (no context step).
    assert Client().get(url.group(1))["Location"] == "/vragenlijst/stap/B/"
    waiting.refresh_from_db()
    assert waiting.reminded_on == timezone.localdate()

    # A second run the same week sends nothing.
    mail.outbox.clear()
    assert run().strip() == "Reminders sent: 0"
    assert mail.outbox == []
