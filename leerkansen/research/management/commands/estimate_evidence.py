from django.core.management.base import BaseCommand, CommandError

from ...evidence import MIN_RATINGS, NoEvidence
from ...evidence import estimate_evidence as estimate


class Command(BaseCommand):
    help = (
        "Estimate E(action, profile) from the organisations' action ratings (relevance x "
        "feasibility, weighted by each round's profile probabilities) on the active model, "
        f"keeping its value where a cell has fewer than {MIN_RATINGS} weighted ratings, and "
        "write a draft model version. Demo and simulated organisations are left out; "
        "--simulated takes only the simulated ones."
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
        self.stdout.write(
            f"{result.ratings} ratings; {len(result.estimated)} of {total} cells have at least "
            f"{MIN_RATINGS} weighted ratings and take their mean "
            f"(rescaled to {result.low:.2f}-{result.high:.2f})."
        )
        for profile_id, action_id in result.estimated:
            weight = result.weights[profile_id][action_id]
            value = result.evidence[profile_id][action_id]
            self.stdout.write(f"  {profile_id} {action_id}: {value:.2f} ({weight:.1f} ratings)")
        if draft is not None:
            self.stdout.write(
                f"Draft model version {draft.version} written (based on {draft.based_on})."
            )
