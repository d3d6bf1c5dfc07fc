"""Benchmark tables: per comparison group and challenge, the distribution of the round scores
of the organisations that chose to share (services.py computes them).

A table is dated and versioned and never changes once made, so that a report keeps the
comparison it was made with (RoundComparison records which table that was).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class BenchmarkTable(models.Model):
    """One published version of the comparison, made by `compute_benchmarks`."""

    version = models.PositiveIntegerField(unique=True)
    computed_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    # The rules it was made with, so that it keeps saying what it said.
    min_organisations = models.PositiveSmallIntegerField()
    min_change = models.PositiveSmallIntegerField()

    class Meta:
        verbose_name = _("benchmark table")
        verbose_name_plural = _("benchmark tables")
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"v{self.version} ({self.computed_on})"


class BenchmarkGroup(models.Model):
    """One comparison group in a table: its organisations' count and figures per challenge.

    `figures` are those of the table `figures_version` (this table or an earlier one): a group
    whose membership changed by fewer than `min_change` organisations since keeps them, so that
    no one's scores can be found by subtracting two tables. `members` are the rounds the
    figures come from (organisation pk → round pk), never shown; `figures` per challenge hold
    the median and quartiles only when at least `min_organisations` have a score.
    """

    class Kind(models.TextChoices):
        ALL = "all", _("all organisations")
        SECTOR = "sector", _("sector")
        SIZE = "size", _("size")
        PROFILE = "profile", _("profile")

    table = models.ForeignKey(BenchmarkTable, on_delete=models.CASCADE, related_name="groups")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    key = models.CharField(max_length=40, blank=True)
    label = models.CharField(max_length=200, blank=True)
    organisations = models.PositiveIntegerField()
    # {"3": {"n": 14, "median": 52.0, "p25": 40.0, "p75": 61.5}, "4": {"n": 7}}
    figures = models.JSONField(default=dict)
    members = models.JSONField(default=dict)
    figures_version = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("benchmark group")
        verbose_name_plural = _("benchmark groups")
        ordering = ["table", "kind", "key"]
        constraints = [
            models.UniqueConstraint(fields=["table", "kind", "key"], name="one_group_per_table")
        ]

    def __str__(self) -> str:
        return f"{self.table} {self.kind}:{self.key}"


class RoundComparison(models.Model):
    """The comparison a round's report was made with: the table version and what it showed."""

    assessment = models.OneToOneField(
        "survey.Assessment", on_delete=models.CASCADE, related_name="benchmark_comparison"
    )
    table = models.ForeignKey(
        BenchmarkTable, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # services.comparison_for: the groups with their figures and the organisation's positions.
    data = models.JSONField(default=dict)
    made_on = models.DateField()

    organisation_path = "assessment__organisation"

    class Meta:
        verbose_name = _("comparison of a round")
        verbose_name_plural = _("comparisons of rounds")

    def __str__(self) -> str:
        return f"{self.assessment} – {self.table}"
