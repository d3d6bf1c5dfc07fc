"""The admin's round pages: list and open rounds, invite, links, reminders, status, close.

Every view is for a member of the organisation (organisation_required) and resolves the
round's code within that organisation (owned_or_404): another organisation's round is a 404.
The status shows counts per role only, never who answered what, and a role's counts only
from ANONYMITY_THRESHOLD on: below that, "fewer than k". The report changes in steps of k
responses (reports.services.refresh_report), and the page says so. Making or updating the
report from this page is the reports app's own view (reports.views.round_report).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from leerkansen.content.questionnaire import get_questionnaire
from leerkansen.organisations.tenancy import organisation_required, owned, owned_or_404

from . import rounds
from .forms import InviteForm, NewRoundForm, SharedLinkForm
from .models import Assessment, Invitation, Role
from .respondent import came_with_personal_link, link_cookie, session_response
from .respondent import remember_response as remember
from .services import start_response


def _round(request: HttpRequest, code: str) -> Assessment:
    return owned_or_404(
        Assessment.objects.select_related("organisation"), request.organisation, code=code
    )


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


def _shown(count: int, threshold: int) -> int | None:
    # Below the threshold a role's count is not shown: its changes would time one person.
    return count if count >= threshold else None


@never_cache
@organisation_required
@require_http_methods(["GET", "POST"])
def round_list(request: HttpRequest) -> HttpResponse:
    form = NewRoundForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        assessment = rounds.open_round(
            request.organisation, form.cleaned_data["roles"], form.cleaned_data["title"]
        )
        messages.success(request, _("Your round is open. Now invite the people who answer."))
        return redirect("rounds:invite", code=assessment.code)
    assessments = (
        owned(Assessment, request.organisation)
        .annotate(completed=Count("responses", filter=Q(responses__completed_on__isnull=False)))
        .order_by("-created_at")
    )
    context = {
        "form": form,
        "rounds": assessments,
        "role_choices": Role.choices,
        "chosen_roles": form["roles"].value() or [],
    }
    return render(request, "survey/rounds/list.html", context)


@never_cache
@organisation_required
@require_http_methods(["GET"])
def round_detail(request: HttpRequest, code: str) -> HttpResponse:
    # The round's report, if made, through the reverse relation of Report.assessment (the
    # reports app reads the survey, not the other way round), without its body and PDF.
    assessment = owned_or_404(
        Assessment.objects.select_related("organisation", "report").defer(
            "report__html", "report__pdf"
        ),
        request.organisation,
        code=code,
    )
    status = rounds.round_status(assessment)
    threshold = settings.ANONYMITY_THRESHOLD
    rows = [
        {
            "label": row.label,
            "invited": row.invited,
            "has_shared_link": row.has_shared_link,
            "started": _shown(row.started, threshold),
            "completed": _shown(row.completed, threshold),
        }
        for row in status
    ]
    completed = sum(row.completed for row in status)
    context = {
        "round": assessment,
        "status": rows,
        "completed": completed,
        "threshold": threshold,
        "report": getattr(assessment, "report", None),
        # A round whose report failed to be made at a completion can make it here.
        "can_publish": completed >= threshold
        or (completed and not assessment.is_open and not assessment.links_made),
        "roles": [rounds.role_label(role) for role in assessment.roles],
    }
    return render(request, "survey/rounds/detail.html", context)


@never_cache
@organisation_required
@require_http_methods(["GET", "POST"])
def round_invite(request: HttpRequest, code: str) -> HttpResponse:
    assessment = _round(request, code)
    form = InviteForm(assessment, request.POST if request.method == "POST" else None)
    if request.method == "POST" and assessment.is_open and form.is_valid():
        result = rounds.invite_people(
            assessment,
            form.cleaned_data["role"],
            form.cleaned_data["addresses"],
            _base_url(request),
            language=form.cleaned_data["language"],
        )
        if result.invited:
            count = len(result.invited)
            messages.success(
                request,
                ngettext("%(count)s invitation sent.", "%(count)s invitations sent.", count)
                % {"count": count},
            )
        if result.already_invited:
            messages.info(
                request,
                _("Already invited to this round, so not sent again: %(addresses)s")
                % {"addresses": ", ".join(result.already_invited)},
            )
        return redirect("rounds:invite", code=assessment.code)
    links = rounds.shared_links(assessment)
    shared = [
        {
            "role": role,
            "label": rounds.role_label(role),
            "link": links.get(role),
            "url": request.build_absolute_uri(
                reverse("survey:invitation", args=[rounds.invitation_token(links[role])])
            )
            if role in links
            else "",
        }
        for role in assessment.roles
    ]
    context = {
        "round": assessment,
        "form": form,
        "role_choices": [(role, rounds.role_label(role)) for role in assessment.roles],
        "chosen_role": form["role"].value() or "",
        "shared": shared,
        "addresses": rounds.invited_addresses(assessment),
    }
    return render(request, "survey/rounds/invite.html", context)


@organisation_required
@require_POST
def round_shared_link(request: HttpRequest, code: str) -> HttpResponse:
    assessment = _round(request, code)
    form = SharedLinkForm(assessment, request.POST)
    if assessment.is_open and form.is_valid():
        rounds.create_shared_link(assessment, form.cleaned_data["role"])
        messages.success(request, _("The shared link is ready. Copy it below."))
    return redirect("rounds:invite", code=assessment.code)


@organisation_required
@require_POST
def round_disable_link(request: HttpRequest, code: str, link: str) -> HttpResponse:
    assessment = _round(request, code)
    invitation = owned_or_404(
        Invitation.objects.filter(assessment=assessment, kind=Invitation.Kind.SHARED),
        request.organisation,
        code=link,
    )
    rounds.disable_link(invitation)
    messages.success(request, _("The shared link no longer works."))
    return redirect("rounds:invite", code=assessment.code)


@organisation_required
@require_POST
def round_remind(request: HttpRequest, code: str) -> HttpResponse:
    assessment = _round(request, code)
    sent = rounds.send_reminders(rounds.due_reminders(assessment), _base_url(request))
    if sent:
        messages.success(
            request,
            ngettext("%(count)s reminder sent.", "%(count)s reminders sent.", sent)
            % {"count": sent},
        )
    else:
        messages.info(
            request,
            _(
                "No reminders sent: everyone who has not answered yet was invited or reminded "
                "less than a week ago."
            ),
        )
    return redirect("rounds:detail", code=assessment.code)


@never_cache
@organisation_required
@require_http_methods(["GET", "POST"])
def round_close(request: HttpRequest, code: str) -> HttpResponse:
    """GET: what closing means, with the button that closes (a step, not one click on the
    round page: closing cannot be undone). POST: close."""
    assessment = _round(request, code)
    if request.method == "GET":
        if not assessment.is_open:
            return redirect("rounds:detail", code=assessment.code)
        completed = assessment.responses.filter(completed_on__isnull=False).count()
        threshold = settings.ANONYMITY_THRESHOLD
        context = {
            "round": assessment,
            "completed": completed,
            "threshold": threshold,
            # Fewer than k answers from respondents: closing leaves the round without a report.
            "no_report": completed < threshold and assessment.links_made,
        }
        return render(request, "survey/rounds/close.html", context)
    if rounds.close_round(assessment):
        messages.success(
            request,
            _("The round is closed. The links no longer work and the e-mail addresses are erased."),
        )
    return redirect("rounds:detail", code=assessment.code)


@organisation_required
@require_POST
@link_cookie
def round_answer(request: HttpRequest, code: str) -> HttpResponse:
    """The admin answers too, as HR: a response of their own, continued if already begun."""
    assessment = _round(request, code)
    if not assessment.is_open or Role.HR not in assessment.roles:
        return redirect("rounds:detail", code=assessment.code)
    current = session_response(request)
    if (
        current is not None
        and current.assessment_id == assessment.pk
        and current.role == Role.HR
        and not current.is_completed
        and not came_with_personal_link(request, current)
    ):
        section_id = current.last_section or get_questionnaire().sections[0].id
        return redirect("survey:section", section_id=section_id)
    response, token = start_response(assessment, Role.HR)
    remember(request, response, token)
    messages.success(
        request,
        _("Your questionnaire has started. First save the link below: it lets you continue."),
    )
    return redirect("survey:section", section_id=get_questionnaire().sections[0].id)
