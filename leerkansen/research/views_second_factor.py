"""The researchers' second factor (TOTP, django-otp), asked before per-respondent exports.

Per-respondent microdata (exports.Dataset.per_respondent) is sent only to a researcher whose
session is verified with a TOTP device (`request.user.is_verified()`, django-otp's
OTPMiddleware), when settings.ADMIN_REQUIRES_OTP is on: the same switch as /beheer/ (on in
production, off with DJANGO_DEBUG=1). Without it, the export sends the researcher here:

- a researcher without a confirmed device enrols one: the page shows a new key (base32 text
  and the otpauth:// link; no QR code, as no QR library is installed) and the first code from
  the app confirms it;
- a researcher with a confirmed device enters a code. A new device cannot be added here then:
  someone with the password alone cannot replace the researcher's phone.

Enrolling needs the password only (researchers set up their own phone), so the researcher is
told by e-mail when a device is linked: someone who stole the password and enrolled first is
found out. Then back to the export (`next`, only a path on this site). Codes are checked per
device with django-otp's throttling (each wrong code doubles the wait) and every wrong code is
logged in the security log, without the code.
"""

from __future__ import annotations

from base64 import b32encode
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.core.mail import send_mail
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import verify_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from leerkansen.organisations.auth import researcher_required
from leerkansen.organisations.models import SecurityEvent
from leerkansen.organisations.security import log_event

DEVICE_NAME = "Onderzoek"


def second_factor_missing(request: HttpRequest) -> bool:
    """True when this request may not have per-respondent data yet."""
    return bool(settings.ADMIN_REQUIRES_OTP) and not request.user.is_verified()


def redirect_to_second_factor(request: HttpRequest) -> HttpResponseRedirect:
    query = urlencode({"next": request.get_full_path()})
    return HttpResponseRedirect(f"{reverse('research:second_factor')}?{query}")


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("research:exports")


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("The 6-digit code your authenticator app shows"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "size": 8}
        ),
    )

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].replace(" ", "")
        if len(code) != 6 or not code.isascii() or not code.isdigit():
            raise forms.ValidationError(_("Enter the 6 digits of the code, without letters."))
        return code


def _enrolment_device(user) -> TOTPDevice:
    """The user's unconfirmed device, made once: its key stays the same until confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def _tell_about_enrolment(user) -> None:
    """An e-mail to the researcher: a device was linked to the account (no key, no code)."""
    if not user.email:
        return
    context = {"user": user}
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("research/email/second_factor_enrolled_subject.txt", context)
        body = render_to_string("research/email/second_factor_enrolled_body.txt", context)
    send_mail(" ".join(subject.split()), body, None, [user.email])


def _verified_device(user, code: str, devices: list[TOTPDevice]) -> TOTPDevice | None:
    for device in devices:
        # django-otp's own check: locks the device row, applies throttling, refuses a reuse.
        verified = verify_token(user, device.persistent_id, code)
        if verified is not None:
            return verified
    return None


@researcher_required
@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def second_factor(request: HttpRequest) -> HttpResponse:
    next_url = _safe_next(request)
    user = request.user
    confirmed = list(TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("pk"))
    enrolment = None if confirmed else _enrolment_device(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST":
        device = None
        if form.is_valid():
            device = _verified_device(user, form.cleaned_data["code"], confirmed or [enrolment])
        if device is not None:
            if not device.confirmed:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                _tell_about_enrolment(user)
            otp_login(request, device)
            detail = "research second factor " + ("enrolled" if enrolment else "verified")
            log_event(SecurityEvent.Kind.LOGIN, request=request, detail=detail)
            return redirect(next_url)
        log_event(
            SecurityEvent.Kind.LOGIN_FAILED,
            request=request,
            detail="research second factor: wrong code",
        )
        if form.is_valid():
            form.add_error(
                "code",
                _(
                    "This code is not right, or was used already. Wait for the next code in "
                    "your app (after several wrong codes, wait a little longer) and try again."
                ),
            )
    context = {
        "form": form,
        "next": next_url,
        "enrolment": enrolment,
        "secret": b32encode(enrolment.bin_key).decode() if enrolment else "",
        "config_url": enrolment.config_url if enrolment else "",
        "verified": user.is_verified(),
        "required": bool(settings.ADMIN_REQUIRES_OTP),
    }
    return render(request, "research/second_factor.html", context)
