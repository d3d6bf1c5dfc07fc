from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from leerkansen.lib.codes import new_code
from leerkansen.scoring.model import get_shipped_model


def today():
    return timezone.localdate()


def anonymity_threshold_in_force() -> int:
    return settings.ANONYMITY_THRESHOLD


def free_text_threshold_in_force() -> int:
    return settings.FREE_TEXT_THRESHOLD


def shipped_dominance_threshold() -> float:
    return get_shipped_model().dominance_threshold


class Report(models.Model):
    """A snapshot of a round's outcome: inputs, versions and advice.

    It changes only in steps that cannot single out one respondent (services.refresh_report,
    docs/scoring.md "When a round's report changes"): in an open round it is published from k
    completed responses on and then only when k new ones have come in, with the overall
    results only; the breakdown per role comes once, in the final state published when the
    round closes. After that it never changes again, also not with a new model or catalogue
    version. Its HTML is rendered when it is published (or, when a change of wording cleared
    it, on its next view) and its PDF on first request, then served as stored.
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
    # Model 1.0.0 ("dominant"): [{"action": "1.1", "challenge": 1, "reason": str,
    #   "components": {...}}]. From 1.1.0 ("mixture"): [{"action", "challenge", "total",
    #   "components": {...scoring.top3.MixtureComponents}, "respondents": int}], no sentence.
    top3 = models.JSONField()
    # The next three actions after the top 3 ("ook sterk"), in the shape of top3; empty for
    # reports of model 1.0.0.
    also_strong = models.JSONField(default=list)
    # [{"challenge": 3, "urgency": 4|null}], largest need first
    needs = models.JSONField()
    # {"1.1": "al", ...}
    practices = models.JSONField()
    # Completed responses per role: {"hr": 1, "medewerker": 6}. Counts only, never who.
    role_counts = models.JSONField(default=dict)
    # Scores of the groups shown apart (scoring.anonymity.report_groups), a merged group under
    # a key like "hr+directie": {"medewerker": {"1": 70.0, ..., "9": null}}. Groups not shown
    # are not stored at all.
    role_scores = models.JSONField(default=dict)
    # Agreement between respondents per challenge, 0 to 1: {"1": 0.82, "2": null}; the mean
    # item r_wg since issue 14, r_wg(J) in reports made before (scoring/agreement.py).
    agreement = models.JSONField(default=dict)
    # Answers to open questions, {"E_open": [sorted texts]}: empty below the free-text
    # threshold, when free_text_allowed is False.
    free_text = models.JSONField(default=dict)
    free_text_allowed = models.BooleanField(default=False)
    # Open answers an admin hid from the report (comments.py): per question, the SHA-256 of
    # each hidden text, {"E_open": [hex]}. The texts themselves are gone from free_text, and
    # a later publication of an open round leaves them out again.
    hidden_comments = models.JSONField(default=dict, editable=False)
    # The thresholds the report was made with (services.compute_report sets them), so that it
    # keeps saying what it said: the anonymity and free-text thresholds of the settings and
    # its model version's dominance threshold. The defaults are those in force now.
    anonymity_threshold = models.PositiveSmallIntegerField(
        default=anonymity_threshold_in_force, editable=False
    )
    free_text_threshold = models.PositiveSmallIntegerField(
        default=free_text_threshold_in_force, editable=False
    )
    dominance_threshold = models.FloatField(default=shipped_dominance_threshold, editable=False)
    # The final state of a closed round: only then are role_counts and role_scores filled.
    final = models.BooleanField(default=False, editable=False)
    # Responses completed after the last published state of an open round and fewer than k
    # when it closed: left out of the final state, since the difference would isolate them.
    left_out = models.PositiveIntegerField(default=0, editable=False)
    html = models.TextField(blank=True)
    # Counts the updates of an open round's report, so that a PDF rendered from an older
    # content is not stored on the newer one (see pdf.get_or_render_pdf).
    revision = models.PositiveIntegerField(default=1, editable=False)
    pdf = models.BinaryField(null=True, blank=True, editable=False)
    # Days, not times: a report is made or updated when someone completes the questionnaire,
    # and the time would tell when that person answered.
    created_on = models.DateField(default=today, editable=False)
    updated_on = models.DateField(default=today, editable=False)

    organisation_path = "assessment__organisation"

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")

    def __str__(self) -> str:
        return f"{self.assessment} – {self.profile.get('name', '')}"

    @property
    def hidden_comment_count(self) -> int:
        return sum(len(keys) for keys in (self.hidden_comments or {}).values())


class ActionRating(models.Model):
    """An organisation's rating of one action for one round: relevance and feasibility, 1–5.

    One per action and round (a new rating replaces the old), recorded as recommended (top 3),
    asked at random, or neither (chosen by the organisation). The evidence model
    (research: estimate_evidence) weighs them by the round's profile probabilities.
    """

    SCALE = range(1, 6)

    assessment = models.ForeignKey(
        "survey.Assessment", on_delete=models.CASCADE, related_name="action_ratings"
    )
    action_id = models.CharField(max_length=8)
    relevance = models.PositiveSmallIntegerField(_("relevance"))
    feasibility = models.PositiveSmallIntegerField(_("feasibility"))
    # Was the action one of the report's top 3 when it was rated?
    recommended = models.BooleanField(default=False)
    # Was it one of the two actions outside the top 3 the rating page asks about, chosen at
    # random (reports/ratings.py, random_actions)? So estimates are not limited to the app's
    # own picks.
    asked_at_random = models.BooleanField(default=False)
    created_on = models.DateField(default=today)
    updated_on = models.DateField(default=today)

    organisation_path = "assessment__organisation"

    class Meta:
        verbose_name = _("action rating")
        verbose_name_plural = _("action ratings")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "action_id"], name="one_rating_per_action_and_round"
            ),
            models.CheckConstraint(
                condition=models.Q(relevance__gte=1, relevance__lte=5)
                & models.Q(feasibility__gte=1, feasibility__lte=5),
                name="ratings_from_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.action_id}: {self.relevance}/{self.feasibility}"
