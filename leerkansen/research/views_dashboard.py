"""The researchers' dashboard and organisation list, under /onderzoek/.

Researchers only (organisations.auth.researcher_required), never cached. Both pages show
aggregates and pseudonymous organisation codes: no names, e-mail addresses or free text.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from leerkansen.organisations.auth import researcher_required
from leerkansen.organisations.models import Organisation, sector_choices

from . import dashboard, dashboard_filters
from .dashboard_filters import DashboardFilterForm, Filters
from .exports import pseudonym

ORGANISATIONS_PER_PAGE = 50


def _filters(request: HttpRequest) -> tuple[DashboardFilterForm, Filters, dict[str, str]]:
    # The profiles named in the chosen population's reports (the form checks the choice).
    population = request.GET.get("gegevens", "")
    known = dict(dashboard_filters.POPULATION_CHOICES)
    names = dashboard_filters.profile_names(
        population if population in known else dashboard_filters.REAL
    )
    form = DashboardFilterForm(request.GET, profiles=names)
    return form, Filters.from_form(form), names


@never_cache
@researcher_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    form, filters, names = _filters(request)
    result = dashboard.build_dashboard(filters, names)
    context = {
        "form": form,
        "filters": filters,
        "dashboard": result,
        "chart": dashboard.profile_chart(result.profiles),
    }
    return render(request, "research/dashboard/overview.html", context)


@never_cache
@researcher_required
@require_GET
def organisation_list(request: HttpRequest) -> HttpResponse:
    form, filters, names = _filters(request)
    paginator = Paginator(dashboard.organisation_rows(filters), ORGANISATIONS_PER_PAGE)
    page = paginator.get_page(request.GET.get("pagina"))
    sectors = dict(sector_choices())
    sizes = dict(Organisation.SizeBand.choices)
    rows = [
        {
            # The key the exports use, so this list and the data files can be joined.
            "code": pseudonym("organisation", organisation.code),
            "sector": sectors.get(organisation.sector, organisation.sector),
            "size_band": sizes.get(organisation.size_band, ""),
            "rounds": organisation.round_count,
            "responses": organisation.response_count,
            "latest_round": organisation.latest_round,
            "latest_profile": names.get(organisation.latest_profile, organisation.latest_profile)
            if organisation.latest_profile
            else "",
        }
        for organisation in page.object_list
    ]
    context = {"form": form, "filters": filters, "page": page, "rows": rows}
    return render(request, "research/dashboard/organisations.html", context)
