import re
from io import StringIO

import pytest
from django.core.management import call_command

from leerkansen.reports.demo import DEMO_NAME, DEMO_ROUND
from leerkansen.reports.models import Report

pytestmark = pytest.mark.django_db


def run_load_demo() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def test_load_demo_prints_a_report_url_that_shows_the_demo_report(client):
    output = run_load_demo()
    match = re.search(r"Demo report: http://127\.0\.0\.1:8000(/rapport/demo/)$", output, re.M)
    assert match, output
    response = client.get(match.group(1))
    assert response.status_code == 200
    html = response.content.decode()
    assert DEMO_NAME in html
    report = Report.objects.get()
    assert report.profile["name"] in html
    assert len(report.top3) == 3


def test_demo_round_shows_what_several_respondents_add(client):
    run_load_demo()
    report = Report.objects.get()
    assert report.response_count == sum(DEMO_ROUND.values())
    assert report.role_counts == DEMO_ROUND
    # HR (2) and management (3) are hidden together; both larger groups are compared.
    assert set(report.role_scores) == {"leidinggevende", "medewerker"}
    assert report.role_scores["medewerker"]["5"] > report.role_scores["leidinggevende"]["5"]
    assert report.free_text_allowed and report.free_text["E_open"]
    html = client.get("/rapport/demo/").content.decode()
    assert "Niet apart getoond: HR of opleiding, Directie." in html
    assert "Mijn leidinggevende vraagt soms wat ik geleerd heb. Dat helpt." in html


def test_load_demo_twice_keeps_one_demo_report():
    first = run_load_demo()
    second = run_load_demo()
    assert Report.objects.count() == 1
    assert first.splitlines()[-1] == second.splitlines()[-1]
