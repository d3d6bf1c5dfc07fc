"""The organisation's action plan: /organisatie/plan/.

Every page is for a member of the organisation (organisation_required) and answers with
no-store. An item's code in a URL is resolved within the organisation (owned_or_404): another
organisation's item is a 404. Changes are posted; a change made on an outdated page is refused
with the current state next to what was typed (see services.py).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from leerkansen.catalogue import printing
from leerkansen.content.catalogue import Action, get_catalogue
from leerkansen.jobs.services import TooManyJobs
from leerkansen.jobs.views import too_many_jobs
from leerkansen.lib.downloads import attachment
from leerkansen.organisations.tenancy import organisation_required, owned_or_404

from . import exports, services
from .forms import AddActionForm, ItemForm, MoveForm, RemoveForm
from .jobs import start_sheets
from .models import PlanItem

# ?van=rapport on a link to the add page: the action comes from the report.
SOURCE_PARAMETER = "van"
SOURCES = {"rapport": PlanItem.Source.REPORT, "menu": PlanItem.Source.MENU}


def _item(request: HttpRequest, code: str) -> PlanItem:
    return owned_or_404(PlanItem.objects.select_related("plan"), request.organisation, code=code)


def anchor(item: PlanItem) -> str:
    return f"item-{item.code}"


def _plan_url(item: PlanItem | None = None) -> str:
    url = reverse("plans:plan")
    return f"{url}#{anchor(item)}" if item is not None else url


def add_choices(exclude: set[str]) -> list[tuple]:
    """(challenge, actions) for the add select, without the actions already on the plan."""
    groups = [
        (challenge, [action for action in challenge.actions if action.id not in exclude])
        for challenge in get_catalogue().challenges
    ]
    return [(challenge, actions) for challenge, actions in groups if actions]


# -- The plan page --------------------------------------------------------------------------


def _plan_page(
    request: HttpRequest,
    *,
    bound: tuple[str, ItemForm] | None = None,
    conflict: PlanItem | None = None,
    add_form: AddActionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The plan page; `bound` is (item code, posted form) to show with its errors."""
    organisation = request.organisation
    items = services.items_of(organisation)
    plan = services.plan_of(organisation)
    rows = []
    for item in items:
        is_bound = bool(bound and bound[0] == item.code)
        form = bound[1] if bound and is_bound else ItemForm.for_item(item)
        rows.append(
            {
                "item": item,
                "action": item.action,
                "anchor": anchor(item),
                "form": form,
                "open": is_bound,
                "conflict": conflict if conflict is not None and conflict.pk == item.pk else None,
            }
        )
    report = services.latest_report(organisation) if not items else None
    catalogue = get_catalogue()
    context = {
        "organisation": organisation,
        "rows": rows,
        "bound_row": next((row for row in rows if row["open"]), None),
        "conflict_row": next((row for row in rows if row["conflict"]), None),
        "plan_version": plan.version if plan else 0,
        "add_form": add_form or AddActionForm(),
        "add_choices": add_choices({item.action_id for item in items}),
        "report": report,
        "recommended": [
            catalogue.action(action_id)
            for action_id in services.recommended_actions(report)[: services.PREFILL_COUNT]
        ],
    }
    return render(request, "plans/plan.html", context, status=status)


@organisation_required
@never_cache
@require_GET
def plan(request: HttpRequest) -> HttpResponse:
    return _plan_page(request)


# -- Adding ---------------------------------------------------------------------------------


@organisation_required
@never_cache
@require_http_methods(["GET", "POST"])
def add(request: HttpRequest) -> HttpResponse:
    """GET ?actie=<id>: confirm before adding (a link cannot change anything). POST: add."""
    organisation = request.organisation
    if request.method == "POST":
        form = AddActionForm(request.POST)
        if form.is_valid():
            result = services.add_action(
                organisation, form.cleaned_data["action"], form.cleaned_data["source"]
            )
            _added_message(request, result)
            return redirect(_plan_url(result.item))
        return _add_page(request, form, None)

    action_id = request.GET.get("actie", "").strip()
    source = SOURCES.get(request.GET.get(SOURCE_PARAMETER, ""), PlanItem.Source.MENU)
    action = get_catalogue().action(action_id) if action_id else None
    form = AddActionForm(initial={"action": action.id if action else "", "source": source})
    if action_id and action is None:
        form = AddActionForm({"action": action_id, "source": source})
        form.is_valid()
    return _add_page(request, form, action)


def _add_page(request: HttpRequest, form: AddActionForm, action: Action | None) -> HttpResponse:
    on_plan = {item.action_id: item for item in services.items_of(request.organisation)}
    existing = on_plan.get(action.id) if action else None
    context = {
        "form": form,
        "action": action,
        "challenge": get_catalogue().challenge(action.challenge_number) if action else None,
        "existing": existing,
        "existing_anchor": anchor(existing) if existing else "",
        "add_choices": add_choices(set(on_plan)),
    }
    return render(request, "plans/add.html", context)


def _added_message(request: HttpRequest, result: services.Added) -> None:
    values = {"id": result.item.action_id, "position": result.item.position}
    if result.created:
        message = _("Action %(id)s is on your plan, at place %(position)s.")
        messages.success(request, message % values)
    else:
        messages.info(request, _("Action %(id)s was already on your plan.") % values)


@organisation_required
@never_cache
@require_POST
def prefill(request: HttpRequest) -> HttpResponse:
    """Start an empty plan with the top 3 of the latest report."""
    result = services.prefill_from_report(request.organisation)
    if result == services.PrefillProblem.NO_REPORT:
        messages.error(
            request, _("There is no report with recommended actions yet. Add actions yourself.")
        )
    elif result == services.PrefillProblem.NOT_EMPTY:
        messages.info(
            request,
            _("Your plan already has actions, so we added nothing. Add more actions below."),
        )
    else:
        messages.success(request, _("The top 3 of your latest report is on your plan."))
    return redirect("plans:plan")


# -- Changing one item ----------------------------------------------------------------------


@organisation_required
@never_cache
@require_POST
def edit(request: HttpRequest, code: str) -> HttpResponse:
    item = _item(request, code)
    form = ItemForm.for_item(item, request.POST)
    if not form.is_valid():
        return _plan_page(request, bound=(item.code, form))
    result = services.update_item(item, form.cleaned_data["version"], form.changes())
    if isinstance(result, services.Conflict):
        if result.item is None:
            messages.error(request, _("A colleague removed this action from the plan meanwhile."))
            return redirect("plans:plan")
        # Keep what was typed; the next save is made on the version now shown next to it.
        data = request.POST.copy()
        data["version"] = str(result.item.version)
        return _plan_page(
            request,
            bound=(item.code, ItemForm.for_item(result.item, data)),
            conflict=result.item,
            status=409,
        )
    messages.success(request, _("Action %(id)s is saved.") % {"id": item.action_id})
    return redirect(_plan_url(item))


@organisation_required
@never_cache
@require_POST
def move(request: HttpRequest, code: str) -> HttpResponse:
    item = _item(request, code)
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("This form is out of date. Reload the page and try again."))
        return redirect(_plan_url(item))
    direction = services.Direction(form.cleaned_data["direction"])
    result = services.move_item(item, direction, form.cleaned_data["version"])
    if isinstance(result, services.Conflict):
        messages.error(
            request,
            _(
                "The order of the plan changed meanwhile, perhaps by a colleague, so nothing "
                "moved. Check the order below and move the action again if needed."
            ),
        )
    return redirect(_plan_url(item))


@organisation_required
@never_cache
@require_http_methods(["GET", "POST"])
def remove(request: HttpRequest, code: str) -> HttpResponse:
    """GET asks to confirm; POST removes, if nobody changed the action since it was shown."""
    item = _item(request, code)
    if request.method == "GET":
        return _remove_page(request, item)
    form = RemoveForm(request.POST)
    if not form.is_valid():
        return _remove_page(request, item, errors=form.errors["version"])
    result = services.remove_item(item, form.cleaned_data["version"])
    if isinstance(result, services.Conflict):
        if result.item is None:
            messages.info(request, _("This action was already removed from the plan."))
            return redirect("plans:plan")
        return _remove_page(request, result.item, changed=True, status=409)
    messages.success(request, _("Action %(id)s is removed from the plan.") % {"id": item.action_id})
    return redirect("plans:plan")


def _remove_page(
    request: HttpRequest,
    item: PlanItem,
    *,
    errors: list[str] | None = None,
    changed: bool = False,
    status: int = 200,
) -> HttpResponse:
    """The confirmation, with the item as it is now: removing it is made on this version."""
    context = {
        "item": item,
        "action": item.action,
        "anchor": anchor(item),
        "form": RemoveForm(initial={"version": item.version}),
        "errors": errors or [],
        "changed": changed,
    }
    return render(request, "plans/remove.html", context, status=status)


# -- Downloads ------------------------------------------------------------------------------


@organisation_required
@never_cache
@require_GET
def plan_pdf(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation
    rows = exports.plan_rows(services.items_of(organisation))
    return attachment(
        exports.plan_pdf(organisation, rows),
        exports.filename(organisation, "actieplan", "pdf"),
        "application/pdf",
    )


@organisation_required
@never_cache
@require_GET
def plan_xlsx(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation
    rows = exports.plan_rows(services.items_of(organisation))
    return attachment(
        exports.plan_xlsx(organisation, rows),
        exports.filename(organisation, "actieplan", "xlsx"),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@organisation_required
@never_cache
@require_POST
def sheets_pdf(request: HttpRequest) -> HttpResponse:
    """The overview sheets of every action on the plan, with the plan's details, as one PDF:
    made by a job (jobs.py), whose page shows how far it is."""
    organisation = request.organisation
    if not any(item.action is not None for item in services.items_of(organisation)):
        messages.info(request, _("Your plan has no actions yet, so there are no sheets to print."))
        return redirect("plans:plan")
    try:
        job = start_sheets(request.user, organisation)
    except TooManyJobs:
        return too_many_jobs(request, reverse("plans:plan"))
    return redirect("jobs:job", job_id=job.pk)


@organisation_required
@never_cache
@require_GET
def menu_card_pdf(request: HttpRequest) -> HttpResponse:
    """The visual menu card of the plan's actions (A4, or A3 with ?formaat=a3)."""
    return _menu_card(request, "pdf")


@organisation_required
@never_cache
@require_GET
def menu_card_png(request: HttpRequest) -> HttpResponse:
    """The same menu card as an image, for the intranet."""
    return _menu_card(request, "png")


def _menu_card(request: HttpRequest, extension: str) -> HttpResponse:
    organisation = request.organisation
    action_ids = [item.action_id for item in services.items_of(organisation) if item.action]
    if not action_ids:
        messages.info(request, _("Your plan has no actions yet, so there is no menu card."))
        return redirect("plans:plan")
    paper = "a3" if request.GET.get("formaat") == "a3" else "a4"
    render, content_type = {
        "pdf": (printing.menu_card_pdf, "application/pdf"),
        "png": (printing.menu_card_png, "image/png"),
    }[extension]
    content = render(action_ids, paper=paper, subtitle=organisation.name)
    name = exports.filename(organisation, f"menukaart-{paper}", extension)
    return attachment(content, name, content_type)


@organisation_required
@never_cache
@require_GET
def item_sheet_pdf(request: HttpRequest, code: str) -> HttpResponse:
    item = _item(request, code)
    if item.action is None:
        raise Http404
    name = exports.filename(
        request.organisation, f"fiche-{item.action_id.replace('.', '-')}", "pdf"
    )
    return attachment(exports.item_sheet_pdf(item), name, "application/pdf")
