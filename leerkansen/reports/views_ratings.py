"""The rating page of a report: /rapport/<code>/beoordelen/.

The organisation rates the report's top 3, two other actions chosen at random (so that the
evidence is not limited to what the app recommends; recorded as such) and any other action it
picks from the catalogue on relevance and feasibility (1–5). A page of its own, not part of
the report page: that page is a stored snapshot in a cached layout and holds nothing per user.

Like the report, the page is for the members of the round's organisation only; for anyone
else it does not exist (404). The demo report has no rating page: it holds no one's answers.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from leerkansen.content.catalogue import Action, get_catalogue
from leerkansen.organisations.tenancy import organisation_required, owned_or_404

from . import ratings
from .models import Report

# Spelled out on every option, as in the questionnaire.
LABELS = {
    "relevance": (
        gettext_lazy("Not relevant at all"),
        gettext_lazy("Hardly relevant"),
        gettext_lazy("Somewhat relevant"),
        gettext_lazy("Relevant"),
        gettext_lazy("Very relevant"),
    ),
    "feasibility": (
        gettext_lazy("Not feasible at all"),
        gettext_lazy("Hardly feasible"),
        gettext_lazy("Somewhat feasible"),
        gettext_lazy("Feasible"),
        gettext_lazy("Very feasible"),
    ),
}
QUESTIONS = {
    "relevance": gettext_lazy("How relevant is this action for your organisation?"),
    "feasibility": gettext_lazy("How feasible is this action for your organisation?"),
}
# The select that adds an action to the list; the actions already added come back as "actie",
# like the ?actie=<id> of a link to this page.
ADD_FIELD = "add"
EXTRA_FIELD = "actie"


def _report(request: HttpRequest, code: str) -> Report:
    if request.organisation.is_demo:
        raise Http404
    return owned_or_404(
        Report.objects.select_related("assessment").defer("html", "pdf"),
        request.organisation,
        code=code,
    )


@never_cache
@organisation_required
@require_http_methods(["GET", "POST"])
def rate_actions(request: HttpRequest, code: str) -> HttpResponse:
    report = _report(request, code)
    assessment = report.assessment
    recommended = ratings.recommended_actions(report)
    existing = ratings.ratings_of(assessment)
    chosen_at_random = ratings.random_actions(
        report, rated_otherwise=ratings.rated_otherwise(existing)
    )
    source = request.POST if request.method == "POST" else request.GET
    extra = ratings.known_actions(source.getlist(EXTRA_FIELD))
    if request.method == "GET":
        values = {
            ratings.field_name(aspect, action_id): str(getattr(rating, aspect))
            for action_id, rating in existing.items()
            for aspect in ratings.ASPECTS
        }
        return _page(request, report, recommended, chosen_at_random, existing, extra, values, {})

    added = request.POST.get(ADD_FIELD, "").strip()
    errors: dict[str, str] = {}
    if added and not ratings.known_actions([added]):
        errors[ADD_FIELD] = _("Choose an action from the list.")
        added = ""
    if added:
        extra = ratings.known_actions([*extra, added])
    actions = ratings.actions_to_rate(recommended, existing, extra, chosen_at_random)
    given, rating_errors = ratings.read_ratings(request.POST, [action.id for action in actions])
    errors.update(rating_errors)
    if not given and not added and not errors:
        errors[ratings.NOTHING_RATED] = _(
            "Choose a score for relevance and for feasibility of at least one action."
        )
    if errors:
        return _page(
            request, report, recommended, chosen_at_random, existing, extra, request.POST, errors
        )

    ratings.save_ratings(assessment, given, set(recommended), set(chosen_at_random))
    if given:
        messages.success(request, _("Thank you: your ratings are saved."))
    if added:
        messages.info(request, _("Action %(id)s is on the list. Rate it below.") % {"id": added})
    rated = {rating.action_id for rating in given} | set(existing)
    still_open = [action_id for action_id in extra if action_id not in rated]
    url = reverse("reports:rate_actions", args=[report.code])
    if still_open:
        url += "?" + urlencode({EXTRA_FIELD: still_open}, doseq=True)
    if added:
        url += "#" + _anchor(get_catalogue().action(added))
    return redirect(url)


def _anchor(action: Action) -> str:
    return "beoordeling-" + action.slug


def _page(
    request: HttpRequest,
    report: Report,
    recommended: list[str],
    chosen_at_random: list[str],
    existing: Mapping,
    extra: list[str],
    values: Mapping[str, str],
    errors: Mapping[str, str],
) -> HttpResponse:
    catalogue = get_catalogue()
    actions = ratings.actions_to_rate(recommended, existing, extra, chosen_at_random)
    rows = [
        _row(action, recommended, chosen_at_random, existing, values, errors) for action in actions
    ]
    shown = {action.id for action in actions}
    choices = [
        (challenge, [action for action in challenge.actions if action.id not in shown])
        for challenge in catalogue.challenges
    ]
    context = {
        "report": report,
        "assessment": report.assessment,
        "top3": [row for row in rows if row["recommended"]],
        "at_random": [row for row in rows if row["at_random"]],
        "others": [row for row in rows if not row["recommended"] and not row["at_random"]],
        "extra": [
            action_id
            for action_id in extra
            if action_id not in recommended and action_id not in chosen_at_random
        ],
        "add_choices": [(challenge, actions) for challenge, actions in choices if actions],
        "add_field": ADD_FIELD,
        "add_error": errors.get(ADD_FIELD),
        "nothing_rated": errors.get(ratings.NOTHING_RATED),
        "first_anchor": rows[0]["questions"][0]["anchor"] if rows else "actie-toevoegen",
        "error_links": _error_links(rows, errors),
        "error_count": len(errors),
    }
    return render(request, "reports/ratings.html", context)


def _row(
    action: Action,
    recommended: list[str],
    chosen_at_random: list[str],
    existing: Mapping,
    values: Mapping[str, str],
    errors: Mapping[str, str],
) -> dict:
    is_recommended = action.id in recommended
    anchor = _anchor(action)
    questions = []
    for aspect in ratings.ASPECTS:
        name = ratings.field_name(aspect, action.id)
        base = f"{aspect}-{action.slug}"
        chosen = (values.get(name) or "").strip()
        questions.append(
            {
                "aspect": aspect,
                "name": name,
                "anchor": base,
                "question": QUESTIONS[aspect],
                "error": errors.get(name),
                "error_id": f"{base}-fout",
                "choices": [
                    {
                        "id": f"{base}-{value}",
                        "value": value,
                        "label": LABELS[aspect][value - 1],
                        "checked": chosen == str(value),
                    }
                    for value in ratings.SCALE
                ],
            }
        )
    return {
        "action": action,
        "challenge": get_catalogue().challenge(action.challenge_number),
        "anchor": anchor,
        "recommended": is_recommended,
        "at_random": not is_recommended and action.id in chosen_at_random,
        "rank": recommended.index(action.id) + 1 if is_recommended else None,
        "rated": action.id in existing,
        "questions": questions,
    }


def _error_links(rows: list[dict], errors: Mapping[str, str]) -> list[dict]:
    """The error summary: one link per field in error, in the order of the page."""
    links = [
        {"anchor": question["anchor"], "action": row["action"], "text": question["error"]}
        for row in rows
        for question in row["questions"]
        if question["error"]
    ]
    if ADD_FIELD in errors:
        links.append({"anchor": "actie-toevoegen", "action": None, "text": errors[ADD_FIELD]})
    return links
