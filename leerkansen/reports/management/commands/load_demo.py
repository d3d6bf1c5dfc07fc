from django.core.management.base import BaseCommand
from django.urls import reverse

from leerkansen.catalogue.content import get_catalogue

from ...demo import load_demo


class Command(BaseCommand):
    help = "Load the demo organisation with a completed assessment and its report (idempotent)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")

    def handle(self, *args, base_url: str, **options) -> None:
        catalogue = get_catalogue()
        actions = list(catalogue.actions())
        self.stdout.write(
            f"Catalogue {catalogue.version}: {len(catalogue.challenges)} challenges, "
            f"{len(actions)} actions."
        )
        report = load_demo()
        self.stdout.write(f"Demo organisation: {report.assessment.organisation.name}")
        self.stdout.write(f"Demo report: {base_url}{reverse('reports:demo_report')}")
