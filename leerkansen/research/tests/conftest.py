"""Helpers of the research tests: logged-in sessions, verified with a second factor or not."""

from __future__ import annotations

import time

from django.conf import settings
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

# Named, so that force_login does not depend on the order of AUTHENTICATION_BACKENDS (the
# first backend with get_user would be taken, and a throttling backend returns no user).
PASSWORD_BACKEND = "leerkansen.organisations.backends.AccountBackend"


def logged_in(user) -> Client:
    """A client logged in with the password alone (no second factor)."""
    client = Client()
    client.force_login(user, backend=PASSWORD_BACKEND)
    return client


def totp_code(device: TOTPDevice, at: float | None = None) -> str:
    """The code the researcher's app shows now (or at `at`), as django-otp computes it."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() if at is None else at
    return f"{totp.token():0{device.digits}d}"


def verified_client(user) -> Client:
    """A client logged in with a password and a confirmed TOTP device, as after the code was
    entered: django-otp keeps the device's persistent id in the session (django_otp.login)."""
    device = TOTPDevice.objects.create(user=user, name="Telefoon", confirmed=True)
    client = logged_in(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    assert client.cookies[settings.SESSION_COOKIE_NAME].value == session.session_key
    return client
