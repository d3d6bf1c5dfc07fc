"""The benchmark tables for researchers (/onderzoek/vergelijking/): the same figures the
reports show, per table version, group and challenge. Researchers only, never cached."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from leerkansen.benchmarks.models import BenchmarkTable
from leerkansen.benchmarks.services import table_rows
from leerkansen.organisations.auth import researcher_required


@never_cache
@researcher_required
@require_GET
def benchmark_table(request: HttpRequest) -> HttpResponse:
    tables = list(BenchmarkTable.objects.order_by("-version").values_list("version", "computed_on"))
    table = None
    wanted = request.GET.get("versie", "")
    if wanted:
        if not wanted.isdigit():
            raise Http404
        table = BenchmarkTable.objects.filter(version=int(wanted)).first()
        if table is None:
            raise Http404
    elif tables:
        table = BenchmarkTable.objects.get(version=tables[0][0])
    context = {
        "table": table,
        "tables": tables,
        "rows": table_rows(table) if table else [],
    }
    return render(request, "research/benchmarks.html", context)
