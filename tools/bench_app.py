"""The WSGI app `make bench` serves: Leerkansen plus two bare baselines.

- /bench/bare/<size>/: a bare Django view returning `size` bytes;
- /bench/bare-save/<response id>/: a bare ORM write of the posted answer rows, without the
  questionnaire's session, validation or redirect.
Both go through the same server, middleware and settings as the pages they are compared with.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leerkansen.settings")

from django.core.wsgi import get_wsgi_application

application = get_wsgi_application()

from django.conf import settings  # noqa: E402
from django.db import transaction  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.urls import include, path  # noqa: E402
from django.views.decorators.csrf import csrf_exempt  # noqa: E402

from leerkansen.survey.models import Answer  # noqa: E402


def bare(request, size: int) -> HttpResponse:
    return HttpResponse(b"x" * size)


@csrf_exempt
def bare_save(request, response_id: int) -> HttpResponse:
    rows = [
        Answer(response_id=response_id, item_id=item_id, number=int(value))
        for item_id, value in request.POST.items()
        if value.isdigit()
    ]
    with transaction.atomic():
        Answer.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["response", "item_id"],
            update_fields=["number", "code"],
        )
    return HttpResponse(status=204)


urlpatterns = [
    path("bench/bare/<int:size>/", bare),
    path("bench/bare-save/<int:response_id>/", bare_save),
    path("", include("leerkansen.urls")),
]
settings.ROOT_URLCONF = __name__
