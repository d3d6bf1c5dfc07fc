"""The organisation's own data: download all of it (GDPR articles 15 and 20) and erase the
organisation (article 17).

The work is done in gdpr.py; these views check who asks, log what happened and answer.
A download is a job (jobs.py: made by a worker, with its progress, kept 24 hours for the admin
who asked), started by POST; nothing here may be cached.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from leerkansen.jobs.services import TooManyJobs
from leerkansen.jobs.views import too_many_jobs

from .gdpr import erase_organisation
from .jobs import forget_data_downloads, start_data_download
from .models import Membership, Organisation
from .security import log_erasure
from .tenancy import SESSION_ORGANISATION_KEY, organisation_required


class ErasureForm(forms.Form):
    """Erasing needs the organisation's exact name and the admin's own password."""

    name = forms.CharField(
        label=_("Name of the organisation"),
        error_messages={"required": _("Type the name of the organisation to confirm.")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        error_messages={"required": _("Fill in your password.")},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, organisation: Organisation, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.user = user
        self.fields["name"].help_text = _("Type “%(name)s”, exactly as written here.") % {
            "name": organisation.name
        }

    def clean_name(self) -> str:
        name = self.cleaned_data["name"]
        if name != self.organisation.name.strip():
            raise forms.ValidationError(
                _(
                    "This is not the name of your organisation. Type it exactly as shown, "
                    "with the same capitals."
                ),
                code="name_mismatch",
            )
        return name

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(
                _("This is not your password. Type the password you log in with."),
                code="wrong_password",
            )
        return password


@organisation_required
@never_cache
@require_GET
def data(request: HttpRequest) -> HttpResponse:
    return render(request, "organisations/data.html", {"organisation": request.organisation})


def _start(request: HttpRequest, file_format: str) -> HttpResponse:
    """Start the download as a job and show its page; the download itself is logged when the
    file is fetched (jobs.py)."""
    try:
        job = start_data_download(request.user, request.organisation, file_format)
    except TooManyJobs:
        return too_many_jobs(request, reverse("organisations:data"))
    return redirect("jobs:job", job_id=job.pk)


@organisation_required
@never_cache
@require_POST
def data_json(request: HttpRequest) -> HttpResponse:
    return _start(request, "json")


@organisation_required
@never_cache
@require_POST
def data_csv(request: HttpRequest) -> HttpResponse:
    return _start(request, "csv")


@organisation_required
@never_cache
@require_http_methods(["GET", "POST"])
def erase(request: HttpRequest) -> HttpResponse:
    organisation: Organisation = request.organisation
    user = request.user
    form = ErasureForm(request.POST or None, organisation=organisation, user=user)
    if request.method == "POST" and form.is_valid():
        name = organisation.name
        with transaction.atomic():
            forget_data_downloads(organisation)
            erase_organisation(organisation)
            # Accounts with no other organisation are erased too; the log then names no one.
            account_kept = get_user_model().objects.filter(pk=user.pk).exists()
            log_erasure(user if account_kept else None)
        still_member = Membership.objects.filter(user_id=user.pk).exists()
        if still_member:
            # current_organisation falls back to another membership.
            request.session.pop(SESSION_ORGANISATION_KEY, None)
        else:
            # Not auth.logout(): its signal would log a logout for an account that is gone.
            request.session.flush()
            request.user = AnonymousUser()
        context = {"name": name, "still_member": still_member}
        return render(request, "organisations/erased.html", context)
    context = {
        "organisation": organisation,
        "form": form,
        "account_goes": not Membership.objects.filter(user=user)
        .exclude(organisation=organisation)
        .exists(),
    }
    return render(request, "organisations/erase.html", context)
