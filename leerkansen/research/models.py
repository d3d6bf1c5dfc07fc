from django.db import models
from django.utils.translation import gettext_lazy as _


class SimulationRun(models.Model):
    """One call of simulate_organisations (research/simulation.py): what it planted and how.

    `settings` holds the generator's options (n, profiles, seed, within_correlation,
    separation, missing, respondents, ratings); `planted` the planted ratings: per profile id
    and action id the probabilities of relevance 1-5, per action those of feasibility 1-5
    (simulation.planted_evidence turns them into the planted evidence table).
    """

    settings = models.JSONField()
    planted = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("simulation run")
        verbose_name_plural = _("simulation runs")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Simulation {self.pk} (seed {self.settings.get('seed')})"


class PlantedProfile(models.Model):
    """The profile a simulated organisation was drawn from (1-based, simulation.DEFINING)."""

    organisation = models.OneToOneField(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="planted_profile",
    )
    run = models.ForeignKey(SimulationRun, on_delete=models.CASCADE, related_name="profiles")
    profile = models.PositiveSmallIntegerField()

    organisation_path = "organisation"

    class Meta:
        verbose_name = _("planted profile")
        verbose_name_plural = _("planted profiles")

    def __str__(self) -> str:
        return f"{self.organisation_id}: profile {self.profile}"
