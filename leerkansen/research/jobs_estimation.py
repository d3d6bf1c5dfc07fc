"""Re-estimation as jobs (jobs app): a researcher starts estimate_profiles or estimate_evidence
from the model page, a worker fits with its progress, and the result is a DRAFT model version,
written as the management commands write it (never activated: a researcher checks it and
activates it by hand). Too few data end the job as failed with the reason in Dutch."""

from __future__ import annotations

from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from leerkansen.jobs.kinds import Built, JobKind, JobRefused, not_found, register
from leerkansen.jobs.models import Job
from leerkansen.jobs.progress import Progress
from leerkansen.jobs.services import start_job
from leerkansen.organisations.auth import is_researcher

from . import estimation, evidence, mixtures
from .evidence_bayes import NoEvidence
from .mixtures import EstimationError

PROFILES = "estimate-profiles"
EVIDENCE = "estimate-evidence"


def _done(version: str) -> Built:
    return Built(
        result={
            "url": reverse("research:model_detail", args=[version]),
            "label": _("View the draft %(version)s") % {"version": version},
        }
    )


def _too_few(problem: estimation.TooFewOrganisations) -> JobRefused:
    return JobRefused(
        _(
            "Too few organisations to estimate profiles: %(found)s with a score on at least one "
            "challenge, at least %(needed)s needed. Nothing was written; the current model stays."
        )
        % {"found": problem.found, "needed": problem.needed}
    )


def _build_profiles(params: dict, progress: Progress, path: Path) -> Built:
    """estimate_profiles --write with the command's defaults but the researcher's choices."""
    starts = params["starts"]
    try:
        result = estimation.estimate_profiles(
            simulated=params["simulated"],
            starts=starts,
            final_starts=min(mixtures.FINAL_STARTS, starts),
            max_k=params["max_k"],
            bootstraps=params["bootstraps"],
            write=True,
            user=_user(params),
            progress=progress,
        )
    except estimation.TooFewOrganisations as problem:
        raise _too_few(problem) from problem
    except EstimationError as problem:
        raise JobRefused(
            _(
                "The scores cannot be fitted, for example because a challenge has the same score "
                "everywhere. Nothing was written; the current model stays."
            )
        ) from problem
    return _done(result.draft.version)


def _build_evidence(params: dict, progress: Progress, path: Path) -> Built:
    """estimate_evidence (it writes a draft unless --dry-run): one step, counted when done."""
    progress.set_total(1)
    try:
        _result, draft = evidence.estimate_evidence(
            simulated=params["simulated"], write=True, user=_user(params)
        )
    except NoEvidence as problem:
        raise JobRefused(
            _(
                "No action has been rated twice in one profile yet, so the spread of ratings "
                "cannot be estimated (%(ratings)s ratings in all). Nothing was written; the "
                "current evidence stays."
            )
            % {"ratings": problem.ratings}
        ) from problem
    progress(1)
    return _done(draft.version)


def _user(params: dict):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(pk=params.get("user")).first()


def _check(request: HttpRequest, job: Job) -> HttpResponse | None:
    return None if is_researcher(request.user) else not_found()


def _back(job: Job) -> str:
    return reverse("research:models")


for _name, _build in ((PROFILES, _build_profiles), (EVIDENCE, _build_evidence)):
    register(
        JobKind(
            name=_name, build=_build, check=_check, back_url=_back, makes_file=False, unit="models"
        )
    )


def start_estimation(user, kind: str, params: dict, title: str) -> Job:
    """Start (or find, when the same one still runs) a re-estimation for this researcher."""
    return start_job(kind, user, {**params, "user": user.pk}, title)
