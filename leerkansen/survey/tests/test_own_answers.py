"""A respondent's own right of access: after sending, their resume link shows what they
answered, read-only, and nothing else shows it.

What a respondent sees: every question of every step with the answer they gave (the option's
Dutch label, "Weet niet", their own words escaped, "Niet beantwoord"), and on the thank-you
page, once, the link to it. What an attacker tries: an admin at the computer a respondent
used, another respondent's browser with the victim's cookie, forged and guessed links.
"""

import html as html_module
import re
import secrets

import pytest
from django.contrib.sessions.models import Session
from django.core.signing import get_cookie_signer
from django.test import Client

from leerkansen.content.questionnaire import get_questionnaire, questionnaire_for
from leerkansen.content.questionnaire_pages import questionnaire_pages
from leerkansen.survey.models import Response
from leerkansen.survey.respondent import (
    LINK_COOKIE,
    SENT_COOKIE,
    SESSION_RESPONSE_KEY,
)
from leerkansen.survey.rounds import close_round
from leerkansen.survey.services import answers_of
from leerkansen.survey.tests import (
    admin_client,
    link,
    make_invitation,
    resume_token_of,
    the_response,
)
from leerkansen.testing import BARE, make_admin, make_round

pytestmark = pytest.mark.django_db

REVIEW = "/vragenlijst/overzicht/"
THANKS = "/vragenlijst/bedankt/"
HEADING = "<h1>Wat je antwoordde</h1>"
NOT_ANSWERED = "Niet beantwoord"
# Someone's own words, with markup and a line break, as a respondent might paste them.
OWN_WORDS = "Meer tijd <script>alert('x')</script> om\nvan elkaar te leren & te tonen"


def section_url(section_id: str) -> str:
    return f"/vragenlijst/stap/{section_id}/"


def resume_url(token: str) -> str:
    return f"/vragenlijst/hervat/{token}/"


def text_of(item_id: str) -> str:
    return get_questionnaire().item(item_id).text


def label_of(item_id: str, value) -> str:
    return next(o.label for o in get_questionnaire().item(item_id).options if o.value == value)


def answers_shown(html: str) -> dict[str, str]:
    """Question text -> answer text, as the page lists them (tags and numbers left out)."""

    def plain(fragment: str) -> str:
        fragment = re.sub(r'<span class="item__number">[^<]*</span>', "", fragment)
        return " ".join(html_module.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())

    pairs = re.findall(r"<dt>(.*?)</dt>\s*<dd>(.*?)</dd>", html, flags=re.S)
    return {plain(question): plain(answer) for question, answer in pairs}


@pytest.fixture
def assessment():
    return make_round()


def answer_and_send(browser: Client, words: str = OWN_WORDS) -> None:
    """Answer part of the questionnaire (numbers, an option, "Weet niet", a ranking, own
    words), leave the rest open, and send."""
    browser.post(section_url("A"), {"A_size": "50_249", "A_sites": "weet-niet"})
    browser.post(
        section_url("B"), {"B1_1": "4", "B1_6": "1", "B1_3": "5", "B1_7": "2", "B1_5": "weet-niet"}
    )
    browser.post(section_url("D"), {"D_1": "3", "D_1_urgency": "5"})
    browser.post(section_url("E"), {"E_1": "2", "E_open": words})
    assert browser.post(REVIEW)["Location"] == THANKS


@pytest.fixture
def sent(assessment):
    """A respondent who came with a personal link and sent; their browser and resume link."""
    _invitation, token = make_invitation(assessment, "hr")
    browser = Client()
    browser.get(link(token))
    saved_link = resume_token_of(browser)  # what the "save this link" box showed
    answer_and_send(browser)
    return browser, saved_link


# --- The respondent sees what they answered ---------------------------------------------


def test_the_resume_link_of_a_sent_response_shows_every_answer_read_only(sent):
    _browser, saved_link = sent
    page = Client().get(resume_url(saved_link))  # another device, no session
    assert page.status_code == 200
    html = page.content.decode()
    assert HEADING in html
    assert "Je antwoordde als: HR." in html
    shown = answers_shown(html)
    assert shown[text_of("A_size")] == "50 tot 249"
    assert shown[text_of("A_sites")] == "Weet niet"
    assert shown[text_of("A_sector")] == NOT_ANSWERED
    assert shown[text_of("B1_1")] == label_of("B1_1", 4) == "Eens"
    assert shown[text_of("B1_6")] == "Helemaal oneens"
    assert shown[text_of("B1_5")] == "Weet niet"
    assert shown[text_of("B2_1")] == NOT_ANSWERED
    assert shown[text_of("D_1")] == label_of("D_1", 3)
    assert shown[text_of("D_2")] == NOT_ANSWERED
    assert shown[text_of("E_1")] == "Oneens"
    assert shown[text_of("C_1_1")] == NOT_ANSWERED
    # Every item of the questionnaire is listed, once.
    assert len(shown) == len({item.text for item in questionnaire_for("hr").items()})
    for step, section in enumerate(questionnaire_pages("hr").sections, start=1):
        assert f"Stap {step}: {html_module.escape(section.title)}" in html


def test_own_words_are_shown_escaped_with_their_line_breaks(sent):
    _browser, saved_link = sent
    html = Client().get(resume_url(saved_link)).content.decode()
    assert "<script>alert" not in html
    assert "Meer tijd &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; om<br>van elkaar" in html
    assert answers_shown(html)[text_of("E_open")] == " ".join(OWN_WORDS.split())


def test_the_page_says_who_sees_what_and_that_nothing_can_change(sent):
    _browser, saved_link = sent
    html = Client().get(resume_url(saved_link)).content.decode()
    assert "Alleen jouw link toont deze pagina" in html
    assert "ook HR niet" in html
    assert "HR ziet nooit antwoorden per persoon" in html
    assert "Je antwoorden zijn verstuurd: je kunt ze niet meer wijzigen." in html
    # Read-only: nothing on the page can post an answer.
    assert "<form" not in html.split('<main id="inhoud"')[1]
    assert 'type="radio"' not in html and "<textarea" not in html


def test_answers_cannot_change_after_sending(sent):
    browser, saved_link = sent
    before = answers_of(Response.objects.get())
    browser.post(section_url("B"), {"B1_1": "1"})
    reopened = Client()
    reopened.get(resume_url(saved_link))
    reopened.post(section_url("B"), {"B1_1": "1"})
    assert answers_of(Response.objects.get()) == before


def test_the_page_is_not_stored_nor_passed_on(sent):
    _browser, saved_link = sent
    page = Client().get(resume_url(saved_link))
    assert "no-store" in page["Cache-Control"]
    assert page["Referrer-Policy"] == "no-referrer"  # the address holds the token


def test_reading_leaves_nothing_in_the_session_or_the_browser(sent):
    _browser, saved_link = sent
    sessions_before = Session.objects.count()
    reader = Client()
    page = reader.get(resume_url(saved_link))
    assert page.status_code == 200
    assert page.cookies == {} or all(c.value == "" for c in page.cookies.values())
    assert Session.objects.count() == sessions_before
    assert SESSION_RESPONSE_KEY not in reader.session


def test_reading_leaves_a_draft_in_progress_alone(assessment, sent):
    _browser, saved_link = sent
    _invitation, token = make_invitation(assessment, "medewerker", shared=True)
    colleague = Client()
    colleague.get(link(token))
    draft = the_response(colleague)
    assert colleague.get(resume_url(saved_link)).status_code == 200
    assert the_response(colleague) == draft
    assert colleague.get(section_url("B")).status_code == 200  # still answering their own


def test_the_link_still_shows_the_answers_after_the_round_closed(assessment, sent):
    _browser, saved_link = sent
    close_round(assessment)
    html = Client().get(resume_url(saved_link)).content.decode()
    assert HEADING in html
    assert answers_shown(html)[text_of("B1_1")] == "Eens"


def test_a_leftover_link_cookie_of_the_sent_response_is_deleted(assessment):
    """Started on a phone, sent from a laptop: the phone's cookie goes when the link is opened."""
    _invitation, token = make_invitation(assessment)
    phone = Client()
    phone.get(link(token))
    saved_link = resume_token_of(phone)
    laptop = Client()
    laptop.get(resume_url(saved_link))
    answer_and_send(laptop)
    page = phone.get(resume_url(saved_link))
    assert HEADING in page.content.decode()
    assert phone.cookies[LINK_COOKIE].value == ""


def test_a_draft_resume_link_still_continues_the_questionnaire(assessment):
    _invitation, token = make_invitation(assessment)
    phone = Client()
    phone.get(link(token))
    phone.post(section_url("A"), {"A_size": "50_249"})
    page = Client().get(resume_url(resume_token_of(phone)))
    assert page.status_code == 302 and page["Location"] == section_url("A")


# --- The thank-you page offers the link, once ---------------------------------------------


def test_the_thanks_page_offers_the_link_to_what_was_answered_once(sent):
    browser, saved_link = sent
    html = browser.get(THANKS).content.decode()
    bare = saved_link.partition(".")[0]  # without the personal invitation
    url = f"http://testserver{resume_url(bare)}"
    assert f'<a class="button button--primary" href="{url}">Bekijk wat je antwoordde</a>' in html
    assert f'value="{url}" readonly' in html
    assert "." not in bare and saved_link != bare
    assert HEADING in Client().get(resume_url(bare)).content.decode()
    # Shown once: a reload (or the next person at this computer) finds only the thanks.
    again = browser.get(THANKS).content.decode()
    assert bare not in again
    assert "Open dan de link die je bewaarde tijdens het invullen." in again


def test_the_handed_over_link_is_scoped_signed_and_short_lived(assessment):
    _invitation, token = make_invitation(assessment)
    browser = Client()
    browser.get(link(token))
    browser.post(section_url("B"), {"B1_1": "4", "B1_6": "1", "B1_3": "5", "B1_7": "2"})
    browser.post(REVIEW)
    cookie = browser.cookies[SENT_COOKIE]
    assert cookie["path"] == THANKS
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert 0 < int(cookie["max-age"]) <= 600
    assert token not in cookie.value  # the invitation is not handed over
    browser.get(THANKS)
    assert browser.cookies[SENT_COOKIE].value == ""  # deleted once read


# --- Nobody else gets there ---------------------------------------------------------------


def test_an_admin_at_the_respondents_computer_sees_no_answers_without_the_link(assessment, sent):
    """The respondent sent on a shared computer and left; HR logs in on it (the session keeps
    the sent response) and looks everywhere without the link."""
    browser, _saved_link = sent
    browser.get(THANKS)  # the respondent saw the thanks and left
    admin, _ = make_admin("hr@linde.be", organisation=assessment.organisation, **BARE)
    browser.force_login(admin)
    assert browser.session[SESSION_RESPONSE_KEY] == Response.objects.get().pk
    seen = [
        browser.get(path)
        for path in (
            THANKS,
            REVIEW,
            section_url("E"),
            "/vragenlijst/",
            f"/organisatie/rondes/{assessment.code}/",
        )
    ]
    for page in seen:
        html = page.content.decode()
        assert "van elkaar te leren" not in html
        assert HEADING not in html
        assert "Bekijk wat je antwoordde" not in html
    # And from HR's own browser nothing either.
    html = admin_client(admin).get(f"/organisatie/rondes/{assessment.code}/").content.decode()
    assert "van elkaar te leren" not in html


def test_a_forged_or_guessed_link_shows_nothing(sent):
    _browser, saved_link = sent
    bare = saved_link.partition(".")[0]
    for forged in (
        secrets.token_urlsafe(32),
        bare[:-1] + ("A" if bare[-1] != "A" else "B"),
        bare[:20],
        "." + saved_link.partition(".")[2],  # the invitation's token alone
    ):
        page = Client().get(resume_url(forged))
        assert page.status_code == 404
        html = page.content.decode()
        assert HEADING not in html and "van elkaar te leren" not in html


def test_another_respondents_link_shows_only_their_own_answers(assessment, sent):
    _browser, _victims_link = sent
    _invitation, token = make_invitation(assessment, "medewerker")
    other = Client()
    other.get(link(token))
    answer_and_send(other, words="Een heel ander antwoord")
    html = Client().get(resume_url(resume_token_of_sent(other))).content.decode()
    assert "Een heel ander antwoord" in html
    assert "van elkaar te leren" not in html
    assert "Je antwoordde als: Medewerker." in html


def resume_token_of_sent(browser: Client) -> str:
    """A sent respondent's link, as their thank-you page hands it over."""
    html = browser.get(THANKS).content.decode()
    return re.search(r'href="http://testserver/vragenlijst/hervat/([^/"]+)/"', html).group(1)


def test_the_victims_handed_over_cookie_shows_nothing_in_another_browser(assessment, sent):
    """An attacker who sent answers of their own replays the victim's signed cookie (or one
    forged with the victim's token): their thank-you page does not lead to the victim."""
    victim, saved_link = sent
    victims_cookie = victim.cookies[SENT_COOKIE].value
    bare = saved_link.partition(".")[0]
    _invitation, token = make_invitation(assessment, "medewerker", shared=True)
    for cookie in (victims_cookie, get_cookie_signer(salt="other").sign(bare), bare):
        attacker = Client()
        attacker.get(link(token))
        answer_and_send(attacker, words="Iets van mezelf")
        attacker.cookies[SENT_COOKIE] = cookie
        html = attacker.get(THANKS).content.decode()
        assert bare not in html
        assert "Bekijk wat je antwoordde" not in html


def test_the_victims_cookie_in_a_browser_without_a_sent_response_shows_nothing(sent):
    victim, _saved_link = sent
    attacker = Client()
    attacker.cookies[SENT_COOKIE] = victim.cookies[SENT_COOKIE].value
    attacker.cookies[LINK_COOKIE] = ""
    page = attacker.get(THANKS)
    assert page.status_code == 302 and page["Location"] == "/vragenlijst/"


# --- In a browser: at 390 px, with the keyboard, in print ----------------------------------


@pytest.mark.browser
def test_a_respondent_reads_what_they_answered_on_a_phone_with_the_keyboard(
    browser, live_server, transactional_db
):
    from playwright.sync_api import expect

    from leerkansen.testing import assert_no_axe_violations

    assessment = make_round()
    _invitation, token = make_invitation(assessment, "hr")
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 844}, locale="nl-BE"
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(link(token))
    page.goto(section_url("B"))
    for item_id, label in (("B1_1", "Eens"), ("B1_6", "Oneens"), ("B1_3", "Eens")):
        page.locator(f"#vraag-{item_id}").get_by_label(label, exact=True).check()
    page.locator("#vraag-B1_7").get_by_label("Weet niet").check()
    page.locator("#vraag-B1_5").get_by_label("Helemaal eens", exact=True).check()
    page.get_by_role("button", name="Volgende").click()
    page.goto(section_url("E"))
    page.get_by_label(text_of("E_open")).fill("Meer tijd <b>samen</b> leren")
    page.get_by_role("button", name="Volgende").click()
    page.get_by_role("button", name="Verstuur je antwoorden").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bedankt voor je antwoorden")
    assert_no_axe_violations(page)

    # The link to the answers is reached with Tab and opened with Enter.
    target = page.get_by_role("link", name="Bekijk wat je antwoordde")
    for _ in range(40):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            break
    else:
        pytest.fail("the link to what was answered is not reached with the keyboard")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Wat je antwoordde")
    assert "/vragenlijst/hervat/" in page.url
    expect(page.locator("dd", has_text="Meer tijd <b>samen</b> leren")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways at 390 px ({width} px)"
    assert_no_axe_violations(page)
    page.locator("#stap-B").scroll_into_view_if_needed()
    page.emulate_media(media="print")
    assert page.locator(".site-header").is_hidden()
    page.emulate_media(media="screen")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.locator("#stap-E").scroll_into_view_if_needed()
    # The thank-you page forgot the link.
    page.goto(THANKS)
    expect(page.get_by_role("link", name="Bekijk wat je antwoordde")).to_have_count(0)
    context.close()
