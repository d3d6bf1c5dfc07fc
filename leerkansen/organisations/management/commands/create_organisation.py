"""Onboard an organisation from the command line (one call per organisation, easy to script).

    python manage.py create_organisation "Zorggroep Noord" --admin-email hr@zorggroep.be \\
        --api-token --site-url https://leerkansen.be

Creates the organisation and its first admin. A new admin account is active but has no
password: it receives an e-mail with a link to choose one (valid for 3 days; after that,
"Wachtwoord vergeten?" on the login page sends a new one). An existing account simply becomes
admin of the new organisation. The output names the organisation's id (its code); with
--api-token the LAST line is a new API key and nothing else, so that a script can take it with
`tail -n 1`. The key is shown only here: only its hash is stored.
"""

from __future__ import annotations

import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction

from leerkansen.organisations import emails, services
from leerkansen.organisations.models import Organisation


class Command(BaseCommand):
    help = "Create an organisation with an admin (and optionally an API key)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("name", help="the organisation's name")
        parser.add_argument("--admin-email", required=True, help="e-mail address of its admin")
        parser.add_argument(
            "--api-token", action="store_true", help="also create an API key (last line)"
        )
        parser.add_argument(
            "--site-url",
            default=os.environ.get("SITE_URL", "http://localhost:8000"),
            help="scheme and host for the link in the e-mail (default: $SITE_URL)",
        )

    def handle(self, *args, name: str, admin_email: str, api_token: bool, site_url: str, **opts):
        name = name.strip()
        if not name:
            raise CommandError("The organisation needs a name.")
        max_length = Organisation._meta.get_field("name").max_length
        if len(name) > max_length:
            raise CommandError(f"The name is longer than {max_length} characters.")
        try:
            validate_email(admin_email)
        except ValidationError as error:
            raise CommandError(f"Not an e-mail address: {admin_email}") from error

        with transaction.atomic():
            user = services.user_with_email(admin_email)
            is_new_user = user is None
            if is_new_user:
                user = services.new_user(admin_email, "", None, active=True)
            organisation = services.create_organisation(user, name)
            new_token = (
                services.create_api_token(organisation, "create_organisation", None)
                if api_token
                else None
            )
        if is_new_user:
            self._send_onboarding(user, organisation, site_url.rstrip("/"))

        self.stdout.write(f"Organisation: {organisation.name}")
        self.stdout.write(f"Organisation id: {organisation.code}")
        if is_new_user:
            self.stdout.write(f"Admin: {user.email} (new account; password link e-mailed)")
        else:
            self.stdout.write(f"Admin: {user.email} (existing account)")
        if new_token is not None:
            self.stdout.write("API key (shown once, stored hashed), on the next line:")
            self.stdout.write(new_token.secret)

    def _send_onboarding(self, user, organisation: Organisation, site_url: str) -> None:
        try:
            emails.send_onboarding(user, organisation, site_url)
        except OSError as error:  # SMTP trouble: the organisation exists, say how to go on.
            self.stderr.write(
                f"The e-mail to {user.email} could not be sent ({error}). Send them this "
                f"link to choose a password: {emails.set_password_link(user, site_url)}"
            )
