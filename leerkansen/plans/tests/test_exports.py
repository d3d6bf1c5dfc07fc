"""The plan's downloads: PDF and XLSX of the list, and the overview sheets with its details."""

from __future__ import annotations

import datetime
import io
import re
import zipfile

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from PIL import Image
from pypdf import PdfReader

from leerkansen.content.catalogue import get_catalogue
from leerkansen.jobs.models import Job
from leerkansen.plans import services
from leerkansen.plans.models import PlanItem
from leerkansen.plans.services import ItemChanges

from . import items

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://evil.example","klik")'
SEPTEMBER_15 = datetime.date(2026, 9, 15)


def plan_with(organisation, *entries: tuple[str, ItemChanges]) -> list[PlanItem]:
    for action_id, changes in entries:
        item = services.add_action(organisation, action_id).item
        assert isinstance(services.update_item(item, item.version, changes), services.Saved)
    return items(organisation)


def text_of(pdf: bytes) -> str:
    return " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages
    )


def squeezed(text: str) -> str:
    """Without white space: table cells wrap titles anywhere."""
    return "".join(text.split())


def attachment_name(response) -> str:
    match = re.search(r'filename="([^"]+)"', response["Content-Disposition"])
    assert match and response["Content-Disposition"].startswith("attachment")
    return match.group(1)


def test_plan_pdf_lists_every_action_with_its_details_in_order(team_a):
    plan_with(
        team_a.organisation,
        ("5.3", ItemChanges("Sofie Peeters", SEPTEMBER_15, "in_progress", "Eerst IT")),
        ("1.1", ItemChanges("Team HR", None, "planned", "")),
    )
    response = team_a.admin.get(reverse("plans:plan_pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    today = timezone.localdate().isoformat()
    assert attachment_name(response) == (
        f"leerkansen-actieplan-{team_a.organisation.code}-{today}.pdf"
    )

    reader = PdfReader(io.BytesIO(response.content))
    assert reader.pages[0].mediabox.width > reader.pages[0].mediabox.height  # A4 landscape
    text = text_of(response.content)
    flat = squeezed(text)
    catalogue = get_catalogue()
    assert "Alfa Zorg" in text
    for value in ("Sofie Peeters", "15/09/2026", "Eerst IT", "Team HR", "HIGHLIGHT"):
        assert squeezed(value) in flat, value
    # In the plan's order: 5.3 first, then 1.1 (the only HIGHLIGHT action of the two).
    first = flat.index(squeezed(catalogue.action("5.3").title))
    second = flat.index(squeezed(catalogue.action("1.1").title))
    assert first < second
    assert "HIGHLIGHT" not in flat[first:second] and "HIGHLIGHT" in flat[second:]
    # Under the table, what the label means (the source's introduction).
    assert (
        squeezed(
            "HIGHLIGHT: Een actie die in de analyse of in workshops naar voren kwam als bijzonder "
            "krachtig of veelbelovend."
        )
        in flat
    )


def test_plan_pdf_of_an_empty_plan_says_so(admin_b):
    response = admin_b.get(reverse("plans:plan_pdf"))
    assert response.status_code == 200
    assert "Bravo Bouw" in text_of(response.content)


def test_xlsx_keeps_formula_like_text_as_text(team_a):
    plan_with(
        team_a.organisation,
        ("1.1", ItemChanges(FORMULA, datetime.date(2026, 9, 15), "done", "+31 - let op\n@team")),
        ("5.3", ItemChanges("-Jo", None, "stopped", "gewone notitie")),
    )
    response = team_a.admin.get(reverse("plans:plan_xlsx"))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert attachment_name(response).endswith(".xlsx")
    assert team_a.organisation.code in attachment_name(response)

    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=2))
    assert [row[1].value for row in rows] == ["1.1", "5.3"]
    owner, note = rows[0][4], rows[0][7]
    assert owner.value == FORMULA and owner.data_type == "s" and owner.quotePrefix
    assert note.value == "+31 - let op\n@team" and note.data_type == "s" and note.quotePrefix
    assert rows[1][4].value == "-Jo" and rows[1][4].quotePrefix
    assert rows[1][7].value == "gewone notitie" and not rows[1][7].quotePrefix
    assert rows[0][3].value == "HIGHLIGHT" and rows[1][3].value in (None, "")
    assert rows[0][5].value == datetime.datetime(2026, 9, 15)
    # No formula anywhere in the file.
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml


def test_sheets_carry_the_plans_details(team_a):
    plan_with(
        team_a.organisation,
        ("1.1", ItemChanges("Sofie Peeters", SEPTEMBER_15, "in_progress", "Eerst IT")),
        ("5.3", ItemChanges("Jo", None, "planned", "Tweede stap")),
    )
    first = items(team_a.organisation)[0]
    one = team_a.admin.get(reverse("plans:item_sheet_pdf", args=[first.code]))
    assert one.status_code == 200 and "no-store" in one["Cache-Control"]
    assert attachment_name(one).startswith("leerkansen-fiche-1-1-")
    text = squeezed(text_of(one.content))
    assert squeezed(get_catalogue().action("1.1").title) in text
    assert "SofiePeeters" in text and "EerstIT" in text
    assert "Tweedestap" not in text

    # The bundle is a job (plans/jobs.py): the POST leads to its page, which counts the
    # sheets and offers the file (tests run jobs at once).
    started = team_a.admin.post(reverse("plans:sheets_pdf"))
    assert started.status_code == 302
    job = Job.objects.get(kind="plan-sheets")
    assert started["Location"] == reverse("jobs:job", args=[job.pk])
    page = team_a.admin.get(started["Location"]).content.decode()
    assert "Overzichtsfiches van alle acties (PDF)" in page and "Klaar" in page
    assert job.total_count == 2 and job.filename.startswith("leerkansen-fiches-")
    bundle = team_a.admin.get(reverse("jobs:download", args=[job.pk]))
    content = b"".join(bundle.streaming_content)
    text = squeezed(text_of(content))
    assert text.index("EerstIT") < text.index("Tweedestap")
    assert len(PdfReader(io.BytesIO(content)).pages) >= 2
    # Only a POST starts it.
    assert team_a.admin.get(reverse("plans:sheets_pdf")).status_code == 405


def test_the_sheets_job_counts_each_sheet_as_it_is_laid_out(team_a, monkeypatch):
    from leerkansen.jobs.progress import Progress

    plan_with(
        team_a.organisation,
        ("1.1", ItemChanges("Sofie", None, "planned", "")),
        ("5.3", ItemChanges("Jo", None, "planned", "")),
        ("6.2", ItemChanges("An", None, "planned", "")),
    )
    counted = []
    monkeypatch.setattr(Progress, "__call__", lambda self, done: counted.append(done))
    team_a.admin.post(reverse("plans:sheets_pdf"))
    assert counted == [1, 2, 3]


def test_sheets_of_an_empty_plan_send_back_to_the_plan(admin_b):
    response = admin_b.post(reverse("plans:sheets_pdf"))
    assert response.status_code == 302
    assert response["Location"] == reverse("plans:plan")
    assert not Job.objects.exists()


def test_a_plan_emptied_before_the_job_ran_gets_a_dutch_message(team_a, monkeypatch):
    from leerkansen.plans import services

    plan_with(team_a.organisation, ("1.1", ItemChanges("Sofie", None, "planned", "")))
    real_items_of = services.items_of
    calls = []

    def emptied_after_the_click(organisation):
        calls.append(organisation)
        return real_items_of(organisation) if len(calls) == 1 else []

    monkeypatch.setattr(services, "items_of", emptied_after_the_click)
    started = team_a.admin.post(reverse("plans:sheets_pdf"))
    page = team_a.admin.get(started["Location"]).content.decode()
    assert "Je plan heeft nog geen acties, dus er zijn nog geen fiches om af te drukken." in page


def test_the_menu_card_of_the_plan_holds_only_its_actions_on_one_page(team_a):
    plan_with(
        team_a.organisation,
        ("1.1", ItemChanges("Sofie", None, "planned", "")),
        ("6.2", ItemChanges("Jo", None, "planned", "")),
    )
    for query, paper in (("", "a4"), ("?formaat=a3", "a3")):
        response = team_a.admin.get(reverse("plans:menu_card_pdf") + query)
        assert response.status_code == 200 and "no-store" in response["Cache-Control"]
        assert attachment_name(response).startswith(f"leerkansen-menukaart-{paper}-")
        pdf = PdfReader(io.BytesIO(response.content))
        assert len(pdf.pages) == 1
        text = squeezed(text_of(response.content))
        catalogue = get_catalogue()
        assert squeezed(catalogue.action("1.1").title) in text
        assert squeezed(catalogue.action("6.2").title) in text
        assert squeezed(catalogue.action("1.2").title) not in text
        assert "AlfaZorg" in text


def test_the_menu_card_of_the_plan_is_also_an_image_for_the_intranet(team_a):
    plan_with(team_a.organisation, ("1.1", ItemChanges("Sofie", None, "planned", "")))
    response = team_a.admin.get(reverse("plans:menu_card_png"))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert response["Content-Type"] == "image/png"
    assert attachment_name(response).startswith("leerkansen-menukaart-a4-")
    assert attachment_name(response).endswith(".png")
    image = Image.open(io.BytesIO(response.content))
    # 150 dpi A4, portrait, and not a blank page.
    assert image.size == (1241, 1754)
    darkest, _lightest = image.convert("L").getextrema()
    assert darkest < 100


@pytest.mark.parametrize("name", ["plans:menu_card_pdf", "plans:menu_card_png"])
def test_an_empty_plan_has_no_menu_card(admin_b, name):
    response = admin_b.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"] == reverse("plans:plan")


def test_the_sheets_jobs_page_counts_sheets_while_it_runs(team_a):
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    admin = get_user_model().objects.get(email="an@alfa.be")
    job = Job.objects.create(
        kind="plan-sheets",
        params={"organisation": team_a.organisation.pk},
        title="Overzichtsfiches van alle acties (PDF)",
        requested_by=admin,
        status=Job.Status.RUNNING,
        done_count=4,
        total_count=10,
        heartbeat_at=timezone.now(),
        expires_at=timezone.now() + timedelta(hours=24),
    )
    page = team_a.admin.get(reverse("jobs:job", args=[job.pk])).content.decode()
    assert "4 van 10 fiches opgemaakt." in page
    assert "40%" in page


def test_the_sheets_are_for_whoever_asked_while_they_still_work_there(team_a):
    from leerkansen.organisations.models import Membership

    plan_with(team_a.organisation, ("1.1", ItemChanges("Sofie", None, "planned", "")))
    team_a.admin.post(reverse("plans:sheets_pdf"))
    job = Job.objects.get(kind="plan-sheets")
    download = reverse("jobs:download", args=[job.pk])
    assert team_a.co_admin.get(download).status_code == 404  # a colleague did not ask for it
    assert team_a.admin.get(download).status_code == 200
    Membership.objects.filter(user=job.requested_by).delete()
    assert team_a.admin.get(download).status_code == 404
