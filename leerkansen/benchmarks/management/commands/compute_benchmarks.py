"""Compute the next benchmark table (the comparison with similar organisations); daily."""

from django.core.management.base import BaseCommand

from leerkansen.benchmarks.services import compute_benchmarks


class Command(BaseCommand):
    help = (
        "Compute the next benchmark table from the latest closed rounds of organisations that "
        "share their results. Idempotent: without a change large enough, no table is made."
    )

    def handle(self, *args, **options):
        table = compute_benchmarks()
        if table is None:
            self.stdout.write("No new benchmark table: no group changed enough.")
        else:
            self.stdout.write(
                f"Benchmark table v{table.version} of {table.computed_on}: "
                f"{table.groups.count()} groups."
            )
