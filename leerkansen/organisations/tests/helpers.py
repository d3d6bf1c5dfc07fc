"""Small makers for the organisations tests (persona fixtures come to conftest.py later)."""

import re
from datetime import timedelta

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import timezone

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


def login_records(username: str, days_old: int = 0) -> list:
    """What django-axes keeps of a failed attempt, a failure and a login, `days_old` days ago."""
    common = {
        "username": username,
        "ip_address": "198.51.100.7",
        "user_agent": "Firefox",
        "http_accept": "*/*",
        "path_info": "/account/inloggen/",
    }
    rows = [
        AccessAttempt.objects.create(**common, get_data="", post_data="", failures_since_start=1),
        AccessFailureLog.objects.create(**common),
        AccessLog.objects.create(**common),
    ]
    for row in rows:
        type(row).objects.filter(pk=row.pk).update(
            attempt_time=timezone.now() - timedelta(days=days_old)
        )
    return rows
