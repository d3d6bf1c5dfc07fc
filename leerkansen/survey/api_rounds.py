"""Rounds through the API: open a round, enter a respondent's answers, close it.

POST /api/v1/rounds: a new open round (title, roles), as the round page opens one.
POST /api/v1/rounds/{id}/responses: one respondent's completed answers, typed in by the
organisation (a paper questionnaire, an import) and marked so (Response.entered_by_organisation).
POST /api/v1/rounds/{id}/close: the round takes no more answers; its final report is published.
The round's report is the reports app's (reports/api_rounds.py): the survey does not import it.

The same rules as the web, through the same functions: a round is opened and closed by
survey.rounds; an entered response is started, saved and completed by survey.services and
announced with signals.response_completed, so the report changes only in steps of k
(reports.services.refresh_report). Its body is judged like POST /assessments' (survey/api.py:
the questionnaire decides, control characters go) and against the role's version of the
questionnaire. An entered response counts as a respondent's, never as the admins' own: the round
no longer publishes a report of fewer than k at its close (Assessment.links_made).

The organisation's API key is needed; a round of another organisation is a 404, exactly like one
that does not exist. Every answer is marked not to be cached.
"""

from __future__ import annotations

from typing import Annotated, Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext
from ninja import Field, Router, Schema, Status
from pydantic import BaseModel, ConfigDict, WithJsonSchema

from leerkansen.content.questionnaire import questionnaire_for
from leerkansen.lib.text import clean_text
from leerkansen.organisations.api_auth import OrganisationToken
from leerkansen.organisations.tenancy import owned

from . import rounds
from .api import (
    EXAMPLE,
    AssessmentIn,
    ErrorOut,
    error,
    parse_body,
    read_submission,
    values_message,
)
from .models import Assessment, Role
from .models import Response as SurveyResponse
from .services import AnswerValue, Completion, complete_response, save_answers, start_response
from .signals import response_completed

router = Router(tags=["rounds"], auth=OrganisationToken())

TITLE_MAX_LENGTH = Assessment._meta.get_field("title").max_length
RoleValue = Annotated[Any, WithJsonSchema({"type": "string", "enum": Role.values})]
ROUND_EXAMPLE = {"title": "Voorjaar 2027", "roles": ["leidinggevende", "medewerker"]}


class RoundIn(BaseModel):
    """A new round / een nieuwe ronde."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [ROUND_EXAMPLE]})

    title: str = Field(
        default="",
        description=f"Optional, at most {TITLE_MAX_LENGTH} characters / optioneel.",
        examples=[ROUND_EXAMPLE["title"]],
    )
    roles: list[RoleValue] = Field(
        default_factory=list,
        description=(
            "Who answers, at least one: hr, directie, leidinggevende, medewerker. "
            "Wie antwoordt, minstens één groep."
        ),
        examples=[ROUND_EXAMPLE["roles"]],
    )


# The schema's example: HR's version, which every field of the body has.
EXAMPLE_ROLE = Role.HR.value
RESPONSE_EXAMPLE = {"role": EXAMPLE_ROLE, **EXAMPLE}


def _role_required(schema: dict) -> None:
    # Checked by the endpoint (for a Dutch message naming the round's roles), required all
    # the same: say so in the schema.
    schema["required"] = ["role"]
    schema["examples"] = [RESPONSE_EXAMPLE]


class RoundResponseIn(AssessmentIn):
    """One respondent's answers, typed in by the organisation / de antwoorden van één persoon,
    ingevoerd door de organisatie."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_role_required)

    role: RoleValue = Field(
        default=None,
        description=(
            "The respondent's role, one of the round's roles; it decides the version of the "
            "questionnaire the answers are judged by (GET /api/v1/questionnaire?rol=…). "
            "De rol van wie antwoordde."
        ),
        examples=[EXAMPLE_ROLE],
    )


class RoundOut(Schema):
    id: str = Field(description="The round's unguessable id / de code van de ronde.")
    title: str
    roles: list[str] = Field(examples=[["leidinggevende", "medewerker"]])
    status: str = Field(description='"open" or "closed".', examples=["open"])
    completed: int = Field(
        description=(
            "Completed responses in total, as the round page shows them (per role only on the "
            "report, and only for groups large enough to stay anonymous)."
        )
    )
    report_url: str | None = Field(
        description=(
            "GET /api/v1/rounds/{id}/report once the round has a report; null before the "
            "first k responses are in."
        )
    )


def round_as_dict(request: HttpRequest, assessment: Assessment) -> dict:
    # The report through the reverse relation of Report.assessment: the reports app reads
    # the survey, not the other way round.
    has_report = Assessment.objects.filter(pk=assessment.pk, report__isnull=False).exists()
    report_url = reverse("api_v1:round_report", args=[assessment.code])
    return {
        "id": assessment.code,
        "title": assessment.title,
        "roles": assessment.roles,
        "status": assessment.status,
        "completed": assessment.responses.filter(completed_on__isnull=False).count(),
        "report_url": request.build_absolute_uri(report_url) if has_report else None,
    }


def _owned_round(request: HttpRequest, code: str) -> Assessment | None:
    # request.auth is the API key's organisation (OrganisationToken).
    return owned(Assessment, request.auth).filter(code=code).first()


def round_not_found() -> Status:
    msg = gettext("There is no round with this id.")
    return Status(404, {"detail": [error(["path", "id"], msg, "not_found")]})


def _round_closed() -> Status:
    msg = gettext("This round is closed: it takes no more answers.")
    return Status(409, {"detail": [error(["path", "id"], msg, "round_closed")]})


def _invalid(loc: list, msg: str, kind: str) -> Status:
    return Status(422, {"detail": [error(["body", *loc], msg, kind)]})


def _body_schema(model: type[BaseModel], example: dict) -> dict:
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": model.model_json_schema(), "example": example}
            },
        }
    }


# --- POST /rounds ---------------------------------------------------------------------------


@router.post(
    "/rounds",
    response={201: RoundOut, 400: ErrorOut, 422: ErrorOut},
    summary="Open a round / een ronde openen",
    description=(
        "A new open round of the organisation of the API key, answered by the given roles, as "
        "the round page opens one. Respondents answer through the links made on the round page, "
        "or the organisation enters their answers (POST /api/v1/rounds/{id}/responses).\n\n"
        "Een nieuwe, open ronde van de organisatie van de API-sleutel, beantwoord door de "
        "gekozen groepen."
    ),
    openapi_extra=_body_schema(RoundIn, ROUND_EXAMPLE),
)
def create_round(request: HttpRequest, response: HttpResponse):
    add_never_cache_headers(response)
    data = parse_body(request.body, RoundIn)
    if isinstance(data, Status):
        return data
    title = clean_text(data.title, multiline=False).strip()
    if len(title) > TITLE_MAX_LENGTH:
        msg = gettext("Keep the title to %(limit_value)d characters at most.")
        return _invalid(["title"], msg % {"limit_value": TITLE_MAX_LENGTH}, "too_long")
    if not data.roles:
        return _invalid(["roles"], gettext("Choose at least one group that answers."), "required")
    for index, role in enumerate(data.roles):
        if role not in Role.values:
            return _invalid(["roles", index], values_message(Role.values), "invalid_value")
    assessment = rounds.open_round(request.auth, data.roles, title)
    return Status(201, round_as_dict(request, assessment))


# --- POST /rounds/{id}/responses ------------------------------------------------------------


class _NotCompleted(Exception):
    """The round closed while the response was being entered: nothing of it stays."""


def enter_response(
    assessment: Assessment, role: str, answers: dict[str, AnswerValue]
) -> Completion:
    """A completed response of `role` with `answers`, marked as entered by the organisation.

    Through the same steps as a respondent's send, in one transaction: a round that closed
    meanwhile keeps nothing of it (Completion.ROUND_CLOSED). No resume link is handed out.
    """
    try:
        with transaction.atomic():
            response, _token = start_response(assessment, role)
            SurveyResponse.objects.filter(pk=response.pk).update(entered_by_organisation=True)
            # Others' answers: the round no longer publishes a report of fewer than k.
            Assessment.objects.filter(pk=assessment.pk, links_made=False).update(links_made=True)
            save_answers(response, answers)
            outcome = complete_response(response)
            if outcome != Completion.COMPLETED:
                raise _NotCompleted(outcome)
    except _NotCompleted as refused:
        return refused.args[0]
    return Completion.COMPLETED


@router.post(
    "/rounds/{id}/responses",
    response={201: RoundOut, 400: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    summary="Enter a response / antwoorden invoeren",
    description=(
        "One respondent's answers at once, entered by the organisation: a paper questionnaire "
        "or an import. They are judged like POST /api/v1/assessments (400 for malformed JSON, "
        "422 with one entry per field), against the version of the questionnaire of the given "
        "role, which must be one of the round's. The response is stored as completed and "
        "marked as entered by the organisation. The round's report takes it in as it takes in "
        "answers sent through a link: once its role has k new responses, and at the close. "
        "A closed round gives 409.\n\n"
        "De antwoorden van één persoon, ingevoerd door de organisatie (een papieren "
        "vragenlijst, een import). Ze tellen mee zoals antwoorden via een link: het rapport "
        "verandert pas als hun groep k nieuwe antwoorden heeft."
    ),
    openapi_extra=_body_schema(RoundResponseIn, RESPONSE_EXAMPLE),
)
def enter_round_response(request: HttpRequest, id: str, response: HttpResponse):
    add_never_cache_headers(response)
    assessment = _owned_round(request, id)
    if assessment is None:
        return round_not_found()
    if not assessment.is_open:
        return _round_closed()
    data = parse_body(request.body, RoundResponseIn)
    if isinstance(data, Status):
        return data
    if data.role not in assessment.roles:
        return _invalid(["role"], values_message(assessment.roles), "invalid_role")
    submission = read_submission(data, questionnaire_for(data.role))
    if isinstance(submission, list):
        return Status(422, {"detail": submission})
    if enter_response(assessment, data.role, submission.answers) == Completion.ROUND_CLOSED:
        return _round_closed()
    # As the review page does once a send has committed: the reports app refreshes the
    # round's report where the rule allows it; a receiver that fails leaves the answers in.
    response_completed.send_robust(sender=SurveyResponse, assessment=assessment)
    return Status(201, round_as_dict(request, assessment))


# --- POST /rounds/{id}/close ----------------------------------------------------------------


@router.post(
    "/rounds/{id}/close",
    response={200: RoundOut, 404: ErrorOut},
    summary="Close a round / een ronde afsluiten",
    description=(
        "Closes the round for good, as the round page does: no more answers, its links stop "
        "working, the invited e-mail addresses are erased, and the final report is published "
        "(with the groups large enough to stay anonymous). Closing a closed round changes "
        "nothing.\n\n"
        "Sluit de ronde definitief af: geen antwoorden meer, de links werken niet meer, de "
        "e-mailadressen worden gewist en het eindrapport verschijnt."
    ),
)
def close_round(request: HttpRequest, id: str, response: HttpResponse):
    add_never_cache_headers(response)
    assessment = _owned_round(request, id)
    if assessment is None:
        return round_not_found()
    rounds.close_round(assessment)
    return round_as_dict(request, assessment)
