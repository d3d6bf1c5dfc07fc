from functools import cache
from pathlib import Path

from django import template
from django.utils.safestring import SafeString, mark_safe

from leerkansen.content.catalogue import Action, get_catalogue

register = template.Library()

ICON_DIR = Path(__file__).resolve().parent.parent / "templates" / "catalogue" / "icons"


@cache
def _icon_svg(number: int) -> str:
    return (ICON_DIR / f"challenge-{number}.svg").read_text(encoding="utf-8").strip()


@register.simple_tag
def challenge_icon(number: int) -> SafeString:
    """The challenge's icon as inline SVG (decorative: hidden from screen readers)."""
    # Our own vendored files, read once; the number comes from validated catalogue data.
    return mark_safe(_icon_svg(int(number)))  # noqa: S308


@register.filter
def related_actions(action: Action) -> list[Action]:
    catalogue = get_catalogue()
    return [catalogue.action(action_id) for action_id in action.related]
