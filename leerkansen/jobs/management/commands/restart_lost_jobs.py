"""`manage.py restart_lost_jobs`: queue again every job whose worker stopped mid-job.

A job's page does this for the job it shows; this command does it for all, so that work a
killed worker left behind is picked up even when nobody is looking. Idempotent: run it every
few minutes (cron), next to the workers.
"""

from django.core.management.base import BaseCommand

from ...services import restart_lost_jobs


class Command(BaseCommand):
    help = "Queue again the running jobs whose worker wrote no progress for JOB_LOST_AFTER s."

    def handle(self, *args, **options) -> None:
        restarted = restart_lost_jobs()
        self.stdout.write(f"Lost jobs queued again: {restarted}")
