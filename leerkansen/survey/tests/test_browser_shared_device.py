"""A shared link twice on one device, in a real browser on a phone (issue 14, item 5): the
break-room PC. The first colleague sends; the next one opens the same link, starts a fresh
questionnaire and sees nothing of the first one's answers."""

import pytest
from playwright.sync_api import expect

from leerkansen.organisations.models import Organisation
from leerkansen.reports.tests import full_answers
from leerkansen.survey.models import Response
from leerkansen.survey.services import save_answers
from leerkansen.survey.tests import link, make_invitation
from leerkansen.testing import assert_no_axe_violations, make_round

from .test_browser import phone  # noqa: F401 (the fixture)

pytestmark = pytest.mark.browser


def answer_and_send(page) -> Response:
    """The questionnaire answered (saved for the draft this browser holds) and sent here."""
    draft = Response.objects.filter(completed_on__isnull=True).latest("pk")
    save_answers(draft, full_answers())
    page.goto("/vragenlijst/overzicht/")
    page.get_by_role("button", name="Verstuur je antwoorden").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bedankt voor je antwoorden")
    return draft


def test_the_next_colleague_on_the_same_phone_gets_a_fresh_empty_questionnaire(
    phone,  # noqa: F811
    transactional_db,
):
    organisation = Organisation.objects.create(name="Kinderopvang De Speelboom")
    assessment = make_round(organisation, roles=["hr"])
    shared = link(make_invitation(assessment, "hr", shared=True)[1])
    page = phone()
    page.goto(shared)
    first = answer_and_send(page)
    expect(page.get_by_role("heading", name="Nog iemand op dit toestel?")).to_be_visible()
    assert_no_axe_violations(page)

    # The next colleague opens the same link: no "already filled in", a fresh start instead.
    page.goto(shared)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Met deze link werden op dit toestel al antwoorden verstuurd"
    )
    expect(page.get_by_text("Je hebt deze vragenlijst al ingevuld")).to_have_count(0)
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Begin een nieuwe vragenlijst").click()
    expect(page.get_by_text("Een nieuwe vragenlijst is begonnen.")).to_be_visible()
    assert "/vragenlijst/stap/" in page.url
    assert page.locator("input:checked").count() == 0
    second = Response.objects.latest("pk")
    assert second.pk != first.pk and not second.is_completed
    # Back to the thank-you page: it is gone for the next person.
    page.goto("/vragenlijst/bedankt/")
    expect(page.get_by_text("Bedankt voor je antwoorden")).to_have_count(0)

    answer_and_send(page)
    assert Response.objects.filter(completed_on__isnull=False).count() == 2
