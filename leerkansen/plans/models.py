"""An organisation's action plan: the catalogue's actions it chose, in its own order.

One plan per organisation, shared by all its admins. Two admins may work on it at once, so
every change says which version it was made on (see services.py): an item's `version` for its
fields, the plan's `version` for the list itself (what is on it, in which order).
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from leerkansen.content.catalogue import get_catalogue
from leerkansen.lib.codes import new_code

OWNER_MAX_LENGTH = 100
NOTE_MAX_LENGTH = 2000


def today():
    return timezone.localdate()


def validate_action_id(value: str) -> None:
    if get_catalogue().action(value) is None:
        raise ValidationError(
            _("There is no action %(id)s in the action menu."),
            code="unknown_action",
            params={"id": value},
        )


class Plan(models.Model):
    """The list of an organisation's chosen actions; made with its first action."""

    organisation = models.OneToOneField(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="plan"
    )
    # Goes up with every change to the list (an action added or removed, the order changed),
    # not with a change to one action's owner, start, status or note.
    version = models.PositiveIntegerField(default=1)
    created_on = models.DateField(default=today, editable=False)
    updated_on = models.DateField(default=today)

    organisation_path = "organisation"

    class Meta:
        verbose_name = _("action plan")
        verbose_name_plural = _("action plans")

    def __str__(self) -> str:
        return f"Plan of {self.organisation}"


class PlanItem(models.Model):
    """One action of the plan: who takes it on, from when, how far it is, and a note."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        STOPPED = "stopped", _("Stopped")

    class Source(models.TextChoices):
        REPORT = "report", _("report")
        MENU = "menu", _("action menu")

    # The public id in URLs: random, so that an id says nothing about other plans.
    code = models.CharField(max_length=32, unique=True, default=new_code, editable=False)
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="items")
    action_id = models.CharField(_("action"), max_length=8, validators=[validate_action_id])
    # 1, 2, 3, … in the plan's order (kept without gaps by services.py).
    position = models.PositiveIntegerField()
    owner = models.CharField(_("owner"), max_length=OWNER_MAX_LENGTH, blank=True)
    start = models.DateField(_("start"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )
    note = models.TextField(_("note"), max_length=NOTE_MAX_LENGTH, blank=True)
    added_from = models.CharField(max_length=10, choices=Source.choices, default=Source.MENU)
    # Goes up with every saved change of the fields above: an edit made on an older version
    # is refused (services.update_item).
    version = models.PositiveIntegerField(default=1)
    created_on = models.DateField(default=today, editable=False)
    updated_on = models.DateField(default=today)

    organisation_path = "plan__organisation"

    class Meta:
        verbose_name = _("action in the plan")
        verbose_name_plural = _("actions in the plan")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "action_id"], name="one_item_per_action"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.action_id}"

    @property
    def action(self):
        """The catalogue's action, or None if this catalogue no longer has it."""
        return get_catalogue().action(self.action_id)
