"""The demo organisation's report, byte for byte as it was before the scoring rules moved.

The fixture was rendered from main before the round outcome left reports/services.py for
scoring/ (issue 12). A change in this body must be a change someone meant: if it is, render
the fixture again (in a shell on a migrated database: `FIXTURE.write_text(demo_report_body())`) and
say why in the commit.
"""

import datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation

from leerkansen.reports.models import Report
from leerkansen.reports.services import recompute_report, render_report_html

pytestmark = pytest.mark.django_db

FIXTURE = Path(__file__).parent / "fixtures" / "demo_report_body.html"


def demo_report_body() -> str:
    call_command("load_demo", stdout=StringIO())
    report = Report.objects.get()
    # The day it was made is the one thing that changes from day to day.
    report.created_on = report.updated_on = datetime.date(2026, 12, 2)
    with translation.override("nl"):
        return render_report_html(report)


def test_demo_report_body_is_byte_for_byte_the_fixture():
    assert demo_report_body().encode() == FIXTURE.read_bytes()


def test_demo_report_stored_body_is_its_rendering_and_recomputes_to_itself():
    call_command("load_demo", stdout=StringIO())
    report = Report.objects.get()
    with translation.override("nl"):
        assert report.html == render_report_html(report)
    recomputed = recompute_report(report)
    for field, value in recomputed.items():
        assert getattr(report, field) == value, field
