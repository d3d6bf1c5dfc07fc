from django.conf import settings
from django.db import models
from django.utils import timezone
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
    # Made by `simulate_organisations` to validate the estimation: never in research views or
    # exports of real data.
    is_simulated = models.BooleanField(default=False, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The organisation's choice to add its round results, anonymously, to the comparison with
    # similar organisations (the benchmarks app): when it last opted in and last opted out.
    # It shares while opted in after its last opt-out; by default it does not.
    benchmark_opted_in_at = models.DateTimeField(null=True, blank=True, editable=False)
    benchmark_opted_out_at = models.DateTimeField(null=True, blank=True, editable=False)

    organisation_path = ""

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name

    @property
    def shares_benchmark(self) -> bool:
        """Whether its round results count in the comparison with similar organisations."""
        opted_in, opted_out = self.benchmark_opted_in_at, self.benchmark_opted_out_at
        return opted_in is not None and (opted_out is None or opted_out < opted_in)

    @property
    def sector_label(self) -> str:
        """The sector in words, as the questionnaire names it (empty when not given)."""
        return dict(sector_choices()).get(self.sector, "")


def sharing_benchmark(path: str = "") -> models.Q:
    """The condition on organisations that share their results for the comparison (see
    Organisation.shares_benchmark); `path` leads from the queried model to the organisation."""
    prefix = f"{path}__" if path else ""
    return models.Q(**{f"{prefix}benchmark_opted_in_at__isnull": False}) & (
        models.Q(**{f"{prefix}benchmark_opted_out_at__isnull": True})
        | models.Q(
            **{f"{prefix}benchmark_opted_out_at__lt": models.F(f"{prefix}benchmark_opted_in_at")}
        )
    )


def sector_choices() -> list[tuple[str, str]]:
    """(NACE section letter, Dutch label) pairs, from the questionnaire's sector question."""
    # Imported here: the survey app builds on this one, not the other way round.
    from leerkansen.content.questionnaire import get_questionnaire

    item = get_questionnaire().item("A_sector")
    if item is None:
        return []
    return [(str(option.value), option.label) for option in item.options if option.value]


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


class AdminInvitation(models.Model):
    """An admin's invitation to a colleague to become admin of the organisation too.

    The link carries a random token; only its hash is stored. It works once and until
    `expires_at` (settings.INVITATION_DAYS after sending).
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="admin_invitations"
    )
    email = models.EmailField(_("e-mail address"))
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)

    organisation_path = "organisation"

    class Meta:
        verbose_name = _("admin invitation")
        verbose_name_plural = _("admin invitations")

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation}"


class ApiToken(models.Model):
    """A key for the assessment API (`Authorization: Bearer …`); only its hash is stored."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The first characters of the token, so that an admin recognises a key in the list.
    prefix = models.CharField(max_length=8, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # A day, not a moment: enough to see whether a key is still in use.
    last_used_on = models.DateField(null=True, blank=True)

    organisation_path = "organisation"

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class SecurityEvent(models.Model):
    """One line of the security log: who did what, never answers, passwords or IP addresses."""

    class Kind(models.TextChoices):
        LOGIN = "login", _("login")
        LOGIN_FAILED = "login_failed", _("failed login")
        LOCKOUT = "lockout", _("lock-out")
        LOGOUT = "logout", _("logout")
        DENIED = "denied", _("access denied")
        EXPORT = "export", _("export")
        ERASURE = "erasure", _("erasure")
        TOKEN_CREATED = "token_created", _("API key created")
        TOKEN_REVOKED = "token_revoked", _("API key revoked")
        INVITATION_SENT = "invitation_sent", _("invitation sent")
        MODEL_ACTIVATED = "model_activated", _("model version activated")

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Kept (without the link) when the organisation is erased: the erasure itself is logged.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    detail = models.CharField(max_length=200, blank=True)

    organisation_path = "organisation"

    class Meta:
        verbose_name = _("security event")
        verbose_name_plural = _("security events")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.kind}"
