from django.core.management.base import BaseCommand, CommandError

from ... import simulation
from ...evidence import compare_with_planted
from ...evidence import estimate_evidence as estimate
from ...evidence_bayes import NoEvidence, rating_evidence


class Command(BaseCommand):
    help = (
        "Estimate E(action, profile) from the organisations' action ratings (relevance x "
        "feasibility, weighted by each round's profile probabilities) on the active model: "
        "every cell is shrunk from the middle of the scale toward its ratings, the more the "
        "more ratings it has (empirical Bayes), with its weighted n and standard error, and "
        "written as a draft model version. Demo and simulated organisations are left out; "
        "--simulated takes only the simulated ones and compares with the planted evidence."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--simulated", action="store_true", help="simulated organisations only")
        parser.add_argument(
            "--dry-run", action="store_true", help="print what would change, write no draft"
        )

    def handle(self, *args, simulated: bool, dry_run: bool, **options) -> None:
        try:
            result, draft = estimate(simulated=simulated, write=not dry_run)
        except NoEvidence as problem:
            raise CommandError(str(problem)) from problem
        total = sum(len(row) for row in result.evidence.values())
        origins = result.origins
        self.stdout.write(
            f"{result.ratings} ratings ({origins.get('recommended', 0)} of top-3 actions, "
            f"{origins.get('random', 0)} asked at random, {origins.get('chosen', 0)} chosen); "
            f"{len(result.estimated)} of {total} cells rated."
        )
        self.stdout.write(
            f"Scale {result.low:.2f}-{result.high:.2f}, prior {result.prior:.3f} (the middle); "
            f"sd of a rating {result.sigma:.3f}, sd of cells around the prior {result.tau:.3f}; "
            f"unrated cells: {result.prior:.3f} ± {result.tau:.3f}."
        )
        for profile_id, action_id in result.estimated:
            cell = result.cells[profile_id, action_id]
            self.stdout.write(
                f"  {profile_id} {action_id}: {cell.estimate:.3f} ± {cell.se:.3f} "
                f"(mean {cell.mean:.3f}, n {cell.n:.1f}, "
                f"share from the ratings {cell.shrinkage:.2f})"
            )
        if simulated:
            self._compare(result)
        if draft is not None:
            self.stdout.write(
                f"Draft model version {draft.version} written (based on {draft.based_on})."
            )

    def _compare(self, result) -> None:
        planted_evidence = getattr(simulation, "planted_evidence", None)
        if planted_evidence is None:
            self.stdout.write("No planted evidence to compare with (research/simulation.py).")
            return
        planted = planted_evidence(
            lambda relevance, feasibility: rating_evidence(
                relevance, feasibility, result.low, result.high
            )
        )
        if not planted:
            self.stdout.write("No simulation run with planted evidence to compare with.")
            return
        for min_n in (1, 40):
            comparison = compare_with_planted(result, planted, min_n)
            self.stdout.write(
                f"Against planted, {comparison.cells} cells with n >= {min_n}: correlation "
                f"{comparison.correlation:.2f}, mean absolute error "
                f"{comparison.mean_absolute_error:.3f}, within 2 SE "
                f"{comparison.within_2_se:.0%}"
            )
