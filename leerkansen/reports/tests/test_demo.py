import re
from io import StringIO

import pytest
from django.core.management import call_command

from leerkansen.reports.demo import DEMO_NAME
from leerkansen.reports.models import Report

pytestmark = pytest.mark.django_db


def run_load_demo() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def test_load_demo_prints_a_report_url_that_shows_the_demo_report(client):
    output = run_load_demo()
    match = re.search(r"Demo report: http://127\.0\.0\.1:8000(/rapport/[\w-]+/)", output)
    assert match, output
    response = client.get(match.group(1))
    assert response.status_code == 200
    html = response.content.decode()
    assert DEMO_NAME in html
    report = Report.objects.get()
    assert report.profile["name"] in html
    assert len(report.top3) == 3


def test_load_demo_twice_keeps_one_demo_report():
    first = run_load_demo()
    second = run_load_demo()
    assert Report.objects.count() == 1
    assert first.splitlines()[-1] == second.splitlines()[-1]
