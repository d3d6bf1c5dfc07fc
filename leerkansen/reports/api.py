"""A whole assessment submitted at once, and an assessment's report as JSON and as PDF.

POST /api/v1/assessments: one respondent's answers at once → a closed assessment and its
report (submission_router; the body is read and judged by the survey, survey/api.py).
GET /api/v1/assessments/{id}/report: the snapshot's versions, scores, profile and top 3.
GET /api/v1/assessments/{id}/report.pdf: the same report as PDF.

Nothing is recomputed per request: the stored snapshot is served. All need the
organisation's API key (`Authorization: Bearer …`); an assessment of another organisation is
a 404, exactly like one that does not exist.
"""

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext
from ninja import Field, Router, Schema, Status

from leerkansen.content.catalogue import get_catalogue
from leerkansen.content.questionnaire import get_questionnaire
from leerkansen.lib.downloads import attachment
from leerkansen.organisations.api_auth import OrganisationToken
from leerkansen.organisations.tenancy import owned
from leerkansen.survey.api import EXAMPLE, AssessmentIn, ErrorOut, error, read_body
from leerkansen.survey.services import submit_complete_response

from .models import Report
from .presentation import top_reasons
from .services import create_report
from .tasks import stored_pdf_or_ask

# The submission is documented with the questionnaire it answers.
submission_router = Router(tags=["questionnaire"])
router = Router(tags=["reports"], auth=OrganisationToken())


# --- POST /assessments ----------------------------------------------------------------------


class AssessmentCreatedOut(Schema):
    id: str = Field(description="The assessment's unguessable id / de code van de bevraging.")
    report_url: str
    pdf_url: str


def report_urls(request: HttpRequest, report: Report) -> tuple[str, str]:
    """Absolute URLs of the report's web page and PDF."""
    page = reverse("reports:report", args=[report.code])
    pdf = reverse("reports:report_pdf", args=[report.code])
    return request.build_absolute_uri(page), request.build_absolute_uri(pdf)


@submission_router.post(
    "/assessments",
    auth=OrganisationToken(),
    # The id it had before it moved here from survey/api.py: clients generated from the
    # schema name their method after it.
    operation_id="leerkansen_survey_api_create_assessment",
    response={201: AssessmentCreatedOut, 400: ErrorOut, 422: ErrorOut},
    summary="Submit a whole assessment / een volledige bevraging indienen",
    description=(
        "Requires the organisation's API token (Authorization: Bearer …); the assessment "
        "belongs to that organisation. One respondent's answers at once. The assessment is "
        "stored as completed and its "
        "report is made immediately; the response gives its id and the report's addresses. "
        "Malformed JSON gives 400; any field the questionnaire cannot accept gives 422 with "
        "one entry per field.\n\n"
        "De antwoorden van één persoon in één keer. De bevraging wordt afgesloten en het "
        "rapport meteen gemaakt."
    ),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": AssessmentIn.model_json_schema(),
                    "example": EXAMPLE,
                }
            },
        }
    },
)
def create_assessment(request: HttpRequest):
    submission = read_body(request.body, get_questionnaire())
    if isinstance(submission, Status):
        return submission
    with transaction.atomic():
        assessment = submit_complete_response(request.auth, submission.answers)
        report = create_report(assessment)
    report_url, pdf_url = report_urls(request, report)
    return Status(201, {"id": assessment.code, "report_url": report_url, "pdf_url": pdf_url})


# --- GET /assessments/{id}/report(.pdf) ----------------------------------------------------


class ProfileOut(Schema):
    id: str
    name: str
    probability: float | None = Field(
        description=(
            "Posterior probability, in (0, 1], under an estimated model; null while the model "
            "is a prior (model_status), whose probabilities are not a finding."
        )
    )


class Top3Out(Schema):
    action: str = Field(examples=["4.2"])
    reason: str = Field(description="Why this action / waarom deze actie.")


class NeedOut(Schema):
    challenge: int = Field(ge=1, le=9)
    urgency: float | None = Field(description="Mean urgency from 1 to 5, or null.")


class ReportOut(Schema):
    questionnaire_version: str
    model_version: str
    catalogue_version: str = Field(description="The catalogue the action ids refer to.")
    scores: dict[str, float | None] = Field(
        description=(
            'Challenge "1" to "9" → 0–100 (higher: the challenge weighs more), or null with '
            "too few answers."
        ),
        examples=[{"1": 72.5, "2": None}],
    )
    model_status: str = Field(
        description=(
            '"prior": the profiles and their fit with the actions are a starting model stated '
            "by hand from the study's challenges, not yet tested on organisations' data; "
            '"estimated": estimated from organisations\' data.'
        ),
        examples=["prior"],
    )
    profile: ProfileOut = Field(description="The profile the organisation resembles most.")
    runner_up: ProfileOut | None = Field(
        description="The second profile, named when the first is not clearly dominant."
    )
    top3: list[Top3Out]
    needs: list[NeedOut] = Field(description="The organisation's own largest needs, in order.")
    response_count: int = Field(description="Completed responses the report is made from.")
    final: bool = Field(
        description=(
            "Whether this is the closed round's final state. An open round's report changes "
            "only once a role has k (the anonymity threshold) new responses and holds nothing "
            "per role."
        )
    )
    left_out: int = Field(
        description=(
            "Completed responses the closed round's report does not include: taking them in "
            "would let the difference with an earlier state show them (a role's responses wait "
            "while it has fewer than k new ones)."
        )
    )
    role_counts: dict[str, int] = Field(
        description=(
            "Completed responses per role (hr, directie, leidinggevende, medewerker); empty "
            "until the round is closed (final)."
        ),
        examples=[{"hr": 1, "leidinggevende": 4, "medewerker": 6}],
    )
    role_scores: dict[str, dict[str, float | None]] = Field(
        description=(
            "Scores per group, only in the final state and only for groups with enough "
            "responses to stay anonymous (the anonymity threshold, with complementary "
            "suppression, also against the earlier states); small roles merged under a key "
            'like "hr+directie" or left out. Other groups are absent.'
        ),
        examples=[{"medewerker": {"1": 70.0, "2": None}}],
    )
    agreement: dict[str, float | None] = Field(
        description=(
            "Agreement between respondents per challenge, from 0 to 1: the mean of the items' "
            "r_wg (above 0.70 strong, above 0.50 moderate; reports made before questionnaire "
            "2.0.0 hold r_wg(J)), or null with fewer than two respondents."
        ),
        examples=[{"1": 0.82, "2": None}],
    )
    free_text_allowed: bool = Field(
        description="Whether the round has enough responses to show answers to open questions."
    )
    free_text: dict[str, list[str]] = Field(
        description="Answers per open question, alphabetically; empty unless free_text_allowed."
    )


def _reason(report: Report, item: dict) -> str:
    """ "Waarom voor jullie" as the report page words it (presentation.top_reasons): from the
    stored parts, or an old report's sentence without its evidence value under a prior model."""
    return " ".join(
        top_reasons(
            item,
            respondents=report.response_count,
            challenge=get_catalogue().challenge(item["challenge"]),
            profile=report.profile,
            practice=report.practices.get(item["action"]),
        )
    )


def _profile(profile: dict | None, *, estimated: bool) -> dict | None:
    if profile is None:
        return None
    probability = profile["probability"] if estimated else None
    return {"id": profile["id"], "name": profile["name"], "probability": probability}


def report_as_dict(report: Report) -> dict:
    """The API's view of a stored snapshot. A prior model's probabilities stay out of it."""
    profile = report.profile
    status = profile.get("model_status", "prior")
    estimated = status == "estimated"
    return {
        "questionnaire_version": report.questionnaire_version,
        "model_version": report.model_version,
        "catalogue_version": report.catalogue_version,
        "scores": report.scores,
        "model_status": status,
        "profile": _profile(profile, estimated=estimated),
        "runner_up": _profile(profile.get("runner_up"), estimated=estimated),
        "top3": [
            {"action": item["action"], "reason": _reason(report, item)} for item in report.top3
        ],
        "needs": report.needs,
        "response_count": report.response_count,
        "final": report.final,
        "left_out": report.left_out,
        "role_counts": report.role_counts,
        "role_scores": report.role_scores,
        "agreement": report.agreement,
        "free_text_allowed": report.free_text_allowed,
        "free_text": report.free_text,
    }


def _owned(request: HttpRequest):
    # request.auth is the API key's organisation (OrganisationToken).
    return owned(Report, request.auth)


def _not_found() -> Status:
    msg = gettext("There is no report for this id.")
    return Status(404, {"detail": [error(["path", "id"], msg, "not_found")]})


@router.get(
    "/assessments/{id}/report",
    response={200: ReportOut, 404: ErrorOut},
    summary="An assessment's report / het rapport van een bevraging",
    description=(
        "The stored report. While the round is open it changes only once a role has k new "
        "responses; once closed, never again, also not after a new model version.\n\n"
        "Het bewaarde rapport: in een open ronde verandert het pas als een groep k nieuwe "
        "antwoorden heeft, na het afsluiten niet meer."
    ),
)
def report(request: HttpRequest, id: str, response: HttpResponse):
    # An organisation's results: no cache on the way may keep them.
    add_never_cache_headers(response)
    found = _owned(request).filter(assessment__code=id).defer("html", "pdf").first()
    if found is None:
        return _not_found()
    return report_as_dict(found)


class PdfPendingOut(Schema):
    detail: str
    retry_after: int = Field(description="Seconds to wait before asking again / wacht zo lang")


# What the API tells a client to wait for a PDF a worker is making (usually 2-4 s).
PDF_RETRY_AFTER_SECONDS = 5


@router.get(
    "/assessments/{id}/report.pdf",
    response={202: PdfPendingOut, 404: ErrorOut},
    summary="An assessment's report as PDF / het rapport als PDF",
    description=(
        "The report as an A4 PDF / het rapport als PDF (A4). While a worker makes it (the first "
        "time, within seconds): 202 with Retry-After; ask again then / 202 zolang het gemaakt "
        "wordt: vraag opnieuw na Retry-After seconden."
    ),
    openapi_extra={
        "responses": {
            200: {
                "description": "The report / het rapport",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def report_pdf(request: HttpRequest, response: HttpResponse, id: str):
    add_never_cache_headers(response)
    found = _owned(request).filter(assessment__code=id).first()
    if found is None:
        return _not_found()
    pdf, _asked_at = stored_pdf_or_ask(found)
    if pdf is None:
        response["Retry-After"] = str(PDF_RETRY_AFTER_SECONDS)
        detail = gettext("The PDF is being made. Ask again in a few seconds.")
        return Status(202, {"detail": detail, "retry_after": PDF_RETRY_AFTER_SECONDS})
    download = attachment(pdf, "leerkansen-rapport.pdf", "application/pdf", inline=True)
    add_never_cache_headers(download)
    return download
