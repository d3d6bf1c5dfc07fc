"""Forms of the questionnaire pages (one form per section) and of the round pages.

A section form has one text field per item, named after the item id, so that a value posted by
hand ("B1_1=9") is checked by the questionnaire itself and gets its Dutch message. The
templates render the fields from `SectionForm.groups()`: radio buttons, or a select for the
needs ranking and for long option lists.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from leerkansen.content.catalogue import Challenge, get_catalogue
from leerkansen.content.questionnaire import MAX_TEXT_LENGTH, Item, Questionnaire, Section
from leerkansen.lib.text import CleanCharField, clean_text

from .models import Assessment, Language, Role
from .rounds import MAX_ADDRESSES, parse_addresses
from .services import AnswerValue

# How "Weet niet" (stored as None) travels in a form. Option codes are [A-Za-z0-9_]+, so a
# hyphen can never collide with one.
DONT_KNOW = "weet-niet"
# Items with more options than this are a select instead of a column of radio buttons.
MAX_RADIO_OPTIONS = 8


class NewRoundForm(forms.Form):
    """Open a round: who answers, and an optional title."""

    title = CleanCharField(
        label=_("Title (optional)"),
        max_length=200,
        required=False,
        strip=True,
        error_messages={"max_length": _("Keep the title to %(limit_value)d characters at most.")},
    )
    roles = forms.MultipleChoiceField(
        label=_("Who answers?"),
        choices=Role.choices,
        error_messages={
            "required": _("Choose at least one group that answers."),
            "invalid_choice": _("Choose from the groups in the list."),
        },
    )


def _round_roles(assessment: Assessment) -> list[tuple[str, str]]:
    return [(role, label) for role, label in Role.choices if role in assessment.roles]


class InviteForm(forms.Form):
    """Personal invitations: e-mail addresses and the role they answer in."""

    role = forms.ChoiceField(
        label=_("They answer as"),
        error_messages={
            "required": _("Choose the group these people answer for."),
            "invalid_choice": _("Choose one of the groups of this round."),
        },
    )
    addresses = CleanCharField(
        label=_("E-mail addresses"),
        widget=forms.Textarea,
        error_messages={"required": _("Fill in at least one e-mail address.")},
    )

    language = forms.ChoiceField(
        label=_("Language of the e-mail"),
        choices=Language.choices,
        required=False,
        error_messages={"invalid_choice": _("Choose one of the languages in the list.")},
    )

    def __init__(self, assessment: Assessment, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = _round_roles(assessment)

    def clean_language(self) -> str:
        return self.cleaned_data.get("language") or Language.NL

    def clean_addresses(self) -> list[str]:
        valid, invalid = parse_addresses(self.cleaned_data["addresses"])
        if invalid:
            raise forms.ValidationError(
                gettext(
                    "These addresses are not valid: %(addresses)s. Correct them and send again."
                )
                % {"addresses": ", ".join(invalid)}
            )
        if not valid:
            raise forms.ValidationError(gettext("Fill in at least one e-mail address."))
        if len(valid) > MAX_ADDRESSES:
            raise forms.ValidationError(
                gettext("Send at most %(limit)s invitations at once.") % {"limit": MAX_ADDRESSES}
            )
        return valid


class SharedLinkForm(forms.Form):
    role = forms.ChoiceField()

    def __init__(self, assessment: Assessment, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = _round_roles(assessment)


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    id: str
    checked: bool


@dataclass(frozen=True)
class Row:
    """One item as the template shows it."""

    item: Item
    number: int
    widget: Literal["radio", "select", "text"]
    choices: tuple[Choice, ...]
    # "Weet niet", shown apart from the scale.
    dont_know: Choice | None
    errors: tuple[str, ...]
    # An open question's text as shown.
    text: str = ""
    max_length: int = MAX_TEXT_LENGTH

    @property
    def name(self) -> str:
        return self.item.id

    @property
    def label_number(self) -> str:
        """What the row is numbered by: the action id in section C, else its place."""
        return self.item.action or f"{self.number}."

    @property
    def anchor(self) -> str:
        return f"vraag-{self.item.id}"

    @property
    def error_id(self) -> str:
        return f"fout-{self.item.id}"

    @property
    def select_id(self) -> str:
        return f"id_{self.item.id}"

    @property
    def has_answer(self) -> bool:
        return (
            bool(self.text)
            or any(choice.checked for choice in self.choices)
            or bool(self.dont_know and self.dont_know.checked)
        )


@dataclass(frozen=True)
class Group:
    """Rows under one heading: a challenge (section C), a ranked need (D), or none."""

    heading: str
    challenge: Challenge | None
    rows: tuple[Row, ...]


def encode(value: AnswerValue) -> str:
    """An answer as a form value."""
    return DONT_KNOW if value is None else str(value)


def widget_for(item: Item) -> Literal["radio", "select", "text"]:
    if item.scale == "text":
        return "text"
    # The 47 practice rows as radio buttons would be 25 screens on a phone: one select each.
    if item.scale in ("challenges", "practice") or len(item.options) > MAX_RADIO_OPTIONS:
        return "select"
    return "radio"


class SectionForm(forms.Form):
    """The items of one section. Every field is optional: answering goes page by page.

    After is_valid(), `answers` holds the valid answers of the page (also when other fields
    have errors, so nothing valid is lost) and `cleared` the items whose select was emptied.
    """

    def __init__(
        self,
        section: Section,
        questionnaire: Questionnaire,
        *args,
        saved: dict[str, AnswerValue] | None = None,
        **kwargs,
    ):
        self.section = section
        self.questionnaire = questionnaire
        self.items = questionnaire.items(section.id)
        saved = saved or {}
        kwargs.setdefault("initial", {item_id: encode(value) for item_id, value in saved.items()})
        super().__init__(*args, **kwargs)
        for item in self.items:
            self.fields[item.id] = CleanCharField(
                required=False,
                label=item.text,
                widget=forms.Textarea if item.scale == "text" else forms.TextInput,
            )
        self.answers: dict[str, AnswerValue] = {}
        self.cleared: set[str] = set()

    def clean(self):
        cleaned = super().clean()
        posted = read_section(self.questionnaire, self.items, self.data)
        for item_id, messages in posted.errors.items():
            for message in messages:
                self.add_error(item_id, message)
        self.answers = posted.answers
        self.cleared = set(posted.cleared)
        return cleaned

    def groups(self) -> list[Group]:
        """The rows of this page, grouped as the section asks."""
        rows = [self._row(number, item) for number, item in enumerate(self.items, start=1)]
        if self.section.kind == "practices":
            catalogue = get_catalogue()
            groups: list[Group] = []
            for challenge in catalogue.challenges:
                ids = {action.id for action in challenge.actions}
                mine = tuple(row for row in rows if row.item.action in ids)
                if mine:
                    # The title in the page's language (the questionnaire's translation).
                    title = self.questionnaire.challenge_title(challenge.number)
                    shown = challenge.model_copy(update={"title": title})
                    groups.append(Group(title, shown, mine))
            return groups
        if self.section.kind == "needs":
            groups = []
            for rank, (need_id, urgency_id) in enumerate(self.questionnaire.need_items(), 1):
                mine = tuple(row for row in rows if row.item.id in (need_id, urgency_id))
                heading = gettext("Choice %(rank)s") % {"rank": rank}
                groups.append(Group(heading, None, mine))
            return groups
        return [Group("", None, tuple(rows))]

    def _row(self, number: int, item: Item) -> Row:
        widget = widget_for(item)
        current = self[item.id].value() or ""
        if not current and (widget == "radio" or item.id not in self.data):
            # Nothing posted for it: what is shown is what stays saved.
            current = self.initial.get(item.id, "")
        choices = []
        dont_know = None
        for index, option in enumerate(item.options, start=1):
            value = encode(option.value)
            choice = Choice(
                value=value,
                label=option.label,
                id=f"id_{item.id}_{index}",
                checked=value == current,
            )
            if option.value is None:
                dont_know = choice
            else:
                choices.append(choice)
        return Row(
            item=item,
            number=number,
            widget=widget,
            choices=tuple(choices),
            dont_know=dont_know,
            errors=tuple(self.errors.get(item.id, ())),
            text=current if widget == "text" else "",
        )


@dataclass(frozen=True)
class SectionInput:
    """What a posted page means: valid answers, emptied selects/texts and errors per item."""

    answers: dict[str, AnswerValue]
    cleared: frozenset[str]
    errors: dict[str, list[str]]


def read_section(
    questionnaire: Questionnaire, items: tuple[Item, ...], data: Mapping[str, str]
) -> SectionInput:
    """Read one page's posted values; the valid ones are kept even when others are wrong.

    Control characters are removed first (lib.text): an open answer with a pasted NUL byte is
    saved without it instead of failing in the database.
    """
    posted: dict[str, object] = {}
    cleared: set[str] = set()
    for item in items:
        raw = clean_text(data.get(item.id) or "", multiline=item.scale == "text").strip()
        if raw:
            posted[item.id] = _decode(item, raw)
        elif widget_for(item) in ("select", "text") and item.id in data:
            # Radio buttons cannot be unset, so an empty radio keeps its earlier answer;
            # a select's empty choice or an emptied text is a deliberate "no answer".
            cleared.add(item.id)
    # A need that is no longer chosen takes its urgency along.
    for item in items:
        if item.about in cleared:
            cleared.add(item.id)
            posted.pop(item.id, None)
    errors = questionnaire.validate_answers(posted)
    answers = {k: v for k, v in posted.items() if k not in errors}
    return SectionInput(answers, frozenset(cleared), errors)  # type: ignore[arg-type]


def _decode(item: Item, raw: str) -> object:
    """The answer a form value stands for; an unknown value stays a string, to be refused."""
    for option in item.options:
        if encode(option.value) == raw:
            return option.value
    return raw
