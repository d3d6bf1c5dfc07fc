"""Researchers: staff users in the group "Onderzoekers" (created by a data migration).

They run the study across organisations (exports, re-estimation); they are not members of an
organisation and see no single respondent.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from .models import SecurityEvent
from .security import log_event

RESEARCHERS_GROUP = "Onderzoekers"


def is_researcher(user) -> bool:
    """An active staff user in the researchers' group."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.is_staff
        and user.groups.filter(name=RESEARCHERS_GROUP).exists()
    )


def researcher_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Only for researchers: others log in first (anonymous) or get a 403 (logged)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_researcher(request.user):
            log_event(SecurityEvent.Kind.DENIED, request=request, detail=request.path[:200])
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper
