"""Background tasks of the survey: invitation and reminder mails (issue 16).

A mail is sent by a task (Django's task framework, django-tasks with its database backend), so
a mail server that is slow or down never fails the page that invited people. A mail is tried
MAIL_ATTEMPTS times, RETRY_AFTER seconds apart. Each invitation keeps the delivery of its
invitation mail (`Invitation.mail_status`, `mail_attempts`): queued, sent, or failed; the
invite page shows it per address. A reminder's delivery is not kept: reminders go only to
those who have not answered, so a reminder's status next to an address would tell the admin
who has not answered yet. Nothing personal is logged: a failure is logged with the
invitation's id and the error's type only.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import timedelta

from django.utils import timezone
from django_tasks import default_task_backend, task

from .models import Invitation, MailStatus

logger = logging.getLogger(__name__)

MAIL_ATTEMPTS = 3
# Seconds before the second and the third try.
RETRY_AFTER = (60, 600)


def queue_invitation_mails(
    invitations: list[Invitation], base_url: str, *, reminder: bool = False
) -> None:
    """Mark the invitations' mails as queued and enqueue one task each.

    The database backend writes the task rows in the current transaction: a worker sees them
    only once the invitations are committed with them, so no on_commit is needed (and tests,
    which run inside a transaction, run the tasks at once with the immediate backend)."""
    if not invitations:
        return
    ids = [invitation.pk for invitation in invitations]
    if not reminder:
        Invitation.objects.filter(pk__in=ids).update(mail_status=MailStatus.QUEUED, mail_attempts=0)
    for pk in ids:
        send_invitation_mail.enqueue(pk, base_url, reminder)


@task()
def send_invitation_mail(
    invitation_id: int, base_url: str, reminder: bool = False, attempt: int = 1
) -> str:
    """Send one invitation's mail (or reminder); on a mail error, try again later, up to
    MAIL_ATTEMPTS. Returns what became of it.

    An invitation that is gone, revoked or without an address any more (its round was closed
    in between) is not mailed.
    """
    from .rounds import invitation_mail

    invitation = (
        Invitation.objects.select_related("assessment__organisation")
        .filter(pk=invitation_id, revoked=False)
        .exclude(email="")
        .first()
    )
    if invitation is None:
        return "gone"
    try:
        invitation_mail(invitation, base_url, reminder=reminder).send()
    except (OSError, smtplib.SMTPException) as error:
        retry = attempt < MAIL_ATTEMPTS
        status = MailStatus.QUEUED if retry else MailStatus.FAILED
        _keep(invitation_id, reminder, status, attempt)
        logger.warning(
            "invitation mail %s failed (attempt %s): %s", invitation_id, attempt, type(error)
        )
        if retry:
            later = send_invitation_mail
            if default_task_backend.supports_defer:
                delay = timedelta(seconds=RETRY_AFTER[attempt - 1])
                later = later.using(run_after=timezone.now() + delay)
            later.enqueue(invitation_id, base_url, reminder, attempt + 1)
        return status
    _keep(invitation_id, reminder, MailStatus.SENT, attempt)
    return MailStatus.SENT


def _keep(invitation_id: int, reminder: bool, status: str, attempt: int) -> None:
    """Keep the invitation mail's delivery; a reminder's is never kept (module docstring)."""
    if not reminder:
        Invitation.objects.filter(pk=invitation_id).update(
            mail_status=status, mail_attempts=attempt
        )
