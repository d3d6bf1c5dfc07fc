"""The issue's "done when", end to end in a real browser.

An HR admin registers, opens a round for HR, line managers and employees, invites six employees
and four managers by e-mail and answers too. Everyone answers in their own browser; employees
see few barriers, managers many. While the round is open the report changes only when a group
has five new responses, and shows everyone together, nothing per group (docs/scoring.md,
"When a round's report changes"): the five employees make its first state; the four managers
and the admin's HR answer, groups below five, wait for the close. The admin closes the round
(after a confirmation page): the final report compares the employees with everyone and with
the four managers and the one HR answer as one merged group of five, the anonymity threshold;
the managers alone are never shown (scoring.anonymity.report_groups). The sixth employee,
alone since the employees' step, is left out of the final report, which says so.
"""

import random
import re
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.core import mail
from playwright.sync_api import expect

from leerkansen.content.questionnaire import get_questionnaire, questionnaire_for
from leerkansen.content.questionnaire_pages import questionnaire_pages
from leerkansen.reports.models import Report
from leerkansen.reports.services import compute_report
from leerkansen.scoring.scales import score_value
from leerkansen.survey.forms import encode, widget_for
from leerkansen.testing import PASSWORD, assert_no_axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMPLOYEES = [f"medewerker{n}@zorggroep.be" for n in range(1, 7)]
MANAGERS = [f"leiding{n}@zorggroep.be" for n in range(1, 5)]
ROUND_TITLE = "Voorjaar 2027"


def open_page(browser, live_server):
    """A fresh browser profile, so that nobody's session mixes with another's."""
    context = browser.new_context(base_url=live_server.url, locale="nl-BE")
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


def answers_for(role: str, number: int) -> dict:
    """A whole questionnaire for one respondent, the same on every run.

    Employees agree with most statements (4-5), managers disagree (1-2), HR is in between.
    """
    questionnaire = get_questionnaire()
    pick = random.Random(f"{role}-{number}").choice
    scale = {"medewerker": [3, 4, 4, 5, 5], "leidinggevende": [1, 1, 2, 2, 3], "hr": [2, 3, 4]}
    share = {"medewerker": "25_50", "leidinggevende": "10_25", "hr": None}[role]
    answers = {
        "A_sector": "Q",
        "A_size": "50_249",
        "A_sites": "2_3",
        "A_away_from_manager": share,
        "A_alone": share,
        "A_telework": "0_10",
        "A_hr_capacity": "lt1",
        "A_training_plan": "in_opmaak" if role == "hr" else None,
        "A_role": role,
    }
    for item in questionnaire.items("B") + questionnaire.items("E"):
        if item.scale != "text":
            answers[item.id] = pick(scale[role])
    for item in questionnaire.items("C"):
        answers[item.id] = pick(["al", "deels", "nog_niet", "nog_niet"])
    needs = random.Random(f"needs-{role}-{number}").sample(range(1, 10), 3)
    for rank, (need_id, urgency_id) in enumerate(questionnaire.need_items()):
        answers[need_id] = needs[rank]
        answers[urgency_id] = 5 - rank
    answers["E_open"] = f"Meer tijd om samen te leren ({role} {number})."
    return answers


# Sets every field of a questionnaire page at once: a radio group, select or text area takes
# the value given for its name. Returns the names that have no field with that value.
FILL_PAGE = """(answers) => {
  const form = document.querySelector("form.survey-form");
  const missing = [];
  for (const [name, value] of Object.entries(answers)) {
    const field = form.elements.namedItem(name);
    if (field) field.value = value;
    if (!field || field.value !== value) missing.push(name);
  }
  return missing;
}"""


def answer_questionnaire(page, answers: dict, by_hand: bool = False, role: str = "hr") -> None:
    """Answer every step of `role`'s version, then send from the overview.

    By hand, every answer is a click, a choice in a list or typed text; otherwise each page is
    filled at once by a script (as the browser's form filling would), to keep the test fast.
    Both send the page with the "Volgende" button.
    """
    questionnaire = questionnaire_pages(role)
    for section in questionnaire.sections:
        expect(page.get_by_role("heading", level=1)).to_have_text(section.title)
        values = {item.id: encode(answers[item.id]) for item in questionnaire.items(section.id)}
        if not by_hand:
            assert page.evaluate(FILL_PAGE, values) == []
            values = {}
        for item_id, value in values.items():
            widget = widget_for(questionnaire.item(item_id))
            if widget == "text":
                page.locator(f"#id_{item_id}").fill(value)
            elif widget == "select":
                page.locator(f"#id_{item_id}").select_option(value)
            else:
                page.locator(f"#vraag-{item_id} input[value='{value}']").check()
        page.get_by_role("button", name="Volgende").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Overzicht")
    expect(page.get_by_text("Elke vraag heeft een antwoord.")).to_be_visible()
    page.get_by_role("button", name="Verstuur je antwoorden").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bedankt voor je antwoorden")


def register_with_organisation(page) -> None:
    page.goto("/")
    page.get_by_role("link", name="Inloggen").click()
    page.get_by_role("link", name="Maak een account").click()
    page.get_by_label("E-mailadres").fill("an@zorggroep.be")
    page.get_by_label("Je naam").fill("An Peeters")
    page.get_by_label("Wachtwoord", exact=True).fill(PASSWORD)
    page.get_by_label("Wachtwoord nog eens").fill(PASSWORD)
    page.get_by_role("button", name="Account maken").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kijk in je mailbox")
    page.goto(re.search(r"https?://\S+/account/bevestigen/\S+", mail.outbox[-1].body).group(0))
    page.get_by_role("button", name="Bevestig mijn adres").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Voeg je organisatie toe")
    page.get_by_label("Naam van je organisatie").fill("Zorggroep Noord")
    page.get_by_label("Sector").select_option(label="Gezondheidszorg en welzijn")
    page.get_by_label("50 tot 249").check()
    page.get_by_role("button", name="Organisatie maken").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Zorggroep Noord")


def invite(page, role_label: str, addresses: list[str]) -> None:
    page.get_by_role("group", name="Ze antwoorden als").get_by_label(role_label).check()
    page.get_by_label("E-mailadressen").fill("\n".join(addresses))
    page.get_by_role("button", name="Verstuur de uitnodigingen").click()
    expect(page.get_by_text(f"{len(addresses)} uitnodigingen verstuurd.")).to_be_visible()


def personal_links() -> dict[str, str]:
    """The link in each invitation e-mail, by address."""
    pattern = re.compile(r"https?://\S+/vragenlijst/uitnodiging/\S+/")
    return {
        message.to[0]: pattern.search(message.body).group(0)
        for message in mail.outbox
        if pattern.search(message.body)
    }


def test_round_compares_employees_with_everyone_and_managers_only_merged_with_hr(
    browser, live_server
):
    assert settings.ANONYMITY_THRESHOLD == 5
    admin = open_page(browser, live_server)

    # 1. Register, create the organisation, open a round for three groups.
    register_with_organisation(admin)
    admin.get_by_role("link", name="Naar de rondes").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Rondes")
    for role_label in ("HR", "Leidinggevende", "Medewerker"):
        admin.get_by_label(role_label, exact=True).check()
    admin.get_by_label("Titel (niet verplicht)").fill(ROUND_TITLE)
    admin.get_by_role("button", name="Open de ronde").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Nodig mensen uit")

    # 2. Personal links by e-mail.
    invite(admin, "Medewerker", EMPLOYEES)
    invite(admin, "Leidinggevende", MANAGERS)
    links = personal_links()
    assert sorted(links) == sorted(EMPLOYEES + MANAGERS)

    # 3. Everyone answers in a browser of their own; the admin answers too. Five employees
    # make the first state of the report; four managers and the admin wait for the close.
    responses = []

    def asked(role: str, answers: dict) -> dict:
        """The answers as stored: only what the role's version asks."""
        items = {item.id for item in questionnaire_for(role).items()}
        return {item_id: value for item_id, value in answers.items() if item_id in items}

    def answer_by_link(role: str, number: int, address: str) -> None:
        answers = answers_for(role, number)
        responses.append((role, asked(role, answers)))
        page = open_page(browser, live_server)
        page.goto(links[address])
        # The first one clicks every answer; the others fill each page at once (faster).
        answer_questionnaire(page, answers, by_hand=address == EMPLOYEES[0], role=role)
        page.context.close()

    for number, address in enumerate(EMPLOYEES[:5], start=1):
        answer_by_link("medewerker", number, address)
    for number, address in enumerate(MANAGERS, start=1):
        answer_by_link("leidinggevende", number, address)

    admin.get_by_role("link", name=ROUND_TITLE).click()
    expect(admin.get_by_role("heading", level=1)).to_have_text(ROUND_TITLE)
    admin.get_by_role("button", name="Vul zelf in").click()
    answers = answers_for("hr", 1)
    responses.append(("hr", asked("hr", answers)))
    answer_questionnaire(admin, answers)
    published = list(responses)
    # The sixth employee answers last, alone after the employees' step.
    answer_by_link("medewerker", 6, EMPLOYEES[5])

    # 4. The round page: counts of a group only from five, the report's state.
    admin.get_by_role("link", name="Mijn organisatie").click()
    admin.get_by_role("link", name="Naar de rondes").click()
    admin.get_by_role("link", name=ROUND_TITLE).click()
    status = admin.locator(".round-status")
    expect(status).to_contain_text("Persoonlijk uitgenodigd: 6 · Begonnen: 6 · Verstuurd: 6")
    expect(status).to_contain_text(
        "Persoonlijk uitgenodigd: 4 · Begonnen: minder dan 5 · Verstuurd: minder dan 5"
    )
    expect(status).to_contain_text(
        "Persoonlijk uitgenodigd: 0 · Begonnen: minder dan 5 · Verstuurd: minder dan 5"
    )
    expect(
        admin.get_by_text("In totaal hebben 11 personen hun antwoorden verstuurd.")
    ).to_be_visible()
    report_section = admin.locator("#rapport-titel + p")
    expect(report_section).to_have_text("Het rapport brengt 5 antwoorden samen.")
    expect(
        admin.get_by_text(
            "Het rapport wordt bijgewerkt zodra een groep (bijvoorbeeld de medewerkers)"
        )
    ).to_be_visible()

    # While the round is open the report shows everyone together, nothing per group.
    admin.get_by_role("link", name="Bekijk het rapport").click()
    admin.wait_for_url(re.compile(r"/rapport/"))
    expect(admin.locator("#per-rol")).to_have_count(0)
    expect(admin.locator("#stand-van-het-rapport")).to_contain_text(
        "De vergelijking per groep verschijnt één keer"
    )
    admin.go_back()

    # 5. Close the round and read the final report.
    admin.get_by_role("link", name="Sluit de ronde af").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("De ronde afsluiten?")
    admin.get_by_role("button", name="Ja, sluit de ronde definitief af").click()
    expect(admin.get_by_text("De ronde is afgesloten.")).to_be_visible()
    admin.get_by_role("link", name="Bekijk het rapport").click()
    admin.wait_for_url(re.compile(r"/rapport/"))
    expect(admin.locator("#stand-van-het-rapport")).to_contain_text(
        "1 antwoord is niet opgenomen: je zou het kunnen afleiden uit het verschil"
    )

    section = admin.locator("#per-rol")
    expect(section.locator(".role-counts li")).to_have_text(
        [
            "HR of opleiding: 1 antwoord",
            "Leidinggevenden: 4 antwoorden",
            "Medewerkers: 5 antwoorden",
        ]
    )
    expect(section).to_contain_text("Groepen met minder dan 5 antwoorden tonen we niet")
    # HR (1) and the four managers each fall below 5: together they are one group of five.
    expect(section).to_contain_text("samen: apart heeft elke groep minder dan 5 antwoorden")

    # What the page shows, per challenge: everyone, then each group shown.
    rows = section.locator("li.comparison__row").all()
    assert len(rows) == 9
    names = rows[0].locator(".comparison__name").all_inner_texts()
    assert names[0] == "Iedereen" and "Medewerkers" in names and len(names) == 3
    shown = [
        [int(value) for value in row.locator(".comparison__score").all_inner_texts()]
        for row in rows
    ]
    everyone = [row[0] for row in shown]
    employees = [row[names.index("Medewerkers")] for row in shown]
    together = [row[3 - names.index("Medewerkers")] for row in shown]

    # The same numbers follow from the answers published (pure functions, no database).
    expected = compute_report(published)
    challenges = [str(number) for number in range(1, 10)]
    assert everyone == [score_value(expected["scores"][c]) for c in challenges]
    groups = expected["role_scores"]
    assert employees == [score_value(groups["medewerker"][c]) for c in challenges]
    assert together == [score_value(groups["hr+leidinggevende"][c]) for c in challenges]
    # The managers apart are never shown: every score anywhere on the page, in the chart and
    # the text, is everyone's or a group's.
    chart = [int(value) for value in admin.locator(".chart__value").all_text_contents()]
    assert chart == everyone
    text = admin.locator("main").text_content()
    scores = {int(value) for value in re.findall(r"(\d+) op 100", text)}
    assert set(everyone) <= scores <= set(everyone) | set(employees) | set(together), scores

    # The stored report has no scores of the managers alone.
    report = Report.objects.get(code=urlparse(admin.url).path.split("/")[2])
    assert report.role_counts == {"hr": 1, "leidinggevende": 4, "medewerker": 5}
    assert set(report.role_scores) == {"medewerker", "hr+leidinggevende"}
    assert report.final and report.left_out == 1 and report.response_count == 10

    assert_no_axe_violations(admin)
    admin.context.close()
