"""The comparison with similar organisations: computing benchmark tables and a round's place.

Which rounds count: of each organisation that shares its results (organisations.models
.sharing_benchmark), neither demo nor simulated (research.population's rule), its latest closed
round whose final report holds at least k (settings.ANONYMITY_THRESHOLD) respondents. The
round's challenge scores are those of its report snapshot: asked of the reports app through
signals.round_results_wanted (this app sits below it), so the comparison uses exactly the
figures the organisation saw, computed once by scoring.

Per comparison group (all; sector group; size band; profile) and challenge: the number of
organisations with a score, and from BENCHMARK_MIN_ORGANISATIONS of them on, the median and
the middle half (P25-P75). Below that a group says how many more organisations it needs.

Differencing: a group's figures change only when at least BENCHMARK_MIN_CHANGE organisations
joined, left or brought a newer round since the figures it shows; otherwise it keeps them, so
that subtracting two tables never isolates one organisation. An organisation that stops
sharing is left out of the next figures computed, under the same rule.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from leerkansen.content.catalogue import get_catalogue
from leerkansen.organisations.models import Organisation, sharing_benchmark
from leerkansen.survey.models import Assessment

from .models import BenchmarkGroup, BenchmarkTable, RoundComparison
from .signals import round_results_wanted

# A group's figures are shown only from this many organisations with a score.
BENCHMARK_MIN_ORGANISATIONS = 10
# A group's figures are computed anew only when this many organisations changed since.
BENCHMARK_MIN_CHANGE = 3

# NACE sections in broader sector groups, so that groups reach the minimum sooner.
SECTOR_GROUPS: dict[str, tuple[str, tuple[str, ...]]] = {
    "zorg": ("zorg en welzijn", ("Q",)),
    "onderwijs": ("onderwijs", ("P",)),
    "overheid": ("openbaar bestuur", ("O",)),
    "industrie": ("industrie, energie en bouw", ("B", "C", "D", "E", "F")),
    "handel": ("handel, vervoer en horeca", ("G", "H", "I")),
    "diensten": ("zakelijke diensten", ("J", "K", "L", "M", "N")),
    "overig": ("andere sectoren", ("A", "R", "S", "T", "U")),
}
SIZE_LABELS = {
    "lt10": "minder dan 10 medewerkers",
    "10_19": "10–19 medewerkers",
    "20_49": "20–49 medewerkers",
    "50_249": "50–249 medewerkers",
    "250plus": "250 of meer medewerkers",
}
KIND_ORDER = ("sector", "size", "profile", "all")


def sector_group(sector: str) -> str:
    """The sector group of a NACE section letter ("" when unknown)."""
    for key, (_label, letters) in SECTOR_GROUPS.items():
        if sector in letters:
            return key
    return ""


@dataclass(frozen=True)
class RoundResult:
    """One organisation's contribution: its latest counted round and that round's outcome."""

    organisation: int
    assessment: int
    sector: str
    size_band: str
    profile_id: str
    profile_name: str
    # {"1": 72.5, ..., "9": None}
    scores: Mapping[str, float | None]


def group_keys(sector: str, size_band: str, profile_id: str) -> list[tuple[str, str]]:
    """The (kind, key) of each comparison group an organisation belongs to, in KIND_ORDER."""
    keys = []
    if group := sector_group(sector):
        keys.append(("sector", group))
    if size_band in SIZE_LABELS:
        keys.append(("size", size_band))
    if profile_id:
        keys.append(("profile", profile_id))
    keys.append(("all", ""))
    return keys


def group_label(kind: str, key: str, profile_name: str = "") -> str:
    if kind == "sector":
        return SECTOR_GROUPS[key][0]
    if kind == "size":
        return SIZE_LABELS[key]
    if kind == "profile":
        return f"profiel “{profile_name}”"
    return "alle deelnemende organisaties"


def distribution(values: Sequence[float], minimum: int = BENCHMARK_MIN_ORGANISATIONS) -> dict:
    """{"n"} and, from `minimum` values on, the median and the quartiles (1 decimal).

    >>> distribution([10, 20, 30, 40, 50], minimum=5)
    {'n': 5, 'median': 30.0, 'p25': 20.0, 'p75': 40.0}
    >>> distribution([10, 20], minimum=5)
    {'n': 2}
    """
    result: dict = {"n": len(values)}
    if len(values) >= minimum:
        p25, _p50, p75 = statistics.quantiles(values, n=4, method="inclusive")
        result.update(
            median=round(statistics.median(values), 1), p25=round(p25, 1), p75=round(p75, 1)
        )
    return result


def group_figures(results: Iterable[RoundResult], challenges: Iterable[int]) -> dict:
    """Per challenge (str key) the distribution of the organisations' scores."""
    results = list(results)
    return {
        str(c): distribution([s for r in results if (s := r.scores.get(str(c))) is not None])
        for c in challenges
    }


def counted_rounds() -> list[RoundResult]:
    """The latest counted round of every organisation that shares (see the module's rule)."""
    candidates = list(
        Assessment.objects.filter(
            sharing_benchmark("organisation"),
            status=Assessment.Status.CLOSED,
            organisation__is_demo=False,
            organisation__is_simulated=False,
        )
        .order_by("organisation_id", "-closed_at", "-pk")
        .values_list("pk", "organisation_id", "organisation__sector", "organisation__size_band")
    )
    if not candidates:
        return []
    outcomes: dict[int, Mapping] = {}
    for _receiver, answer in round_results_wanted.send(
        Assessment, assessment_ids=[row[0] for row in candidates]
    ):
        outcomes.update(answer or {})
    threshold = settings.ANONYMITY_THRESHOLD
    results: dict[int, RoundResult] = {}
    for pk, organisation, sector, size_band in candidates:
        outcome = outcomes.get(pk)
        if organisation in results or outcome is None:
            continue
        if not outcome.get("final") or outcome.get("response_count", 0) < threshold:
            continue
        profile = outcome.get("profile") or {}
        results[organisation] = RoundResult(
            organisation=organisation,
            assessment=pk,
            sector=sector,
            size_band=size_band,
            profile_id=str(profile.get("id", "")),
            profile_name=str(profile.get("name", "")),
            scores=outcome.get("scores") or {},
        )
    return list(results.values())


def _changed(before: Mapping[str, int], after: Mapping[str, int]) -> int:
    """How many organisations joined, left or brought another round."""
    return sum(before.get(org) != after.get(org) for org in set(before) | set(after))


def _shows_figures(figures: Mapping) -> bool:
    return any("median" in cell for cell in figures.values())


def compute_benchmarks(today: date | None = None) -> BenchmarkTable | None:
    """Make the next benchmark table, or None when no group's figures would change.

    Idempotent: run it daily; a run that finds nothing new makes no table.
    """
    challenges = [c.number for c in get_catalogue().challenges]
    candidates: dict[tuple[str, str], dict] = {}
    for result in counted_rounds():
        for kind, key in group_keys(result.sector, result.size_band, result.profile_id):
            group = candidates.setdefault(
                (kind, key),
                {"label": group_label(kind, key, result.profile_name), "results": []},
            )
            group["results"].append(result)
    with transaction.atomic():
        previous = BenchmarkTable.objects.select_for_update().order_by("-version").first()
        before = {(g.kind, g.key): g for g in previous.groups.all()} if previous is not None else {}
        version = (previous.version if previous else 0) + 1
        rows: list[dict] = []
        renewed = False
        for kind, key in sorted(set(candidates) | set(before)):
            old = before.get((kind, key))
            new = candidates.get((kind, key))
            members = {str(r.organisation): r.assessment for r in new["results"]} if new else {}
            keep = (
                old is not None
                and _shows_figures(old.figures)
                and _changed(old.members, members) < BENCHMARK_MIN_CHANGE
            )
            if keep or (old is not None and old.members == members):
                rows.append(
                    {
                        "kind": kind,
                        "key": key,
                        "label": old.label,
                        "organisations": old.organisations,
                        "figures": old.figures,
                        "members": old.members,
                        "figures_version": old.figures_version,
                    }
                )
                continue
            if new is None:
                # Everyone left (by enough to renew): the group is gone from the table.
                renewed = True
                continue
            renewed = True
            rows.append(
                {
                    "kind": kind,
                    "key": key,
                    "label": new["label"],
                    "organisations": len(members),
                    "figures": group_figures(new["results"], challenges),
                    "members": members,
                    "figures_version": version,
                }
            )
        if not renewed:
            return None
        table = BenchmarkTable.objects.create(
            version=version,
            computed_on=today or timezone.localdate(),
            min_organisations=BENCHMARK_MIN_ORGANISATIONS,
            min_change=BENCHMARK_MIN_CHANGE,
        )
        BenchmarkGroup.objects.bulk_create(BenchmarkGroup(table=table, **row) for row in rows)
        return table


def withheld_groups(groups: Iterable[BenchmarkGroup], min_change: int) -> set[tuple[str, str]]:
    """The groups of one table whose figures are not shown beside another of its groups: two
    groups whose organisations differ by fewer than `min_change` (1 or 2) would let their
    figures be compared to learn about those one or two. From the largest group down (the whole
    group first), a group is shown only if it differs by none or by at least `min_change` from
    every group shown before it."""
    shown: list[BenchmarkGroup] = []
    withheld: set[tuple[str, str]] = set()
    order = sorted(groups, key=lambda g: (g.kind != "all", -g.organisations, g.kind, g.key))
    for group in order:
        if not _shows_figures(group.figures):
            continue
        if any(0 < _changed(group.members, other.members) < min_change for other in shown):
            withheld.add((group.kind, group.key))
        else:
            shown.append(group)
    return withheld


def latest_table() -> BenchmarkTable | None:
    return BenchmarkTable.objects.order_by("-version").first()


# A round's place ------------------------------------------------------------------------------


def comparison_for(
    organisation: Organisation,
    scores: Mapping[str, float | None],
    profile_id: str = "",
    table: BenchmarkTable | None = None,
    profile_name: str = "",
) -> dict:
    """Where the organisation's scores stand in its comparison groups of `table` (the latest
    by default): plain data to store with a report, {} without a table."""
    table = table or latest_table()
    if table is None:
        return {}
    groups = {(g.kind, g.key): g for g in table.groups.all()}
    withheld = withheld_groups(groups.values(), table.min_change)
    result_groups = []
    for kind, key in group_keys(organisation.sector, organisation.size_band, profile_id):
        group = groups.get((kind, key))
        figures = group.figures if group else {}
        rows = []
        for number, cell in sorted(figures.items(), key=lambda item: int(item[0])):
            score = scores.get(number)
            shown_cell = {"n": cell.get("n", 0)} if (kind, key) in withheld else cell
            rows.append({"challenge": int(number), "score": score, **shown_cell})
        result_groups.append(
            {
                "kind": kind,
                "key": key,
                "label": group.label if group else group_label(kind, key, profile_name),
                "organisations": group.organisations if group else 0,
                "withheld": (kind, key) in withheld,
                "challenges": rows,
            }
        )
    return {
        "version": table.version,
        "computed_on": table.computed_on.isoformat(),
        "min_organisations": table.min_organisations,
        "groups": result_groups,
    }


def freeze_comparison(
    assessment: Assessment,
    scores: Mapping[str, float | None],
    profile: Mapping[str, str],
    *,
    final: bool,
) -> RoundComparison | None:
    """Record the comparison a round's report is published with (the latest table now).

    A final report's comparison, once made, never changes: a report keeps the table it was
    made with. Demo and simulated organisations get none.
    """
    organisation = assessment.organisation
    if organisation.is_demo or organisation.is_simulated:
        return None
    existing = RoundComparison.objects.filter(assessment=assessment).first()
    if existing is not None and existing.data.get("final"):
        return existing
    table = latest_table()
    data = comparison_for(
        organisation,
        scores,
        str(profile.get("id", "")),
        table,
        profile_name=str(profile.get("name", "")),
    )
    data["final"] = final
    if existing is None:
        existing = RoundComparison(assessment=assessment)
    existing.table = table
    existing.data = data
    existing.made_on = timezone.localdate()
    existing.save()
    return existing


def stored_comparison(assessment: Assessment) -> dict:
    """The comparison recorded for the round's report ({} when none)."""
    found = RoundComparison.objects.filter(assessment=assessment).values_list("data", flat=True)
    return next(iter(found), {}) or {}


def table_rows(table: BenchmarkTable) -> list[dict]:
    """Every group of a table in KIND_ORDER, with per challenge its figures (for researchers:
    the same figures a report shows, and the same minimum)."""
    catalogue = get_catalogue()
    groups = sorted(table.groups.all(), key=lambda g: (KIND_ORDER.index(g.kind), g.label, g.key))
    withheld = withheld_groups(groups, table.min_change)
    rows = []
    for group in groups:
        cells = []
        for challenge in catalogue.challenges:
            cell = group.figures.get(str(challenge.number), {"n": 0})
            if (group.kind, group.key) in withheld:
                cell = {"n": cell.get("n", 0), "withheld": True}
            cells.append(
                {
                    "challenge": challenge.number,
                    "title": challenge.title,
                    "n": cell.get("n", 0),
                    "median": cell.get("median"),
                    "p25": cell.get("p25"),
                    "p75": cell.get("p75"),
                    "missing": 0
                    if cell.get("withheld")
                    else max(table.min_organisations - cell.get("n", 0), 0),
                    "withheld": bool(cell.get("withheld")),
                }
            )
        rows.append(
            {
                "kind": group.get_kind_display(),
                "kind_key": group.kind,
                "label": group.label,
                "organisations": group.organisations,
                "figures_version": group.figures_version,
                "cells": cells,
            }
        )
    return rows
