"""The paper questionnaire of a round and role, as an A4 PDF.

A cover page (the anonymity note, how to fill it in) and then one page per page of the
answering screens (content.questionnaire_pages: a long section split at challenge boundaries,
at most 12 statements or 20 practice rows to a page), every page headed by the round's code, the
role and a box for the number HR writes on a questionnaire once it is typed in. Every question
prints its boxes numbered as HR types them (keys.py), "Weet niet" (0) on every one.

Rendered by a task, never in a request (issue 16's rule): the PDF depends on the
questionnaire's version, the role and the round (its code and title), never on answers, so it
is rendered once per round and role (measured on the shared 2-core development machine: 1-2 s
for an employee's version, 4-6 s for HR's, the longest) and kept in the shared database cache
for every worker. Opening the round's paper page asks for its PDFs (tasks.py, PAPER_PDF_AHEAD);
a click before one is ready gets a page that says so and refreshes itself. The code printed
on every page is why the round is part of the key: the questionnaire alone would be cached per
version and role.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import translation

from leerkansen.content.questionnaire import Item, questionnaire_for
from leerkansen.content.questionnaire_pages import questionnaire_pages
from leerkansen.content.questionnaire_translations import questionnaire_in
from leerkansen.survey.models import Assessment, Role

from .keys import Key, choices

# Scales printed as a table: one row per statement, one column per box.
TABLE_SCALES = ("agreement", "practice", "urgency")
CACHE_SECONDS = 30 * 24 * 3600


@dataclass
class Block:
    table: bool
    scale: str = ""
    # The challenges' numbers only in the header: their titles are listed once, above.
    numbers_only: bool = False
    legend: list[Key] = field(default_factory=list)
    keys: list[Key] = field(default_factory=list)
    items: list = field(default_factory=list)


def _blocks(items: tuple[Item, ...], dont_know_label: str) -> list[Block]:
    blocks: list[Block] = []
    legend_printed = False
    for item in items:
        keys = choices(item, dont_know_label)
        if item.scale == "challenges":
            # Nine long titles per ranked need would not fit a page three times over.
            legend = [] if legend_printed else keys[:-1]
            legend_printed = True
            blocks.append(Block(table=True, numbers_only=True, legend=legend, keys=keys))
            blocks[-1].items.append(item)
            continue
        if item.scale in TABLE_SCALES:
            last = blocks[-1] if blocks else None
            if last is None or not last.table or last.keys != keys:
                last = Block(table=True, scale=item.scale or "", keys=keys)
                blocks.append(last)
            last.items.append(item)
            continue
        if not blocks or blocks[-1].table:
            blocks.append(Block(table=False))
        open_question = item.scale == "text"
        blocks[-1].items.append({"item": item, "keys": keys, "open": open_question})
    return blocks


def form_context(assessment: Assessment, role: str, language: str = "nl") -> dict:
    """Call inside translation.override(language): the role's label and the template's
    texts are the interface's, the questions the questionnaire file's in that language."""
    paged = questionnaire_pages(role, language)
    dont_know = paged.scales.dont_know_label
    sections = [
        {
            "id": section.id,
            "title": section.title,
            "purpose": section.purpose,
            "blocks": _blocks(paged.items(section.id), dont_know),
        }
        for section in paged.sections
    ]
    return {
        "round": assessment,
        "role_label": Role(role).label,
        "questionnaire": questionnaire_in(language, role),
        "dont_know_label": dont_know,
        "sections": sections,
    }


def render_form_pdf(assessment: Assessment, role: str, language: str = "nl") -> bytes:
    # WeasyPrint is heavy to import: only with the first PDF (lib/pdf.py).
    from leerkansen.lib.pdf import html_to_pdf

    with translation.override(language):
        html = render_to_string("paper/form_pdf.html", form_context(assessment, role, language))
    return html_to_pdf(html)


def cache_key(assessment: Assessment, role: str, language: str = "nl") -> str:
    # The title is printed too: a new title is a new key.
    version = questionnaire_for(role).version
    title = hashlib.sha256(assessment.title.encode()).hexdigest()[:16]
    return f"paper-form:{version}:{role}:{language}:{assessment.code}:{title}"


def stored_form_pdf(assessment: Assessment, role: str, language: str = "nl") -> bytes | None:
    """The round's paper questionnaire for `role` if a task has rendered it, else None."""
    return cache.get(cache_key(assessment, role, language))


def store_form_pdf(assessment: Assessment, role: str, language: str = "nl") -> bool:
    """Render and keep the PDF unless it is kept already; whether it was rendered."""
    key = cache_key(assessment, role, language)
    if cache.get(key) is not None:
        return False
    cache.set(key, render_form_pdf(assessment, role, language), CACHE_SECONDS)
    return True
