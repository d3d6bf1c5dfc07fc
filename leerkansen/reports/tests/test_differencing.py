"""Differencing: comparing two states of a round's report must never single out one respondent.

The attack of issue 11: the report was made again after every completed response, so
n·S(n) − (n−1)·S(n−1) per challenge gave each new respondent's own scores, and the role came
from role_counts. Here respondents send their answers through the real pages (shared link,
review, send), an HR admin reads the report after each one, as web page and as API JSON, and
tries every difference. The report now changes only in steps of k = ANONYMITY_THRESHOLD new
responses, holds nothing per role while the round is open, and publishes its final state,
with the roles, once, at the close (docs/scoring.md, "When a round's report changes").
"""

import itertools
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from leerkansen.organisations.models import Organisation
from leerkansen.organisations.services import create_api_token
from leerkansen.reports.models import Report
from leerkansen.reports.services import compute_report, recompute_report
from leerkansen.survey.models import Assessment, Invitation, Response
from leerkansen.survey.retention import purge_expired
from leerkansen.survey.rounds import create_shared_link, invitation_token, open_round
from leerkansen.survey.services import save_answers
from leerkansen.survey.tests import link, make_invitation, the_response

from . import DEFAULT_AGREEMENT, full_answers, make_member

pytestmark = pytest.mark.django_db

K = 5
REVIEW = "/vragenlijst/overzicht/"


@pytest.fixture(autouse=True)
def _threshold(settings):
    settings.ANONYMITY_THRESHOLD = K


def person(number: int) -> dict:
    """Answers of one respondent, different for every number on every challenge."""
    agreement = {c: 1 + (number * c + number) % 5 for c in DEFAULT_AGREEMENT}
    return full_answers(agreement=agreement)


def own_scores(answers: dict) -> dict[str, float | None]:
    return compute_report([("x", answers)], threshold=K)["scores"]


class Round:
    """A round of employees and managers, answered through the pages, read by its HR admin."""

    def __init__(self, roles=("leidinggevende", "medewerker")):
        organisation = Organisation.objects.create(name="Zorggroep De Linde")
        self.assessment = open_round(organisation, list(roles), "Najaar")
        self.links = {
            role: link(invitation_token(create_shared_link(self.assessment, role)))
            for role in roles
        }
        self.hr = Client()
        self.hr.force_login(make_member(organisation))
        self.key = create_api_token(organisation, "Koppeling", None).secret

    def answer(self, role: str, answers: dict) -> None:
        """One respondent: opens the shared link, answers, sends from the review page."""
        respondent = Client()
        assert respondent.get(self.links[role]).status_code == 302
        save_answers(the_response(respondent), answers)
        sent = respondent.post(REVIEW)
        assert sent.status_code == 302 and sent["Location"].endswith("/bedankt/")

    def api(self) -> dict | None:
        response = self.hr.get(
            f"/api/v1/assessments/{self.assessment.code}/report",
            headers={"Authorization": f"Bearer {self.key}"},
        )
        if response.status_code == 404:
            return None
        assert response.status_code == 200, response.content
        return response.json()

    def page(self) -> str | None:
        """The report as the web page shows it (the page around it holds a per-request nonce)."""
        report = Report.objects.filter(assessment=self.assessment).first()
        if report is None:
            return None
        response = self.hr.get(f"/rapport/{report.code}/")
        assert response.status_code == 200
        html = response.content.decode()
        return html[html.index('<article class="report"') : html.index("</article>")]

    def round_page(self) -> str:
        response = self.hr.get(f"/organisatie/rondes/{self.assessment.code}/")
        assert response.status_code == 200
        return " ".join(response.content.decode().split())

    def close(self) -> None:
        assert (
            self.hr.post(f"/organisatie/rondes/{self.assessment.code}/afsluiten/").status_code
            == 302
        )


def differences(states: list[dict]) -> list[tuple[int, dict[str, float]]]:
    """The attack: between two published states with n and m responses, per challenge
    (n·S(n) − m·S(m)) / (n − m): exactly one person's scores when n − m is 1."""
    found = []
    for before, after in itertools.pairwise(states):
        n, m = after["response_count"], before["response_count"]
        if n == m:
            continue
        found.append(
            (
                n - m,
                {
                    c: (n * after["scores"][c] - m * before["scores"][c]) / (n - m)
                    for c in after["scores"]
                    if after["scores"][c] is not None and before["scores"][c] is not None
                },
            )
        )
    return found


def matches(reconstructed: dict[str, float], scores: dict[str, float | None]) -> bool:
    return all(abs(value - scores[c]) <= 0.6 for c, value in reconstructed.items())


def test_replaying_the_attack_over_single_responses_reconstructs_nobody():
    round_ = Round()
    employees = [person(n) for n in range(1, 6)]
    managers = [person(n) for n in range(11, 15)]
    seen_json, seen_pages = [], []
    for answers in employees:
        round_.answer("medewerker", answers)
        seen_json.append(round_.api())
        seen_pages.append(round_.page())
    # Nothing is published before k responses: no report, no page, a 404 from the API.
    assert seen_json[:4] == [None] * 4 and seen_pages[:4] == [None] * 4
    assert seen_json[4]["response_count"] == K
    for answers in managers:
        round_.answer("leidinggevende", answers)
        seen_json.append(round_.api())
        seen_pages.append(round_.page())
    # Four managers answered one at a time, then a sixth employee: five new responses, but
    # no group has five new ones of its own. The report did not move at all, in any form.
    round_.answer("medewerker", person(6))
    seen_json.append(round_.api())
    seen_pages.append(round_.page())
    assert all(state == seen_json[4] for state in seen_json[5:])
    assert all(page == seen_pages[4] for page in seen_pages[5:])
    # The fifth manager makes k new managers: the next step takes in those five (the sixth
    # employee waits for four more colleagues or the close).
    round_.answer("leidinggevende", person(15))
    seen_json.append(round_.api())
    assert seen_json[-1]["response_count"] == 2 * K

    published = [state for state in seen_json if state is not None]
    for state in published:
        # Nothing per role while the round is open: the role of a new response stays unknown.
        assert state["role_counts"] == {} and state["role_scores"] == {}
        assert state["final"] is False
    steps = differences(published)
    assert [size for size, _scores in steps] == [K]
    for manager in managers:
        assert not any(matches(scores, own_scores(manager)) for _size, scores in steps)

    # The attack itself is sound: had the report been made again after the first manager,
    # the difference would have been that manager's own scores.
    answered = [("medewerker", answers) for answers in employees]
    per_response = [
        compute_report(answered, threshold=K),
        compute_report([*answered, ("leidinggevende", managers[0])], threshold=K),
    ]
    ((size, scores),) = differences(per_response)
    assert size == 1 and matches(scores, own_scores(managers[0]))


def test_a_stale_group_next_to_a_republished_one_gives_nothing_away():
    # E 5 → 10 republished while M 5 → 6 stayed: "overall diff minus employee diff" would
    # be the sixth manager. In an open round no group is published, so there is no E or M,
    # and the step takes in the five new employees only: the sixth manager waits.
    round_ = Round()
    for number in range(5):
        round_.answer("leidinggevende", person(20 + number))
        round_.answer("medewerker", person(30 + number))
    first = round_.api()
    assert first["response_count"] == 10
    sixth_manager = person(99)
    round_.answer("leidinggevende", sixth_manager)
    assert round_.api() == first
    for number in range(5):
        round_.answer("medewerker", person(40 + number))
    second = round_.api()
    assert second["response_count"] == 15
    for state in (first, second):
        assert state["role_scores"] == {} and state["role_counts"] == {}
        html = round_.page()
        assert 'id="per-rol"' not in html
        assert "De vergelijking per groep verschijnt één keer" in html
    ((size, scores),) = differences([first, second])
    assert size == K and not matches(scores, own_scores(sixth_manager))


def test_closing_leaves_out_fewer_than_k_late_responses_and_says_so():
    round_ = Round(roles=("medewerker",))
    for number in range(K):
        round_.answer("medewerker", person(number))
    before = round_.api()
    late = [person(50), person(51)]
    for answers in late:
        round_.answer("medewerker", answers)
    assert round_.api() == before

    round_.close()

    final = round_.api()
    assert final["final"] is True
    assert final["response_count"] == K and final["left_out"] == 2
    # The same responses as the last state, now with the roles: nothing to difference.
    assert final["scores"] == before["scores"]
    assert final["role_counts"] == {"medewerker": K}
    note = "2 antwoorden zijn niet opgenomen"
    assert note in round_.page()
    assert note in round_.round_page()


def test_closing_takes_in_k_late_responses_or_a_first_state_of_any_size():
    round_ = Round(roles=("medewerker",))
    for number in range(2 * K):
        round_.answer("medewerker", person(number))
    assert round_.api()["response_count"] == 2 * K
    for number in range(K):
        round_.answer("medewerker", person(60 + number))
    round_.close()
    final = round_.api()
    assert final["response_count"] == 3 * K and final["left_out"] == 0 and final["final"]


def test_a_round_of_fewer_than_k_respondents_gets_no_report_at_the_close():
    """Two colleagues answered through a link: a report of the two would show what they
    answered, and each of them could read the other's. Respondents were promised otherwise."""
    small = Round(roles=("hr",))
    small.answer("hr", person(1))
    small.answer("hr", person(2))
    assert small.api() is None
    small.close()
    assert small.api() is None
    assert not Report.objects.filter(assessment=small.assessment).exists()
    page = small.round_page()
    assert "Er is geen rapport: minder dan 5 mensen verstuurden hun antwoorden" in page
    # The shared link stopped working with the close; the page does not call it active.
    assert "gedeelde link actief" not in page
    # Asking for it changes nothing.
    small.hr.post(f"/organisatie/rondes/{small.assessment.code}/rapport/")
    assert small.api() is None


def test_an_admin_who_answers_alone_gets_the_report_at_the_close():
    """No link was ever made for others: only the organisation's own admins could answer.
    Its first state, at the close, cannot be compared with an earlier one."""
    organisation = Organisation.objects.create(name="Bakkerij Peeters")
    assessment = open_round(organisation, ["hr"], "Voorjaar")
    hr = Client()
    hr.force_login(make_member(organisation))
    assert hr.post(f"/organisatie/rondes/{assessment.code}/zelf-invullen/").status_code == 302
    save_answers(the_response(hr), person(3))
    assert hr.post(REVIEW).status_code == 302
    assert not Report.objects.filter(assessment=assessment).exists()

    assert hr.post(f"/organisatie/rondes/{assessment.code}/afsluiten/").status_code == 302

    report = Report.objects.get(assessment=assessment)
    assert report.final and report.response_count == 1 and report.left_out == 0
    assert report.role_scores == {}


def test_the_first_state_is_published_at_k_responses():
    round_ = Round(roles=("medewerker",))
    for number in range(K - 1):
        round_.answer("medewerker", person(number))
        assert round_.api() is None
    assert not Report.objects.filter(assessment=round_.assessment).exists()
    page = round_.round_page()
    # Links were made: closing early would not make a report either.
    assert (
        "Het rapport verschijnt zodra 5 mensen van één groep (bijvoorbeeld de medewerkers) "
        "hun antwoorden verstuurd hebben. Daarna" in page
    )
    # Asking for the report early changes nothing.
    early = round_.hr.post(f"/organisatie/rondes/{round_.assessment.code}/rapport/", follow=True)
    assert "Er is nog geen rapport: het verschijnt zodra 5 mensen van één groep" in (
        early.content.decode()
    )
    assert not Report.objects.filter(assessment=round_.assessment).exists()

    round_.answer("medewerker", person(K))
    assert round_.api()["response_count"] == K
    page = round_.round_page()
    assert (
        "Het rapport wordt bijgewerkt zodra een groep (bijvoorbeeld de medewerkers) 5 nieuwe "
        "antwoorden heeft, of wanneer je de ronde afsluit" in page
    )


def test_the_round_page_shows_a_groups_counts_only_from_k():
    round_ = Round()
    for number in range(4):
        round_.answer("leidinggevende", person(number))
    for number in range(K):
        round_.answer("medewerker", person(10 + number))
    page = round_.round_page()
    managers = re.search(r"<dt>Leidinggevende</dt> <dd>(.*?)</dd>", page).group(1)
    employees = re.search(r"<dt>Medewerker</dt> <dd>(.*?)</dd>", page).group(1)
    assert "Verstuurd: minder dan 5" in managers and "Begonnen: minder dan 5" in managers
    assert "Verstuurd: 4" not in managers and "Begonnen: 4" not in managers
    assert "Verstuurd: 5" in employees and "Begonnen: 5" in employees
    # The total may stay: its timing without the answers tells nothing.
    assert "In totaal hebben 9 personen hun antwoorden verstuurd" in page


def test_a_late_manager_waits_so_the_close_can_still_compare_the_groups():
    # 5 employees | 4 employees and 1 manager | 5 managers. Published as they came (the old
    # rule), "all managers" minus "step 3" was the manager of step 2, and the close could
    # show no group. Now each open step takes in a group's five new ones: 5 employees, then
    # 5 managers; the last 4 employees and the sixth manager wait. At the close, taking
    # them in would again give the sixth manager away ("all managers" minus the managers'
    # step), so they stay out and the managers and employees are compared.
    round_ = Round()
    for number in range(K):
        round_.answer("medewerker", person(number))
    for number in range(K - 1):
        round_.answer("medewerker", person(10 + number))
    lone_manager = person(77)
    round_.answer("leidinggevende", lone_manager)
    for number in range(K):
        round_.answer("leidinggevende", person(80 + number))
    states = [round_.api()]
    assert states[0]["response_count"] == 2 * K
    round_.close()
    final = round_.api()
    assert final["role_counts"] == {"leidinggevende": K, "medewerker": K}
    assert set(final["role_scores"]) == {"leidinggevende", "medewerker"}
    assert final["response_count"] == 2 * K and final["left_out"] == K
    html = round_.page()
    assert "5 antwoorden zijn niet opgenomen" in " ".join(html.split())
    # The final "Iedereen" is the last open state's ten: nothing to difference; the groups
    # are the two steps, five each.
    assert final["scores"] == states[0]["scores"]


def test_a_publication_takes_in_exactly_the_responses_it_counts():
    round_ = Round(roles=("medewerker",))
    for number in range(K + 2):
        round_.answer("medewerker", person(number))
    steps = list(round_.assessment.responses.order_by("pk").values_list("report_step", flat=True))
    assert steps == [1] * K + [None, None]
    report = Report.objects.get(assessment=round_.assessment)
    assert report.response_count == K
    # The report holds the set it says it holds, recomputed from the database.
    assert recompute_report(report)["scores"] == report.scores
    assert (
        recompute_report(report)["scores"]
        != compute_report([("medewerker", person(number)) for number in range(K + 2)], threshold=K)[
            "scores"
        ]
    )


def test_a_round_closed_without_answers_says_there_is_no_report():
    round_ = Round(roles=("hr",))
    round_.close()
    assert round_.api() is None
    assert "Er is nog geen rapport: niemand heeft zijn antwoorden verstuurd." in round_.round_page()


def test_a_round_closed_by_the_daily_purge_publishes_its_final_report():
    """A forgotten round is closed by purge_expired, not by its admin: it gets its final
    state all the same (survey.signals.round_closed), with the roles."""
    round_ = Round(roles=("medewerker",))
    for number in range(K + 1):
        round_.answer("medewerker", person(number))
    assert round_.api()["final"] is False
    invitation, _token = make_invitation(round_.assessment, "medewerker")
    long_ago = timezone.now() - timedelta(days=200)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=long_ago)
    Invitation.objects.filter(assessment=round_.assessment, kind=Invitation.Kind.SHARED).update(
        revoked=True
    )
    Assessment.objects.filter(pk=round_.assessment.pk).update(created_at=long_ago)
    Response.objects.filter(assessment=round_.assessment).update(updated_on=long_ago.date())

    assert purge_expired(timezone.now())["forgotten_rounds"] == 1

    final = round_.api()
    assert final["final"] is True
    assert final["response_count"] == K and final["left_out"] == 1
    assert final["role_counts"] == {"medewerker": K}
