"""The report as an A4 PDF: the same partials as the web report, laid out by WeasyPrint.

The PDF is rendered on its first request and stored on the report; later requests serve the
stored bytes. The HTML → PDF plumbing (base URL, the fetcher that serves only our own static
files) is lib/pdf.py, shared with the catalogue's printing and the action plan.
"""

from __future__ import annotations

from django.template.loader import render_to_string

from leerkansen.lib.pdf import BASE_URL, render_html, write_pdf

from .models import Report
from .presentation import report_context


def render_report_pdf(report: Report) -> bytes:
    """The report as PDF bytes (A4, contents, page numbers, top 3 first, catalogue appendix)."""
    html = render_to_string("reports/report_pdf.html", report_context(report))
    document = render_html(html)
    # Links to our own pages would point at the placeholder host: keep their text, drop the
    # link. Links inside the document (the contents) stay.
    for page in document.pages:
        page.links[:] = [
            link
            for link in page.links
            if not (link[0] == "external" and str(link[1]).startswith(BASE_URL))
        ]
    return write_pdf(document)


def get_or_render_pdf(report: Report) -> bytes:
    """The report's PDF: the stored bytes, or rendered and stored on the first request.

    Two first requests at once may both render; the first to finish stores its PDF and the
    other's result is equally valid. A PDF rendered while an open round's report was updated
    is served to its request but not stored: it belongs to the older revision.
    """
    if report.pdf:
        return bytes(report.pdf)
    pdf = render_report_pdf(report)
    Report.objects.filter(
        pk=report.pk,
        pdf__isnull=True,
        revision=report.revision,
        # Not a PDF rendered before a comment was hidden (comments.hide_comment).
        hidden_comments=report.hidden_comments,
    ).update(pdf=pdf)
    report.pdf = pdf
    return pdf
