"""The respondent pages' language switch (survey/language.py)."""

from django import template

from ..language import offered_languages

register = template.Library()


@register.simple_tag
def respondent_languages() -> list[tuple[str, str]]:
    """(code, name in that language) of each language a respondent can answer in."""
    return offered_languages()
