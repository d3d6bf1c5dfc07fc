"""Starting, saving and completing responses: the rules views and the API share."""

from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone

from leerkansen.lib.codes import hash_token, new_token
from leerkansen.organisations.models import Organisation

from .models import Answer, Assessment, Response
from .questionnaire import Questionnaire, get_questionnaire

AnswerValue = int | str | None


def start_assessment(organisation: Organisation) -> tuple[Response, str]:
    """A new assessment with its first response; returns the response and its resume token.

    The token is returned once and only its hash is stored: the respondent keeps the link.
    """
    token = new_token()
    with transaction.atomic():
        assessment = Assessment.objects.create(
            organisation=organisation, questionnaire_version=get_questionnaire().version
        )
        response = Response.objects.create(
            assessment=assessment, resume_token_hash=hash_token(token)
        )
    return response, token


def response_for_token(token: str) -> Response | None:
    return (
        Response.objects.select_related("assessment__organisation")
        .filter(resume_token_hash=hash_token(token))
        .first()
    )


def answers_of(response: Response) -> dict[str, AnswerValue]:
    return {
        item_id: number if number is not None else (code or None)
        for item_id, number, code in response.answers.values_list("item_id", "number", "code")
    }


def save_answers(
    response: Response,
    answers: Mapping[str, AnswerValue],
    *,
    section_id: str = "",
    cleared: frozenset[str] | set[str] = frozenset(),
) -> None:
    """Store a page of answers at once (all or nothing); `cleared` item ids lose their answer.

    Values must already be valid for the questionnaire (see Questionnaire.validate_answers).
    """
    rows = [
        Answer(
            response=response,
            item_id=item_id,
            number=value if isinstance(value, int) else None,
            code=value if isinstance(value, str) else "",
        )
        for item_id, value in answers.items()
    ]
    with transaction.atomic():
        if cleared:
            response.answers.filter(item_id__in=cleared).delete()
        Answer.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["response", "item_id"],
            update_fields=["number", "code"],
        )
        fields = {"updated_at": timezone.now()}
        if section_id:
            fields["last_section"] = section_id
        Response.objects.filter(pk=response.pk).update(**fields)


def complete_response(response: Response) -> bool:
    """Mark the response completed; True only for the call that completed it.

    A double click or a refresh completes it once: the update only matches a draft.
    """
    completed = Response.objects.filter(pk=response.pk, completed_at__isnull=True).update(
        completed_at=timezone.now()
    )
    response.refresh_from_db(fields=["completed_at"])
    return completed == 1


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
