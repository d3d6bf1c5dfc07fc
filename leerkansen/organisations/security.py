"""The security log: logins, lock-outs, denials, exports, erasures and key changes.

`log_event` writes one SecurityEvent. The receivers below record the authentication signals of
Django and django-axes; they are connected in OrganisationsConfig.ready().

What is logged is deliberately little: the kind, the user and organisation if known, and a short
technical detail. Never answers, passwords, the username someone typed (it may be a password
typed in the wrong field) or IP addresses.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.http import HttpRequest

from .models import Membership, Organisation, SecurityEvent

Kind = SecurityEvent.Kind


def log_event(
    kind: str,
    *,
    request: HttpRequest | None = None,
    user: AbstractBaseUser | AnonymousUser | None = None,
    organisation: Organisation | None = None,
    detail: str = "",
) -> SecurityEvent:
    """Record one event. The user and organisation default to the request's."""
    if user is None and request is not None:
        user = getattr(request, "user", None)
    if user is not None and not user.is_authenticated:
        user = None
    if organisation is None and request is not None:
        organisation = getattr(request, "organisation", None)
    return SecurityEvent.objects.create(
        kind=kind, user=user, organisation=organisation, detail=detail[:200]
    )


def log_erasure(user: AbstractBaseUser | None) -> SecurityEvent:
    """The line that outlives an erased organisation: that an erasure happened, when, and by
    whom if their account stays. Never the organisation's code or name, which would keep
    a trace of the organisation the erasure was meant to remove."""
    return log_event(Kind.ERASURE, user=user, organisation=None, detail="")


def _user_named(username: str | None):
    """The account a login attempt was about, if it exists; the typed text is not kept."""
    if not username:
        return None
    return get_user_model()._default_manager.filter(username__iexact=username.strip()).first()


def _organisation_of(user) -> Organisation | None:
    if user is None:
        return None
    membership = (
        Membership.objects.filter(user=user).select_related("organisation").order_by("created_at")
    ).first()
    return membership.organisation if membership else None


def on_logged_in(sender, request, user, **kwargs) -> None:
    log_event(Kind.LOGIN, user=user, organisation=_organisation_of(user))


def on_logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        log_event(Kind.LOGOUT, user=user, organisation=_organisation_of(user))


def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    user = _user_named(credentials.get("username"))
    log_event(Kind.LOGIN_FAILED, user=user, organisation=_organisation_of(user))


def on_locked_out(sender, request=None, username=None, **kwargs) -> None:
    # axes also passes the IP address; it is not kept.
    user = _user_named(username)
    log_event(Kind.LOCKOUT, user=user, organisation=_organisation_of(user))


def connect_receivers() -> None:
    """Called once from OrganisationsConfig.ready()."""
    from axes.signals import user_locked_out
    from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

    user_logged_in.connect(on_logged_in, dispatch_uid="security_log_login")
    user_logged_out.connect(on_logged_out, dispatch_uid="security_log_logout")
    user_login_failed.connect(on_login_failed, dispatch_uid="security_log_login_failed")
    user_locked_out.connect(on_locked_out, dispatch_uid="security_log_lockout")
