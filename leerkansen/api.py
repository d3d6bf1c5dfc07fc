"""The JSON API under /api/v1/, its OpenAPI schema and the errors every endpoint shares.

Errors keep one shape, ninja's own: {"detail": [{"loc": [...], "msg": "...", "type": "..."}]}
(survey/api.py). Here: a missing, unknown or revoked API key (401, with WWW-Authenticate), and
a database outage (503, with Retry-After, logged). Every operation that needs the key documents
its 401 in the schema, so that the schema and the answers agree without listing it per route.
"""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext
from ninja import NinjaAPI
from ninja.errors import AuthenticationError

from .catalogue.api import router as catalogue_router
from .lib.middleware import DATABASE_OUTAGE, RETRY_AFTER_SECONDS, log_outage
from .reports.api import router as reports_router
from .reports.api import submission_router
from .reports.api_rounds import router as round_report_router
from .survey.api import error
from .survey.api import router as survey_router
from .survey.api_rounds import router as rounds_router

UNAUTHORIZED = {
    "description": (
        "No valid API key: the Authorization header is missing, or the key is unknown or "
        "revoked. / Geen geldige API-sleutel: ze ontbreekt, is onbekend of ingetrokken."
    ),
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}},
}


class LeerkansenAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None) -> Any:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for operations in schema["paths"].values():
            for operation in operations.values():
                if operation.get("security"):
                    responses = operation["responses"]
                    responses[401] = UNAUTHORIZED
                    operation["responses"] = dict(
                        sorted(responses.items(), key=lambda r: str(r[0]))
                    )
        return schema


api = LeerkansenAPI(
    title="Leerkansen API",
    version="1",
    description="Het actiemenu van Leerkansen: 9 uitdagingen en 48 acties voor informeel leren.",
    urls_namespace="api_v1",
    openapi_url="/openapi.json",
    docs_url="/docs",
)
api.add_router("", catalogue_router)
api.add_router("", survey_router)
api.add_router("", submission_router)
api.add_router("", reports_router)
api.add_router("", rounds_router)
api.add_router("", round_report_router)


@api.exception_handler(AuthenticationError)
def unauthorized(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    msg = gettext("Send a valid API key of your organisation: “Authorization: Bearer <key>”.")
    detail = [error(["header", "Authorization"], msg, "unauthorized")]
    response = api.create_response(request, {"detail": detail}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="Leerkansen"'
    return response


def database_unavailable(request: HttpRequest, exc: Exception) -> HttpResponse:
    log_outage(request, exc)
    msg = gettext("Leerkansen is briefly unavailable. Try again in a minute.")
    response = api.create_response(request, {"detail": [error([], msg, "unavailable")]}, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


for _outage in DATABASE_OUTAGE:
    api.add_exception_handler(_outage, database_unavailable)
