"""Accounts, organisations, co-admins and API keys: the rules, without HTTP.

An HR professional's account uses the e-mail address (lower case) as username. A new account
is inactive until the address is confirmed through a signed link; an invitation link proves the
address as well, so an invited colleague's account is active at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import Enum

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.core import signing
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from leerkansen.lib.codes import hash_token, new_token

from .models import AdminInvitation, ApiToken, Membership, Organisation, SecurityEvent
from .security import log_event
from .tenancy import SESSION_ORGANISATION_KEY

VERIFY_SALT = "leerkansen.organisations.verify-email"
API_TOKEN_PREFIX_LENGTH = 8


def normalise_email(email: str) -> str:
    """E-mail addresses are usernames; compare and store them in lower case."""
    return email.strip().lower()


def user_with_email(email: str) -> AbstractUser | None:
    return get_user_model()._default_manager.filter(username=normalise_email(email)).first()


def new_user(email: str, name: str, password: str | None, *, active: bool) -> AbstractUser:
    """An account for `email`; without a password it cannot log in until one is set."""
    email = normalise_email(email)
    user = get_user_model()(username=email, email=email, first_name=name.strip(), is_active=active)
    # The full name is kept in first_name; last_name stays empty.
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    return user


# E-mail verification -----------------------------------------------------------------------


class VerificationProblem(Enum):
    INVALID = "invalid"
    EXPIRED = "expired"


def _verification_state(user: AbstractUser) -> str:
    # Changes once the account is active, so that a link works only once.
    value = f"{user.pk}|{user.email}|{user.password}|{user.is_active}"
    return salted_hmac(VERIFY_SALT, value).hexdigest()[:32]


def verification_token(user: AbstractUser) -> str:
    """A signed, timestamped token for the confirmation link (HMAC-SHA256 signature)."""
    return signing.dumps([user.pk, _verification_state(user)], salt=VERIFY_SALT)


def user_to_verify(token: str) -> AbstractUser | VerificationProblem:
    """The inactive account a confirmation link is for, or why the link does not work.

    Links expire after settings.PASSWORD_RESET_TIMEOUT (3 days by default), like a
    password link, and stop working once the account is active.
    """
    try:
        pk, state = signing.loads(token, salt=VERIFY_SALT, max_age=settings.PASSWORD_RESET_TIMEOUT)
    except signing.SignatureExpired:
        return VerificationProblem.EXPIRED
    except (signing.BadSignature, TypeError, ValueError):
        return VerificationProblem.INVALID
    user = get_user_model()._default_manager.filter(pk=pk, is_active=False).first()
    if user is None or not constant_time_compare(_verification_state(user), str(state)):
        return VerificationProblem.INVALID
    return user


def activate(user: AbstractUser) -> None:
    user.is_active = True
    user.save(update_fields=["is_active"])


# Organisations -----------------------------------------------------------------------------


def create_organisation(
    admin: AbstractUser, name: str, sector: str = "", size_band: str = ""
) -> Organisation:
    """A new organisation with `admin` as its first admin."""
    with transaction.atomic():
        organisation = Organisation.objects.create(
            name=name.strip(), sector=sector, size_band=size_band
        )
        Membership.objects.create(user=admin, organisation=organisation, role=Membership.Role.ADMIN)
    return organisation


def set_benchmark_sharing(organisation: Organisation, share: bool) -> bool:
    """Record the organisation's choice to share its round results for the comparison with
    similar organisations, with the moment; True when the choice changed.

    Choosing what is already chosen records nothing, so the dates say when it really changed.
    """
    if share == organisation.shares_benchmark:
        return False
    now = timezone.now()
    if share:
        organisation.benchmark_opted_in_at = now
    else:
        organisation.benchmark_opted_out_at = now
    organisation.save(update_fields=["benchmark_opted_in_at", "benchmark_opted_out_at"])
    return True


def choose_organisation(session, organisation: Organisation) -> None:
    """Make `organisation` the one the user works in (for users with several)."""
    session[SESSION_ORGANISATION_KEY] = organisation.code


def admins(organisation: Organisation) -> list[Membership]:
    return list(
        Membership.objects.filter(organisation=organisation, role=Membership.Role.ADMIN)
        .select_related("user")
        .order_by("created_at")
    )


# Co-admin invitations ----------------------------------------------------------------------


def invite_admin(
    organisation: Organisation, email: str, invited_by: AbstractUser
) -> tuple[AdminInvitation, str]:
    """A new invitation and its secret token (for the link; only the hash is stored)."""
    token = new_token()
    invitation = AdminInvitation.objects.create(
        organisation=organisation,
        email=normalise_email(email),
        token_hash=hash_token(token),
        invited_by=invited_by,
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_DAYS),
    )
    log_event(
        SecurityEvent.Kind.INVITATION_SENT,
        user=invited_by,
        organisation=organisation,
        detail=f"admin invitation {invitation.pk}",
    )
    return invitation, token


def invitation_for_token(token: str) -> AdminInvitation | None:
    """The open invitation of a link: not accepted yet and not expired."""
    return (
        AdminInvitation.objects.filter(
            token_hash=hash_token(token), accepted_at__isnull=True, expires_at__gt=timezone.now()
        )
        .select_related("organisation")
        .first()
    )


def open_invitations(organisation: Organisation) -> list[AdminInvitation]:
    return list(
        AdminInvitation.objects.filter(
            organisation=organisation, accepted_at__isnull=True, expires_at__gt=timezone.now()
        ).order_by("-created_at")
    )


def is_invitee(invitation: AdminInvitation, user: AbstractUser) -> bool:
    return normalise_email(user.email or user.username) == invitation.email


def can_register_through_invitation(account: AbstractUser | None) -> bool:
    """Whether the invitee sets name and password on the invitation page (else: logs in).

    Yes without an account, with an account that was never confirmed, or with one made
    without a password (create_organisation): the link proves the address. An account that
    can log in, or that was switched off, logs in as usual.
    """
    if account is None:
        return True
    if account.is_active:
        return not account.has_usable_password()
    return account.last_login is None


def accept_invitation(invitation: AdminInvitation, user: AbstractUser) -> Membership:
    """Make `user` an admin of the invitation's organisation; the invitation is used up."""
    with transaction.atomic():
        membership, _created = Membership.objects.get_or_create(
            user=user,
            organisation=invitation.organisation,
            defaults={"role": Membership.Role.ADMIN},
        )
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
    return membership


# API keys ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewApiToken:
    token: ApiToken
    # Shown once; only its hash is stored.
    secret: str


def create_api_token(
    organisation: Organisation, name: str, created_by: AbstractUser | None
) -> NewApiToken:
    secret = new_token()
    token = ApiToken.objects.create(
        organisation=organisation,
        name=name.strip(),
        token_hash=hash_token(secret),
        prefix=secret[:API_TOKEN_PREFIX_LENGTH],
        created_by=created_by,
    )
    log_event(
        SecurityEvent.Kind.TOKEN_CREATED,
        user=created_by,
        organisation=organisation,
        detail=f"API key {token.pk} ({token.prefix})",
    )
    return NewApiToken(token=token, secret=secret)


def revoke_api_token(token: ApiToken, revoked_by: AbstractUser | None) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        log_event(
            SecurityEvent.Kind.TOKEN_REVOKED,
            user=revoked_by,
            organisation=token.organisation,
            detail=f"API key {token.pk} ({token.prefix})",
        )


def organisation_for_api_token(secret: str) -> Organisation | None:
    """The organisation of a valid, not revoked API key; notes the day it was used."""
    if not secret:
        return None
    token = (
        ApiToken.objects.filter(token_hash=hash_token(secret), revoked_at__isnull=True)
        .select_related("organisation")
        .first()
    )
    if token is None:
        return None
    today = timezone.localdate()
    if token.last_used_on != today:
        # At most one write per key per day.
        ApiToken.objects.filter(pk=token.pk).update(last_used_on=today)
    return token.organisation


def api_tokens(organisation: Organisation) -> list[ApiToken]:
    return list(
        ApiToken.objects.filter(organisation=organisation)
        .select_related("created_by")
        .order_by(F("revoked_at").asc(nulls_first=True), "-created_at")
    )
