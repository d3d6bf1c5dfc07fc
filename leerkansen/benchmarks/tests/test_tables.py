"""Benchmark tables: who counts, the minimum of 10, opting out and the differencing rule."""

from __future__ import annotations

import itertools

import pytest
from django.core.management import call_command

from leerkansen.benchmarks.models import BenchmarkGroup, BenchmarkTable
from leerkansen.benchmarks.presentation import comparison_view
from leerkansen.benchmarks.services import (
    BENCHMARK_MIN_CHANGE,
    BENCHMARK_MIN_ORGANISATIONS,
    comparison_for,
    compute_benchmarks,
    counted_rounds,
    distribution,
)
from leerkansen.organisations.services import set_benchmark_sharing
from leerkansen.survey.models import Assessment
from leerkansen.testing import make_organisation

from . import closed_round, contributor, contributors

pytestmark = pytest.mark.django_db


def all_group(table: BenchmarkTable | None = None) -> BenchmarkGroup:
    table = table or BenchmarkTable.objects.order_by("-version").first()
    return table.groups.get(kind="all")


def test_the_rules_are_the_agreed_ones():
    assert BENCHMARK_MIN_ORGANISATIONS == 10
    assert BENCHMARK_MIN_CHANGE == 3


def test_distribution_gives_the_median_and_the_middle_half():
    values = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]
    assert distribution(values) == {"n": 10, "median": 55.0, "p25": 32.5, "p75": 77.5}
    assert distribution(values[:9]) == {"n": 9}


def test_nine_organisations_are_refused_with_how_many_more_are_needed_and_ten_are_shown():
    contributors([40 + i for i in range(9)])
    asking = make_organisation("Vraagt", sector="Q", size_band="50_249")
    compute_benchmarks()

    view = comparison_view(comparison_for(asking, {str(c): 50.0 for c in range(1, 10)}))
    everyone = next(g for g in view["groups"] if g.kind == "all")
    assert not everyone.shown
    assert everyone.organisations == 9
    assert everyone.missing == 1
    assert all(not cell.get("median") for cell in all_group().figures.values())

    contributor(49)
    assert compute_benchmarks() is not None
    view = comparison_view(comparison_for(asking, {str(c): 50.0 for c in range(1, 10)}))
    everyone = next(g for g in view["groups"] if g.kind == "all")
    assert everyone.shown and everyone.organisations == 10
    first = everyone.challenges[0]
    assert (first.p25, first.median, first.p75) == (42.2, 44.5, 46.8)
    assert first.position == "above"
    assert first.sentence.startswith("Jullie score voor uitdaging 1 ligt boven de middelste helft")
    assert "10 vergelijkbare organisaties (alle deelnemende organisaties)" in first.sentence


def test_the_group_of_an_organisation_below_the_minimum_says_how_many_more_it_needs():
    contributors([50] * 10)
    contributors([50] * 7, sector="P", size_band="20_49")
    compute_benchmarks()
    school = make_organisation("School", sector="P", size_band="20_49")
    view = comparison_view(comparison_for(school, {"1": 10.0}))
    by_kind = {g.kind: g for g in view["groups"]}
    assert (by_kind["sector"].shown, by_kind["sector"].missing) == (False, 3)
    assert (by_kind["size"].shown, by_kind["size"].missing) == (False, 3)
    assert by_kind["all"].shown and by_kind["all"].organisations == 17
    assert by_kind["all"].challenges[0].position == "below"


def test_demo_simulated_open_unfinished_small_and_unshared_rounds_never_count():
    real = contributors([50] * 10)
    demo = contributor(99)
    demo.is_demo = True
    demo.save()
    simulated = contributor(99)
    simulated.is_simulated = True
    simulated.save()
    contributor(99, status=Assessment.Status.OPEN, final=False)
    contributor(99, final=False)
    contributor(99, responses=4)
    contributor(99, share=False)

    counted = counted_rounds()
    assert sorted(r.organisation for r in counted) == sorted(o.pk for o in real)
    compute_benchmarks()
    assert all_group().organisations == 10
    assert all_group().figures["1"]["p75"] == 50.0


def test_only_the_latest_closed_round_of_an_organisation_counts():
    organisation = contributor(10)
    latest = closed_round(organisation, 90)
    closed_round(organisation, 70, status=Assessment.Status.OPEN, final=False)
    [counted] = counted_rounds()
    assert counted.assessment == latest.pk
    assert counted.scores["1"] == 90


def test_a_second_run_without_changes_makes_no_table():
    contributors([50] * 12)
    call_command("compute_benchmarks", stdout=None)
    assert compute_benchmarks() is None
    assert BenchmarkTable.objects.count() == 1


def test_opting_out_leaves_the_organisation_out_once_enough_organisations_changed():
    organisations = contributors([40] * 12 + [90, 95, 99])
    first = compute_benchmarks()
    assert all_group(first).organisations == 15
    leaving = organisations[-3:]

    # One opts out: the published figures stay as they are (they cannot be subtracted).
    set_benchmark_sharing(leaving[0], False)
    assert leaving[0].benchmark_opted_out_at is not None
    assert compute_benchmarks() is None
    assert str(leaving[0].pk) in all_group().members

    # Three organisations changed since the figures: the next table leaves them out.
    set_benchmark_sharing(leaving[1], False)
    set_benchmark_sharing(leaving[2], False)
    second = compute_benchmarks()
    group = all_group(second)
    assert group.organisations == 12
    assert not {str(o.pk) for o in leaving} & set(group.members)
    assert group.figures["1"] == {"n": 12, "median": 40.0, "p25": 40.0, "p75": 40.0}
    assert group.figures_version == second.version


def test_no_single_organisation_can_be_recovered_by_subtracting_two_tables():
    """The attack: publish, add or remove one organisation, publish again, subtract."""
    contributors([30 + 2 * i for i in range(12)])
    compute_benchmarks()
    published = dict(all_group().figures)

    outlier = contributor(100)  # its scores would move every figure
    assert compute_benchmarks() is None
    assert all_group().figures == published

    set_benchmark_sharing(outlier, False)  # and gone again
    assert compute_benchmarks() is None
    assert all_group().figures == published

    # A newer round of one member is one organisation changed, like a join.
    member = BenchmarkGroup.objects.get(kind="all").members
    some = make_organisation("x")  # not a member: changes nothing
    assert str(some.pk) not in member
    assert compute_benchmarks() is None

    # Two join: still fewer than three changed since the published figures.
    contributors([100, 100])
    assert compute_benchmarks() is None
    assert all_group().figures == published

    # A third: the figures are computed anew, now from three new organisations at once.
    contributor(100)
    table = compute_benchmarks()
    assert table is not None
    assert all_group(table).organisations == 15
    assert all_group(table).figures != published
    # Between any two tables, every group's figures are equal or rest on >= 3 changes.
    tables = list(BenchmarkTable.objects.order_by("version"))
    for before, after in itertools.pairwise(tables):
        old = {(g.kind, g.key): g for g in before.groups.all()}
        for group in after.groups.all():
            previous = old.get((group.kind, group.key))
            if previous is None or previous.figures == group.figures:
                continue
            changed = set(previous.members) ^ set(group.members)
            changed |= {
                o
                for o in set(previous.members) & set(group.members)
                if previous.members[o] != group.members[o]
            }
            assert len(changed) >= BENCHMARK_MIN_CHANGE


def test_groups_are_the_sector_group_the_size_band_the_profile_and_all():
    contributors([50] * 10, sector="C", size_band="250plus", profile="alleen-aan-de-slag")
    table = compute_benchmarks()
    labels = {(g.kind, g.key): g.label for g in table.groups.all()}
    assert labels == {
        ("sector", "industrie"): "industrie, energie en bouw",
        ("size", "250plus"): "250 of meer medewerkers",
        ("profile", "alleen-aan-de-slag"): "profiel “Alleen aan de slag”",
        ("all", ""): "alle deelnemende organisaties",
    }


def test_a_group_nobody_shares_in_yet_is_named_and_needs_ten():
    contributors([50] * 10)
    compute_benchmarks()
    school = make_organisation("School", sector="P", size_band="lt10")
    view = comparison_view(
        comparison_for(school, {"1": 10.0}, "alleen-aan-de-slag", profile_name="Alleen aan de slag")
    )
    hidden = {g.label: g.missing for g in view["hidden"]}
    assert hidden == {
        "onderwijs": 10,
        "minder dan 10 medewerkers": 10,
        "profiel “Alleen aan de slag”": 10,
    }


def test_two_groups_of_one_table_that_differ_by_one_or_two_organisations_are_not_both_shown(
    client,
):
    """The attack: the whole group (11) beside the care sector (10) would tell about the one
    organisation outside the sector. The larger group is shown, the other withheld, in the
    report's comparison and in the researchers' table; with 3 outside, both are shown."""
    from django.contrib.auth.models import Group

    from leerkansen.benchmarks.services import table_rows
    from leerkansen.testing import make_user

    contributors([40 + i for i in range(10)], sector="Q")
    outsider = contributor(90, sector="C")
    table = compute_benchmarks()
    asking = make_organisation("Vraagt", sector="Q", size_band="50_249")
    comparison = comparison_for(asking, {str(c): 50.0 for c in range(1, 10)})
    by_kind = {group["kind"]: group for group in comparison["groups"]}
    assert not by_kind["all"]["withheld"] and "median" in by_kind["all"]["challenges"][0]
    assert by_kind["sector"]["withheld"]
    assert all(set(cell) == {"challenge", "score", "n"} for cell in by_kind["sector"]["challenges"])
    view = {g.kind: g for g in comparison_view(comparison)["groups"]}
    assert view["all"].shown and not view["sector"].shown and view["sector"].withheld
    assert view["sector"].missing == 0
    from django.template.loader import render_to_string
    from django.utils import translation

    with translation.override("nl"):
        html = render_to_string(
            "benchmarks/_comparison.html", {"benchmark": comparison_view(comparison)}
        )
    assert "Groepen zonder vergelijking" in html
    assert "niet getoond, want bijna dezelfde organisaties als een andere groep hier" in html

    rows = {row["kind_key"] + row["label"]: row for row in table_rows(table)}
    sector_row = next(
        row
        for row in table_rows(table)
        if row["kind_key"] == "sector" and row["organisations"] == 10
    )
    assert all(cell["median"] is None and cell["withheld"] for cell in sector_row["cells"])
    assert rows  # the whole group keeps its figures
    researcher = make_user("onderzoeker@example.org")
    researcher.is_staff = True
    researcher.save()
    researcher.groups.add(Group.objects.get(name="Onderzoekers"))
    client.force_login(researcher)
    page = client.get("/onderzoek/vergelijking/").content.decode()
    assert "niet getoond: bijna dezelfde organisaties als een andere groep" in page
    import csv
    import io

    download = client.get("/onderzoek/vergelijking/tabel.csv").content.decode()
    sector_lines = [
        line
        for line in csv.DictReader(io.StringIO(download))
        if line["group_kind"] == "sector" and line["organisations"] == "10"
    ]
    assert len(sector_lines) == 9
    assert all(line["median"] == line["p25"] == line["p75"] == "" for line in sector_lines)

    # Three more outside the sector (the whole group is recomputed only from 3 changes on):
    # 14 against 10 differ by 4, and both are shown.
    contributors([91, 92, 93], sector="C")
    compute_benchmarks()
    comparison = comparison_for(asking, {str(c): 50.0 for c in range(1, 10)})
    by_kind = {group["kind"]: group for group in comparison["groups"]}
    assert not by_kind["sector"]["withheld"] and "median" in by_kind["sector"]["challenges"][0]
    assert outsider.pk
