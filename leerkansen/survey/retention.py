"""Retention: what is deleted once it has served its purpose (`manage.py purge_expired`).

- Draft responses (never sent) whose last save was more than `draft_days` days ago, with their
  answers (Answer cascades). A completed response is never deleted: reports are made from
  them. The round's "began" count drops by the drafts removed, as close_round announces.
- Unaccepted co-admin invitations (AdminInvitation) past `expires_at`: the link no longer works
  and only the invitee's address is left. Accepted ones stay as the record of the membership.
- Personal round invitations past `expires_at` and revoked, completed or not: a revoked link
  opens nothing (rounds.find_invitation, rounds.personal_invitation_of) and is not counted,
  and deleting only the ones never completed would show the admin (in the invited addresses
  and the data download) which revoked invitees had answered. Only revoked ones, on purpose.
  Every other personal invitation, expired or not, is still needed:
  the round's "invited personally" count (rounds.round_status) counts them, completed or not;
  in an open round an expired link still resumes and sends its draft
  (rounds.personal_invitation_of, services.complete_response); and deleting the invitees who
  did not answer while keeping those who did would show the admin who answered (the
  addresses stay in an open round, see rounds.py). Their one piece of personal data, the
  address, is already erased when the round closes. A completed invitation is kept anyway:
  it stops a personal link from being used for a second completion.
- So the addresses do not outlive their use, an open round is closed (rounds.close_round,
  which erases them) once it was opened, and every link of it expired, more than `draft_days`
  days ago and no answer was saved in that time: nobody can still be reminded or still be answering.
- django-axes' records of login attempts and logins (username, which is an e-mail address,
  IP address and browser) older than `axes_days` days (default 30): long enough to look
  into an attack on an account, not a history of who logged in when.
- Expired sessions, through the session engine's own `clear_expired()` (what Django's
  `clearsessions` command calls), and the throttles' expired counters in the database cache
  (keyed hashes of addresses, organisations.throttle), so that one daily command covers
  answers, links, sessions, logs and counters.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from importlib import import_module

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from leerkansen.jobs.services import purge_expired_jobs
from leerkansen.organisations.gdpr import axes_models
from leerkansen.organisations.models import AdminInvitation
from leerkansen.organisations.throttle import delete_expired_entries

from .models import Assessment, Invitation, Response
from .rounds import close_round

DEFAULT_DRAFT_DAYS = 90
DEFAULT_AXES_DAYS = 30


def purge_expired(
    now: datetime,
    draft_days: int = DEFAULT_DRAFT_DAYS,
    dry_run: bool = False,
    axes_days: int = DEFAULT_AXES_DAYS,
) -> dict[str, int | None]:
    """Delete what has expired (see the module's docstring); the number of rows per kind.

    Drafts are compared by day (Response.updated_on is a date, kept to the day for anonymity):
    a draft last saved on day D goes once today is later than D + `draft_days`. Login records
    go once they are more than `axes_days` days old. With `dry_run`, nothing is deleted and
    the counts say what would be. The count of expired sessions is None when the session
    engine keeps no table to count (its `clear_expired()` is still called).
    """
    if draft_days < 1:
        raise ValueError("draft_days must be at least 1")
    if axes_days < 1:
        raise ValueError("axes_days must be at least 1")
    cutoff = timezone.localdate(now) - timedelta(days=draft_days)
    kinds = {
        "invitations": Invitation.objects.filter(
            kind=Invitation.Kind.PERSONAL,
            revoked=True,
            expires_at__lte=now,
        ),
        "drafts": Response.objects.filter(completed_on__isnull=True, updated_on__lt=cutoff),
        "admin_invitations": AdminInvitation.objects.filter(
            accepted_at__isnull=True, expires_at__lte=now
        ),
    }
    # Before the drafts go: a draft saved lately keeps its round open.
    forgotten = forgotten_rounds(now, draft_days)
    closed = len(forgotten) if dry_run else sum(close_round(round_) for round_ in forgotten)
    counts: dict[str, int] = {"forgotten_rounds": closed}
    with transaction.atomic():
        for kind, rows in kinds.items():
            # Locked first, so that a row sent or accepted meanwhile waits for this
            # transaction (on SQLite the transaction holds the write lock from its start).
            ids = list(rows.select_for_update().values_list("pk", flat=True))
            counts[kind] = len(ids)
            if ids and not dry_run:
                rows.filter(pk__in=ids).delete()
    counts["login_records"] = purge_login_records(now - timedelta(days=axes_days), dry_run)
    counts["sessions"] = purge_sessions(dry_run)
    counts["throttle_counters"] = delete_expired_entries(dry_run)
    counts["job_files"] = purge_expired_jobs(now, dry_run=dry_run)
    return counts


def purge_login_records(before: datetime, dry_run: bool = False) -> int:
    """Delete django-axes' attempts, failures and login records made before `before`."""
    total = 0
    for model in axes_models():
        rows = model._default_manager.filter(attempt_time__lt=before)
        # Counted as rows of the model itself: an attempt's expiry row goes with it.
        total += rows.count()
        if not dry_run:
            rows.delete()
    return total


def purge_sessions(dry_run: bool = False) -> int | None:
    """Delete expired sessions with the session engine's `clear_expired()`; how many there
    were, or None for an engine without a table (cookies, cache: they expire by themselves)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    expired = None
    if hasattr(store, "get_model_class"):
        expired = store.get_model_class().objects.filter(expire_date__lt=timezone.now()).count()
    if not dry_run:
        store.clear_expired()
    return expired


def forgotten_rounds(now: datetime, days: int) -> list[Assessment]:
    """Open rounds, opened more than `days` days ago, with personal invitations whose links
    all expired (or were switched off) more than `days` days ago, and in which no answer was
    saved for `days` days."""
    rows_of_round = {"assessment": OuterRef("pk")}
    return list(
        Assessment.objects.filter(
            status=Assessment.Status.OPEN, created_at__lt=now - timedelta(days=days)
        )
        .filter(Exists(Invitation.objects.filter(**rows_of_round, kind=Invitation.Kind.PERSONAL)))
        .exclude(
            Exists(
                Invitation.objects.filter(
                    **rows_of_round, revoked=False, expires_at__gte=now - timedelta(days=days)
                )
            )
        )
        .exclude(
            Exists(
                Response.objects.filter(
                    **rows_of_round, updated_on__gte=timezone.localdate(now) - timedelta(days=days)
                )
            )
        )
    )
