"""Saving paper questionnaires: one typed in on the entry screen, or many from an import.

Through the same path as a response the API enters (survey.api_rounds.enter_response): started,
saved and completed by survey.services, marked `entered_by_organisation` ("op papier"), the
round's `links_made` set so that its report never shows fewer than k at the close, and then
announced with survey.signals.response_completed, so that the report takes the answers in only
in steps the anonymity rule allows (reports.services.refresh_report; scoring.anonymity: answers
the organisation entered do not count towards the k of answers that came through a link).

An import stores all its rows in one transaction or none of them.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext

from leerkansen.content.questionnaire import questionnaire_for
from leerkansen.survey.api_rounds import enter_response
from leerkansen.survey.models import Assessment, Response
from leerkansen.survey.services import AnswerValue, Completion, can_be_scored
from leerkansen.survey.signals import response_completed


class RoundClosed(Exception):
    """The round closed before the answers were stored: nothing of them stays."""


def too_few_answers_message() -> str:
    return gettext(
        "Fill in at least three quarters of the statements of one challenge: without that, "
        "no profile can be given."
    )


def scorable(role: str, answers: dict[str, AnswerValue]) -> bool:
    """Whether the answers give at least one challenge score (as the API asks of an entry)."""
    return can_be_scored(answers, questionnaire_for(role))


def paper_count(assessment: Assessment) -> int:
    """How many completed responses of the round the organisation entered (paper, import, API).

    Known to the admins who typed them in, so shown as a total; the round page shows no count
    per group below k.
    """
    return Response.objects.filter(
        assessment=assessment, completed_on__isnull=False, entered_by_organisation=True
    ).count()


def enter_paper_responses(
    assessment: Assessment, role: str, rows: Sequence[dict[str, AnswerValue]]
) -> int:
    """Store every row as a completed paper response of `role`, all or none; their number.

    Raises RoundClosed, keeping nothing, when the round closed meanwhile. The round's report
    hears of them once, after the transaction committed.
    """
    with transaction.atomic():
        for answers in rows:
            if enter_response(assessment, role, dict(answers)) != Completion.COMPLETED:
                raise RoundClosed
    # As the review page and the API do once a send has committed: a receiver that fails
    # leaves the answers in.
    response_completed.send_robust(sender=Response, assessment=assessment)
    return len(rows)
