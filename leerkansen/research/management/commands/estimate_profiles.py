from django.core.management.base import BaseCommand, CommandError

from ...estimation import MIN_ORGANISATIONS, N_INIT, EstimationError, TooFewOrganisations
from ...estimation import estimate_profiles as estimate


def _number(value: float | None, digits: int) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


class Command(BaseCommand):
    help = (
        "Fit latent profile models for k = 1..7 on the organisations' standardised scores, "
        "choose k (lowest BIC with entropy >= 0.80 and no profile under 5%) and write it as a "
        "draft model version. Demo and simulated organisations are left out; --simulated takes "
        "only the simulated ones."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--simulated", action="store_true", help="simulated organisations only")
        parser.add_argument("--min-organisations", type=int, default=MIN_ORGANISATIONS)
        parser.add_argument("--n-init", type=int, default=N_INIT, help="starts per k")
        parser.add_argument("--seed", type=int, default=0, help="random_state of the fits")
        parser.add_argument(
            "--dry-run", action="store_true", help="print the table, write no draft"
        )

    def handle(self, *args, **options) -> None:
        try:
            result = estimate(
                simulated=options["simulated"],
                min_organisations=options["min_organisations"],
                n_init=options["n_init"],
                random_state=options["seed"],
                write=not options["dry_run"],
            )
        except (TooFewOrganisations, EstimationError) as problem:
            raise CommandError(str(problem)) from problem
        table = result.table
        which = "simulated " if options["simulated"] else ""
        self.stdout.write(
            f"{len(table.organisation_ids)} {which}organisations with a score on every "
            f"challenge ({table.left_out} left out)."
        )
        self.stdout.write("k | BIC | entropy | smallest share")
        for fit in result.fits:
            note = "" if fit.converged else " (not converged)"
            self.stdout.write(
                f"{fit.k} | {fit.bic:.1f} | {_number(fit.entropy, 3)} | "
                f"{fit.smallest_share:.1%}{note}"
            )
        if result.draft is not None:
            names = ", ".join(profile["name"] for profile in result.draft.content["profiles"])
            self.stdout.write(
                f"Draft model version {result.draft.version} written (based on "
                f"{result.draft.based_on}); profiles: {names}."
            )
        self.stdout.write(f"chosen: k = {result.chosen.k}")
