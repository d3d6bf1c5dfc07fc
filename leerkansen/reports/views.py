"""The report page and its PDF: a lookup of the stored snapshot, nothing rendered per view.

A report belongs to its round's organisation: only a logged-in member of that organisation
reads it; for anyone else it does not exist (404), and a visitor who is not logged in is sent
to the login page. The demo organisation's report is the one exception: it holds no one's
answers and is public at /rapport/demo/, so a newcomer sees a report at once.

The round page's button that makes or updates the report (round_report) is here too: the
survey's pages do not import the reports app. It says on the round page what changed.
"""

from django.conf import settings
from django.contrib import messages
from django.db.models import Case, Subquery, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from leerkansen.lib.downloads import attachment, waiting_page
from leerkansen.lib.prepared import Prepared, Utf8
from leerkansen.organisations.models import Membership
from leerkansen.organisations.tenancy import (
    SESSION_ORGANISATION_KEY,
    organisation_required,
    owned,
    owned_or_404,
)
from leerkansen.survey.models import Assessment

from .changes import Published, refresh_message, waiting_responses
from .layout import in_layout
from .models import Report
from .services import refresh_report, render_stored_body
from .tasks import stored_pdf_or_ask

# The stored body of the report with this code, inside the organisation the person works in
# now (tenancy.current_organisation: the one they chose if they are still a member of it, else
# their oldest membership's), as one query compiled once per process (lib/prepared.py) and run
# per view with the account's id, the chosen organisation's code ("" for none) and the report's
# code. No model instance; the body is read on every view, so a refresh or a hidden comment
# shows at once.
_OWN_REPORT = Prepared(
    lambda user_id, chosen, code: (
        # owned()'s filter (Report.organisation_path), the organisation given as a subquery.
        Report.objects.filter(
            **{
                Report.organisation_path: Subquery(
                    Membership.objects.filter(user_id=user_id)
                    .annotate(not_chosen=Case(When(organisation__code=chosen, then=0), default=1))
                    .order_by("not_chosen", "created_at", "pk")
                    .values("organisation_id")[:1]
                )
            },
            code=code,
        ).values_list("pk", Utf8("html"))[:1]
    ),
    -7_770_001,
    "prepared-chosen-organisation-marker",
    "prepared-report-code-marker",
)
_DEMO_REPORT = Prepared(lambda: _demo().values_list("pk", Utf8("html"))[:1])


@never_cache
def report(request: HttpRequest, code: str) -> HttpResponse:
    if request.method == "GET" and request.user.is_authenticated:
        chosen = request.session.get(SESSION_ORGANISATION_KEY) or ""
        found = _OWN_REPORT.rows(request.user.pk, chosen, code)
        if found:
            return _page(request, found)
    return _no_report(request, code)


@organisation_required
@require_GET
def _no_report(request: HttpRequest, code: str) -> HttpResponse:
    """Where the member's own report was not found (or not asked with GET): what
    organisation_required and require_GET answer anyone (the login, making an organisation,
    the research area, 405), else a 404."""
    raise Http404


@never_cache
@organisation_required
@require_GET
def report_pdf(request: HttpRequest, code: str) -> HttpResponse:
    back = reverse("reports:report", args=[code])
    return _pdf(request, owned(Report, request.organisation).filter(code=code), back)


@organisation_required
@require_POST
def round_report(request: HttpRequest, code: str) -> HttpResponse:
    """The round page's button (/organisatie/rondes/<code>/rapport/): bring the report up to
    date where the rule allows it (k new responses, or the close), then say on the round page
    what changed, or what is still needed (changes.py)."""
    assessment = owned_or_404(
        Assessment.objects.select_related("organisation"), request.organisation, code=code
    )
    before = Published.of(Report.objects.filter(assessment=assessment).defer("html", "pdf").first())
    after = Published.of(refresh_report(assessment))
    message = refresh_message(
        before,
        after,
        assessment=assessment,
        waiting=waiting_responses(assessment),
        threshold=settings.ANONYMITY_THRESHOLD,
    )
    changed = after is not None and (before is None or before.revision != after.revision)
    messages.add_message(request, messages.SUCCESS if changed else messages.INFO, message)
    return redirect("rounds:detail", code=assessment.code)


@never_cache
@require_GET
def demo_report(request: HttpRequest) -> HttpResponse:
    return _page(request, _DEMO_REPORT.rows())


@never_cache
@require_GET
def demo_report_pdf(request: HttpRequest) -> HttpResponse:
    return _pdf(request, _demo(), reverse("reports:demo_report"))


def _demo():
    return Report.objects.filter(assessment__organisation__is_demo=True).order_by("pk")


def _page(request: HttpRequest, found: list[tuple[int, bytes | str]]) -> HttpResponse:
    if not found:
        raise Http404
    pk, body = found[0]
    if not body:
        body = render_stored_body(pk)
    if isinstance(body, str):
        body = body.encode()
    return HttpResponse(in_layout(request, body))


def _pdf(request: HttpRequest, reports, back_url: str) -> HttpResponse:
    """The stored PDF, or a page that waits while a worker makes it (tasks.ask_for_pdf)."""
    found = reports.select_related("assessment__organisation").first()
    if found is None:
        raise Http404
    pdf, asked_at = stored_pdf_or_ask(found)
    if pdf is None:
        return waiting_page(
            request,
            asked_at,
            heading=_("The report is being made as a PDF"),
            message=_(
                "The PDF of the report is being made. That usually takes a few seconds; "
                "this page opens it by itself once it is ready."
            ),
            slow_message=_(
                "The PDF of the report is taking longer than usual. It is still being "
                "made: try again in a few minutes."
            ),
            open_label=_("Open the PDF"),
            back_url=back_url,
            back_label=_("Back to the report"),
        )
    return attachment(pdf, pdf_filename(found), "application/pdf")


def pdf_filename(report: Report) -> str:
    """E.g. "leerkansen-rapport-zorggroep-de-linde-2026-11-26.pdf" (the day of the last update)."""
    organisation = slugify(report.assessment.organisation.name)[:60].strip("-")
    parts = ["leerkansen-rapport", organisation, report.updated_on.isoformat()]
    return "-".join(part for part in parts if part) + ".pdf"
