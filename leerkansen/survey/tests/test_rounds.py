"""The admin's round pages: open a round, invite, share links, remind, follow, close."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from leerkansen.organisations.models import Organisation
from leerkansen.reports.models import Report
from leerkansen.survey.models import Assessment, Invitation, Response
from leerkansen.survey.services import complete_response, save_answers, start_response
from leerkansen.survey.tests import (
    admin_client,
    enough_for_a_report,
    link,
    make_invitation,
    the_response,
)
from leerkansen.testing import BARE, make_admin, make_round

pytestmark = pytest.mark.django_db

ROUNDS = "/organisatie/rondes/"
LINK_IN_MAIL = re.compile(r"http://testserver(/vragenlijst/uitnodiging/[\w-]{43}/)")


def round_url(assessment: Assessment, rest: str = "") -> str:
    return f"{ROUNDS}{assessment.code}/{rest}"


@pytest.fixture
def organisation():
    return Organisation.objects.create(name="Zorggroep De Linde")


@pytest.fixture
def admin(organisation):
    return admin_client(make_admin("hr@linde.be", organisation=organisation, **BARE)[0])


@pytest.fixture
def assessment(organisation):
    return make_round(organisation)


def answer_and_send(client: Client) -> None:
    client.post("/vragenlijst/stap/B/", enough_for_a_report(the_response(client).role))
    assert client.post("/vragenlijst/overzicht/")["Location"] == "/vragenlijst/bedankt/"


def test_an_admin_opens_a_round_choosing_who_answers(admin, organisation):
    html = admin.get(ROUNDS).content.decode()
    assert "Je hebt nog geen rondes." in html
    assert "<legend>Wie vult de vragenlijst in?</legend>" in html
    for label in ("HR", "Directie", "Leidinggevende", "Medewerker"):
        assert f'<span class="choice__label">{label}</span>' in html

    response = admin.post(ROUNDS, {"roles": ["medewerker", "hr"], "title": "Voorjaar 2027"})
    assessment = Assessment.objects.get()
    assert response["Location"] == round_url(assessment, "uitnodigen/")
    assert assessment.organisation == organisation
    assert assessment.roles == ["hr", "medewerker"]
    assert assessment.title == "Voorjaar 2027"
    assert assessment.is_open

    html = admin.get(ROUNDS).content.decode()
    assert f'<a href="{round_url(assessment)}">Voorjaar 2027</a>' in html
    assert "0 antwoorden verstuurd" in html


def test_a_round_needs_at_least_one_group(admin):
    response = admin.post(ROUNDS, {"title": "Leeg"})
    assert response.status_code == 200
    assert "Kies minstens één groep die de vragenlijst invult." in response.content.decode()
    assert not Assessment.objects.exists()


def test_personal_invitations_are_e_mailed_with_a_link_that_works(admin, assessment):
    page = admin.get(round_url(assessment, "uitnodigen/")).content.decode()
    assert '<label for="id_addresses">E-mailadressen</label>' in page

    response = admin.post(
        round_url(assessment, "uitnodigen/"),
        {
            "role": "medewerker",
            "addresses": "an@linde.be\nBert@Linde.be, an@linde.be; cas@linde.be",
        },
    )
    assert response["Location"] == round_url(assessment, "uitnodigen/")
    assert sorted(m.to[0] for m in mail.outbox) == ["an@linde.be", "bert@linde.be", "cas@linde.be"]
    message = mail.outbox[0]
    assert message.subject == "Zorggroep De Linde vraagt je mening: de vragenlijst van Leerkansen"
    assert "Je persoonlijke link:" in message.body
    assert "Ronde: Voorjaar 2027" in message.body
    assert "nooit per persoon" in message.body
    path = LINK_IN_MAIL.search(message.body).group(1)
    assert set(Invitation.objects.values_list("role", "kind")) == {("medewerker", "personal")}
    # Only the hash is stored, never the link's token.
    token = path.split("/")[-2]
    assert not Invitation.objects.filter(token_hash__contains=token).exists()

    html = admin.get(round_url(assessment, "uitnodigen/")).content.decode()
    assert "3 uitnodigingen verstuurd." in html
    assert "<li>an@linde.be</li>" in html

    respondent = Client()
    # An employee's version starts with the statements: no context step.
    assert respondent.get(path)["Location"] == "/vragenlijst/stap/B/"
    assert the_response(respondent).role == "medewerker"

    # Sending again to a known address does not send a second link.
    mail.outbox.clear()
    admin.post(round_url(assessment, "uitnodigen/"), {"role": "hr", "addresses": "an@linde.be"})
    assert mail.outbox == []
    html = admin.get(round_url(assessment, "uitnodigen/")).content.decode()
    assert "Al uitgenodigd voor deze ronde, dus niet opnieuw verstuurd: an@linde.be" in html


def test_wrong_addresses_are_named_and_nothing_is_sent(admin, assessment):
    response = admin.post(
        round_url(assessment, "uitnodigen/"),
        {"role": "medewerker", "addresses": "an@linde.be\nbert-at-linde.be"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Deze adressen kloppen niet: bert-at-linde.be. Verbeter ze en verstuur opnieuw." in html
    assert 'aria-describedby="adressen-hulp adressen-fout" aria-invalid="true"' in html
    # What was typed stays in the field.
    assert "an@linde.be\nbert-at-linde.be</textarea>" in html
    assert mail.outbox == []
    assert not Invitation.objects.exists()


def test_a_role_outside_the_round_cannot_be_invited(admin, organisation):
    assessment = make_round(organisation, roles=["medewerker"])
    response = admin.post(
        round_url(assessment, "uitnodigen/"), {"role": "directie", "addresses": "an@linde.be"}
    )
    assert "Kies een van de groepen van deze ronde." in response.content.decode()
    assert mail.outbox == []


def test_a_shared_link_per_role_is_made_shown_and_switched_off(admin, assessment):
    html = admin.get(round_url(assessment, "uitnodigen/")).content.decode()
    assert "Maak een link voor Leidinggevende</button>" in html

    admin.post(round_url(assessment, "gedeelde-link/"), {"role": "leidinggevende"})
    admin.post(round_url(assessment, "gedeelde-link/"), {"role": "leidinggevende"})
    shared = Invitation.objects.get()
    assert (shared.kind, shared.role, shared.email) == ("shared", "leidinggevende", "")

    html = admin.get(round_url(assessment, "uitnodigen/")).content.decode()
    url = re.search(r'id="link-leidinggevende" value="http://testserver([^"]+)"', html).group(1)
    # Shown again on every visit, the same link.
    again = admin.get(round_url(assessment, "uitnodigen/")).content.decode()
    assert url in again
    assert "Zet de link voor Leidinggevende uit</button>" in html
    assert Client().get(url).status_code == 302

    admin.post(round_url(assessment, f"gedeelde-link/{shared.code}/uitzetten/"))
    assert Client().get(url).status_code == 404
    html = admin.get(round_url(assessment, "uitnodigen/")).content.decode()
    assert "De gedeelde link werkt niet meer." in html
    assert "Maak een link voor Leidinggevende</button>" in html


def test_status_counts_per_role_and_never_names_who_answered(admin, assessment):
    personal = [make_invitation(assessment, "medewerker", f"m{n}@linde.be") for n in range(3)]
    make_invitation(assessment, "leidinggevende", "chef@linde.be")
    make_invitation(assessment, "leidinggevende", shared=True)
    for _invitation, token in personal[:2]:
        respondent = Client()
        respondent.get(link(token))
    answer_and_send(respondent)

    response = admin.get(round_url(assessment))
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert "<dt>Medewerker</dt>" in html
    # A group's counts below the anonymity threshold (5) are not shown: their changes would
    # tell when one person answered.
    assert "Persoonlijk uitgenodigd: 3 · Begonnen: minder dan 5 · Verstuurd: minder dan 5" in html
    assert (
        "Persoonlijk uitgenodigd: 1 · Begonnen: minder dan 5 · Verstuurd: minder dan 5"
        " · gedeelde link actief"
    ) in html
    assert "<dt>HR</dt>" in html
    # Nobody's address appears next to the counts, also not the one who answered.
    assert "@" not in html.split('id="inhoud"')[1]
    # The invite page lists the addresses, without any state.
    invite = admin.get(round_url(assessment, "uitnodigen/")).content.decode()
    assert [f"<li>m{n}@linde.be</li>" in invite for n in range(3)] == [True] * 3
    for word in ("verstuurd</", "ingevuld", "begonnen", "✓"):
        assert word not in invite.split("Uitgenodigde adressen")[1].lower()


def test_the_report_is_reached_from_the_round_and_follows_the_responses_in_steps(admin, assessment):
    html = " ".join(admin.get(round_url(assessment)).content.decode().split())
    assert (
        "Het rapport verschijnt zodra 5 mensen van één groep (bijvoorbeeld de medewerkers) hun "
        "antwoorden verstuurd hebben" in html
    )

    for _ in range(5):
        respondent = Client()
        respondent.get(link(make_invitation(assessment)[1]))
        answer_and_send(respondent)
    report = Report.objects.get(assessment=assessment)
    assert report.response_count == 5
    html = admin.get(round_url(assessment)).content.decode()
    assert f'href="/rapport/{report.code}/">Bekijk het rapport</a>' in html
    assert "Het rapport brengt 5 antwoorden samen." in html
    assert (
        "Het rapport wordt bijgewerkt zodra een groep (bijvoorbeeld de medewerkers) 5 nieuwe "
        "antwoorden heeft, of wanneer je de ronde afsluit." in html
    )
    # "Werk het rapport bij" returns to the round page, which says what changed.
    assert admin.post(round_url(assessment, "rapport/"))["Location"] == round_url(assessment)


def test_the_admin_answers_as_hr_and_returns_to_the_round(admin, assessment):
    response = admin.post(round_url(assessment, "zelf-invullen/"))
    assert response["Location"] == "/vragenlijst/stap/A/"
    mine = the_response(admin)
    assert (mine.assessment, mine.role) == (assessment, "hr")
    # A second click continues the same questionnaire.
    admin.post(round_url(assessment, "zelf-invullen/"))
    assert Response.objects.count() == 1
    answer_and_send(admin)
    html = admin.get("/vragenlijst/bedankt/").content.decode()
    assert f'href="{round_url(assessment)}">Terug naar de ronde</a>' in html


def test_closing_a_round_stops_the_links_and_erases_the_addresses(admin, assessment):
    invitation, token = make_invitation(assessment, "medewerker", "an@linde.be")
    respondent = Client()
    respondent.get(link(token))
    answer_and_send(respondent)

    response = admin.post(round_url(assessment, "afsluiten/"))
    assert response["Location"] == round_url(assessment)
    assessment.refresh_from_db()
    assert assessment.status == "closed"
    assert assessment.closed_at is not None
    invitation.refresh_from_db()
    assert invitation.email == ""
    html = admin.get(round_url(assessment)).content.decode()
    assert "De ronde is afgesloten." in html
    assert "Afgesloten op" in html
    assert "Sluit de ronde af" not in html
    assert "Nodig mensen uit</a>" not in html
    # Its links show as closed, not as active.
    assert "gedeelde link actief" not in html
    assert "geen enkele persoonlijke of gedeelde link van deze ronde werkt nog" in html
    invite = admin.get(round_url(assessment, "uitnodigen/")).content.decode()
    assert "De adressen werden gewist toen de ronde afgesloten werd." in invite
    assert Client().get(link(make_invitation(assessment)[1])).status_code == 404
    # The answer already sent stays, but one respondent's answers make no report.
    assert assessment.responses.filter(completed_on__isnull=False).count() == 1
    assert not Report.objects.filter(assessment=assessment).exists()
    assert "Er is geen rapport: minder dan 5 mensen verstuurden hun antwoorden" in " ".join(
        html.split()
    )


def test_closing_asks_for_a_confirmation_that_says_what_it_means(admin, assessment):
    make_invitation(assessment, "medewerker", shared=True)
    page = admin.get(round_url(assessment)).content.decode()
    # The round page's button only leads to the confirmation: no form there closes the round.
    assert f'action="{round_url(assessment, "afsluiten/")}"' not in page
    assert f'href="{round_url(assessment, "afsluiten/")}"' in page
    assert "gedeelde link actief" in page

    confirmation = admin.get(round_url(assessment, "afsluiten/"))
    assert confirmation.status_code == 200
    text = " ".join(confirmation.content.decode().split())
    for promise in (
        "De ronde afsluiten?",
        "kan niemand nog antwoorden toevoegen of wijzigen",
        "wordt het eindrapport gemaakt, met de vergelijking per groep",
        "kan je dat niet ongedaan maken",
        # Nobody answered yet: closing now leaves the round without a report, and it says so.
        "Nog niemand heeft antwoorden verstuurd: na het afsluiten heeft deze ronde geen rapport.",
        "Ja, sluit de ronde definitief af",
        "Nee, laat de ronde open",
    ):
        assert promise in text, promise
    assessment.refresh_from_db()
    assert assessment.is_open  # looking at the question closes nothing

    assert admin.post(round_url(assessment, "afsluiten/"))["Location"] == round_url(assessment)
    assessment.refresh_from_db()
    assert not assessment.is_open
    closed = " ".join(admin.get(round_url(assessment)).content.decode().split())
    assert "gedeelde link gesloten" in closed
    assert "gedeelde link actief" not in closed
    # A closed round has nothing to confirm any more.
    assert admin.get(round_url(assessment, "afsluiten/"))["Location"] == round_url(assessment)


def test_the_confirmation_warns_when_too_few_answered_for_a_report(admin, assessment):
    _invitation, token = make_invitation(assessment, "medewerker")
    respondent = Client()
    respondent.get(link(token))
    answer_and_send(respondent)
    text = " ".join(admin.get(round_url(assessment, "afsluiten/")).content.decode().split())
    assert "Tot nu toe heeft 1 persoon de antwoorden verstuurd." in text
    assert "Minder dan 5 mensen hebben hun antwoorden verstuurd: na het afsluiten heeft" in text


def test_the_reminder_button_reminds_only_who_has_not_answered(admin, assessment):
    waiting, _ = make_invitation(assessment, "medewerker", "wacht@linde.be")
    done, _ = make_invitation(assessment, "medewerker", "klaar@linde.be")
    fresh, _ = make_invitation(assessment, "medewerker", "nieuw@linde.be")
    week_ago = timezone.localdate() - timedelta(days=7)
    Invitation.objects.filter(pk__in=[waiting.pk, done.pk]).update(created_on=week_ago)
    response, _ = start_response(assessment, "medewerker")
    save_answers(response, {"B1_1": 4})
    complete_response(response, done.pk)

    admin.post(round_url(assessment, "herinneren/"))
    assert [m.to for m in mail.outbox] == [["wacht@linde.be"]]
    assert mail.outbox[0].subject.startswith("Herinnering: Zorggroep De Linde")
    assert LINK_IN_MAIL.search(mail.outbox[0].body)
    html = admin.get(round_url(assessment)).content.decode()
    assert "1 herinnering verstuurd." in html

    # Not twice in a week.
    admin.post(round_url(assessment, "herinneren/"))
    assert len(mail.outbox) == 1
    assert "Geen herinneringen verstuurd" in admin.get(round_url(assessment)).content.decode()
    fresh.refresh_from_db()
    assert fresh.reminded_on is None


def test_round_pages_need_an_account(client, assessment):
    for path in (ROUNDS, round_url(assessment), round_url(assessment, "uitnodigen/")):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/account/inloggen/?next=")


def all_round_urls(assessment: Assessment, link_code: str) -> list[tuple[str, str]]:
    return [
        ("get", round_url(assessment)),
        ("get", round_url(assessment, "uitnodigen/")),
        ("post", round_url(assessment, "uitnodigen/")),
        ("post", round_url(assessment, "gedeelde-link/")),
        ("post", round_url(assessment, f"gedeelde-link/{link_code}/uitzetten/")),
        ("post", round_url(assessment, "herinneren/")),
        ("post", round_url(assessment, "afsluiten/")),
        ("post", round_url(assessment, "rapport/")),
        ("post", round_url(assessment, "zelf-invullen/")),
    ]


def test_another_organisations_admin_gets_404_on_every_round_url(assessment):
    shared, _ = make_invitation(assessment, "medewerker", shared=True)
    outsider = admin_client(
        make_admin(
            "hr@andere.be", organisation=Organisation.objects.create(name="Andere vzw"), **BARE
        )[0]
    )
    for method, path in all_round_urls(assessment, shared.code):
        data = {"role": "medewerker", "addresses": "x@andere.be"} if method == "post" else None
        response = getattr(outsider, method)(path, data)
        assert response.status_code == 404, (method, path)
    assessment.refresh_from_db()
    assert assessment.is_open
    shared.refresh_from_db()
    assert not shared.revoked
    assert mail.outbox == []
    assert Invitation.objects.count() == 1
    assert not Response.objects.exists()
    assert assessment.code not in outsider.get(ROUNDS).content.decode()


def test_a_shared_link_of_another_round_cannot_be_switched_off(admin, organisation, assessment):
    other_round = make_round(organisation)
    other, _ = make_invitation(other_round, "medewerker", shared=True)
    response = admin.post(round_url(assessment, f"gedeelde-link/{other.code}/uitzetten/"))
    assert response.status_code == 404
    other.refresh_from_db()
    assert not other.revoked
