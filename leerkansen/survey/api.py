"""The questionnaire as JSON, and the body of a whole assessment submitted in one request.

GET  /api/v1/questionnaire: every section and answerable item with its options and the roles
that answer it; ?rol= gives one role's version (content.questionnaire.questionnaire_for), ?taal=
its texts in French or English (content.questionnaire_translations), Dutch by default.
POST /api/v1/assessments: answers, practices, needs and context at once → a report. The
endpoint is the reports app's (reports/api.py), since it makes the report; its body is read
and judged here (AssessmentIn, read_body), as is a response entered in a round
(api_rounds.py: parse_body, read_submission against the role's version).

Every error of these endpoints (and of the report endpoints) has one shape, ninja's own:
{"detail": [{"loc": ["body", "answers", "B1_1"], "msg": "...", "type": "..."}]}. The POST
body is parsed here rather than by ninja, so that malformed JSON gets that shape too (400)
and every value is judged by the questionnaire itself (422, one entry per field).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema, Status
from pydantic import BaseModel, ConfigDict, ValidationInfo, WithJsonSchema, field_validator
from pydantic import ValidationError as PydanticValidationError

from leerkansen.content.questionnaire import (
    MAX_TEXT_LENGTH,
    ROLES,
    Item,
    Questionnaire,
    get_questionnaire,
)
from leerkansen.content.questionnaire_translations import (
    LANGUAGES,
    available_languages,
    questionnaire_in,
)
from leerkansen.lib.text import clean_text

from .services import AnswerValue, can_be_scored

router = Router(tags=["questionnaire"])

M = TypeVar("M", bound=BaseModel)

# Where each kind of item goes in the POST body.
FIELD_OF_SECTION_KIND = {
    "context": "context",
    "diagnostic": "answers",
    "outcomes": "answers",
    "practices": "practices",
    "needs": "needs",
}

Loc = list[str | int]


# --- Errors ---------------------------------------------------------------------------------


class ErrorDetailOut(Schema):
    loc: Loc = Field(
        description="Where the problem is: the part of the request, then the field path.",
        examples=[["body", "answers", "B1_1"]],
    )
    msg: str = Field(description="What is wrong, in Dutch / wat er mis is, in het Nederlands.")
    type: str = Field(examples=["invalid_value"])


class ErrorOut(Schema):
    detail: list[ErrorDetailOut]


def error(loc: Loc, msg: str, kind: str) -> dict:
    """One entry of an error response."""
    return {"loc": loc, "msg": msg, "type": kind}


# --- GET /questionnaire ---------------------------------------------------------------------


class OptionOut(Schema):
    value: int | str | None = Field(description='The value to send; null is "Weet niet".')
    label: str


class SectionOut(Schema):
    id: str = Field(examples=["B"])
    kind: str = Field(examples=["diagnostic"])
    title: str
    purpose: str
    optional: bool
    roles: list[str] = Field(
        description="The roles that answer it / wie dit deel beantwoordt.",
        examples=[["hr", "directie"]],
    )


class ItemOut(Schema):
    id: str = Field(examples=["B1_1"])
    section: str = Field(examples=["B"])
    challenge: int | None = Field(description="The challenge a diagnostic item measures.")
    text: str
    reverse: bool = Field(
        description="Agreeing means the challenge weighs less / akkoord gaan betekent dat de "
        "uitdaging minder zwaar weegt."
    )
    optional: bool
    action: str | None = Field(
        description='Section C: the catalogue action the row asks about ("1.1").'
    )
    actions: list[str] = Field(
        description=(
            "Section C: every action the row's answer counts for (1.1 and 2.2 are one practice "
            "and one row); send the answer under the first, the row's action."
        ),
        examples=[["1.1", "2.2"]],
    )
    roles: list[str] = Field(
        description="The roles that answer it / wie deze vraag beantwoordt.",
        examples=[["hr", "directie"]],
    )
    options: list[OptionOut]


class QuestionnaireOut(Schema):
    version: str
    language: str = Field(
        description="The language of the texts (?taal=) / de taal van de teksten.",
        examples=["nl"],
    )
    role: str | None = Field(
        description=(
            "The role whose version this is (?rol=); null: the items of every role together, "
            "each with the roles that answer it."
        ),
        examples=["medewerker"],
    )
    sections: list[SectionOut]
    items: list[ItemOut]


def _in_role_order(roles: set[str]) -> list[str]:
    return [role for role in ROLES if role in roles]


def questionnaire_as_dict(questionnaire: Questionnaire) -> dict:
    """A version of the questionnaire as the API gives it: only items some role answers (the
    retired ones, kept for stored answers, are left out), each with the roles answering it."""
    items = [item for item in questionnaire.items() if item.roles]
    roles_of_section: dict[str, set[str]] = {}
    for item in items:
        roles_of_section.setdefault(item.section, set()).update(item.roles)
    return {
        "version": questionnaire.version,
        "language": questionnaire.language,
        "role": questionnaire.role,
        "sections": [
            {
                "id": section.id,
                "kind": section.kind,
                "title": section.title,
                "purpose": section.purpose,
                "optional": section.optional,
                "roles": _in_role_order(roles_of_section[section.id]),
            }
            for section in questionnaire.sections
            if section.id in roles_of_section
        ],
        "items": [
            {
                "id": item.id,
                "section": item.section,
                "challenge": item.challenge,
                "text": item.text,
                "reverse": item.reverse,
                "optional": item.optional,
                "action": item.action,
                "actions": list(item.actions),
                "roles": _in_role_order(set(item.roles)),
                "options": [
                    {"value": option.value, "label": option.label} for option in item.options
                ],
            }
            for item in items
        ],
    }


def values_message(values: Iterable[object]) -> str:
    """What to send instead: the values as JSON (labels of a form mean little here)."""
    listed = ", ".join("null" if value is None else json.dumps(value) for value in values)
    return gettext("Send one of these values: %(values)s.") % {"values": listed}


@router.get(
    "/questionnaire",
    response={200: QuestionnaireOut, 400: ErrorOut, 422: ErrorOut},
    summary="The questionnaire / de vragenlijst",
    description=(
        "Every section and every answerable item, with the values it accepts. Each role "
        "answers its own version: ?rol=hr, directie, leidinggevende or medewerker gives that "
        "version (what POST /api/v1/rounds/{id}/responses accepts for the role); without it, "
        "the items of every role together, each naming the roles that answer it. Section C has "
        "one row per practice; section D ranks the nine challenges. ?taal=nl, fr or en gives "
        "the texts in Dutch (the default), French or English: the ids and values to send are "
        "the same in every language.\n\n"
        "Alle delen en vragen van de vragenlijst, met de antwoorden die ze aanvaarden. Elke rol "
        "beantwoordt een eigen versie: ?rol=medewerker geeft die van de medewerkers. ?taal=fr "
        "geeft de teksten in het Frans, ?taal=en in het Engels."
    ),
)
def questionnaire(
    request: HttpRequest,
    rol: str | None = Query(
        None,
        description="The role whose version to give / de rol: " + ", ".join(ROLES),
        examples=["medewerker"],
    ),
    taal: str = Query(
        "nl",
        description="The language of the texts / de taal: " + ", ".join(LANGUAGES),
        examples=["fr"],
    ),
):
    if taal not in available_languages():
        msg = gettext("Choose one of these languages: %(languages)s.") % {
            "languages": ", ".join(available_languages())
        }
        return Status(400, {"detail": [error(["query", "taal"], msg, "invalid_language")]})
    if rol is not None and rol not in ROLES:
        return Status(
            422, {"detail": [error(["query", "rol"], values_message(ROLES), "invalid_value")]}
        )
    return questionnaire_as_dict(questionnaire_in(taal, rol))


# --- POST /assessments ----------------------------------------------------------------------

_PRACTICE_VALUES = [option.value for option in get_questionnaire().scales.practice]

# Values are typed loosely on purpose: the questionnaire judges them (1, not "1" or 1.0) and
# says per field what it accepts. The JSON schema still documents what to send.
AgreementValue = Annotated[
    Any,
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "integer", "minimum": 1, "maximum": 5},
                {"type": "null"},
                {"type": "string", "maxLength": MAX_TEXT_LENGTH},
            ]
        }
    ),
]
PracticeValue = Annotated[
    Any,
    WithJsonSchema({"anyOf": [{"type": "string", "enum": _PRACTICE_VALUES}, {"type": "null"}]}),
]
NeedValue = Annotated[Any, WithJsonSchema({"type": "integer", "minimum": 1, "maximum": 9})]
ContextValue = Annotated[Any, WithJsonSchema({"anyOf": [{"type": "string"}, {"type": "null"}]})]


# The schema's example of a whole body, which the endpoint accepts (tests/test_openapi.py), as
# is HR's version: challenge 1 answered fully enough for a score, one "weet niet", an open answer.
EXAMPLE_ANSWERS: dict[str, Any] = {
    "B1_1": 4,
    "B1_3": 5,
    "B1_5": None,
    "B1_6": 4,
    "B1_7": 2,
    "E_1": 3,
    "E_open": "Meer tijd om van elkaar te leren.",
}
EXAMPLE_PRACTICES = {"1.1": "al", "3.2": "deels"}
EXAMPLE_NEEDS = [4, 1, 9]
EXAMPLE_CONTEXT = {"A_size": "50_249", "A_sector": "Q"}
EXAMPLE = {
    "answers": EXAMPLE_ANSWERS,
    "practices": EXAMPLE_PRACTICES,
    "needs": EXAMPLE_NEEDS,
    "context": EXAMPLE_CONTEXT,
}


# A plain pydantic model: ninja's Schema would read any JSON value (a list, a number) as an
# empty object instead of refusing it.
class AssessmentIn(BaseModel):
    """One respondent's answers / de antwoorden van één persoon."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [EXAMPLE]})

    answers: dict[str, AgreementValue] = Field(
        default_factory=dict,
        description=(
            "Sections B and E: item id → 1 (helemaal oneens) to 5 (helemaal eens), or null for "
            '"weet niet". A challenge gets a score when at least 75% of its items have one. '
            f"An open question (E_open) takes text of at most {MAX_TEXT_LENGTH} characters."
        ),
        examples=[EXAMPLE_ANSWERS],
    )
    practices: dict[str, PracticeValue] = Field(
        default_factory=dict,
        description=(
            "Section C, optional: catalogue action id → what is in place already, or null for "
            '"weet niet". Actions that are one practice (1.1 and 2.2) are one row: send it once.'
        ),
        examples=[EXAMPLE_PRACTICES],
    )
    needs: list[NeedValue] = Field(
        default_factory=list,
        description="Section D: up to three challenge numbers, the largest need first.",
        json_schema_extra={"maxItems": 3, "uniqueItems": True},
        examples=[EXAMPLE_NEEDS],
    )
    context: dict[str, ContextValue] = Field(
        default_factory=dict,
        description=(
            'Section A: item id → option value (null for "weet niet"). The '
            "assessment belongs to the organisation of the API token."
        ),
        examples=[EXAMPLE_CONTEXT],
    )

    @field_validator("answers", "context")
    @classmethod
    def _without_control_characters(
        cls, values: dict[str, Any], info: ValidationInfo
    ) -> dict[str, Any]:
        # Invisible control characters go (lib.text), so that a pasted NUL byte is not a 500
        # in the database; an open answer keeps its line breaks, an option code gets none.
        multiline = info.field_name == "answers"
        return {
            key: clean_text(value, multiline=multiline) if isinstance(value, str) else value
            for key, value in values.items()
        }


@dataclass(frozen=True)
class Submission:
    """A POST body that passed every check: the answers by item id."""

    answers: dict[str, AnswerValue]


def read_submission(data: AssessmentIn, questionnaire: Questionnaire) -> Submission | list[dict]:
    """Map the body's fields to item ids and check them; the errors, or the submission.

    The questionnaire decides which values an item accepts (validate_answers); this adds what
    the API's shape needs: each item in its own field, action ids for practices, at most
    three ranked needs, and enough answers for at least one challenge score (without
    one, no profile can be assigned).
    """
    errors: list[dict] = []
    answers: dict[str, Any] = {}
    where: dict[str, Loc] = {}

    def take(field: str, key: str, item_id: str, value: Any) -> None:
        answers[item_id] = value
        where[item_id] = ["body", field, key]

    def take_item(field: str, key: str, value: Any) -> None:
        item = questionnaire.item(key)
        loc: Loc = ["body", field, key]
        if item is None:
            msg = gettext("This question is not part of the questionnaire.")
            errors.append(error(loc, msg, "unknown_item"))
            return
        section = questionnaire.section(item.section)
        belongs = FIELD_OF_SECTION_KIND[section.kind] if section else None
        if item.about is not None:
            msg = gettext("The API does not take the urgency of a need yet.")
            errors.append(error(loc, msg, "not_supported"))
            return
        if belongs != field:
            msg = gettext("Send the answer to this question in “%(field)s”.") % {"field": belongs}
            errors.append(error(loc, msg, "wrong_field"))
            return
        take(field, key, item.id, value)

    for key, value in data.answers.items():
        take_item("answers", key, value)

    # Every action a row counts for leads to it (1.1 and 2.2: one row); a retired row, kept
    # for stored answers, only when no row that is asked has the action.
    rows = sorted(
        (item for item in questionnaire.items() if item.action), key=lambda i: not i.roles
    )
    practice_items: dict[str, str] = {}
    sent_as: dict[str, str] = {}
    for item in rows:
        for action in item.actions or (item.action,):
            practice_items.setdefault(action, item.id)
    for key, value in data.practices.items():
        loc: Loc = ["body", "practices", key]
        if key not in practice_items:
            if practice_items:
                msg = gettext("The catalogue has no action with this number.")
                errors.append(error(loc, msg, "unknown_action"))
            else:
                msg = gettext("This question is not part of the questionnaire.")
                errors.append(error(loc, msg, "unknown_item"))
        elif practice_items[key] in sent_as:
            msg = gettext("%(action)s is the same practice as %(other)s: send it once.") % {
                "action": key,
                "other": sent_as[practice_items[key]],
            }
            errors.append(error(loc, msg, "same_practice"))
        else:
            sent_as[practice_items[key]] = key
            take("practices", key, practice_items[key], value)

    need_ids = [need_id for need_id, _ in questionnaire.need_items()]
    if data.needs and not need_ids:
        msg = gettext("This question is not part of the questionnaire.")
        errors.append(error(["body", "needs"], msg, "unknown_item"))
    elif len(data.needs) > len(need_ids):
        msg = gettext("Choose at most %(count)d challenges.") % {"count": len(need_ids)}
        errors.append(error(["body", "needs"], msg, "too_many_needs"))
    else:
        for rank, value in enumerate(data.needs):
            answers[need_ids[rank]] = value
            where[need_ids[rank]] = ["body", "needs", rank]

    for key, value in data.context.items():
        take_item("context", key, value)

    for item_id, messages in questionnaire.validate_answers(answers).items():
        item = questionnaire.item(item_id)
        assert item is not None  # only known items were taken
        if item.id in need_ids and _is_option(item, answers[item_id]):
            # A valid challenge refused: it was ranked higher already.
            errors += [error(where[item_id], msg, "duplicate_need") for msg in messages]
        else:
            values = values_message(option.value for option in item.options)
            errors.append(error(where[item_id], values, "invalid_value"))

    if not errors and not can_be_scored(answers, questionnaire):
        msg = gettext(
            "Answer at least three quarters of the statements of one challenge: without that, "
            "no profile can be given."
        )
        errors.append(error(["body", "answers"], msg, "too_few_answers"))

    if errors:
        return errors
    return Submission(answers=answers)


def _is_option(item: Item, value: Any) -> bool:
    return any(
        option.value is not None and type(option.value) is type(value) and option.value == value
        for option in item.options
    )


def _pydantic_errors(exc: PydanticValidationError) -> list[dict]:
    return [
        error(["body", *problem["loc"]], problem["msg"], problem["type"])
        for problem in exc.errors(include_url=False)
    ]


def parse_body(body: bytes, model: type[M]) -> M | Status:
    """A JSON body read into `model`, or the answer that refuses it: 400 for malformed JSON,
    422 (one entry per field) for a shape the model does not accept."""
    try:
        raw = json.loads(body)
    except (ValueError, RecursionError):
        msg = gettext("The request body is not valid JSON.")
        return Status(400, {"detail": [error(["body"], msg, "json_invalid")]})
    try:
        return model.model_validate(raw)
    except PydanticValidationError as exc:
        return Status(422, {"detail": _pydantic_errors(exc)})


def read_body(body: bytes, questionnaire: Questionnaire) -> Submission | Status:
    """A POST /assessments body as a checked submission, or the answer that refuses it:
    400 for malformed JSON, 422 for anything the questionnaire cannot accept."""
    data = parse_body(body, AssessmentIn)
    if isinstance(data, Status):
        return data
    submission = read_submission(data, questionnaire)
    if isinstance(submission, list):
        return Status(422, {"detail": submission})
    return submission
