"""Respondents answer in Dutch, French or English (issue 17): the browser's language first, a
switch on every respondent page, the choice kept with the response; every other page Dutch;
answers (and so scores) the same in every language."""

import re

import pytest
from django.core import mail
from django.test import Client

from leerkansen.content.questionnaire import questionnaire_for
from leerkansen.content.questionnaire_pages import questionnaire_pages
from leerkansen.content.questionnaire_translations import questionnaire_in
from leerkansen.scoring.scales import scale_items, scores_of
from leerkansen.survey.models import Response
from leerkansen.survey.rounds import invitation_mail
from leerkansen.survey.services import answers_of
from leerkansen.survey.tests import (
    admin_client,
    link,
    make_invitation,
    resume_token_of,
    the_response,
)
from leerkansen.testing import make_admin, make_round

pytestmark = pytest.mark.django_db

FRENCH_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "fr-BE,fr;q=0.9,en;q=0.5"}
SWITCH = "/vragenlijst/taal/"
START = "/vragenlijst/"


def lang_of(html: str) -> str:
    return re.search(r'<html lang="([^"]+)"', html).group(1)


def radios(html: str) -> dict[str, list[tuple[str, str]]]:
    """(value, label) of every radio button of the page, per item."""
    found: dict[str, list[tuple[str, str]]] = {}
    pattern = (
        r'<input type="radio" name="(\w+)" id="[^"]+" value="([^"]+)"(?: checked)?>'
        r'<span class="choice__label">([^<]+)</span>'
    )
    for name, value, label in re.findall(pattern, html):
        found.setdefault(name, []).append((value, label))
    return found


@pytest.fixture
def assessment():
    return make_round()


def open_link(assessment, role="medewerker", **headers) -> Client:
    client = Client(**headers)
    _invitation, token = make_invitation(assessment, role)
    client.get(link(token))
    return client


def test_a_french_browser_gets_the_questionnaire_in_french(assessment):
    client = open_link(assessment, **FRENCH_BROWSER)
    assert the_response(client).language == "fr"
    page = client.get("/vragenlijst/stap/B/")
    html = page.content.decode()
    french = questionnaire_in("fr", "medewerker")
    assert lang_of(html) == "fr"
    assert page["Content-Language"] == "fr"
    assert french.item("B1_6").text.replace("'", "&#x27;") in html
    assert "Étape 1 sur" in html
    assert ">Suivant</button>" in html
    # The same values as in Dutch, French labels.
    first = french.scales.agreement[0].label.replace("'", "&#x27;")
    assert radios(html)["B1_6"][0] == ("1", first)
    assert french.scales.dont_know_label.replace("'", "&#x27;") in html
    assert "Helemaal oneens" not in html


def test_a_browser_in_another_language_gets_dutch(assessment):
    client = open_link(assessment, HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9")
    html = client.get("/vragenlijst/stap/B/").content.decode()
    assert lang_of(html) == "nl"
    assert questionnaire_for("medewerker").item("B1_6").text in html
    assert the_response(client).language == "nl"


def test_the_switch_changes_the_language_and_the_response_keeps_it(assessment):
    client = open_link(assessment, **FRENCH_BROWSER)
    page = client.get("/vragenlijst/stap/B/").content.decode()
    # The switch is on the page, as a plain form: every language named in itself.
    assert f'action="{SWITCH}"' in page
    for code, name in (("nl", "Nederlands"), ("fr", "Français"), ("en", "English")):
        assert f'value="{code}" lang="{code}"' in page and f">{name}</button>" in page
    assert 'lang="fr" class="button button--primary" aria-pressed="true"' in page

    back = client.post(SWITCH, {"taal": "en", "next": "/vragenlijst/stap/B/"})
    assert back.status_code == 302 and back["Location"] == "/vragenlijst/stap/B/"
    html = client.get("/vragenlijst/stap/B/").content.decode()
    assert lang_of(html) == "en"
    assert questionnaire_in("en", "medewerker").item("B1_6").text in html.replace("&#x27;", "'")
    assert ">Next</button>" in html
    assert the_response(client).language == "en"
    # Kept with the response: the session holds no more than before.
    assert "survey_language" not in client.session

    # The link opened again in another browser (a Dutch one) continues in English.
    token = resume_token_of(client)
    laptop = Client(HTTP_ACCEPT_LANGUAGE="nl-BE")
    opened = laptop.get(f"/vragenlijst/hervat/{token}/", follow=True)
    assert lang_of(opened.content.decode()) == "en"


def test_the_switch_refuses_an_unknown_language_and_a_foreign_address(assessment):
    client = open_link(assessment)
    kept = client.post(SWITCH, {"taal": "de", "next": "https://elders.example/"})
    assert kept["Location"] == START
    assert the_response(client).language == "nl"
    assert lang_of(client.get(START).content.decode()) == "nl"
    # Not a GET: a link cannot change a respondent's language.
    assert client.get(SWITCH, {"taal": "fr"}).status_code == 405


def test_the_switch_works_before_any_link_is_opened():
    visitor = Client()
    visitor.post(SWITCH, {"taal": "fr", "next": START})
    html = visitor.get(START).content.decode()
    assert lang_of(html) == "fr"
    assert "Le questionnaire Leerkansen" in html
    assert not Response.objects.exists()


def test_hr_pages_stay_dutch_whatever_the_browser_asks():
    user, organisation = make_admin()
    assessment = make_round(organisation)
    admin = admin_client(user)
    admin.defaults.update(FRENCH_BROWSER)
    html = admin.get(f"/organisatie/rondes/{assessment.code}/").content.decode()
    assert lang_of(html) == "nl"
    assert "Naar de inhoud" in html and "Mijn organisatie" in html
    assert "Aller au contenu" not in html
    assert "Français" not in html  # no language switch outside the questionnaire
    anonymous = Client(**FRENCH_BROWSER)
    for url in ("/account/inloggen/", "/"):
        page = anonymous.get(url)
        assert lang_of(page.content.decode()) == "nl", url
        assert "Naar de inhoud" in page.content.decode()
        assert "Content-Language" not in page
    # The API's messages too.
    refused = anonymous.get("/api/v1/questionnaire", {"taal": "de"})
    assert refused.json()["detail"][0]["msg"] == "Kies een van deze talen: nl, fr, en."


def test_a_french_admin_answering_herself_stays_dutch_on_her_rounds_page():
    user, organisation = make_admin()
    assessment = make_round(organisation)
    admin = admin_client(user)
    admin.defaults.update(FRENCH_BROWSER)
    _invitation, token = make_invitation(assessment, "hr")
    admin.get(link(token))
    assert lang_of(admin.get("/vragenlijst/stap/A/").content.decode()) == "fr"
    assert lang_of(admin.get(f"/organisatie/rondes/{assessment.code}/").content.decode()) == "nl"


def answer_everything(client: Client, role: str) -> None:
    """Answer every page as a person would: on each statement the same place on the scale,
    read from the page in its own language."""
    for number, page in enumerate(questionnaire_pages(role).sections):
        html = client.get(f"/vragenlijst/stap/{page.id}/").content.decode()
        data = {}
        for index, (name, choices) in enumerate(radios(html).items()):
            data[name] = choices[(number + index) % len(choices)][0]
        answered = client.post(f"/vragenlijst/stap/{page.id}/", {**data, "navigate": "next"})
        assert answered.status_code == 302, html
    sent = client.post("/vragenlijst/overzicht/")
    assert sent["Location"] == "/vragenlijst/bedankt/"


@pytest.mark.parametrize("role", ["medewerker", "hr"])
def test_the_same_answers_in_french_and_dutch_are_stored_and_scored_the_same(assessment, role):
    if role not in assessment.roles:
        assessment.roles = [*assessment.roles, role]
        assessment.save(update_fields=["roles"])
    french = open_link(assessment, role, **FRENCH_BROWSER)
    dutch = open_link(assessment, role, HTTP_ACCEPT_LANGUAGE="nl-BE")
    answer_everything(french, role)
    answer_everything(dutch, role)
    in_french, in_dutch = (Response.objects.get(pk=the_response(c).pk) for c in (french, dutch))
    assert (in_french.language, in_dutch.language) == ("fr", "nl")
    assert in_french.is_completed and in_dutch.is_completed
    assert answers_of(in_french) == answers_of(in_dutch)
    assert len(answers_of(in_french)) > 20
    items = scale_items(questionnaire_for(role))
    scores = scores_of([answers_of(in_french)], items)
    assert scores == scores_of([answers_of(in_dutch)], items)
    assert any(score is not None for score in scores.values())


def test_the_invitation_mail_is_dutch_and_points_to_french_and_english(assessment):
    invitation, _token = make_invitation(assessment, "medewerker", email="an@linde.be")
    message = invitation_mail(invitation, "https://leerkansen.example")
    assert message.subject == "Zorggroep De Linde vraagt je mening: de vragenlijst van Leerkansen"
    body = message.body
    assert body.startswith("Dag,\n\nZorggroep De Linde wil weten hoe leren op het werk loopt")
    assert (
        "Vous pouvez aussi répondre en français\u00a0: ouvrez le lien ci-dessus et choisissez "
        "«\u00a0Français\u00a0» en haut de la page." in body
    )
    assert (
        "You can also answer in English: open the link above and choose “English” at the top "
        "of the page." in body
    )
    # The pointers come after the Dutch text, the link first.
    assert body.index("https://leerkansen.example/vragenlijst/") < body.index("Vous pouvez")
    reminder = invitation_mail(invitation, "https://leerkansen.example", reminder=True)
    assert "Vous pouvez aussi répondre en français" in reminder.body
    assert not mail.outbox


def test_what_a_french_respondent_answered_is_shown_in_french(assessment):
    client = open_link(assessment, **FRENCH_BROWSER)
    token = resume_token_of(client)
    answer_everything(client, "medewerker")
    # Opened in a Dutch browser: shown in the language it was answered in.
    page = Client(HTTP_ACCEPT_LANGUAGE="nl-BE").get(f"/vragenlijst/hervat/{token}/")
    own = page.content.decode()
    assert lang_of(own) == "fr" and page["Content-Language"] == "fr"
    assert "Ce que vous avez répondu" in own
    assert "Vous avez répondu comme\u00a0: Membre du personnel." in own


def test_an_admin_invites_in_french_and_the_mail_and_the_questionnaire_are_french():
    user, organisation = make_admin()
    assessment = make_round(organisation)
    admin = admin_client(user)
    form = admin.get(f"/organisatie/rondes/{assessment.code}/uitnodigen/").content.decode()
    assert "Taal van de e-mail" in form and '<option value="fr" lang="fr">Français</option>' in form
    admin.post(
        f"/organisatie/rondes/{assessment.code}/uitnodigen/",
        {"role": "medewerker", "addresses": "chloe@linde.be", "language": "fr"},
    )
    (message,) = mail.outbox
    # (A subject is one line: its spaces, the no-break one too, become plain spaces.)
    assert message.subject == (
        f"{organisation.name} vous demande votre avis : le questionnaire Leerkansen"
    )
    assert message.body.startswith(f"Bonjour,\n\n{organisation.name} veut savoir comment")
    assert "Votre lien personnel\u00a0:" in message.body
    # The other languages point to themselves; no line repeats the mail's own language.
    assert "Je kan ook in het Nederlands antwoorden" in message.body
    assert "You can also answer in English" in message.body
    assert "Vous pouvez aussi répondre en français" not in message.body
    # Her phone is set to Dutch: the questionnaire opens in the mail's language all the same.
    url = re.search(r"https?://\S+/vragenlijst/uitnodiging/\S+/", message.body).group(0)
    phone = Client(HTTP_ACCEPT_LANGUAGE="nl-BE")
    page = phone.get(url.split("testserver", 1)[-1], follow=True)
    assert lang_of(page.content.decode()) == "fr"
    assert the_response(phone).language == "fr"


def test_without_a_choice_the_mail_is_dutch_and_the_browser_decides():
    user, organisation = make_admin()
    assessment = make_round(organisation)
    admin = admin_client(user)
    admin.post(
        f"/organisatie/rondes/{assessment.code}/uitnodigen/",
        {"role": "medewerker", "addresses": "jan@linde.be"},
    )
    (message,) = mail.outbox
    assert message.body.startswith("Dag,")
    url = re.search(r"https?://\S+/vragenlijst/uitnodiging/\S+/", message.body).group(0)
    phone = Client(**FRENCH_BROWSER)
    phone.get(url.split("testserver", 1)[-1])
    assert the_response(phone).language == "fr"


def test_an_unknown_mail_language_is_refused_in_dutch():
    user, organisation = make_admin()
    assessment = make_round(organisation)
    page = admin_client(user).post(
        f"/organisatie/rondes/{assessment.code}/uitnodigen/",
        {"role": "medewerker", "addresses": "jan@linde.be", "language": "de"},
    )
    assert "Kies een van de talen in de lijst." in page.content.decode()
    assert not mail.outbox


def test_a_link_that_does_not_work_is_explained_in_the_browser_language():
    page = Client(**FRENCH_BROWSER).get(link("pas-un-lien"))
    html = page.content.decode()
    assert page.status_code == 404
    assert lang_of(html) == "fr"
    assert "Nous ne trouvons pas ce lien" in html
    # The switch is there too: someone who reads neither can still find their language.
    assert f'action="{SWITCH}"' in html
