"""A round from start to end through the API: its report appears and changes as on the web.

Open a round, enter responses of several roles, read the report after each one, close it: the
report appears once a group has k responses, stays the same until a group has k new ones,
and its final state shows only the groups large enough to stay anonymous.
"""

from __future__ import annotations

import pytest
from django.conf import settings

from leerkansen.survey.models import Assessment
from leerkansen.survey.tests.test_api_rounds import api_client, body_for, post, problems
from leerkansen.testing import make_organisation

pytestmark = pytest.mark.django_db


def enter(api, round_id: str, role: str, number: int = 1, level: int | None = None) -> dict:
    """`number` responses in `role`, entered one by one (every statement at `level` when given);
    the round as the last call gave it."""
    body = body_for(role, dict.fromkeys(range(1, 10), level)) if level else body_for(role)
    for _ in range(number):
        response = post(api, f"/rounds/{round_id}/responses", body)
        assert response.status_code == 201, response.content
    return response.json()


def report(api, round_id: str):
    return api.get(f"/api/v1/rounds/{round_id}/report")


def test_a_round_works_end_to_end_through_the_api():
    k = settings.ANONYMITY_THRESHOLD
    api = api_client(make_organisation("Zorggroep Noord"))
    opened = post(
        api, "/rounds", {"title": "Voorjaar 2027", "roles": ["hr", "leidinggevende", "medewerker"]}
    )
    assert opened.status_code == 201
    round_id = opened.json()["id"]

    # k - 1 responses of two roles: no report, and nothing that tells anything about them.
    enter(api, round_id, "hr")
    state = enter(api, round_id, "leidinggevende", k - 2)
    assert state["report_url"] is None
    nothing = report(api, round_id)
    assert nothing.status_code == 404
    assert problems(nothing) == [(["path", "id"], "no_report")]
    assert f"zodra {k} mensen van één groep" in nothing.json()["detail"][0]["msg"]

    # k responses, but no group has k of its own: still nothing.
    state = enter(api, round_id, "leidinggevende")
    assert state["report_url"] is None

    # The k-th employee: the first state, the k employees, overall only.
    enter(api, round_id, "medewerker", k - 1)
    state = enter(api, round_id, "medewerker")
    assert state["report_url"].endswith(f"/api/v1/rounds/{round_id}/report")
    first = report(api, round_id)
    assert first.status_code == 200
    assert "no-store" in first["Cache-Control"]
    first_state = first.json()
    assert first_state["round"] == round_id and first_state["status"] == "open"
    assert first_state["response_count"] == k and first_state["final"] is False
    assert first_state["role_counts"] == {} and first_state["role_scores"] == {}
    assert len(first_state["top3"]) == 3
    assert set(first_state["scores"]) == {str(n) for n in range(1, 10)}
    assert set(first_state["agreement"]) == {str(n) for n in range(1, 10)}

    # One more employee, read after: it does not move (the managers still have k - 1).
    enter(api, round_id, "medewerker")
    assert report(api, round_id).json() == first_state

    # The k-th manager: the next state takes in the k managers.
    enter(api, round_id, "leidinggevende")
    second = report(api, round_id).json()
    assert second["response_count"] == 2 * k and second["final"] is False
    assert second["role_scores"] == {}

    # The close: HR (one) comes in, counted in no figure; the waiting employee stays out (the
    # employees minus their step would be that person). Managers and employees compared.
    closed = post(api, f"/rounds/{round_id}/close")
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed" and closed.json()["report_url"]
    final = report(api, round_id).json()
    assert final["status"] == "closed" and final["final"] is True
    assert final["response_count"] == 2 * k and final["left_out"] == 1
    assert final["role_counts"] == {"hr": 1, "leidinggevende": k, "medewerker": k}
    assert set(final["role_scores"]) == {"leidinggevende", "medewerker"}
    assert set(final["role_scores"]["medewerker"]) == {str(n) for n in range(1, 10)}
    assert final["scores"] == second["scores"]
    # Closed: nothing more comes in, the report stays.
    refused = post(api, f"/rounds/{round_id}/responses", body_for("medewerker"))
    assert refused.status_code == 409
    assert report(api, round_id).json() == final


def test_a_round_of_fewer_than_k_entered_responses_gets_no_report_at_its_close():
    # Entered answers are others' (paper, an import), not the admins' own: the promise that
    # they are shown only together with enough colleagues' holds for them too.
    api = api_client(make_organisation("Zorggroep Noord"))
    round_id = post(api, "/rounds", {"roles": ["medewerker"]}).json()["id"]
    enter(api, round_id, "medewerker", 2)

    closed = post(api, f"/rounds/{round_id}/close")

    assert closed.json()["report_url"] is None
    assert problems(report(api, round_id)) == [(["path", "id"], "no_report")]
    assert not hasattr(Assessment.objects.get(code=round_id), "report")


def test_entered_answers_never_make_up_the_k_of_answers_through_links():
    from leerkansen.reports.services import refresh_report
    from leerkansen.reports.tests import add_responses

    k = settings.ANONYMITY_THRESHOLD
    api = api_client(make_organisation("Zorggroep Noord"))
    round_id = post(api, "/rounds", {"roles": ["medewerker"]}).json()["id"]
    assessment = Assessment.objects.get(code=round_id)
    add_responses(assessment, "medewerker", k - 1)
    assert report(api, round_id).status_code == 404

    # The admin knows what they entered: with it, k - 1 answers through links would be
    # theirs to subtract. Only k answers through links publish, the entered ones with them.
    enter(api, round_id, "medewerker", k)
    assert report(api, round_id).status_code == 404
    add_responses(assessment, "medewerker", 1)
    refresh_report(assessment)  # as the questionnaire's last page does
    assert report(api, round_id).json()["response_count"] == 2 * k


def test_the_final_report_gives_the_gap_between_groups_as_a_gap_never_as_agreement():
    k = settings.ANONYMITY_THRESHOLD
    api = api_client(make_organisation("Zorggroep Noord"))
    round_id = post(api, "/rounds", {"roles": ["leidinggevende", "medewerker"]}).json()["id"]
    # Line managers see every challenge at 25, employees at 75; each group agrees fully.
    enter(api, round_id, "leidinggevende", k, level=2)
    enter(api, round_id, "medewerker", k, level=4)
    open_state = report(api, round_id).json()
    assert open_state["groups"] == {}
    assert all(row["gap"] is None for row in open_state["comparison"].values())

    post(api, f"/rounds/{round_id}/close")
    final = report(api, round_id).json()

    assert list(final["groups"]) == ["leidinggevende", "medewerker"]
    assert final["groups"]["medewerker"] == "Medewerkers"
    assert final["role_scores"]["leidinggevende"]["1"] == 25
    assert final["role_scores"]["medewerker"]["1"] == 75
    for challenge in (str(number) for number in range(1, 10)):
        row = final["comparison"][challenge]
        assert row["gap"] == {
            "low": "leidinggevende",
            "low_value": 25,
            "high": "medewerker",
            "high_value": 75,
            "points": 50,
            "large": True,
            "words": row["gap"]["words"],
        }
        assert "25" in row["gap"]["words"] and "75" in row["gap"]["words"]
        assert row["agreement_level"] == "split"
        assert "eensgezind" not in row["agreement_words"]
