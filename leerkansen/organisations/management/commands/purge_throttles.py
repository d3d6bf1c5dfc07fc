"""Delete the throttles' expired counters from the database cache (run daily).

    python manage.py purge_throttles

Counters (failed logins, bad links, mails sent) are keyed hashes of addresses that matter
for an hour at most; Django itself removes an expired row only when it is read again.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from leerkansen.organisations.throttle import delete_expired_entries


class Command(BaseCommand):
    help = "Delete expired entries of the database cache (throttle counters)."

    def handle(self, *args, **options) -> None:
        deleted = delete_expired_entries()
        self.stdout.write(f"{deleted} expired cache entries deleted.")
