"""The comparison where people read it: the report (web, PDF), the progress page, the
organisation page and the researchers' table; real rounds, closed as an admin closes them."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from leerkansen.benchmarks.models import RoundComparison
from leerkansen.benchmarks.services import compute_benchmarks, counted_rounds
from leerkansen.organisations.models import Organisation
from leerkansen.organisations.services import set_benchmark_sharing
from leerkansen.reports.pdf import render_report_pdf
from leerkansen.reports.services import render_report_html
from leerkansen.reports.tests import close_and_publish, make_answered_round, make_member
from leerkansen.testing import BARE, make_researcher, make_user

from . import contributors

pytestmark = pytest.mark.django_db

SENTENCE = (
    "Jullie score voor uitdaging 1 ligt boven de middelste helft van 10 vergelijkbare "
    "organisaties (zorg en welzijn)"
)


def published_round(share: bool = True):
    """A real round of 5 HR respondents in a care organisation, closed, with its report.

    Every respondent agrees fully with challenge 1's barriers (reports.tests.full_answers)."""
    assessment = make_answered_round({"hr": 5}, organisation_name="Zorg Oost")
    Organisation.objects.filter(pk=assessment.organisation_id).update(
        sector="Q", size_band="50_249"
    )
    assessment.organisation.refresh_from_db()
    if share:
        set_benchmark_sharing(assessment.organisation, True)
    return close_and_publish(assessment)


def test_the_report_draws_the_comparison_with_its_sentence_and_table_version(client):
    contributors([40.0] * 10)
    compute_benchmarks()
    report = published_round()

    client.force_login(make_member(report.assessment.organisation))
    page = client.get(reverse("reports:report", args=[report.code])).content.decode()
    assert 'id="vergelijking"' in page
    assert '<svg class="benchmark__drawing"' in page
    assert 'aria-label="Middelste helft 40 tot 40, mediaan 40, jullie score 100"' in page
    assert SENTENCE in page
    assert "niet met alle organisaties: vergelijkingstabel 1 van" in page
    # Drawn against the most specific group shown; the others in a table beside it.
    assert page.count('<svg class="benchmark__drawing"') == 9
    assert "Tegenover de andere groepen" in page
    assert "50–249 medewerkers (10 organisaties)" in page
    assert '<td class="number">40 (40–40)</td>' in page
    # Fewer than 10 in the size band? No: the 10 are 50-249 too. The profile group may be small.
    comparison = RoundComparison.objects.get(assessment=report.assessment)
    assert comparison.table.version == 1


def test_the_pdf_holds_the_comparison_too():
    contributors([40.0] * 10)
    compute_benchmarks()
    report = published_round()
    text = "".join(
        page.extract_text() for page in PdfReader(io.BytesIO(render_report_pdf(report))).pages
    )
    flat = " ".join(text.split())
    assert "Vergeleken met gelijkaardige organisaties" in flat
    assert "ligt boven de middelste helft van 10 vergelijkbare" in flat


def test_an_old_report_keeps_the_table_it_was_made_with():
    contributors([40.0] * 10)
    compute_benchmarks()
    report = published_round(share=False)
    contributors([90.0] * 5)
    second = compute_benchmarks()
    assert second.version == 2

    report.refresh_from_db()
    assert "vergelijkingstabel 1 van" in report.html and SENTENCE in report.html
    # Rendered anew (a change of wording clears the stored body): still table 1.
    again = render_report_html(report)
    assert "vergelijkingstabel 1 van" in again and SENTENCE in again
    assert "vergelijkingstabel 2" not in again
    # A report published now takes table 2.
    later = published_round(share=False)
    assert "vergelijkingstabel 2 van" in later.html
    assert "middelste helft van 15 vergelijkbare organisaties" in later.html


def test_below_ten_the_report_says_how_many_organisations_are_still_needed():
    contributors([40.0] * 9)
    compute_benchmarks()
    report = published_round(share=False)
    assert "alle deelnemende organisaties: nog 1 organisatie nodig." in report.html
    assert "benchmark__drawing" not in report.html


def test_a_closed_round_of_a_sharing_organisation_counts_through_its_report():
    report = published_round()
    [counted] = counted_rounds()
    assert counted.assessment == report.assessment_id
    assert counted.scores == report.scores
    assert counted.profile_id == report.profile["id"]


def test_the_progress_page_shows_the_comparison(client):
    contributors([40.0] * 10)
    compute_benchmarks()
    report = published_round()
    client.force_login(make_member(report.assessment.organisation))
    page = client.get(reverse("plans:progress", args=[report.code])).content.decode()
    assert '<svg class="benchmark__drawing"' in page
    assert SENTENCE in page


def test_researchers_see_the_table_and_admins_do_not(client):
    contributors([40.0 + i for i in range(10)])
    compute_benchmarks()
    client.force_login(make_researcher(**BARE))
    page = client.get(reverse("research:benchmarks")).content.decode()
    assert "Vergelijkingstabellen" in page
    assert "Tabel 1 van" in page
    assert '<td class="number">42,2</td><td class="number">44,5</td>' in page
    assert client.get(reverse("research:benchmarks") + "?versie=9").status_code == 404
    assert client.get(reverse("research:benchmarks") + "?versie=x").status_code == 404

    csv_file = client.get(reverse("research:benchmarks_csv") + "?versie=1")
    assert (
        csv_file["Content-Disposition"] == 'attachment; filename="leerkansen-vergelijking-v1.csv"'
    )
    lines = csv_file.content.decode().splitlines()
    assert lines[0] == (
        "table_version,computed_on,group_kind,group,organisations,figures_version,"
        "challenge,n,p25,median,p75"
    )
    assert any(
        line.startswith("1,")
        and ",all,alle deelnemende organisaties,10,1,1,10,42.2,44.5,46.8" in line
        for line in lines
    )

    report = published_round()
    client.force_login(make_member(report.assessment.organisation))
    assert client.get(reverse("research:benchmarks")).status_code == 403
    assert client.get(reverse("research:benchmarks_csv")).status_code == 403


def test_the_choice_is_asked_when_the_organisation_is_added_and_changed_on_its_page(client):
    user = make_user("hr@zorg.be", **BARE)
    client.force_login(user)
    form = client.get(reverse("organisations:create")).content.decode()
    assert "Nooit gedeeld: de antwoorden van jullie collega's" in form
    client.post(
        reverse("organisations:create"),
        {"name": "Zorg West", "sector": "Q", "size_band": "50_249", "share_benchmark": "ja"},
    )
    organisation = Organisation.objects.get(name="Zorg West")
    assert organisation.shares_benchmark and organisation.benchmark_opted_in_at

    response = client.post(reverse("organisations:benchmark_sharing"), {"share_benchmark": "nee"})
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert not organisation.shares_benchmark and organisation.benchmark_opted_out_at
    page = client.get(reverse("organisations:dashboard")).content.decode()
    assert "Jullie organisatie stopte op" in page

    client.post(reverse("organisations:benchmark_sharing"), {"share_benchmark": "ja"})
    organisation.refresh_from_db()
    assert organisation.shares_benchmark
    assert (
        "Jullie organisatie deelt haar rondescores anoniem sinds"
        in client.get(reverse("organisations:dashboard")).content.decode()
    )


def test_by_default_an_organisation_does_not_share(client):
    client.force_login(make_user("hr@bouw.be", **BARE))
    client.post(
        reverse("organisations:create"), {"name": "Bouw", "sector": "F", "size_band": "20_49"}
    )
    organisation = Organisation.objects.get(name="Bouw")
    assert not organisation.shares_benchmark
    assert organisation.benchmark_opted_in_at is None
