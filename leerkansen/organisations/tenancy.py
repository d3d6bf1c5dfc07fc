"""Tenant isolation: the request's organisation, and lookups that stay inside it.

Every view that takes an id resolves it with `owned_or_404`, which filters by the request's
organisation along the model's `organisation_path` (e.g. "assessment__organisation"). An id
of another organisation is a 404, exactly like an id that does not exist.
"""

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from django.contrib.auth.views import redirect_to_login
from django.db import models, router
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect

from leerkansen.lib.prepared import Prepared

from .auth import is_researcher
from .models import Membership, Organisation

SESSION_ORGANISATION_KEY = "organisation_code"

M = TypeVar("M", bound=models.Model)


def organisation_filter(model: type[models.Model], organisation: Organisation) -> dict:
    path = getattr(model, "organisation_path", None)
    if path is None:
        raise TypeError(f"{model.__name__} has no organisation_path: it is not tenant data")
    return {"pk": organisation.pk} if path == "" else {path: organisation}


def owned(queryset: models.QuerySet[M] | type[M], organisation: Organisation) -> models.QuerySet[M]:
    """The queryset restricted to one organisation's rows."""
    if isinstance(queryset, type):
        queryset = queryset._default_manager.all()
    return queryset.filter(**organisation_filter(queryset.model, organisation))


def owned_or_404(
    queryset: models.QuerySet[M] | type[M], organisation: Organisation | None, **lookup
) -> M:
    """One row of the organisation, or 404 (also for another organisation's row)."""
    if organisation is None:
        raise Http404
    return get_object_or_404(owned(queryset, organisation), **lookup)


# Read on every page of a logged-in member: compiled once per process (lib/prepared.py).
_ORGANISATIONS_OF = Prepared(
    lambda user_id: Organisation.objects.filter(memberships__user_id=user_id).order_by(
        "memberships__created_at", "memberships__pk"
    ),
    -7_770_003,
)


def organisations_of(user) -> list[Organisation]:
    """The organisations `user` is a member of, oldest membership first."""
    if not user.is_authenticated:
        return []
    return _ORGANISATIONS_OF.instances(user.pk, using=router.db_for_read(Membership))


def current_organisation(request: HttpRequest) -> Organisation | None:
    """The organisation the logged-in user works in now: the one they chose (switch_to) if
    they are still a member of it, else their oldest membership's."""
    organisations = organisations_of(request.user)
    chosen = request.session.get(SESSION_ORGANISATION_KEY)
    for organisation in organisations:
        if organisation.code == chosen:
            return organisation
    return organisations[0] if organisations else None


def membership_organisation_or_404(user, code: str) -> Organisation:
    """The organisation with `code` if `user` is a member of it; else 404, also when it exists,
    so that the answer tells nothing about anyone else's organisation."""
    for organisation in organisations_of(user):
        if organisation.code == code:
            return organisation
    raise Http404


def organisation_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Only for a logged-in member: sets request.organisation, else login or create one."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        organisation = current_organisation(request)
        if organisation is None:
            # A researcher without an organisation of their own works in the research area.
            if is_researcher(request.user):
                return redirect("research:dashboard")
            return redirect("organisations:create")
        request.organisation = organisation
        return view(request, *args, **kwargs)

    return wrapper
