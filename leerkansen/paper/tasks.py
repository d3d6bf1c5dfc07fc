"""The paper questionnaire's PDF, rendered by a worker (printing.py says why it is cached).

`ask_for_form_pdf` enqueues `render_paper_form_pdf` at most once per round, role and title while one
is waiting (a marker in the shared cache, kept PENDING_SECONDS: a task lost with its worker is
asked for again after that), and tells when it was asked, so the waiting page can say when it
takes longer than it should.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.core.cache import cache
from django.utils import timezone
from django_tasks import task

from leerkansen.survey.models import Assessment

from .printing import cache_key, store_form_pdf

PENDING_SECONDS = 10 * 60


def _pending_key(assessment: Assessment, role: str) -> str:
    return cache_key(assessment, role) + ":asked"


def ask_for_form_pdf(assessment: Assessment, role: str) -> datetime:
    """Enqueue the PDF's rendering unless it is asked for already; when it was asked."""
    now = timezone.now()
    pending = _pending_key(assessment, role)
    if cache.add(pending, now.timestamp(), PENDING_SECONDS):
        try:
            render_paper_form_pdf.enqueue(assessment.pk, role)
        except Exception:
            cache.delete(pending)
            raise
        return now
    asked = cache.get(pending)
    return now if asked is None else datetime.fromtimestamp(asked, tz=UTC)


@task()
def render_paper_form_pdf(assessment_id: int, role: str) -> str:
    """ "rendered", "stored" (a task before this one made it) or "gone" (the round was
    deleted meanwhile)."""
    assessment = Assessment.objects.filter(pk=assessment_id).first()
    if assessment is None:
        return "gone"
    rendered = store_form_pdf(assessment, role)
    cache.delete(_pending_key(assessment, role))
    return "rendered" if rendered else "stored"
