"""Throttles that slow the attacker down without locking the real owner out.

Logins are limited three ways:

- One account from one client address: django-axes, 5 failures lock that pair for an hour
  (settings.AXES_*). The owner at another address is not affected.
- One account from anywhere: after ACCOUNT_FREE_FAILURES failures within an hour, every further
  failure pauses the account for a growing while (30 s, 1 min, 2 min, ... at most 15 min).
  Nobody can log in with a password during a pause, the owner neither; but the password mail
  always works, and setting a password through it logs the owner in and ends the pause.
- One client address for any accounts (password spraying): ADDRESS_FAILURE_LIMIT failures
  within an hour refuse that address until the hour is over.

A refused attempt checks no password, so it is not counted either: a pause ends on time however
hard the attacker keeps knocking. `LoginThrottleBackend` refuses (it runs before the password
check, for our login page and the admin's alike); the receivers count what the password check
decided. Refusals go through django-axes' lock-out path: its middleware shows our Dutch 429 page
(views.locked_out) and its signal writes a lock-out to the security log.

Mails that anyone can trigger by typing an address (registration, password reset, a new
confirmation link) go out at most once per address per hour (`may_mail`).

Everything is counted in Django's default cache, the database cache shared by all workers
(settings.CACHES), under keyed hashes: no address or username is stored in it. Counters are
read and written without a lock, so two workers racing may lose a count: a throttle, not a
ledger.
"""

from __future__ import annotations

import math
import time

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.cache import cache, caches
from django.core.cache.backends.db import DatabaseCache
from django.core.exceptions import PermissionDenied
from django.db import connections, router
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac

from leerkansen.lib.clients import client_address

SALT = "leerkansen.organisations.throttle"
WINDOW_SECONDS = 60 * 60
ACCOUNT_FREE_FAILURES = 10
ACCOUNT_FIRST_PAUSE_SECONDS = 30
ACCOUNT_MAX_PAUSE_SECONDS = 15 * 60
ADDRESS_FAILURE_LIMIT = 20
MAIL_INTERVAL_SECONDS = 60 * 60
# A page that mails only when the address has an account answers no sooner than this, so that
# the time of sending (an SMTP round trip) does not tell whether it has one.
ANSWER_SECONDS = 0.5

# Set on a request whose login attempt was refused: seconds until the next try may work.
REFUSED_ATTR = "login_refused_seconds"
# Set on a request whose login attempt reached the password check.
CHECKED_ATTR = "login_password_checked"


def _key(kind: str, value: str) -> str:
    return f"throttle:{kind}:" + salted_hmac(SALT + kind, value).hexdigest()


def _account_key(username: str) -> str:
    return _key("account", username.strip().lower())


def _address_key(address: str) -> str:
    return _key("address", address)


def account_pause(failures: int) -> int:
    """Seconds an account is paused after its `failures`-th failure within the window.

    >>> [account_pause(n) for n in (9, 10, 11, 12, 15)]
    [0, 30, 60, 120, 900]
    """
    if failures < ACCOUNT_FREE_FAILURES:
        return 0
    return min(
        ACCOUNT_FIRST_PAUSE_SECONDS * 2 ** (failures - ACCOUNT_FREE_FAILURES),
        ACCOUNT_MAX_PAUSE_SECONDS,
    )


def refusal(username: str | None, address: str, now: float | None = None) -> int:
    """Seconds to wait before a login for `username` from `address` is tried; 0: go ahead."""
    now = time.time() if now is None else now
    waits = [0.0]
    by_address = cache.get(_address_key(address))
    if by_address and by_address["failures"] >= ADDRESS_FAILURE_LIMIT:
        waits.append(by_address["since"] + WINDOW_SECONDS - now)
    if username:
        by_account = cache.get(_account_key(username))
        if by_account:
            waits.append(by_account["until"] - now)
    return max(0, math.ceil(max(waits)))


def record_failure(username: str | None, address: str, now: float | None = None) -> None:
    """Count a failed password check for the account and for the address."""
    now = time.time() if now is None else now
    key = _address_key(address)
    by_address = cache.get(key) or {"failures": 0, "since": now}
    by_address["failures"] += 1
    remaining = max(1, math.ceil(by_address["since"] + WINDOW_SECONDS - now))
    cache.set(key, by_address, timeout=remaining)
    if username:
        key = _account_key(username)
        by_account = cache.get(key) or {"failures": 0, "until": 0.0}
        by_account["failures"] += 1
        by_account["until"] = now + account_pause(by_account["failures"])
        cache.set(key, by_account, timeout=WINDOW_SECONDS)


def forget_account(username: str) -> None:
    """End an account's pause: its owner proved the address (password mail) or logged in."""
    cache.delete(_account_key(username))


class LoginThrottleBackend:
    """An authentication backend that only refuses: a paused account or address gets no
    password check. Listed after django-axes' backend and before the accounts' ModelBackend."""

    def authenticate(self, request: HttpRequest | None, username=None, password=None, **kwargs):
        if request is None:
            return None
        wait = refusal(username, client_address(request))
        if wait:
            setattr(request, REFUSED_ATTR, wait)
            # django-axes then records nothing, logs a lock-out and shows the 429 page.
            request.axes_locked_out = True
            raise PermissionDenied
        setattr(request, CHECKED_ATTR, True)
        return None

    # No get_user(): sessions must never name this backend (Client.force_login takes the
    # first backend that has one).


def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    if request is None or not getattr(request, CHECKED_ATTR, False):
        return  # refused before the password check: nothing was tried
    record_failure(credentials.get("username"), client_address(request))


def on_logged_in(sender, request, user, **kwargs) -> None:
    forget_account(user.get_username())


def connect_receivers() -> None:
    user_login_failed.connect(on_login_failed, dispatch_uid="throttle_login_failed")
    user_logged_in.connect(on_logged_in, dispatch_uid="throttle_logged_in")


# Mails ---------------------------------------------------------------------------------------


def may_mail(address: str) -> bool:
    """Whether a mail may go to `address` now; True uses up its mail for the next hour."""
    return cache.add(_key("mail", address.strip().lower()), 1, timeout=MAIL_INTERVAL_SECONDS)


def answer_no_sooner(started: float, seconds: float | None = None) -> None:
    """Wait until `seconds` (default ANSWER_SECONDS) have passed since `started`
    (time.monotonic())."""
    seconds = ANSWER_SECONDS if seconds is None else seconds
    remaining = started + seconds - time.monotonic()
    if remaining > 0:
        time.sleep(remaining)


# The cache's table --------------------------------------------------------------------------


def delete_expired_entries(dry_run: bool = False) -> int:
    """Delete the database cache's expired entries; the number deleted (with `dry_run`, only
    counted).

    Django removes an expired entry only when it is read again or when the table is full, so
    the daily schedule calls this (keyed hashes of addresses should not outlive their hour).
    """
    backend = caches["default"]
    if not isinstance(backend, DatabaseCache):
        return 0
    connection = connections[router.db_for_write(backend.cache_model_class)]
    table = connection.ops.quote_name(backend._table)
    expires = connection.ops.quote_name("expires")
    # As DatabaseCache compares: whole seconds, adapted for the database.
    now = connection.ops.adapt_datetimefield_value(timezone.now().replace(microsecond=0))
    with connection.cursor() as cursor:
        if dry_run:
            cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE {expires} < %s", [now])  # noqa: S608
            return cursor.fetchone()[0]
        cursor.execute(f"DELETE FROM {table} WHERE {expires} < %s", [now])  # noqa: S608
        return cursor.rowcount
