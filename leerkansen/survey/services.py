"""Starting, saving and completing responses: the rules views, commands and the API share.

A response knows its round and its role, nothing about who gave it: the invitation a
respondent came with lives only in their session and is passed in when they send.
"""

from collections.abc import Iterable, Mapping, Sequence
from enum import Enum

from django.db import transaction
from django.utils import timezone

from leerkansen.content.questionnaire import Questionnaire, get_questionnaire
from leerkansen.lib.codes import hash_token, new_token
from leerkansen.organisations.models import Organisation
from leerkansen.scoring.scales import scale_items, scores_of

from .models import Answer, Assessment, Invitation, Language, Response, Role, today

AnswerValue = int | str | None


class Completion(Enum):
    """What happened when a respondent sent their answers."""

    COMPLETED = "completed"
    # Sent before (a double click, a refresh, a second tab): nothing changed.
    ALREADY_COMPLETED = "already_completed"
    # The personal link was already used to send answers, from another draft.
    INVITATION_USED = "invitation_used"
    ROUND_CLOSED = "round_closed"


def new_assessment(
    organisation: Organisation, roles: Sequence[str] | None = None, title: str = ""
) -> Assessment:
    """A new, open round of the current questionnaire, answered by `roles` (default: HR)."""
    return Assessment.objects.create(
        organisation=organisation,
        questionnaire_version=get_questionnaire().version,
        roles=[role for role in Role.values if role in (roles or [Role.HR])],
        title=title,
    )


def start_response(
    assessment: Assessment, role: str = Role.HR, language: str = Language.NL
) -> tuple[Response, str]:
    """A new draft response in `role`, answered in `language`; returns it with its resume
    token.

    The token is returned once and only its hash is stored: the respondent keeps the link.
    """
    token = new_token()
    response = Response.objects.create(
        assessment=assessment, role=role, resume_token_hash=hash_token(token), language=language
    )
    return response, token


def start_assessment(organisation: Organisation) -> tuple[Response, str]:
    """A new single-respondent assessment with its first (HR) response and resume token."""
    with transaction.atomic():
        assessment = new_assessment(organisation)
        return start_response(assessment)


def response_for_token(token: str) -> Response | None:
    return (
        Response.objects.select_related("assessment__organisation")
        .filter(resume_token_hash=hash_token(token))
        .first()
    )


def _value(number: int | None, code: str, text: str) -> AnswerValue:
    return number if number is not None else (code or text or None)


def answers_of(response: Response, item_ids: Iterable[str] | None = None) -> dict[str, AnswerValue]:
    """The response's saved answers, or only those of the given items."""
    rows = response.answers.all()
    if item_ids is not None:
        rows = rows.filter(item_id__in=list(item_ids))
    return {
        item_id: _value(number, code, text)
        for item_id, number, code, text in rows.values_list("item_id", "number", "code", "text")
    }


def completed_responses(
    assessment: Assessment, response_ids: Iterable[int] | None = None
) -> list[tuple[str, dict[str, AnswerValue]]]:
    """(role, answers) of every completed response of the round (or of those among
    `response_ids`), in one query.

    The order is the responses' creation order; nothing in it says who answered.
    """
    responses = Response.objects.filter(assessment=assessment, completed_on__isnull=False)
    if response_ids is not None:
        responses = responses.filter(pk__in=list(response_ids))
    rows = (
        Answer.objects.filter(response__in=responses)
        .order_by("response_id", "pk")
        .values_list("response_id", "response__role", "item_id", "number", "code", "text")
    )
    by_response: dict[int, tuple[str, dict[str, AnswerValue]]] = {}
    for response_id, role, item_id, number, code, text in rows:
        by_response.setdefault(response_id, (role, {}))[1][item_id] = _value(number, code, text)
    # A completed response without a single answer row still counts as a response.
    empty = responses.exclude(pk__in=list(by_response))
    for response_id, role in empty.values_list("pk", "role"):
        by_response[response_id] = (role, {})
    return [by_response[key] for key in sorted(by_response)]


def save_answers(
    response: Response | int,
    answers: Mapping[str, AnswerValue],
    *,
    section_id: str = "",
    cleared: frozenset[str] | set[str] = frozenset(),
) -> bool:
    """Store a page of answers at once (all or nothing); `cleared` item ids lose their answer.

    Returns False, saving nothing, when the response is completed (or gone): answers of a sent
    response never change. Values must already be valid for the questionnaire (see
    Questionnaire.validate_answers).
    """
    questionnaire = get_questionnaire()
    response_id = response if isinstance(response, int) else response.pk
    rows = []
    for item_id, value in answers.items():
        item = questionnaire.item(item_id)
        is_text = item is not None and item.scale == "text"
        rows.append(
            Answer(
                response_id=response_id,
                item_id=item_id,
                number=value if isinstance(value, int) else None,
                code=value if isinstance(value, str) and not is_text else "",
                text=value if isinstance(value, str) and is_text else "",
            )
        )
    fields: dict[str, object] = {"updated_on": today()}
    if section_id:
        fields["last_section"] = section_id
    with transaction.atomic():
        # Checks that the response is open and marks it changed, in one statement.
        if not Response.objects.filter(pk=response_id, completed_on__isnull=True).update(**fields):
            return False
        if cleared:
            Answer.objects.filter(response_id=response_id, item_id__in=cleared).delete()
        Answer.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["response", "item_id"],
            update_fields=["number", "code", "text"],
        )
    return True


class _InvitationUsed(Exception):
    pass


def complete_response(response: Response, invitation_id: int | None = None) -> Completion:
    """Mark the response completed and, for a personal link, its invitation, at once.

    Concurrent sends complete once: each step is an UPDATE whose condition only matches a
    row that is not completed yet. The database locks the row for the first writer; the others
    wait, see the committed change and match nothing. A personal invitation completes once
    too: a second draft made with the same link is refused and stays a draft.
    `invitation_id` comes from the respondent's session, never from the response.
    """
    day = today()
    try:
        with transaction.atomic():
            # Locks the round's row: a close waits for this send to commit (and then
            # publishes it), or this send waits for the close and sees the round closed.
            if not (
                Assessment.objects.select_for_update()
                .filter(pk=response.assessment_id, status=Assessment.Status.OPEN)
                .values_list("pk", flat=True)
            ):
                return Completion.ROUND_CLOSED
            # Only the row's own columns in the condition, so that a waiting writer re-checks
            # it against the committed row (a join would be checked against its old snapshot).
            if not Response.objects.filter(pk=response.pk, completed_on__isnull=True).update(
                completed_on=day, updated_on=day
            ):
                return Completion.ALREADY_COMPLETED
            if invitation_id is not None and not Invitation.objects.filter(
                pk=invitation_id,
                assessment_id=response.assessment_id,
                kind=Invitation.Kind.PERSONAL,
                completed_on__isnull=True,
            ).update(completed_on=day):
                raise _InvitationUsed
    except _InvitationUsed:
        return Completion.INVITATION_USED
    finally:
        response.refresh_from_db(fields=["completed_on", "updated_on"])
    return Completion.COMPLETED


def unanswered_items(
    answers: Mapping[str, AnswerValue], questionnaire: Questionnaire | None = None
) -> dict[str, list[str]]:
    """Item ids without an answer, per section id (optional items are not listed)."""
    questionnaire = questionnaire or get_questionnaire()
    missing: dict[str, list[str]] = {}
    for item in questionnaire.items():
        if not item.optional and item.id not in answers:
            missing.setdefault(item.section, []).append(item.id)
    return missing


def resume_section(
    answers: Mapping[str, AnswerValue], questionnaire: Questionnaire | None = None
) -> str | None:
    """The first section (in questionnaire order) with an unanswered required item, or None.

    None means every required item has an answer ("weet niet" counts): resume at the review.
    """
    questionnaire = questionnaire or get_questionnaire()
    missing = unanswered_items(answers, questionnaire)
    return next((s.id for s in questionnaire.sections if s.id in missing), None)


def adjacent_sections(
    section_id: str, questionnaire: Questionnaire | None = None
) -> tuple[str | None, str | None]:
    """The ids of the sections before and after `section_id` (None at either end)."""
    questionnaire = questionnaire or get_questionnaire()
    ids = [section.id for section in questionnaire.sections]
    index = ids.index(section_id)
    previous = ids[index - 1] if index > 0 else None
    following = ids[index + 1] if index + 1 < len(ids) else None
    return previous, following


def submit_complete_response(
    organisation: Organisation, answers: Mapping[str, AnswerValue]
) -> Assessment:
    """A new assessment of the organisation holding one completed response with `answers`.

    For a client that sends the whole questionnaire at once (the API): everything is stored in
    one transaction, so a failure leaves nothing behind. No resume link is handed out: there is
    nothing left to answer, so the assessment is closed at once (its report is a closed round's
    first publication, see reports.services). Values must already be valid (see
    Questionnaire.validate_answers).
    """
    with transaction.atomic():
        response, _token = start_assessment(organisation)
        save_answers(response, answers)
        complete_response(response)
        Assessment.objects.filter(pk=response.assessment_id).update(
            status=Assessment.Status.CLOSED, closed_at=timezone.now()
        )
        response.assessment.refresh_from_db(fields=["status", "closed_at"])
    return response.assessment


def can_be_scored(
    answers: Mapping[str, AnswerValue], questionnaire: Questionnaire | None = None
) -> bool:
    """Whether at least one challenge gets a score, which a profile and a report need.

    A challenge is scored when at least three quarters of its statements have an answer other
    than "weet niet" (see leerkansen.scoring.scales.challenge_scores).
    """
    questionnaire = questionnaire or get_questionnaire()
    numbers = {k: v for k, v in answers.items() if isinstance(v, int)}
    scores = scores_of([numbers], scale_items(questionnaire))
    return any(score is not None for score in scores.values())
