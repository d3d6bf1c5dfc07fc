from ninja import NinjaAPI

from .catalogue.api import router as catalogue_router
from .reports.api import router as reports_router
from .survey.api import router as survey_router

api = NinjaAPI(
    title="Leerkansen API",
    version="1",
    description="Het actiemenu van Leerkansen: 9 uitdagingen en 48 acties voor informeel leren.",
    urls_namespace="api_v1",
    openapi_url="/openapi.json",
    docs_url="/docs",
)
api.add_router("", catalogue_router)
api.add_router("", survey_router)
api.add_router("", reports_router)
