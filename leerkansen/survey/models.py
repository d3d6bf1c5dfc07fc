from django.db import models
from django.utils.translation import gettext_lazy as _

from leerkansen.lib.codes import new_code


class Assessment(models.Model):
    """One round of the questionnaire in an organisation; it collects one or more responses."""

    code = models.CharField(max_length=32, unique=True, default=new_code, editable=False)
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="assessments"
    )
    questionnaire_version = models.CharField(max_length=20)
    created_at = models.DateTimeField(auto_now_add=True)

    organisation_path = "organisation"

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")

    def __str__(self) -> str:
        return f"{self.organisation} ({self.created_at:%Y-%m-%d})"


class Response(models.Model):
    """One respondent's answers to one assessment, saved page by page."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="responses")
    # Only the hash of the resume token is stored; the respondent holds the token.
    resume_token_hash = models.CharField(max_length=64, unique=True)
    last_section = models.CharField(max_length=8, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    organisation_path = "assessment__organisation"

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")

    def __str__(self) -> str:
        state = "completed" if self.completed_at else "draft"
        return f"Response {self.pk} ({state}) of {self.assessment}"

    @property
    def is_completed(self) -> bool:
        return self.completed_at is not None


class Answer(models.Model):
    """One item's answer. A row with neither number nor code is "weet niet"; no row: unanswered."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    item_id = models.CharField(max_length=32)
    number = models.SmallIntegerField(null=True, blank=True)
    code = models.CharField(max_length=32, blank=True)

    organisation_path = "response__assessment__organisation"

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "item_id"], name="one_answer_per_item"),
            models.CheckConstraint(
                condition=models.Q(number__isnull=True) | models.Q(code=""),
                name="answer_is_number_or_code",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_id}={self.value!r}"

    @property
    def value(self) -> int | str | None:
        return self.number if self.number is not None else (self.code or None)
