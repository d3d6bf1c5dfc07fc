"""Small makers for the organisations tests (persona fixtures come to conftest.py later)."""

import re

from django.contrib.auth import get_user_model
from django.core import mail

from leerkansen.organisations.models import Membership, Organisation

PASSWORD = "een lange zin als wachtwoord"


def make_user(email: str = "an@zorggroep.be", *, active: bool = True, name: str = "An", **extra):
    user = get_user_model()(username=email, email=email, first_name=name, is_active=active, **extra)
    user.set_password(PASSWORD)
    user.save()
    return user


def make_organisation(name: str = "Zorggroep Noord", admin=None) -> Organisation:
    organisation = Organisation.objects.create(name=name, sector="Q", size_band="50_249")
    if admin is not None:
        Membership.objects.create(user=admin, organisation=organisation)
    return organisation


def make_admin(email: str = "an@zorggroep.be", organisation_name: str = "Zorggroep Noord"):
    user = make_user(email)
    return user, make_organisation(organisation_name, admin=user)


def link_in_last_mail(path_start: str) -> str:
    """The path of the first link in the last e-mail that starts with `path_start`."""
    body = mail.outbox[-1].body
    match = re.search(rf"https?://[^/\s]+({re.escape(path_start)}\S*)", body)
    assert match, f"no link to {path_start} in:\n{body}"
    return match.group(1)
