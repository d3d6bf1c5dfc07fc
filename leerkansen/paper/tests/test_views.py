"""The paper pages of a round: the printable questionnaire, the entry screen, the template and
the import; only for the round's organisation."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook, load_workbook
from pypdf import PdfReader

from leerkansen.content.questionnaire import questionnaire_for
from leerkansen.content.questionnaire_pages import questionnaire_pages
from leerkansen.survey.models import Answer, Response
from leerkansen.survey.rounds import close_round
from leerkansen.survey.services import answers_of
from leerkansen.testing import BARE, make_admin, make_round

from .helpers import typed_answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_round():
    admin, organisation = make_admin(**BARE)
    assessment = make_round(organisation, roles=("hr", "leidinggevende", "medewerker"))
    client = Client()
    client.force_login(admin)
    return client, assessment


def url(assessment, page: str = "") -> str:
    return f"/organisatie/rondes/{assessment.code}/papier/{page}"


def paper_responses(assessment):
    return Response.objects.filter(assessment=assessment, entered_by_organisation=True)


# --- entry -----------------------------------------------------------------------------------


def test_the_entry_screen_asks_the_role_first(admin_round):
    client, assessment = admin_round
    page = client.get(url(assessment, "invoeren/")).content.decode()
    assert "Wie vulde ze in?" in page
    assert "Leidinggevende" in page and "Medewerker" in page
    assert 'name="B' not in page


def test_entering_a_questionnaire_saves_a_completed_paper_response(admin_round):
    client, assessment = admin_round
    typed = typed_answers("medewerker")
    first = next(iter(typed))
    typed[first] = "0"  # weet niet
    response = client.post(url(assessment, "invoeren/"), {"rol": "medewerker", **typed})
    assert response.status_code == 302
    assert response["Location"].endswith("?rol=medewerker")
    saved = paper_responses(assessment).get()
    assert saved.completed_on is not None and saved.role == "medewerker"
    answers = answers_of(saved)
    assert answers[first] is None
    assert len(answers) == len(questionnaire_for("medewerker").items())
    page = client.get(response["Location"]).content.decode()
    assert "Bewaard als papieren vragenlijst 1 van deze ronde" in page


def test_a_wrong_value_names_the_question_and_keeps_what_was_typed(admin_round):
    client, assessment = admin_round
    typed = typed_answers("medewerker", agreement="2")
    wrong = [key for key in typed if key.startswith("B")][3]
    typed[wrong] = "7"
    response = client.post(url(assessment, "invoeren/"), {"rol": "medewerker", **typed})
    assert response.status_code == 200
    page = response.content.decode()
    assert f"Vraag {wrong} (" in page
    assert "“7” is geen vakje van deze vraag: typ 1 tot 5, of 0 voor weet niet" in page
    assert f'href="#f-{wrong}"' in page
    # Every other field keeps its typed value, the wrong one too.
    assert page.count('value="2"') == sum(1 for value in typed.values() if value == "2")
    assert f'id="f-{wrong}" value="7"' in page
    assert "Meer tijd om van elkaar te leren." in page
    assert not paper_responses(assessment).exists()


def test_a_questionnaire_without_enough_answers_is_not_saved(admin_round):
    client, assessment = admin_round
    response = client.post(url(assessment, "invoeren/"), {"rol": "medewerker"})
    assert "Vul minstens drie vierde van de stellingen" in response.content.decode()
    assert not paper_responses(assessment).exists()


def test_a_role_the_round_does_not_ask_gets_the_role_choice(admin_round):
    client, assessment = admin_round
    page = client.get(url(assessment, "invoeren/") + "?rol=directie").content.decode()
    assert "Wie vulde ze in?" in page


def test_a_closed_round_takes_no_paper_answers(admin_round):
    client, assessment = admin_round
    close_round(assessment)
    typed = typed_answers("medewerker")
    response = client.post(url(assessment, "invoeren/"), {"rol": "medewerker", **typed})
    assert "Deze ronde is afgesloten" in response.content.decode()
    assert not paper_responses(assessment).exists()


def test_the_round_page_counts_the_paper_questionnaires(admin_round):
    client, assessment = admin_round
    client.post(url(assessment, "invoeren/"), {"rol": "medewerker", **typed_answers("medewerker")})
    page = client.get(f"/organisatie/rondes/{assessment.code}/").content.decode()
    assert "Tot nu toe is 1 vragenlijst van deze ronde op papier ingevoerd." in page
    assert f'href="{url(assessment)}"' in page


# --- the printable questionnaire -------------------------------------------------------------


def test_the_pdf_has_a_cover_and_a_page_per_section_each_with_the_round_code(admin_round):
    # HR's version, the longest: the context questions (21 sectors), twenty practice rows to a
    # page and the ranked needs are the pages most likely to run over.
    client, assessment = admin_round
    response = client.get(url(assessment, "vragenlijst.pdf") + "?rol=hr")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pages = PdfReader(io.BytesIO(response.content)).pages
    sections = questionnaire_pages("hr").sections
    assert len(pages) == 1 + len(sections)
    texts = [page.extract_text() for page in pages]
    assert all(assessment.code in text for text in texts)
    assert "Je antwoorden zijn anoniem" in texts[0]
    for section, text in zip(sections, texts[1:], strict=True):
        assert section.title in text
        assert "Weet niet" in text
    # Served from the cache the second time: the same bytes.
    again = client.get(url(assessment, "vragenlijst.pdf") + "?rol=hr")
    assert again.content == response.content


def test_the_pdf_is_printed_in_french_and_english_with_the_same_numbers(admin_round):
    from leerkansen.paper.keys import choices

    client, assessment = admin_round
    dutch = questionnaire_pages("medewerker")
    for language, how, dont_know in (
        ("fr", "Comment le remplir", "Je ne sais pas"),
        ("en", "How to fill it in", "Don't know"),
    ):
        response = client.get(
            url(assessment, "vragenlijst.pdf") + f"?rol=medewerker&taal={language}"
        )
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert f"vragenlijst-medewerker-{language}-" in response["Content-Disposition"]
        pages = PdfReader(io.BytesIO(response.content)).pages
        translated = questionnaire_pages("medewerker", language)
        assert len(pages) == 1 + len(translated.sections) == 1 + len(dutch.sections)
        texts = [" ".join(page.extract_text().split()) for page in pages]
        assert how in texts[0] and dont_know in texts[0]
        assert "Weet niet" not in " ".join(texts)
        first_item = translated.items(translated.sections[0].id)[0]
        assert " ".join(first_item.text.split()[:4]) in texts[1]
        # The boxes carry the Dutch numbers: typed in on the same screen.
        for section in translated.sections:
            for item, dutch_item in zip(
                translated.items(section.id), dutch.items(section.id), strict=True
            ):
                assert [key.number for key in choices(item)] == [
                    key.number for key in choices(dutch_item)
                ]


def test_the_paper_page_links_each_language_and_refuses_an_unknown_one(admin_round):
    client, assessment = admin_round
    page = client.get(url(assessment)).content.decode()
    assert "?rol=medewerker&amp;taal=fr" in page and ">Français</a>" in page
    assert "?rol=medewerker&amp;taal=en" in page and ">English</a>" in page
    assert "de nummers in de vakjes zijn dezelfde" in page
    response = client.get(url(assessment, "vragenlijst.pdf") + "?rol=medewerker&taal=de")
    assert response.status_code == 302 and response["Location"] == url(assessment)


# --- template and import ---------------------------------------------------------------------


def test_the_templates_have_the_item_ids_texts_and_allowed_values(admin_round):
    client, assessment = admin_round
    items = questionnaire_for("medewerker").items()
    response = client.get(url(assessment, "sjabloon.csv") + "?rol=medewerker")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["nr", *(item.id for item in items)]
    assert rows[1][1] == items[0].text
    assert rows[2][1] == "1 tot 5, 0 = weet niet, leeg = geen antwoord"

    response = client.get(url(assessment, "sjabloon.xlsx") + "?rol=medewerker")
    workbook = load_workbook(io.BytesIO(response.content))
    sheet, explanation = workbook.worksheets
    assert [cell.value for cell in sheet[1]] == ["nr", *(item.id for item in items)]
    assert explanation.title == "Uitleg"
    assert any(row[3] == "Weet niet" for row in explanation.iter_rows(values_only=True))


def test_the_template_escapes_formulas():
    from leerkansen.paper.spreadsheets import escape_formula

    assert escape_formula("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert escape_formula("-5") == "-5"


def filled_csv(role: str, rows: list[dict[str, str]]) -> bytes:
    items = questionnaire_for(role).items()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["nr", *(item.id for item in items)])
    writer.writerow(["Vraag", *(item.text for item in items)])
    writer.writerow(["Toegelaten waarden", *("" for _ in items)])
    for number, row in enumerate(rows, start=1):
        writer.writerow([str(number), *(row.get(item.id, "") for item in items)])
    return buffer.getvalue().encode("utf-8")


def upload(client, assessment, role: str, name: str, content: bytes):
    file = io.BytesIO(content)
    file.name = name
    return client.post(url(assessment, "importeren/"), {"role": role, "file": file})


def test_an_import_of_fifty_rows_stores_fifty_paper_responses(admin_round):
    client, assessment = admin_round
    rows = [typed_answers("medewerker", seed=n + 1) for n in range(50)]
    response = upload(
        client, assessment, "medewerker", "papier.csv", filled_csv("medewerker", rows)
    )
    assert response.status_code == 302
    assert paper_responses(assessment).filter(completed_on__isnull=False).count() == 50
    page = client.get(response["Location"]).content.decode()
    assert "50 papieren vragenlijsten geïmporteerd." in page


def test_an_import_from_xlsx_works_too(admin_round):
    client, assessment = admin_round
    template = client.get(url(assessment, "sjabloon.xlsx") + "?rol=leidinggevende").content
    workbook = load_workbook(io.BytesIO(template))
    sheet = workbook.worksheets[0]
    ids = [cell.value for cell in sheet[1]]
    for seed in (1, 2, 3):
        typed = typed_answers("leidinggevende", seed=seed)
        sheet.append([str(seed), *(_number_or_text(typed.get(i, "")) for i in ids[1:])])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = upload(client, assessment, "leidinggevende", "papier.xlsx", buffer.getvalue())
    assert response.status_code == 302, response.content.decode()[:3000]
    assert paper_responses(assessment).filter(role="leidinggevende").count() == 3


def _number_or_text(value: str):
    return int(value) if value.isdigit() else value


def test_one_bad_row_imports_nothing_and_the_report_names_row_column_and_problem(admin_round):
    client, assessment = admin_round
    rows = [typed_answers("medewerker", seed=n + 1) for n in range(10)]
    bad_item = [key for key in rows[6] if key.startswith("B")][2]
    rows[6][bad_item] = "8"
    open_item = next(i.id for i in questionnaire_for("medewerker").items() if i.scale == "text")
    rows[8][open_item] = "tekst met\x00nul"
    response = upload(
        client, assessment, "medewerker", "papier.csv", filled_csv("medewerker", rows)
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Er is niets geïmporteerd" in page
    # The 7th questionnaire is the file's 10th row (3 header rows).
    assert f"<td>10 (nr. 7)</td><td>{bad_item}</td>" in page
    assert "“8” is geen vakje van deze vraag" in page
    assert f"<td>12 (nr. 9)</td><td>{open_item}</td>" in page
    assert "onzichtbaar controleteken" in page
    assert not Answer.objects.filter(response__assessment=assessment).exists()
    assert not paper_responses(assessment).exists()


def test_an_unknown_column_and_a_wrong_file_are_refused(admin_round):
    client, assessment = admin_round
    content = b"nr,B_bestaat_niet\n1,3\n"
    page = upload(client, assessment, "medewerker", "x.csv", content).content.decode()
    assert "Deze kolom is geen vraag van deze versie." in page
    page = upload(client, assessment, "medewerker", "x.pdf", b"%PDF").content.decode()
    assert "Kies een .csv- of .xlsx-bestand" in page
    page = upload(client, assessment, "medewerker", "x.xlsx", b"geen zip").content.decode()
    assert "geen XLSX-werkmap" in page
    big = b"nr\n" + b"1\n" * (1024 * 1024 + 1)
    page = upload(client, assessment, "medewerker", "x.csv", big).content.decode()
    assert "groter dan 2 MB" in page
    assert not paper_responses(assessment).exists()


def test_a_file_without_filled_in_rows_is_refused(admin_round):
    client, assessment = admin_round
    workbook = Workbook()
    first = questionnaire_for("medewerker").items()[0].id
    workbook.active.append(["nr", first])
    workbook.active.append([None, None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    page = upload(client, assessment, "medewerker", "x.xlsx", buffer.getvalue()).content.decode()
    assert "Het bestand bevat geen vragenlijst" in page


# --- tenancy ---------------------------------------------------------------------------------


PAGES = [
    ("", "get"),
    ("vragenlijst.pdf?rol=medewerker", "get"),
    ("invoeren/?rol=medewerker", "get"),
    ("invoeren/", "post"),
    ("sjabloon.csv?rol=medewerker", "get"),
    ("sjabloon.xlsx?rol=medewerker", "get"),
    ("importeren/", "get"),
    ("importeren/", "post"),
]


@pytest.mark.parametrize(("page", "method"), PAGES)
def test_another_organisations_admin_gets_a_404_and_changes_nothing(admin_round, page, method):
    _client, assessment = admin_round
    other, _organisation = make_admin("bo@bravo.be", "Bravo Bouw", **BARE)
    client = Client()
    client.force_login(other)
    data = {"rol": "medewerker", "role": "medewerker", **typed_answers("medewerker")}
    response = getattr(client, method)(url(assessment, page), data if method == "post" else None)
    assert response.status_code == 404
    assert not paper_responses(assessment).exists()


@pytest.mark.parametrize(("page", "method"), PAGES)
def test_an_anonymous_visitor_is_sent_to_the_login(admin_round, page, method):
    _client, assessment = admin_round
    response = getattr(Client(), method)(url(assessment, page))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("organisations:login"))


def test_a_csv_cell_too_large_to_read_is_a_dutch_message_not_an_error(admin_round):
    client, assessment = admin_round
    first = questionnaire_for("medewerker").items()[0].id
    content = f"nr,{first}\n1,{'4' * 200_000}\n".encode()
    page = upload(client, assessment, "medewerker", "x.csv", content).content.decode()
    assert "Rij 2 van het bestand is geen leesbare CSV." in page
    assert not paper_responses(assessment).exists()


def test_the_entry_screen_drops_an_invisible_control_character(admin_round):
    client, assessment = admin_round
    typed = typed_answers("medewerker")
    first = next(iter(typed))
    typed[first] = "\x003"
    response = client.post(url(assessment, "invoeren/"), {"rol": "medewerker", **typed})
    assert response.status_code == 302
    assert answers_of(paper_responses(assessment).get())[first] == 3


def test_a_belgian_excel_csv_with_semicolons_in_windows_1252_is_read(admin_round):
    client, assessment = admin_round
    items = questionnaire_for("medewerker").items()
    typed = typed_answers("medewerker", seed=2)
    open_item = next(item.id for item in items if item.scale == "text")
    typed[open_item] = "Meer tijd voor één gesprek per maand"
    # Only the row of question texts kept from the template: it is skipped all the same.
    lines = [
        ";".join(["nr", *(item.id for item in items)]),
        ";".join(["Vraag", *("tekst" for _ in items)]),
        ";".join(["1", *(typed[item.id] for item in items)]),
    ]
    content = "\r\n".join(lines).encode("cp1252")
    response = upload(client, assessment, "medewerker", "papier.csv", content)
    assert response.status_code == 302
    assert answers_of(paper_responses(assessment).get())[open_item] == typed[open_item]


def test_a_file_wrong_throughout_shows_the_first_200_problems_and_how_many_more(admin_round):
    client, assessment = admin_round
    rows = [{item.id: "9" for item in questionnaire_for("medewerker").items()} for _ in range(10)]
    page = upload(
        client, assessment, "medewerker", "x.csv", filled_csv("medewerker", rows)
    ).content.decode()
    # 40 statements per row refuse a 9 (the open answer takes it as text).
    assert "Verbeter 400 problemen in het bestand" in page
    assert page.count("is geen vakje van deze vraag") == 200
    assert "En nog 200 problemen: verbeter eerst deze" in page
