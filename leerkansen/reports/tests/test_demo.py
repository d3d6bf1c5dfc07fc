import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from leerkansen.content.questionnaire import questionnaire_for
from leerkansen.reports.demo import (
    DEMO_NAME,
    DEMO_ROUND,
    PRACTICE_EMAIL,
    PRACTICE_NAME,
    respondent_answers,
)
from leerkansen.reports.models import Report
from leerkansen.scoring.agreement import agreement_level

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
    # HR (2) and management (3) are shown as one group; both larger groups on their own.
    assert set(report.role_scores) == {"hr+directie", "leidinggevende", "medewerker"}
    assert report.role_scores["medewerker"]["5"] > report.role_scores["leidinggevende"]["5"]
    assert report.free_text_allowed and report.free_text["E_open"]
    html = client.get("/rapport/demo/").content.decode()
    assert "HR en directie tonen we samen: apart heeft elke groep minder dan 5 antwoorden." in html
    assert "Mijn leidinggevende vraagt soms wat ik geleerd heb. Dat helpt." in html


def test_load_demo_twice_keeps_one_demo_report():
    first = run_load_demo()
    second = run_load_demo()
    assert Report.objects.count() == 1
    assert first.splitlines()[-1] == second.splitlines()[-1]


def run_with_login(settings) -> tuple[str, str, str]:
    """load_demo --login: the output, and the e-mail and password it printed."""
    settings.DEBUG = True
    out = StringIO()
    call_command("load_demo", "--login", stdout=out)
    output = out.getvalue()
    email = re.search(r"^  e-mail:\s+(\S+)$", output, re.M).group(1)
    password = re.search(r"^  password:\s+(\S+)$", output, re.M).group(1)
    return output, email, password


def test_load_demo_with_login_prints_a_login_that_opens_a_practice_organisation(client, settings):
    output, email, password = run_with_login(settings)
    assert re.search(r"^Log in: http://127\.0\.0\.1:8000/account/inloggen/$", output, re.M)
    response = client.post("/account/inloggen/", {"username": email, "password": password})
    assert response.status_code == 302
    dashboard = client.get("/organisatie/", follow=True).content.decode()
    assert PRACTICE_NAME in dashboard
    # An ordinary organisation with an answered round: its report, ratings and progress open.
    report = Report.objects.get(assessment__organisation__name=PRACTICE_NAME)
    assert not report.assessment.organisation.is_demo
    assert report.response_count == sum(DEMO_ROUND.values())
    for url in (
        f"/rapport/{report.code}/",
        f"/rapport/{report.code}/beoordelen/",
        f"/rapport/{report.code}/voortgang/",
        "/organisatie/plan/",
    ):
        assert client.get(url).status_code == 200, url


def test_every_run_gives_a_new_password_and_keeps_one_practice_organisation(client, settings):
    _output, email, first = run_with_login(settings)
    _output, again, second = run_with_login(settings)
    assert again == email and second != first
    refused = client.post("/account/inloggen/", {"username": email, "password": first})
    assert refused.status_code == 200 and "_auth_user_id" not in client.session
    accepted = client.post("/account/inloggen/", {"username": email, "password": second})
    assert accepted.status_code == 302 and "_auth_user_id" in client.session
    assert Report.objects.filter(assessment__organisation__name=PRACTICE_NAME).count() == 1
    # The public demo report stays the demo organisation's.
    assert DEMO_NAME in client.get("/rapport/demo/").content.decode()


def test_login_is_refused_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DJANGO_DEBUG"):
        call_command("load_demo", "--login", stdout=StringIO())
    assert not get_user_model().objects.filter(email=PRACTICE_EMAIL).exists()


# --- The demo's answers show what the product can say --------------------------------------


def demo_responses() -> list[tuple[str, dict]]:
    return [
        (role, respondent_answers(role, index))
        for role, number in DEMO_ROUND.items()
        for index in range(number)
    ]


def test_every_demo_answer_fits_its_roles_version_and_comes_out_the_same_twice():
    first = demo_responses()
    assert first == demo_responses()
    for role, answers in first:
        version = questionnaire_for(role)
        assert not version.validate_answers(answers)
        assert set(answers) <= {item.id for item in version.items()}
    # Employees answer about their own work: no context, practices or needs.
    employees = [answers for role, answers in first if role == "medewerker"]
    assert not any(key[0] in "ACD" for answers in employees for key in answers)


def test_the_demo_scores_spread_over_the_challenges_and_the_roles_disagree_on_some():
    run_load_demo()
    report = Report.objects.get()
    scores = [report.scores[str(number)] for number in range(1, 10)]
    assert None not in scores
    # Not the same few values: at least seven different scores, spread over 25 points or more.
    assert len(set(scores)) >= 7
    assert max(scores) - min(scores) >= 25
    assert sum(score in (25.0, 50.0, 75.0) for score in scores) <= 1
    managers, employees = report.role_scores["leidinggevende"], report.role_scores["medewerker"]
    gaps = [
        challenge
        for challenge in managers
        if managers[challenge] is not None
        and employees[challenge] is not None
        and abs(managers[challenge] - employees[challenge]) >= 15
    ]
    assert len(gaps) >= 2, (managers, employees)
    # The respondents agree strongly on some challenges, not on all.
    levels = {agreement_level(value) for value in report.agreement.values()}
    assert "strong" in levels and levels & {"moderate", "little"}, report.agreement


def test_the_demo_has_practices_in_place_dont_knows_and_needs_ranked_differently():
    responses = demo_responses()
    run_load_demo()
    report = Report.objects.get()
    assert "al" in report.practices.values() and "deels" in report.practices.values()
    dont_knows = [
        item_id
        for _role, answers in responses
        for item_id, value in answers.items()
        if item_id.startswith("B") and value is None
    ]
    assert len(dont_knows) >= 10
    # Needs come from the roles that are asked them (not the employees).
    with_needs = [answers for _role, answers in responses if "D_1" in answers]
    first_needs = {answers["D_1"] for answers in with_needs}
    assert len(first_needs) >= 3
    urgencies = {answers["D_1_urgency"] for answers in with_needs}
    assert len(urgencies) >= 2
    # Context answers (HR and directie) differ too, with "weet niet" where people cannot know.
    with_context = [answers for _role, answers in responses if "A_alone" in answers]
    assert len({answers["A_alone"] for answers in with_context}) >= 2
    assert None in {answers["A_alone"] for answers in with_context}
    texts = report.free_text["E_open"]
    assert len(texts) >= 6 and len(set(texts)) == len(texts)
