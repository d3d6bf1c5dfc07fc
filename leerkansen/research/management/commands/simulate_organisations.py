import time

from django.core.management.base import BaseCommand, CommandError

from ...simulation import MAX_PROFILES, delete_simulated_organisations, simulate_organisations


class Command(BaseCommand):
    help = (
        "Write simulated organisations with planted profiles (flagged as simulated), to check "
        "re-estimation: estimate_profiles --simulated. The generator: research/simulation.py."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--n", type=int, default=500, help="organisations (default 500)")
        parser.add_argument(
            "--profiles", type=int, default=4, help=f"planted profiles, 1 to {MAX_PROFILES}"
        )
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--replace",
            action="store_true",
            help="first remove every simulated organisation written before",
        )

    def handle(self, *args, n: int, profiles: int, seed: int, replace: bool, **options) -> None:
        if n < 1:
            raise CommandError("--n must be at least 1")
        if not 1 <= profiles <= MAX_PROFILES:
            raise CommandError(f"--profiles must be from 1 to {MAX_PROFILES}")
        if replace:
            removed = delete_simulated_organisations()
            self.stdout.write(f"Removed {removed} simulated organisations.")
        start = time.perf_counter()
        simulation = simulate_organisations(n=n, profiles=profiles, seed=seed)
        seconds = time.perf_counter() - start
        counts = [simulation.labels.count(k) for k in range(1, profiles + 1)]
        self.stdout.write(
            f"Wrote {n} simulated organisations (seed {seed}) in {seconds:.1f} s; "
            "planted profiles: " + ", ".join(f"{k}: {c}" for k, c in enumerate(counts, 1))
        )
