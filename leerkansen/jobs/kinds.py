"""The kinds of job, registered by the apps that own the work (the apps above this one).

A kind says how to make the job's output and who may see it. `build(params, progress, path)`
writes the file to `path` (a temporary file of the worker) and returns its name and type, or,
for a job without a file, returns `Built(result=...)`. `check(request, job)` runs on every
page of the job after the generic check that the person asked for it themselves: it returns
None to allow, or the response to give instead (a 404, a redirect to a second factor).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

    from .models import Job
    from .progress import Progress


class JobRefused(Exception):
    """The work cannot be done as asked (e.g. too few data): raised by a kind's build with a
    message for the person, already translated, which the job's page shows as its error."""


@dataclass(frozen=True)
class Built:
    filename: str = ""
    content_type: str = ""
    result: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class JobKind:
    name: str
    build: Callable[[dict, Progress, Path], Built]
    check: Callable[[HttpRequest, Job], HttpResponse | None]
    # Where the job's page links back to (the page it was started from).
    back_url: Callable[[Job], str]
    # Called when the file is downloaded (a security log entry), if given.
    on_download: Callable[[HttpRequest, Job], None] | None = None
    makes_file: bool = True
    # The unit of the progress count, for the page: "rows", "tables", "models", "sheets".
    unit: str = "rows"


_KINDS: dict[str, JobKind] = {}


def register(kind: JobKind) -> JobKind:
    """Register a kind (at import of the owning app's jobs module, from its AppConfig.ready)."""
    if _KINDS.get(kind.name, kind) is not kind:
        raise ValueError(f"job kind {kind.name!r} is registered twice")
    _KINDS[kind.name] = kind
    return kind


def not_found() -> HttpResponse:
    """What a kind's check gives to refuse: the job's pages answer as for no job at all."""
    from django.http import HttpResponseNotFound

    return HttpResponseNotFound()


def get_kind(name: str) -> JobKind:
    try:
        return _KINDS[name]
    except KeyError:
        raise LookupError(f"no job kind {name!r} is registered") from None
