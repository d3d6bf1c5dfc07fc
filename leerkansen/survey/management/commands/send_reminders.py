from django.conf import settings
from django.core.management.base import BaseCommand

from ...rounds import REMIND_AFTER_DAYS, due_reminders, send_reminders


class Command(BaseCommand):
    help = (
        "E-mail a reminder to personal invitees of open rounds who have not sent their answers "
        f"and were neither invited nor reminded in the last {REMIND_AFTER_DAYS} days. "
        "Run it daily (cron or a scheduler); it never reminds anyone twice in a week."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--base-url",
            default=getattr(settings, "SITE_URL", "") or "http://127.0.0.1:8000",
            help="The site's address, for the links in the e-mails (default: settings.SITE_URL).",
        )

    def handle(self, *args, base_url: str, **options) -> None:
        sent = send_reminders(due_reminders(), base_url)
        self.stdout.write(f"Reminders sent: {sent}")
