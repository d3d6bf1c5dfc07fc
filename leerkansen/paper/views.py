"""The paper pages of a round, under /organisatie/rondes/<code>/papier/.

Only for a member of the organisation (organisation_required); the round's code is resolved
within the request's organisation (owned_or_404): another organisation's round is a 404, like
one that does not exist. A role must be one of the round's.

- index: the printable questionnaire per role, the entry screen, the import, and how many
  questionnaires were entered on paper.
- form_pdf: the questionnaire to print (printing.py).
- entry: one paper questionnaire at a time, typed in with the keyboard (keys.py); without
  JavaScript a plain form, with it (paper/entry.js) the cursor moves on after each answer.
- template_csv / template_xlsx and import_file: the spreadsheet way in (spreadsheets.py).
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from leerkansen.content.questionnaire_pages import questionnaire_pages
from leerkansen.content.questionnaire_translations import available_languages
from leerkansen.lib.downloads import attachment, waiting_page
from leerkansen.lib.text import clean_text
from leerkansen.organisations.tenancy import organisation_required, owned_or_404
from leerkansen.survey.language import LANGUAGE_NAMES
from leerkansen.survey.models import Assessment, Role

from . import spreadsheets
from .keys import allowed_text, choices, option_count, read_answers
from .printing import TABLE_SCALES, stored_form_pdf
from .services import (
    RoundClosed,
    enter_paper_responses,
    paper_count,
    scorable,
    too_few_answers_message,
)
from .tasks import ask_for_form_pdf

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_PROBLEMS_SHOWN = 200


def _round(request: HttpRequest, code: str) -> Assessment:
    return owned_or_404(Assessment, request.organisation, code=code)


def _role(assessment: Assessment, value: str | None) -> str | None:
    return value if value in assessment.roles else None


def _role_links(assessment: Assessment) -> list[dict]:
    return [{"value": role, "label": Role(role).label} for role in assessment.roles]


def _other_languages() -> list[tuple[str, str]]:
    """(code, name in itself) of the languages the questionnaire is printed in besides Dutch."""
    return [(code, LANGUAGE_NAMES[code]) for code in available_languages() if code != "nl"]


def _back_to_index(assessment: Assessment) -> HttpResponse:
    return redirect("paper:index", code=assessment.code)


@never_cache
@organisation_required
@require_GET
def index(request: HttpRequest, code: str) -> HttpResponse:
    assessment = _round(request, code)
    roles = _role_links(assessment)
    if settings.PAPER_PDF_AHEAD:
        # Whoever opens this page is about to print: the PDFs are made while they read it.
        for role in roles:
            if stored_form_pdf(assessment, role["value"]) is None:
                ask_for_form_pdf(assessment, role["value"])
    context = {
        "round": assessment,
        "roles": roles,
        "other_languages": _other_languages(),
        "paper_count": paper_count(assessment),
        "form": ImportForm(assessment),
        "max_rows": spreadsheets.MAX_ROWS,
        "max_megabytes": spreadsheets.MAX_UPLOAD_BYTES // (1024 * 1024),
    }
    return render(request, "paper/index.html", context)


@never_cache
@organisation_required
@require_GET
def form_pdf_view(request: HttpRequest, code: str) -> HttpResponse:
    assessment = _round(request, code)
    role = _role(assessment, request.GET.get("rol"))
    if role is None:
        return _back_to_index(assessment)
    language = request.GET.get("taal", "nl")
    if language not in available_languages():
        return _back_to_index(assessment)
    pdf = stored_form_pdf(assessment, role, language)
    if pdf is None:
        asked_at = ask_for_form_pdf(assessment, role, language)
        # A backend that runs tasks at once (tests, TASKS_IMMEDIATE) has made it by now.
        pdf = stored_form_pdf(assessment, role, language)
    if pdf is None:
        return _form_pdf_waiting(request, assessment, role, asked_at)
    suffix = "" if language == "nl" else f"-{language}"
    name = f"vragenlijst-{role}{suffix}-{assessment.code}.pdf"
    return attachment(pdf, name, "application/pdf", inline=True)


def _form_pdf_waiting(
    request: HttpRequest, assessment: Assessment, role: str, asked_at
) -> HttpResponse:
    group = Role(role).label
    return waiting_page(
        request,
        asked_at,
        heading=_("The questionnaire is being prepared"),
        message=_(
            "The questionnaire for %(group)s is being made for printing. That usually takes "
            "a few seconds; this page opens it by itself once it is ready."
        )
        % {"group": group},
        slow_message=_(
            "The questionnaire for %(group)s is taking longer than usual. It is still being "
            "made: try again in a few minutes."
        )
        % {"group": group},
        open_label=_("Open the questionnaire"),
        back_url=reverse("paper:index", args=[assessment.code]),
        back_label=_("Answers on paper"),
    )


def _template(request: HttpRequest, code: str, file_format: str) -> HttpResponse:
    assessment = _round(request, code)
    role = _role(assessment, request.GET.get("rol"))
    if role is None:
        return _back_to_index(assessment)
    name = f"papieren-vragenlijsten-{role}-{assessment.code}.{file_format}"
    if file_format == "csv":
        return attachment(spreadsheets.template_csv(role), name, "text/csv; charset=utf-8")
    return attachment(spreadsheets.template_xlsx(role), name, XLSX_TYPE)


@never_cache
@organisation_required
@require_GET
def template_csv(request: HttpRequest, code: str) -> HttpResponse:
    return _template(request, code, "csv")


@never_cache
@organisation_required
@require_GET
def template_xlsx(request: HttpRequest, code: str) -> HttpResponse:
    return _template(request, code, "xlsx")


# --- the entry screen ------------------------------------------------------------------------


def _entry_sections(role: str, typed: dict[str, str], problems: dict[str, str]) -> list[dict]:
    paged = questionnaire_pages(role)
    sections = []
    for section in paged.sections:
        items = paged.items(section.id)
        scales = {item.scale for item in items}
        # One key per page where all its statements share a scale; else one per question.
        shared = items[0].scale in TABLE_SCALES and len(scales) == 1
        sections.append(
            {
                "id": section.id,
                "title": section.title,
                "shared_keys": choices(items[0]) if shared else None,
                "items": [
                    {
                        "item": item,
                        "keys": None if shared or item.scale == "text" else choices(item),
                        "open": item.scale == "text",
                        "max": option_count(item),
                        "two_digits": option_count(item) > 9,
                        "allowed": allowed_text(item),
                        "value": typed.get(item.id, ""),
                        "error": problems.get(item.id),
                    }
                    for item in items
                ],
            }
        )
    return sections


def _question_message(item_id: str, text: str, problem: str) -> str:
    short = text if len(text) <= 60 else text[:57] + "…"
    return _("Question %(id)s (“%(text)s”): %(problem)s") % {
        "id": item_id,
        "text": short,
        "problem": problem,
    }


@never_cache
@organisation_required
@require_http_methods(["GET", "POST"])
def entry(request: HttpRequest, code: str) -> HttpResponse:
    assessment = _round(request, code)
    source = request.POST if request.method == "POST" else request.GET
    role = _role(assessment, source.get("rol"))
    context = {"round": assessment, "roles": _role_links(assessment), "role": role}
    if role is None:
        if request.method == "POST":
            context["role_error"] = _("Choose who filled in the questionnaire.")
        return render(request, "paper/choose_role.html", context)
    questionnaire = questionnaire_pages(role)
    typed: dict[str, str] = {}
    problems: dict[str, str] = {}
    general: list[str] = []
    if request.method == "POST":
        # Invisible control characters go silently, as in every form (lib.text); an import
        # refuses them instead, naming the cell, since nobody sees what was pasted there.
        typed = {
            item.id: clean_text(request.POST.get(item.id, "")[:2000])
            for item in questionnaire.items()
        }
        answers, problems = read_answers(questionnaire, typed)
        if not assessment.is_open:
            general.append(_("This round is closed: it takes no more answers."))
        elif not problems and not scorable(role, answers):
            general.append(too_few_answers_message())
        elif not problems:
            try:
                enter_paper_responses(assessment, role, [answers])
            except RoundClosed:
                general.append(_("This round is closed: it takes no more answers."))
            else:
                number = paper_count(assessment)
                messages.success(
                    request,
                    _(
                        "Saved as paper questionnaire %(number)s of this round: write "
                        "%(number)s in the box at the top of its pages. The form is empty "
                        "again for the next one."
                    )
                    % {"number": number},
                )
                return redirect(reverse("paper:entry", args=[assessment.code]) + f"?rol={role}")
    context.update(
        {
            "role_label": Role(role).label,
            "sections": _entry_sections(role, typed, problems),
            "errors": [
                {
                    "id": item_id,
                    "message": _question_message(
                        item_id, questionnaire.item(item_id).text, problem
                    ),
                }
                for item_id, problem in problems.items()
            ],
            "general_errors": general,
            "paper_count": paper_count(assessment),
        }
    )
    return render(request, "paper/entry.html", context)


# --- the import ------------------------------------------------------------------------------


class ImportForm(forms.Form):
    role = forms.ChoiceField(label=gettext_lazy("Who filled them in"), widget=forms.RadioSelect)
    file = forms.FileField(label=gettext_lazy("The filled-in template (.csv or .xlsx)"))

    def __init__(self, assessment: Assessment, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(role, Role(role).label) for role in assessment.roles]
        self.fields["role"].error_messages["required"] = _(
            "Choose who filled in the questionnaires."
        )
        self.fields["file"].error_messages["required"] = _("Choose the file to import.")


@never_cache
@organisation_required
@require_http_methods(["GET", "POST"])
def import_file(request: HttpRequest, code: str) -> HttpResponse:
    assessment = _round(request, code)
    form = ImportForm(assessment, request.POST or None, request.FILES or None)
    problems: list = []
    general: list[str] = []
    if request.method == "POST" and form.is_valid():
        role = form.cleaned_data["role"]
        upload = form.cleaned_data["file"]
        if not assessment.is_open:
            general.append(_("This round is closed: it takes no more answers."))
        elif upload.size > spreadsheets.MAX_UPLOAD_BYTES:
            general.append(
                _("The file is larger than %(limit)d MB.")
                % {"limit": spreadsheets.MAX_UPLOAD_BYTES // (1024 * 1024)}
            )
        else:
            try:
                cells = spreadsheets.cells_of(upload.name, upload.read())
            except spreadsheets.UnreadableFile as error:
                general.append(str(error))
            else:
                reading = spreadsheets.read_rows(role, cells)
                problems = reading.problems
                if not problems:
                    try:
                        count = enter_paper_responses(assessment, role, reading.rows)
                    except RoundClosed:
                        general.append(_("This round is closed: it takes no more answers."))
                    else:
                        messages.success(
                            request,
                            ngettext(
                                "%(count)d paper questionnaire imported.",
                                "%(count)d paper questionnaires imported.",
                                count,
                            )
                            % {"count": count},
                        )
                        return _back_to_index(assessment)
    context = {
        "round": assessment,
        "form": form,
        # A file wrong throughout would list thousands: the first ones show what to correct.
        "problems": problems[:MAX_PROBLEMS_SHOWN],
        "problem_count": len(problems),
        "problems_left_out": max(0, len(problems) - MAX_PROBLEMS_SHOWN),
        "general_errors": general,
        "max_rows": spreadsheets.MAX_ROWS,
        "max_megabytes": spreadsheets.MAX_UPLOAD_BYTES // (1024 * 1024),
    }
    return render(request, "paper/import.html", context)
