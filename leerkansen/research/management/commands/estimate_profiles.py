import re
import time

from django.core.management.base import BaseCommand, CommandError
from sklearn.metrics import adjusted_rand_score

from leerkansen.survey.models import Assessment

from ... import estimation, mixtures, model_selection
from ...estimation import TooFewOrganisations
from ...estimation import estimate_profiles as estimate
from ...mixtures import EstimationError

TITLE = re.compile(r"Simulatie: profiel (\d+)")


def _number(value: float | None, digits: int) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def planted_labels(organisation_ids: tuple[int, ...]) -> dict[int, int]:
    """The planted profile of simulated organisations (simulation.planted_profiles)."""
    try:
        from ...simulation import planted_profiles
    except ImportError:  # an older simulation keeps it in the round's title only
        titles = Assessment.objects.filter(organisation_id__in=organisation_ids).values_list(
            "organisation_id", "title"
        )
        found = {}
        for organisation_id, title in titles:
            match = TITLE.fullmatch(title or "")
            if match:
                found[organisation_id] = int(match.group(1))
        return found
    return planted_profiles(organisation_ids)


class Command(BaseCommand):
    help = (
        "Fit latent profile models for four covariance structures and k = 1..8 on the "
        "organisations' standardised scores (missing scores by full-information likelihood), "
        "choose the lowest BIC among solutions whose best log-likelihood replicated and whose "
        "smallest profile has at least 5%, and write it as a draft model version. Demo and "
        "simulated organisations are left out; --simulated takes only the simulated ones and "
        "writes a draft only with --write."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--simulated", action="store_true", help="simulated organisations only")
        parser.add_argument("--min-organisations", type=int, default=estimation.MIN_ORGANISATIONS)
        parser.add_argument(
            "--starts", "--n-init", type=int, default=mixtures.STARTS, help="random starts"
        )
        parser.add_argument(
            "--final-starts",
            type=int,
            default=mixtures.FINAL_STARTS,
            help="best starts run to convergence (replication is counted among them)",
        )
        parser.add_argument("--max-k", type=int, default=model_selection.MAX_K)
        parser.add_argument(
            "--structures",
            default=",".join(mixtures.STRUCTURES),
            help="comma-separated covariance structures",
        )
        parser.add_argument("--seed", type=int, default=mixtures.RANDOM_STATE)
        parser.add_argument(
            "--bootstraps",
            type=int,
            default=model_selection.BOOTSTRAPS,
            help="bootstrap samples for the stability (ARI) of the chosen solution",
        )
        parser.add_argument(
            "--blrt", type=int, default=0, metavar="N", help="bootstrap LRT with N samples"
        )
        parser.add_argument(
            "--write", action="store_true", help="write the draft (needed with --simulated)"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="print the table, write no draft"
        )

    def handle(self, *args, **options) -> None:
        structures = tuple(s.strip() for s in options["structures"].split(",") if s.strip())
        unknown = set(structures) - set(mixtures.STRUCTURES)
        if unknown or not structures:
            raise CommandError(
                f"Unknown structure(s) {', '.join(sorted(unknown))}; choose from "
                + ", ".join(mixtures.STRUCTURES)
            )
        simulated = options["simulated"]
        write = options["write"] or not (simulated or options["dry_run"])
        started = time.perf_counter()
        try:
            result = estimate(
                simulated=simulated,
                min_organisations=options["min_organisations"],
                starts=options["starts"],
                final_starts=min(options["final_starts"], options["starts"]),
                structures=structures,
                max_k=options["max_k"],
                random_state=options["seed"],
                bootstraps=options["bootstraps"],
                blrt=options["blrt"],
                write=write and not options["dry_run"],
            )
        except (TooFewOrganisations, EstimationError) as problem:
            raise CommandError(str(problem)) from problem
        seconds = time.perf_counter() - started
        table, selection, chosen = result.table, result.selection, result.chosen
        which = "simulated " if simulated else ""
        self.stdout.write(
            f"{len(table.organisation_ids)} {which}organisations with a score on at least one "
            f"challenge ({table.incomplete} with a challenge without a score, estimated by full "
            f"information; {table.left_out} left out)."
        )
        self.stdout.write(
            "structure | k | LL | par | AIC | BIC | aBIC | ICL | entropy | smallest | replicated"
        )
        for fit in result.fits:
            notes = "" if fit.converged else " (not converged)"
            self.stdout.write(
                f"{fit.structure} | {fit.k} | {fit.log_likelihood:.2f} | {fit.parameters} | "
                f"{fit.aic:.1f} | {fit.bic:.1f} | {fit.abic:.1f} | {fit.icl:.1f} | "
                f"{_number(fit.entropy, 3)} | {fit.smallest_share:.1%} | "
                f"{fit.replications}/{fit.final_runs}{notes}"
            )
        if selection.at_edge:
            self.stdout.write(
                f"Warning: the chosen k is at the edge of the grid (k = 1..{selection.max_k})."
            )
        elif selection.extended:
            self.stdout.write(f"The grid was extended to k = {selection.max_k}.")
        steady = result.stability
        self.stdout.write(
            f"Stability (bootstrap ARI, {steady['bootstraps']} samples): mean "
            f"{_number(steady['ari_mean'], 2)}, min {_number(steady['ari_min'], 2)}"
        )
        for row in result.blrt:
            self.stdout.write(
                f"BLRT {row['k'] - 1} vs {row['k']} profiles: LR {row['lr']:.1f}, "
                f"p = {row['p']:.3f} ({row['replicates']} samples)"
            )
        agreement = result.fit_stats["specification"]["diagonal_agreement"]
        self.stdout.write(f"The app's diagonal assignment agrees on {agreement:.1%}.")
        if simulated:
            planted = planted_labels(table.organisation_ids)
            found = result.labels_by_organisation()
            ids = [i for i in table.organisation_ids if i in planted]
            if ids:
                ari = adjusted_rand_score([planted[i] for i in ids], [found[i] for i in ids])
                self.stdout.write(f"ARI against planted: {ari:.2f}")
        self.stdout.write(f"Fitted in {seconds:.1f} s.")
        if result.draft is not None:
            names = ", ".join(profile["name"] for profile in result.draft.content["profiles"])
            self.stdout.write(
                f"Draft model version {result.draft.version} written (based on "
                f"{result.draft.based_on}); profiles: {names}."
            )
        else:
            self.stdout.write("No draft written (add --write to write one).")
        self.stdout.write(f"chosen: k = {chosen.k} ({chosen.structure}, BIC {chosen.bic:.1f})")
