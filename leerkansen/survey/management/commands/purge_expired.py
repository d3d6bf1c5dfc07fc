"""`manage.py purge_expired`: delete old drafts and expired invitations (see survey.retention).

Personal round invitations are deleted only when expired, never completed and revoked: the
round's counts, the resumption of drafts and the respondents' anonymity need the others.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ...retention import DEFAULT_DRAFT_DAYS, purge_expired

LABELS = {
    "forgotten_rounds": "Forgotten open rounds closed (invited addresses erased)",
    "invitations": "Expired personal invitations (revoked, never completed)",
    "drafts": "Draft responses, with their answers",
    "admin_invitations": "Expired admin invitations",
}


class Command(BaseCommand):
    help = (
        "Delete draft responses not saved for a number of days (never a sent response), "
        "expired co-admin invitations that were not accepted and expired, revoked personal "
        "invitations that were never completed; close open rounds whose links all expired that "
        "many days ago without an answer since. Run it daily (cron or a scheduler)."
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
            "--dry-run",
            action="store_true",
            help="Only count what would be deleted; delete nothing.",
        )

    def handle(self, *args, draft_days: int, dry_run: bool, **options) -> None:
        if draft_days < 1:
            raise CommandError("--draft-days must be at least 1.")
        counts = purge_expired(timezone.now(), draft_days=draft_days, dry_run=dry_run)
        verb = "to delete (dry run, nothing deleted)" if dry_run else "deleted"
        for kind, label in LABELS.items():
            self.stdout.write(f"{label} {verb}: {counts[kind]}")
