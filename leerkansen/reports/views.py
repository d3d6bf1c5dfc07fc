"""The report page and its PDF: a lookup of the stored snapshot, nothing rendered per view.

Until organisations have accounts (#4), whoever holds the report's unguessable code may read it.
"""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.views.decorators.cache import never_cache

from .layout import in_layout
from .models import Report


@never_cache
def report(request: HttpRequest, code: str) -> HttpResponse:
    # One indexed lookup of the stored body; no ordering, no model instance.
    found = list(Report.objects.filter(code=code).values_list("html", flat=True)[:1])
    if not found:
        raise Http404
    return HttpResponse(in_layout(found[0]))


@never_cache
def report_pdf(request: HttpRequest, code: str) -> HttpResponse:
    # WeasyPrint is heavy: import it with the first PDF, not with the URL configuration.
    from .pdf import get_or_render_pdf

    found = get_object_or_404(Report.objects.select_related("assessment__organisation"), code=code)
    response = HttpResponse(get_or_render_pdf(found), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=pdf_filename(found)
    )
    return response


def pdf_filename(report: Report) -> str:
    """E.g. "leerkansen-rapport-zorggroep-de-linde-2026-11-26.pdf"."""
    organisation = slugify(report.assessment.organisation.name)[:60].strip("-")
    parts = ["leerkansen-rapport", organisation, timezone.localdate(report.created_at).isoformat()]
    return "-".join(part for part in parts if part) + ".pdf"
