"""'Werk het rapport bij' says on the round page what changed, or what is still needed.

The message compares two published states (both readable by the admin anyway) and, when
nothing could be published, what is still needed: in a round of one role the number, which
follows from the round page's total and the report's count; with several roles the rule,
never anything per role or per person.
"""

import re

import pytest
from django.test import Client
from django.utils import translation
from django.utils.html import escape

from leerkansen.content.catalogue import get_catalogue
from leerkansen.reports.changes import Published, refresh_message
from leerkansen.reports.models import Report
from leerkansen.survey.rounds import close_round, create_shared_link

from . import DEFAULT_AGREEMENT, add_responses, full_answers, make_answered_round, make_member

pytestmark = pytest.mark.django_db

K = 5


@pytest.fixture(autouse=True)
def _threshold(settings):
    settings.ANONYMITY_THRESHOLD = K


def press_update(assessment) -> str:
    """The admin presses the round page's button; the round page they land on, as text."""
    admin = Client()
    admin.force_login(make_member(assessment.organisation))
    response = admin.post(f"/organisatie/rondes/{assessment.code}/rapport/", follow=True)
    assert response.redirect_chain == [(f"/organisatie/rondes/{assessment.code}/", 302)]
    return response.content.decode()


def message_of(page: str) -> str:
    found = re.search(r'<div class="survey-messages" role="status">(.*?)</div>', page, re.S)
    assert found, "the round page shows no message"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(1))).strip()


def shared_round(counts):
    assessment = make_answered_round(counts)
    create_shared_link(assessment, next(iter(counts)))
    return assessment


def test_before_k_responses_it_says_how_many_are_still_needed():
    assessment = shared_round({"medewerker": 3})

    message = message_of(press_update(assessment))

    assert message == (
        "Er is nog geen rapport: het verschijnt zodra 5 mensen van één groep (bijvoorbeeld de "
        "medewerkers) hun antwoorden verstuurd hebben. Er zijn nog 2 antwoorden nodig."
    )
    assert not Report.objects.filter(assessment=assessment).exists()


def test_with_several_roles_it_gives_the_rule_not_a_number_that_tells_a_small_groups_count():
    # 4 managers and 3 employees: seven answers, no group with five. "Nog 1 nodig" would be
    # wrong, and the right number would tell how many of a group below five answered.
    assessment = shared_round({"leidinggevende": 4, "medewerker": 3})

    message = message_of(press_update(assessment))

    assert message == (
        "Er is nog geen rapport: het verschijnt zodra 5 mensen van één groep (bijvoorbeeld de "
        "medewerkers) hun antwoorden verstuurd hebben."
    )
    assert "nodig" not in message and not Report.objects.filter(assessment=assessment).exists()

    # The fifth employee makes the report, of the five employees (the managers wait).
    add_responses(assessment, "medewerker", 2)
    assert message_of(press_update(assessment)) == "Het rapport is gemaakt: het telt 5 antwoorden."
    # With a report, "not updated" gives the rule too.
    add_responses(assessment, "medewerker", 1)
    assert message_of(press_update(assessment)) == (
        "Het rapport is niet bijgewerkt: het telt nog altijd 5 antwoorden. Het wordt bijgewerkt "
        "zodra een groep (bijvoorbeeld de medewerkers) 5 nieuwe antwoorden heeft, of wanneer je "
        "de ronde afsluit."
    )


def test_a_round_only_its_admins_answer_may_also_be_closed_for_its_report():
    assessment = make_answered_round({"hr": 1})

    message = message_of(press_update(assessment))

    assert (
        "Er zijn nog 4 antwoorden nodig. Of sluit de ronde af: dan wordt het rapport gemaakt."
        in (message)
    )


def test_the_first_report_says_how_many_responses_it_brings_together():
    assessment = shared_round({"medewerker": 5})

    message = message_of(press_update(assessment))

    assert message == "Het rapport is gemaakt: het telt 5 antwoorden."
    assert Report.objects.get(assessment=assessment).response_count == 5


def test_fewer_than_k_new_responses_leave_the_report_as_it_was_and_say_so():
    assessment = shared_round({"medewerker": 5})
    press_update(assessment)
    published = Report.objects.get(assessment=assessment)
    add_responses(assessment, "medewerker", 3)

    message = message_of(press_update(assessment))

    assert message == (
        "Het rapport is niet bijgewerkt: het telt nog altijd 5 antwoorden. Het wordt bijgewerkt "
        "zodra er 5 nieuwe antwoorden zijn: er zijn er nog 2 nodig."
    )
    # The number follows from the round's total (8) and the report's (5).
    assert Report.objects.get(assessment=assessment).revision == published.revision


def test_k_new_responses_update_the_report_and_it_says_the_top_3_stayed():
    assessment = shared_round({"medewerker": 5})
    press_update(assessment)
    add_responses(assessment, "medewerker", 5)

    message = message_of(press_update(assessment))

    assert message == "Het rapport telt nu 10 antwoorden (was 5). De top 3 bleef gelijk."


def test_when_the_top_3_moves_the_message_names_the_actions():
    assessment = shared_round({"medewerker": 5})
    press_update(assessment)
    before = [item["action"] for item in Report.objects.get(assessment=assessment).top3]
    mirrored = {challenge: 6 - value for challenge, value in DEFAULT_AGREEMENT.items()}
    other = full_answers(needs=(2, 3, 6), agreement=mirrored)
    add_responses(assessment, "medewerker", 10, lambda _index: other)

    message = message_of(press_update(assessment))

    after = [item["action"] for item in Report.objects.get(assessment=assessment).top3]
    assert set(after) != set(before), "the test needs answers that move the top 3"
    assert message.startswith("Het rapport telt nu 15 antwoorden (was 5).")
    new, gone = message.split("Nieuw in de top 3: ")[1].split("Niet meer in de top 3: ")
    catalogue = get_catalogue()
    for action in set(after) - set(before):
        assert f"{action} “{escape(catalogue.action(action).title)}”" in new
    for action in set(before) - set(after):
        assert f"{action} “{escape(catalogue.action(action).title)}”" in gone


def test_a_final_report_says_it_no_longer_changes():
    assessment = shared_round({"medewerker": 5})
    close_round(assessment)
    press_update(assessment)

    message = message_of(press_update(assessment))

    assert message == "Het rapport is definitief: het verandert niet meer."


def test_a_closed_round_below_k_says_there_is_no_report_and_why():
    assessment = shared_round({"medewerker": 2})
    close_round(assessment)

    message = message_of(press_update(assessment))

    assert message.startswith("Er is geen rapport: minder dan 5 mensen verstuurden hun antwoorden.")
    assert not Report.objects.filter(assessment=assessment).exists()


def test_a_new_profile_and_a_new_order_are_named():
    before = Published(1, 5, "Zoekend", ("1.1", "4.2", "9.1"), final=False)
    reordered = Published(2, 10, "Lerend", ("4.2", "1.1", "9.1"), final=False)

    with translation.override("nl"):
        message = refresh_message(before, reordered, assessment=None, waiting=0, threshold=K)

    assert message == (
        "Het rapport telt nu 10 antwoorden (was 5). De top 3 heeft dezelfde acties, in een "
        "andere volgorde. Het profiel is nu “Lerend” (was “Zoekend”)."
    )
