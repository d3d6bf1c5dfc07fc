"""E-mails of the account pages, as plain text in the site's language (Dutch).

Links are absolute: `site_url` is the scheme and host ("https://leerkansen.be"), taken from the
request in views and from an option in management commands.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .models import AdminInvitation, Organisation


def site_url_of(request) -> str:
    return f"{request.scheme}://{request.get_host()}"


def _send(to: str, template: str, context: dict) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"organisations/email/{template}_subject.txt", context)
        body = render_to_string(f"organisations/email/{template}_body.txt", context)
    send_mail(" ".join(subject.split()), body, None, [to])


def send_verification(user, token: str, site_url: str) -> None:
    link = site_url + reverse("organisations:verify", args=[token])
    _send(user.email, "verify", {"user": user, "link": link})


def send_already_registered(user, site_url: str) -> None:
    """Someone registered with an address that has an account: tell its owner, nobody else."""
    context = {
        "user": user,
        "login_link": site_url + reverse("organisations:login"),
        "reset_link": site_url + reverse("organisations:password_reset"),
    }
    _send(user.email, "already_registered", context)


def send_invitation(invitation: AdminInvitation, token: str, inviter, site_url: str) -> None:
    link = site_url + reverse("organisations:invitation", args=[token])
    context = {
        "organisation": invitation.organisation,
        "inviter": inviter,
        "link": link,
        "expires_at": invitation.expires_at,
    }
    _send(invitation.email, "invitation", context)


def set_password_link(user, site_url: str) -> str:
    """A link to choose a password (Django's password-reset token, valid for 3 days)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return site_url + reverse("organisations:password_reset_confirm", args=[uid, token])


def send_onboarding(user, organisation: Organisation, site_url: str) -> None:
    context = {
        "user": user,
        "organisation": organisation,
        "link": set_password_link(user, site_url),
        "reset_link": site_url + reverse("organisations:password_reset"),
    }
    _send(user.email, "onboarding", context)
