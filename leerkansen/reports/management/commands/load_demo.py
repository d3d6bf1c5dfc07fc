from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from leerkansen.content.catalogue import get_catalogue

from ...demo import load_demo, practice_login


class Command(BaseCommand):
    help = (
        "Load the demo organisation with a completed assessment and its report (idempotent); "
        "with --login (local only) also an HR admin of a practice organisation, with a new "
        "password."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")
        parser.add_argument(
            "--login",
            action="store_true",
            help="Also make the practice HR admin and print its login (needs DJANGO_DEBUG on).",
        )

    def handle(self, *args, base_url: str, login: bool, **options) -> None:
        if login and not settings.DEBUG:
            raise CommandError("--login is for local use: it needs DJANGO_DEBUG on.")
        catalogue = get_catalogue()
        actions = list(catalogue.actions())
        self.stdout.write(
            f"Catalogue {catalogue.version}: {len(catalogue.challenges)} challenges, "
            f"{len(actions)} actions."
        )
        report = load_demo()
        self.stdout.write(f"Demo organisation: {report.assessment.organisation.name}")
        self.stdout.write(f"Demo report: {base_url}{reverse('reports:demo_report')}")
        if login:
            user, password = practice_login()
            self.stdout.write(f"Log in: {base_url}{reverse('organisations:login')}")
            self.stdout.write(f"  e-mail:     {user.email}")
            self.stdout.write(f"  password:   {password}")
