"""The report's open answers for its organisation's admins: /rapport/<code>/opmerkingen/.

Lists what people wrote, as the report shows it, with a button per comment that hides it
from the report (comments.hide_comment). Like the report, it exists only for the members of
the round's organisation (404 for anyone else); the demo report has no such page.
"""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from leerkansen.organisations.tenancy import organisation_required, owned_or_404

from .comments import comments_of, hide_comment
from .models import Report


@never_cache
@organisation_required
@require_http_methods(["GET", "POST"])
def comments(request: HttpRequest, code: str) -> HttpResponse:
    if request.organisation.is_demo:
        raise Http404
    report = owned_or_404(
        Report.objects.select_related("assessment").defer("html", "pdf"),
        request.organisation,
        code=code,
    )
    if request.method == "POST":
        item_id = request.POST.get("question", "")
        key = request.POST.get("comment", "")
        if item_id and key and hide_comment(report, item_id, key):
            messages.success(
                request,
                _("The comment is hidden: the report, its PDF and the API no longer show it."),
            )
        else:
            messages.info(
                request, _("Nothing was hidden: that comment is no longer in the report.")
            )
        return redirect("reports:comments", code=report.code)
    context = {
        "report": report,
        "assessment": report.assessment,
        "questions": comments_of(report),
    }
    return render(request, "reports/comments.html", context)
