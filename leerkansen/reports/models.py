from django.db import models
from django.utils.translation import gettext_lazy as _

from leerkansen.lib.codes import new_code


class Report(models.Model):
    """A frozen snapshot of an assessment's outcome: inputs, versions and advice.

    Once made it never changes with a new model or catalogue version; its HTML is rendered
    when it is made and its PDF on first request, then served as stored.
    """

    code = models.CharField(max_length=32, unique=True, default=new_code, editable=False)
    assessment = models.OneToOneField(
        "survey.Assessment", on_delete=models.CASCADE, related_name="report"
    )
    questionnaire_version = models.CharField(max_length=20)
    model_version = models.CharField(max_length=20)
    catalogue_version = models.CharField(max_length=20)
    response_count = models.PositiveIntegerField()
    # {"1": 72.5, ..., "9": null}
    scores = models.JSONField()
    # {"id", "name", "description", "probability", "probabilities", "runner_up": {...}|null,
    #  "nearest_prototype", "model_status"}
    profile = models.JSONField()
    # [{"action": "1.1", "challenge": 1, "reason": str, "components": {...}}]
    top3 = models.JSONField()
    # [{"challenge": 3, "urgency": 4|null}], largest need first
    needs = models.JSONField()
    # {"1.1": "al", ...}
    practices = models.JSONField()
    html = models.TextField(blank=True)
    pdf = models.BinaryField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    organisation_path = "assessment__organisation"

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")

    def __str__(self) -> str:
        return f"{self.assessment} – {self.profile.get('name', '')}"
