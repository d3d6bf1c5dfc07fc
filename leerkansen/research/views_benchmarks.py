"""The benchmark tables for researchers (/onderzoek/vergelijking/): the same figures the
reports show, per table version, group and challenge, on a page and as CSV (tabel.csv, one row
per group and challenge; cells below the minimum empty). Researchers only, never cached."""

import csv
import io

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from leerkansen.benchmarks.models import BenchmarkTable
from leerkansen.benchmarks.services import table_rows
from leerkansen.lib.downloads import attachment
from leerkansen.organisations.auth import researcher_required

from .writers import escape_formula


def _chosen_table(request: HttpRequest) -> BenchmarkTable | None:
    """The table of ?versie=N (404 when there is none), else the latest (None without any)."""
    wanted = request.GET.get("versie", "")
    if not wanted:
        return BenchmarkTable.objects.order_by("-version").first()
    if not wanted.isdigit() or len(wanted) > 9:
        raise Http404
    table = BenchmarkTable.objects.filter(version=int(wanted)).first()
    if table is None:
        raise Http404
    return table


@never_cache
@researcher_required
@require_GET
def benchmark_table(request: HttpRequest) -> HttpResponse:
    tables = list(BenchmarkTable.objects.order_by("-version").values_list("version", "computed_on"))
    table = _chosen_table(request)
    context = {
        "table": table,
        "tables": tables,
        "rows": table_rows(table) if table else [],
    }
    return render(request, "research/benchmarks.html", context)


CSV_COLUMNS = (
    "table_version",
    "computed_on",
    "group_kind",
    "group",
    "organisations",
    "figures_version",
    "challenge",
    "n",
    "p25",
    "median",
    "p75",
)


@never_cache
@researcher_required
@require_GET
def benchmark_csv(request: HttpRequest) -> HttpResponse:
    table = _chosen_table(request)
    if table is None:
        raise Http404
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for group in table_rows(table):
        for cell in group["cells"]:
            writer.writerow(
                escape_formula(value)
                for value in (
                    table.version,
                    table.computed_on.isoformat(),
                    group["kind_key"],
                    group["label"],
                    group["organisations"],
                    group["figures_version"],
                    cell["challenge"],
                    cell["n"],
                    cell["p25"],
                    cell["median"],
                    cell["p75"],
                )
            )
    return attachment(
        out.getvalue(), f"leerkansen-vergelijking-v{table.version}.csv", "text/csv; charset=utf-8"
    )
