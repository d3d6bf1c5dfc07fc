"""A role's version as the answering pages show it: long sections split into pages.

On a phone every statement takes about half a screen, so a section of 36 to 45 statements
would be 20 screens tall. The pages split a diagnostic section (and the 47 practice rows) at
challenge boundaries, at most PAGE_ITEMS of the kind to a page (no page taller than about
eight screens). The first page keeps the section's id ("B"), the next ones add their number ("B2",
"B3"): the id is the page's address (/vragenlijst/stap/B2/) and is stored as the response's
last page. Items and answers do not change: only what a page shows.

The version itself (questionnaire_for) stays whole: the API and the scoring read that one.
"""

from __future__ import annotations

from functools import cache

from django.utils import translation
from django.utils.translation import gettext

from .questionnaire import ROLES, Item, Questionnaire, Section, get_questionnaire
from .questionnaire_translations import questionnaire_in

# Items per page: 12 statements (half a screen each) or 20 practice rows (a select each) and
# the page's heading and buttons fit in eight screens of a 390 x 844 phone
# (survey/tests/test_browser_roles.py measures it).
PAGE_ITEMS = {"diagnostic": 12, "practices": 20}


def in_pages(
    questionnaire: Questionnaire, page_items: dict[str, int] = PAGE_ITEMS
) -> Questionnaire:
    """`questionnaire` with each section longer than its kind's page split."""
    sections: list[Section] = []
    items: list[Item] = []
    for section in questionnaire.sections:
        own = questionnaire.items(section.id)
        max_items = page_items.get(section.kind, len(own))
        if len(own) <= max_items:
            sections.append(section)
            items += own
            continue
        pages = _split_at_challenges(own, max_items)
        for number, page in enumerate(pages, start=1):
            page_id = section.id if number == 1 else f"{section.id}{number}"
            with translation.override(questionnaire.language):
                title = gettext("%(title)s (%(number)s of %(count)s)") % {
                    "title": section.title,
                    "number": number,
                    "count": len(pages),
                }
            sections.append(section.model_copy(update={"id": page_id, "title": title}))
            items += [item.model_copy(update={"section": page_id}) for item in page]
    paged = questionnaire.model_copy(update={"sections": tuple(sections)})
    paged._items = tuple(items)
    paged._by_id = {item.id: item for item in items}
    paged._role = questionnaire.role
    paged._versions = {}
    return paged


def _split_at_challenges(items: tuple[Item, ...], max_items: int) -> list[list[Item]]:
    pages: list[list[Item]] = [[]]
    for challenge in dict.fromkeys(_challenge(item) for item in items):
        block = [item for item in items if _challenge(item) == challenge]
        if pages[-1] and len(pages[-1]) + len(block) > max_items:
            pages.append([])
        pages[-1] += block
    return pages


def _challenge(item: Item) -> int | None:
    """A statement's challenge, or that of the action a practice row asks about."""
    if item.challenge is None and item.action:
        return int(item.action.split(".")[0])
    return item.challenge


@cache
def questionnaire_pages(role: str, language: str = "nl") -> Questionnaire:
    """The version `role` answers, in the pages the answering screens show, in `language`
    (LookupError for a language not offered, see questionnaire_translations)."""
    return in_pages(questionnaire_in(language, role))


@cache
def pages_without_role() -> Questionnaire:
    """For a page posted without a session (it ended): the whole file, in which every page
    address of any role's version takes any item of its section. What the page could keep
    waits in the session; the respondent's own pages sort it out when their link is opened
    again (survey.views)."""
    whole = get_questionnaire()
    addresses = {
        section.id: base.id
        for role in ROLES
        for base, section in _pages_of(questionnaire_pages(role), whole)
    }
    sections = list(whole.sections)
    items = list(whole.items())
    for address, base_id in addresses.items():
        if address == base_id:
            continue
        base = whole.section(base_id)
        sections.append(base.model_copy(update={"id": address}))
        items += [item.model_copy(update={"section": address}) for item in whole.items(base_id)]
    paged = whole.model_copy(update={"sections": tuple(sections)})
    paged._items = tuple(items)
    paged._by_id = {item.id: item for item in whole.items()}
    paged._versions = {}
    return paged


def _pages_of(paged: Questionnaire, whole: Questionnaire) -> list[tuple[Section, Section]]:
    """(section of the file, page) for every page of `paged`."""
    result = []
    for page in paged.sections:
        item = next(iter(paged.items(page.id)), None)
        base = whole.section(whole.item(item.id).section) if item else whole.section(page.id)
        if base is not None:
            result.append((base, page))
    return result
