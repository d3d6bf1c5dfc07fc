"""Forms of the plan pages. Messages say what to do next, in Dutch."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from leerkansen.content.catalogue import get_catalogue
from leerkansen.lib.text import CleanCharField

from .models import NOTE_MAX_LENGTH, OWNER_MAX_LENGTH, PlanItem
from .services import Direction, ItemChanges

# Hidden version fields: a missing or mangled one comes from an old or altered page.
VERSION_MESSAGES = {
    "required": _("This form is out of date. Reload the page and try again."),
    "invalid": _("This form is out of date. Reload the page and try again."),
}


def _version_field() -> forms.IntegerField:
    return forms.IntegerField(
        min_value=0, widget=forms.HiddenInput, error_messages=VERSION_MESSAGES
    )


class AddActionForm(forms.Form):
    """Add one catalogue action to the plan.

    The template renders the action as a select grouped per challenge (views.add_choices);
    any action id of the catalogue is valid, also one already on the plan.
    """

    action = forms.CharField(
        label=_("Action from the action menu"),
        max_length=8,
        error_messages={"required": _("Choose an action from the list.")},
    )
    source = forms.ChoiceField(
        choices=PlanItem.Source.choices, required=False, widget=forms.HiddenInput
    )

    def clean_action(self) -> str:
        action_id = self.cleaned_data["action"].strip()
        if get_catalogue().action(action_id) is None:
            raise forms.ValidationError(_("Choose an action from the list."), code="unknown")
        return action_id

    def clean_source(self) -> str:
        return self.cleaned_data.get("source") or PlanItem.Source.MENU


class ItemForm(forms.Form):
    """Owner, start, status and note of one action, with the version they were shown at."""

    owner = CleanCharField(
        label=_("Owner"),
        help_text=_("Who takes this action on: a name or a team."),
        max_length=OWNER_MAX_LENGTH,
        required=False,
        error_messages={
            "max_length": _("Keep the owner to %(limit_value)d characters at most."),
        },
    )
    start = forms.DateField(
        label=_("Start"),
        help_text=_("Optional. For example 15/09/2026."),
        required=False,
        input_formats=["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Fill in a date like 15/09/2026.")},
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=PlanItem.Status.choices,
        error_messages={
            "required": _("Choose a status."),
            "invalid_choice": _("Choose a status from the list."),
        },
    )
    note = CleanCharField(
        label=_("Note"),
        help_text=_("What was agreed, the next step, what you learned."),
        max_length=NOTE_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "max_length": _(
                "Keep the note to %(limit_value)d characters at most (now %(show_value)d)."
            ),
        },
    )
    version = _version_field()

    @classmethod
    def for_item(cls, item: PlanItem, data=None) -> ItemForm:
        """The item's form, with ids unique on a page that holds several of them."""
        initial = {
            "owner": item.owner,
            "start": item.start,
            "status": item.status,
            "note": item.note,
            "version": item.version,
        }
        return cls(data, initial=initial, auto_id=f"item-{item.code}-%s")

    def changes(self) -> ItemChanges:
        data = self.cleaned_data
        return ItemChanges(data["owner"], data["start"], data["status"], data["note"])


class MoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[(d.value, d.value) for d in Direction])
    version = _version_field()


class RemoveForm(forms.Form):
    version = _version_field()
