import time

from django.core.management.base import BaseCommand, CommandError

from ...simulation import delete_simulated_organisations, simulate_organisations
from ...simulation_draws import DONT_KNOW, GAP, MAX_PROFILES, RATINGS, Settings, composition


class Command(BaseCommand):
    help = (
        "Write simulated organisations with planted profiles and action ratings (flagged as "
        "simulated), to check re-estimation: estimate_profiles --simulated, estimate_evidence "
        "--simulated. The generator: research/simulation.py."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--n", type=int, default=500, help="organisations (default 500)")
        parser.add_argument(
            "--profiles", type=int, default=4, help=f"planted profiles, 1 to {MAX_PROFILES}"
        )
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--within-correlation",
            type=float,
            default=0.0,
            help="correlation between challenges within a profile (default 0)",
        )
        parser.add_argument(
            "--separation",
            type=float,
            default=GAP,
            help=f"points between a profile's high and low challenges (default {GAP:g})",
        )
        parser.add_argument(
            "--missing",
            type=float,
            default=DONT_KNOW,
            help=f"share of statements answered 'weet niet' (default {DONT_KNOW:g})",
        )
        parser.add_argument(
            "--respondents",
            type=int,
            default=1,
            help="respondents per organisation: 1 HR, a quarter line managers, the rest "
            "employees (default 1)",
        )
        parser.add_argument(
            "--ratings",
            type=int,
            default=RATINGS,
            help=f"actions each organisation rates (default {RATINGS})",
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="first remove every simulated organisation written before",
        )

    def handle(self, *args, replace: bool, **options) -> None:
        try:
            settings = Settings(
                n=options["n"],
                profiles=options["profiles"],
                seed=options["seed"],
                within_correlation=options["within_correlation"],
                separation=options["separation"],
                missing=options["missing"],
                respondents=options["respondents"],
                ratings=options["ratings"],
            )
        except ValueError as problem:
            raise CommandError(str(problem)) from problem
        if replace:
            removed = delete_simulated_organisations()
            self.stdout.write(f"Removed {removed} simulated organisations.")
        start = time.perf_counter()
        simulation = simulate_organisations(settings)
        seconds = time.perf_counter() - start
        counts = [simulation.labels.count(k) for k in range(1, settings.profiles + 1)]
        roles = composition(settings.respondents)
        by_role = ", ".join(f"{roles.count(role)} {role}" for role in dict.fromkeys(roles))
        self.stdout.write(
            f"Wrote {settings.n} simulated organisations (seed {settings.seed}) in "
            f"{seconds:.1f} s; planted profiles: "
            + ", ".join(f"{k}: {c}" for k, c in enumerate(counts, 1))
        )
        self.stdout.write(
            f"Respondents per organisation: {by_role}; {simulation.reports} reports; "
            f"{simulation.ratings} action ratings (run {simulation.run_id})."
        )
