"""`manage.py purge_expired`: delete what has served its purpose (see survey.retention).

Old drafts, expired invitations, django-axes' login records after `--axes-days` days and
expired sessions and throttle counters: one daily command for answers, links, logs, sessions
and counters. Personal round
invitations are deleted only when expired and revoked: the round's counts, the resumption of
drafts and the respondents' anonymity need the others.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ...retention import DEFAULT_AXES_DAYS, DEFAULT_DRAFT_DAYS, purge_expired

LABELS = {
    "forgotten_rounds": "Forgotten open rounds closed (invited addresses erased)",
    "invitations": "Expired personal invitations (revoked)",
    "drafts": "Draft responses, with their answers",
    "admin_invitations": "Expired admin invitations",
    "login_records": "Login records (django-axes attempts and logins)",
    "sessions": "Expired sessions",
    "throttle_counters": "Expired throttle counters",
    "job_files": "Jobs and their files older than 24 hours (exports, data downloads)",
}


class Command(BaseCommand):
    help = (
        "Delete draft responses not saved for a number of days (never a sent response), "
        "expired co-admin invitations that were not accepted, expired and revoked personal "
        "invitations, django-axes' login records older than --axes-days days, expired "
        "sessions and throttle counters; close open rounds whose links all expired that many "
        "days ago without an answer since. Run it daily (cron or a scheduler)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--draft-days",
            type=int,
            default=DEFAULT_DRAFT_DAYS,
            help=f"Delete drafts last saved more than this many days ago "
            f"(default {DEFAULT_DRAFT_DAYS}, at least 1).",
        )
        parser.add_argument(
            "--axes-days",
            type=int,
            default=DEFAULT_AXES_DAYS,
            help=f"Delete login attempts and login records older than this many days "
            f"(default {DEFAULT_AXES_DAYS}, at least 1).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Only count what would be deleted; delete nothing.",
        )

    def handle(self, *args, draft_days: int, axes_days: int, dry_run: bool, **options) -> None:
        if draft_days < 1:
            raise CommandError("--draft-days must be at least 1.")
        if axes_days < 1:
            raise CommandError("--axes-days must be at least 1.")
        counts = purge_expired(
            timezone.now(), draft_days=draft_days, dry_run=dry_run, axes_days=axes_days
        )
        verb = "to delete (dry run, nothing deleted)" if dry_run else "deleted"
        for kind, label in LABELS.items():
            count = counts[kind]
            self.stdout.write(f"{label} {verb}: {'not counted' if count is None else count}")
