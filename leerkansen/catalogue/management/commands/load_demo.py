from django.core.management.base import BaseCommand

from ...content import get_catalogue


class Command(BaseCommand):
    help = "Load the content and demo data a local Leerkansen needs (idempotent)."

    def handle(self, *args, **options) -> None:
        # The catalogue is read from its data file, validated on load; nothing to copy.
        catalogue = get_catalogue()
        actions = list(catalogue.actions())
        self.stdout.write(
            f"Catalogue {catalogue.version}: {len(catalogue.challenges)} challenges, "
            f"{len(actions)} actions, {sum(1 for a in actions if a.highlight)} HIGHLIGHT."
        )
