"""The paper questionnaire's PDF, rendered by a worker (printing.py says why it is cached).

`ask_for_form_pdf` enqueues `render_paper_form_pdf` at most once per round, role and title
while one is waiting (lib/downloads.ask_once), and tells when it was asked, so the waiting
page can say when it takes longer than it should.
"""

from __future__ import annotations

from datetime import datetime

from django_tasks import task

from leerkansen.lib.downloads import ask_once, forget_asked
from leerkansen.survey.models import Assessment

from .printing import cache_key, store_form_pdf


def ask_for_form_pdf(assessment: Assessment, role: str, language: str = "nl") -> datetime:
    """Enqueue the PDF's rendering unless it is asked for already; when it was asked."""
    return ask_once(
        cache_key(assessment, role, language),
        lambda: render_paper_form_pdf.enqueue(assessment.pk, role, language),
    )


@task()
def render_paper_form_pdf(assessment_id: int, role: str, language: str = "nl") -> str:
    """ "rendered", "stored" (a task before this one made it) or "gone" (the round was
    deleted meanwhile)."""
    assessment = Assessment.objects.filter(pk=assessment_id).first()
    if assessment is None:
        return "gone"
    rendered = store_form_pdf(assessment, role, language)
    forget_asked(cache_key(assessment, role, language))
    return "rendered" if rendered else "stored"
