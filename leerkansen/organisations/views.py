"""Account and organisation pages: register, confirm, log in and out, the organisation's
dashboard (which leads to its latest report; API keys last, "for developers"), the switch
between the organisations of a member of several, the team of admins with their invitations,
and the API keys.

Views gather input, call services, render or redirect. Pages of an organisation use
`organisation_required`; an id in a URL is resolved with `owned_or_404`.
"""

from __future__ import annotations

import math
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.hashers import make_password
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import emails, services, signals, throttle
from .forms import (
    ApiTokenForm,
    BenchmarkSharingForm,
    InvitationForm,
    InvitedRegistrationForm,
    LoginForm,
    NewPasswordForm,
    OrganisationForm,
    RegistrationForm,
    SetPasswordEmailForm,
)
from .models import ApiToken, Organisation
from .tenancy import (
    membership_organisation_or_404,
    organisation_required,
    organisations_of,
    owned_or_404,
)

# The backend for logins that need no password check (a confirmed or invited address);
# AxesStandaloneBackend comes first in settings and only guards password checks.
MODEL_BACKEND = "leerkansen.organisations.backends.AccountBackend"


# Accounts ----------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("organisations:dashboard")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        site_url = emails.site_url_of(request)
        data = form.cleaned_data
        user = services.user_with_email(data["email"])
        # The same answer, in the same time, whether or not the address has an account: only
        # its owner learns it. So both ways hash the password once and send at most one mail
        # (and at most one an hour to an address, whoever asks).
        may_mail = throttle.may_mail(data["email"])
        if user is None:
            user = services.new_user(data["email"], data["name"], data["password1"], active=False)
            if may_mail:
                emails.send_verification(user, services.verification_token(user), site_url)
        else:
            make_password(data["password1"])  # the work new_user does, not kept
            if may_mail and not user.is_active and user.last_login is None:
                emails.send_verification(user, services.verification_token(user), site_url)
            elif may_mail:
                emails.send_already_registered(user, site_url)
        return redirect("organisations:registered")
    return render(request, "organisations/register.html", {"form": form})


@require_GET
def registered(request: HttpRequest) -> HttpResponse:
    return render(request, "organisations/registered.html")


@never_cache
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest, token: str) -> HttpResponse:
    """The confirmation link. GET asks for a click, so that mail scanners use up nothing."""
    found = services.user_to_verify(token)
    if isinstance(found, services.VerificationProblem):
        return render(
            request, "organisations/verify_failed.html", {"problem": found.value}, status=400
        )
    if request.method == "GET":
        return render(request, "organisations/verify.html", {"account": found})
    services.activate(found)
    login(request, found, backend=MODEL_BACKEND)
    messages.success(request, _("Your e-mail address is confirmed. Welcome!"))
    return redirect("organisations:create")


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "organisations/login.html"
    redirect_authenticated_user = True

    def form_invalid(self, form):
        user = form.unconfirmed_user
        if user is not None:
            # Only someone with the right password gets here; still at most one mail an hour.
            if throttle.may_mail(user.email):
                token = services.verification_token(user)
                emails.send_verification(user, token, emails.site_url_of(self.request))
            else:
                form.errors[NON_FIELD_ERRORS] = form.error_class(
                    [
                        _(
                            "You have not confirmed your e-mail address yet. We sent you a link "
                            "less than an hour ago: open it to confirm the address, then log in."
                        )
                    ]
                )
        return super().form_invalid(form)


class LogoutView(auth_views.LogoutView):
    """POST only (Django's default); goes to the home page."""


def locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """django-axes' lock-out page (settings.AXES_LOCKOUT_CALLABLE), in Dutch, with HTTP 429.

    Also for a login refused by organisations.throttle: then for the time of that pause.
    """
    paused = getattr(request, throttle.REFUSED_ATTR, None)
    if paused:
        minutes = math.ceil(paused / 60)
    else:
        hours = getattr(settings, "AXES_COOLOFF_TIME", None)
        minutes = int(hours * 60) if isinstance(hours, int | float) else None
    context = {"minutes": minutes, "paused": bool(paused)}
    return render(request, "organisations/locked_out.html", context, status=429)


@method_decorator(never_cache, name="dispatch")
class PasswordResetView(auth_views.PasswordResetView):
    form_class = SetPasswordEmailForm
    template_name = "organisations/password_reset.html"
    email_template_name = "organisations/email/password_reset_body.txt"
    subject_template_name = "organisations/email/password_reset_subject.txt"
    success_url = reverse_lazy("organisations:password_reset_sent")

    def form_valid(self, form):
        # A mail goes out only for an account, so the answer waits as long either way; and
        # at most one mail an hour to an address, however often it is asked for.
        started = time.monotonic()
        if throttle.may_mail(form.cleaned_data["email"]):
            response = super().form_valid(form)
        else:
            response = redirect(self.success_url)
        throttle.answer_no_sooner(started)
        return response


class PasswordResetSentView(auth_views.PasswordResetDoneView):
    template_name = "organisations/password_reset_sent.html"


class PasswordSetView(auth_views.PasswordResetConfirmView):
    """The link of a password e-mail: choose a password, then you are logged in."""

    form_class = NewPasswordForm
    template_name = "organisations/password_set.html"
    post_reset_login = True
    post_reset_login_backend = MODEL_BACKEND
    success_url = reverse_lazy("organisations:dashboard")

    def form_valid(self, form):
        messages.success(self.request, _("Your password is set."))
        return super().form_valid(form)


# The organisation ----------------------------------------------------------------------------


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        organisation = services.create_organisation(
            request.user, data["name"], data["sector"], data["size_band"]
        )
        services.set_benchmark_sharing(organisation, data["share_benchmark"])
        services.choose_organisation(request.session, organisation)
        messages.success(request, _("Your organisation is ready. You are its admin."))
        return redirect("organisations:dashboard")
    return render(request, "organisations/create.html", {"form": form})


@organisation_required
@never_cache
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    organisation: Organisation = request.organisation
    context = {
        "organisation": organisation,
        "other_organisations": [o for o in organisations_of(request.user) if o != organisation],
        "admins": services.admins(organisation),
        "active_tokens": sum(token.is_active for token in services.api_tokens(organisation)),
        "threshold": settings.ANONYMITY_THRESHOLD,
        "sharing_form": BenchmarkSharingForm(
            initial={"share_benchmark": "ja" if organisation.shares_benchmark else "nee"}
        ),
        # Filled in by the apps above (signals.py): the latest report, or why there is none.
        "latest_report": None,
        "has_rounds": False,
    }
    for _receiver, extra in signals.dashboard_shown.send(Organisation, organisation=organisation):
        context.update(extra or {})
    return render(request, "organisations/dashboard.html", context)


@organisation_required
@require_POST
def benchmark_sharing(request: HttpRequest) -> HttpResponse:
    """Opt in to or out of the comparison with similar organisations (recorded with the date)."""
    form = BenchmarkSharingForm(request.POST)
    if form.is_valid():
        share = form.cleaned_data["share_benchmark"]
        if services.set_benchmark_sharing(request.organisation, share):
            if share:
                messages.success(
                    request,
                    _(
                        "Your organisation now shares its round results anonymously for the "
                        "comparison with similar organisations."
                    ),
                )
            else:
                messages.success(
                    request,
                    _(
                        "Your organisation no longer shares its round results. They are left "
                        "out as soon as the comparison's figures are computed anew."
                    ),
                )
    else:
        messages.error(request, _("Choose one of the options."))
    return redirect(f"{reverse('organisations:dashboard')}#vergelijken")


@organisation_required
@require_POST
def switch(request: HttpRequest) -> HttpResponse:
    """Work in another organisation of the user's; one they are not a member of is a 404,
    whether it exists or not, so that the answer names no one else's organisation."""
    code = request.POST.get("organisatie", "")
    if not code:
        messages.error(request, _("Choose the organisation you want to work in."))
        return redirect("organisations:dashboard")
    organisation = membership_organisation_or_404(request.user, code)
    services.choose_organisation(request.session, organisation)
    messages.success(
        request, _("You now work in %(organisation)s.") % {"organisation": organisation.name}
    )
    return redirect("organisations:dashboard")


@organisation_required
@never_cache
@require_GET
def team(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation
    context = {
        "organisation": organisation,
        "admins": services.admins(organisation),
        "invitations": services.open_invitations(organisation),
    }
    return render(request, "organisations/team.html", context)


@organisation_required
@never_cache
@require_http_methods(["GET", "POST"])
def invite(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation
    form = InvitationForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        invitation, token = services.invite_admin(
            organisation, form.cleaned_data["email"], request.user
        )
        emails.send_invitation(invitation, token, request.user, emails.site_url_of(request))
        messages.success(
            request,
            _("We have sent an invitation to %(email)s.") % {"email": invitation.email},
        )
        return redirect("organisations:team")
    context = {"form": form, "invitation_days": settings.INVITATION_DAYS}
    return render(request, "organisations/invite.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """An invitation link: register or log in, then accept to become admin."""
    found = services.invitation_for_token(token)
    if found is None:
        return render(request, "organisations/invitation_invalid.html", status=404)
    context = {"invitation": found, "organisation": found.organisation}
    user = request.user
    if user.is_authenticated:
        if not services.is_invitee(found, user):
            return render(request, "organisations/invitation_other_account.html", context)
        if request.method == "POST":
            return _accept(request, found, user)
        return render(request, "organisations/invitation_accept.html", context)

    account = services.user_with_email(found.email)
    if not services.can_register_through_invitation(account):
        context["login_url"] = f"{reverse('organisations:login')}?next={request.path}"
        return render(request, "organisations/invitation_login.html", context)
    # The link reached the invited address: that confirms it, so the account is active at once.
    form = InvitedRegistrationForm(request.POST or None, email=found.email)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if account is None:
            account = services.new_user(found.email, data["name"], data["password1"], active=True)
        else:
            account.first_name = data["name"]
            account.set_password(data["password1"])
            account.is_active = True
            account.save()
        login(request, account, backend=MODEL_BACKEND)
        return _accept(request, found, account)
    context["form"] = form
    return render(request, "organisations/invitation_register.html", context)


def _accept(request: HttpRequest, found, user) -> HttpResponse:
    services.accept_invitation(found, user)
    services.choose_organisation(request.session, found.organisation)
    messages.success(
        request,
        _("You are now an admin of %(organisation)s.") % {"organisation": found.organisation},
    )
    return redirect("organisations:dashboard")


# API keys ------------------------------------------------------------------------------------


@organisation_required
@never_cache
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation
    form = ApiTokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        new_token = services.create_api_token(organisation, form.cleaned_data["name"], request.user)
        # Shown once, in this response; not redirected, so the key is never stored anywhere.
        form = ApiTokenForm()
    context = {
        "organisation": organisation,
        "form": form,
        "new_token": new_token,
        "tokens": services.api_tokens(organisation),
    }
    return render(request, "organisations/api_tokens.html", context)


@organisation_required
@require_POST
def revoke_api_token(request: HttpRequest, pk: int) -> HttpResponse:
    token = owned_or_404(ApiToken, request.organisation, pk=pk)
    services.revoke_api_token(token, request.user)
    messages.success(request, _("The key “%(name)s” no longer works.") % {"name": token.name})
    return redirect("organisations:api_tokens")
