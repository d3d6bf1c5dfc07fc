from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from leerkansen.lib.codes import new_code


class Organisation(models.Model):
    """A tenant: every round, response and report belongs to one organisation."""

    class SizeBand(models.TextChoices):
        LT10 = "lt10", _("fewer than 10")
        S10_19 = "10_19", _("10 to 19")
        S20_49 = "20_49", _("20 to 49")
        S50_249 = "50_249", _("50 to 249")
        S250PLUS = "250plus", _("250 or more")

    code = models.CharField(max_length=32, unique=True, default=new_code, editable=False)
    name = models.CharField(_("name"), max_length=200)
    # A NACE section letter, as in the questionnaire's context section.
    sector = models.CharField(_("sector"), max_length=2, blank=True)
    size_band = models.CharField(
        _("number of employees"), max_length=10, choices=SizeBand.choices, blank=True
    )
    is_demo = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    organisation_path = ""

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user's place in an organisation. Respondents have no account and no membership."""

    class Role(models.TextChoices):
        ADMIN = "admin", _("HR administrator")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.ADMIN)
    created_at = models.DateTimeField(auto_now_add=True)

    organisation_path = "organisation"

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="one_membership")
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.organisation} ({self.role})"
