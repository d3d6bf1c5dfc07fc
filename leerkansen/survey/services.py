"""Starting, saving and completing responses: the rules views and the API share."""

from collections.abc import Iterable, Mapping

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


def answers_of(response: Response, item_ids: Iterable[str] | None = None) -> dict[str, AnswerValue]:
    """The response's saved answers, or only those of the given items."""
    rows = response.answers.all()
    if item_ids is not None:
        rows = rows.filter(item_id__in=list(item_ids))
    return {
        item_id: number if number is not None else (code or None)
        for item_id, number, code in rows.values_list("item_id", "number", "code")
    }


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
    response_id = response if isinstance(response, int) else response.pk
    rows = [
        Answer(
            response_id=response_id,
            item_id=item_id,
            number=value if isinstance(value, int) else None,
            code=value if isinstance(value, str) else "",
        )
        for item_id, value in answers.items()
    ]
    fields = {"updated_at": timezone.now()}
    if section_id:
        fields["last_section"] = section_id
    with transaction.atomic():
        # Checks that the response is open and marks it changed, in one statement.
        if not Response.objects.filter(pk=response_id, completed_at__isnull=True).update(**fields):
            return False
        if cleared:
            Answer.objects.filter(response_id=response_id, item_id__in=cleared).delete()
        Answer.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["response", "item_id"],
            update_fields=["number", "code"],
        )
    return True


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
    organisation_name: str, answers: Mapping[str, AnswerValue]
) -> Assessment:
    """A new organisation whose new assessment holds one completed response with `answers`.

    For a client that sends the whole questionnaire at once (the API): everything is stored in
    one transaction, so a failure leaves nothing behind. No resume link is handed out: there is
    nothing left to answer. Values must already be valid (see Questionnaire.validate_answers).
    """
    with transaction.atomic():
        organisation = Organisation.objects.create(name=organisation_name)
        response, _token = start_assessment(organisation)
        save_answers(response, answers)
        complete_response(response)
    return response.assessment


def can_be_scored(
    answers: Mapping[str, AnswerValue], questionnaire: Questionnaire | None = None
) -> bool:
    """Whether at least one challenge gets a score, which a profile and a report need.

    A challenge is scored when at least three quarters of its statements have an answer other
    than "weet niet" (see leerkansen.scoring.scales.challenge_scores).
    """
    from leerkansen.scoring.scales import ScaleItem, challenge_scores

    questionnaire = questionnaire or get_questionnaire()
    items = [ScaleItem(*spec) for spec in questionnaire.scale_items()]
    scale_ids = {item.id for item in items}
    numbers = {k: v for k, v in answers.items() if k in scale_ids and isinstance(v, int)}
    return any(score is not None for score in challenge_scores(numbers, items).values())
