"""Profile model versions: drafts estimated on collected data, the active one, retired ones.

The shipped model files (scoring/data/model-1.0.0.yaml and model-1.1.0.yaml, the default) are
not stored here, and no stored version takes their numbers (reports migration 0009). Every
other version is a row whose `content` has exactly the shape of a model
file and is validated like one (schema and catalogue) before it is saved. A version's content
changes only while it is a draft (profile names); reports keep the version they were made with
(Report.model_version), so an active or retired version never changes again.
See modelversions/services.py for the rules and docs/scoring.md for the procedure.

The tables keep the names they had when these models lived in the research app
(research_modelversion, research_modelactivation): the move changed no table.
"""

import hashlib
import json

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def content_checksum(content: dict) -> str:
    """A fingerprint of a version's content, independent of key order."""
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class ModelVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        ACTIVE = "active", _("active")
        RETIRED = "retired", _("retired")

    # Semantic version, as in a model file ("1.1.0"); Report.model_version refers to it.
    version = models.CharField(max_length=20, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    # The model, in the shape of a model file (decoded; challenge keys are strings in JSON).
    content = models.JSONField()
    # sha256 of `content`: the cache of parsed versions is keyed by it (modelversions.services).
    checksum = models.CharField(max_length=64, editable=False)
    # The version this one was derived from, e.g. "1.0.0".
    based_on = models.CharField(max_length=20, blank=True)
    # How it was made, e.g. "estimate_profiles (412 organisations)", and free notes.
    source = models.CharField(max_length=200, blank=True)
    notes = models.TextField(blank=True)
    # Fit statistics: {"n", "chosen_k", "table": [{"k", "bic", "entropy", "smallest_share"}], ...}
    # for estimated profiles; {"ratings", "cells_estimated", ...} for estimated evidence.
    fit = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The last activation; every activation is also kept in ModelActivation.
    activated_at = models.DateTimeField(null=True, blank=True)
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        db_table = "research_modelversion"
        verbose_name = _("model version")
        verbose_name_plural = _("model versions")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # At most one active version; none active means the shipped model is used.
            models.UniqueConstraint(
                fields=["status"],
                condition=models.Q(status="active"),
                name="one_active_model_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version} ({self.status})"

    def save(self, *args, **kwargs) -> None:
        """Validates the content (schema, catalogue, version) before every save that writes it."""
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "content" in update_fields:
            # Imported here: services imports this module.
            from .services import check_content

            check_content(self.version, self.content)
            self.checksum = content_checksum(self.content)
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "checksum"}
        super().save(*args, **kwargs)

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


class ModelActivation(models.Model):
    """The audit trail of activations: which version replaced which, when and by whom."""

    version = models.CharField(max_length=20)
    # The version that was active before (a shipped file's version: the shipped model).
    previous_version = models.CharField(max_length=20)
    created_at = models.DateTimeField(auto_now_add=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        db_table = "research_modelactivation"
        verbose_name = _("model activation")
        verbose_name_plural = _("model activations")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.previous_version} → {self.version}"
