"""Settings for the load test's `collectstatic` only: production's, with Django's hashed-name
storage instead of WhiteNoise's compressing one. Both write the same manifest
(staticfiles.json), which is all the pages read; compressing 24 MB of Swagger UI with brotli
took 75 s, and the load test requests no static file. The servers run leerkansen.settings.
"""

from leerkansen.settings import *  # noqa: F403
from leerkansen.settings import STORAGES

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}
