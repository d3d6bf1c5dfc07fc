from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from leerkansen.lib.codes import new_code


class Role(models.TextChoices):
    """Who answers: the respondent's place in the organisation, as a round asks it."""

    HR = "hr", _("HR")
    DIRECTIE = "directie", _("Management")
    LEIDINGGEVENDE = "leidinggevende", _("Line manager")
    MEDEWERKER = "medewerker", _("Employee")


class Language(models.TextChoices):
    """The languages a respondent answers in; each named in itself, whatever the page's."""

    NL = "nl", "Nederlands"
    FR = "fr", "Français"
    EN = "en", "English"


def default_roles() -> list[str]:
    # A round made without a choice (the API, the demo) is answered by HR alone.
    return [Role.HR.value]


def today():
    return timezone.localdate()


class Assessment(models.Model):
    """One round of the questionnaire in an organisation; it collects one or more responses.

    The admin chooses which roles answer; the round is open until the admin closes it.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    code = models.CharField(max_length=32, unique=True, default=new_code, editable=False)
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="assessments"
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    questionnaire_version = models.CharField(max_length=20)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    # The roles that answer, in Role order, e.g. ["hr", "medewerker"].
    roles = models.JSONField(default=default_roles)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Whether a link for respondents (personal or shared) was ever made, or the organisation
    # entered a respondent's answers through the API (api_rounds.py). A round of fewer than k
    # responses publishes its report at the close only without either, when only its admins
    # answered (rounds.round_answer): respondents were promised that their answers are shown
    # only together with those of enough colleagues (reports.services.refresh_report).
    links_made = models.BooleanField(default=False, editable=False)

    organisation_path = "organisation"

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")

    def __str__(self) -> str:
        return f"{self.organisation} ({self.created_at:%Y-%m-%d})"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class MailStatus(models.TextChoices):
    QUEUED = "queued", _("being sent")
    SENT = "sent", _("sent")
    FAILED = "failed", _("not delivered")


class Invitation(models.Model):
    """A link to answer a round in one role: personal (one e-mail address) or shared.

    The link's token is never stored, only its hash (see rounds.invitation_token). The e-mail
    address serves the reminders and is blanked when the round closes.
    """

    class Kind(models.TextChoices):
        PERSONAL = "personal", _("personal")
        SHARED = "shared", _("shared")

    # A public id for the admin's pages, and the secret input of the link's token.
    code = models.CharField(max_length=32, unique=True, default=new_code, editable=False)
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="invitations")
    role = models.CharField(max_length=20, choices=Role.choices)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    email = models.EmailField(_("e-mail address"), blank=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField()
    created_on = models.DateField(default=today)
    # Personal links only: the day the invitee sent their answers (set once).
    completed_on = models.DateField(null=True, blank=True)
    reminded_on = models.DateField(null=True, blank=True)
    revoked = models.BooleanField(default=False)
    # The invitation or reminder mail, sent by a task (survey/tasks.py): its delivery only,
    # never whether the invitee answered.
    mail_status = models.CharField(max_length=10, choices=MailStatus.choices, blank=True)
    mail_attempts = models.PositiveSmallIntegerField(default=0)
    # The language of the invitation and reminder mails, as the admin chose it for these
    # addresses; French or English also opens the questionnaire in it (survey/language.py).
    language = models.CharField(
        _("language of the e-mail"), max_length=2, choices=Language.choices, default=Language.NL
    )

    organisation_path = "assessment__organisation"

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="personal") | models.Q(email="", completed_on=None),
                name="only_personal_invitations_have_an_address_and_completion",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.role} invitation to {self.assessment}"


class Response(models.Model):
    """One respondent's answers to one assessment, saved page by page.

    Anonymous by construction: nothing here leads to an invitation, an e-mail address, an IP
    address or a browser, and the dates are kept to the day, so that they cannot be matched
    with the moment an invitation was used.
    """

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="responses")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.HR)
    # Only the hash of the resume token is stored; the respondent holds the token.
    resume_token_hash = models.CharField(max_length=64, unique=True)
    last_section = models.CharField(max_length=8, blank=True)
    created_on = models.DateField(default=today)
    updated_on = models.DateField(default=today)
    completed_on = models.DateField(null=True, blank=True)
    # Which publication of the round's report took this response in (1 = the first), or None
    # while it is not in the report (reports.services.refresh_report). A step, not a time: the
    # report must know which responses it published, so that the next publication adds at
    # least k of them or none, and which arrived together (scoring.anonymity).
    report_step = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    # Typed in by the organisation through the API (a paper questionnaire, an import), not
    # answered by the respondent through a link (survey/api_rounds.py).
    entered_by_organisation = models.BooleanField(default=False, editable=False)
    # The language the respondent answers in (survey/language.py): the questionnaire's texts
    # and pages, when they open their link again. Never shown to the organisation nor in a
    # report: in a small team, the one respondent who answers in French would stand out.
    # Answers themselves are codes and numbers, the same in every language.
    language = models.CharField(
        max_length=2, choices=Language.choices, default=Language.NL, editable=False
    )

    organisation_path = "assessment__organisation"
    # One respondent's row: erased with the organisation, never in its data download
    # (organisations.gdpr); the respondent reaches it through the resume link.
    respondent_data = True

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")

    def __str__(self) -> str:
        state = "completed" if self.completed_on else "draft"
        return f"Response {self.pk} ({state}) of {self.assessment}"

    @property
    def is_completed(self) -> bool:
        return self.completed_on is not None


class Answer(models.Model):
    """One item's answer: a number, an option code or (open questions) a text.

    A row with none of them is "weet niet"; no row: unanswered.
    """

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    item_id = models.CharField(max_length=32)
    number = models.SmallIntegerField(null=True, blank=True)
    code = models.CharField(max_length=32, blank=True)
    text = models.TextField(blank=True)

    organisation_path = "response__assessment__organisation"
    # One respondent's answer: see Response.respondent_data.
    respondent_data = True

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "item_id"], name="one_answer_per_item"),
            models.CheckConstraint(
                condition=(
                    models.Q(number__isnull=True, code="")
                    | models.Q(number__isnull=True, text="")
                    | models.Q(code="", text="")
                ),
                name="answer_is_one_of_number_code_text",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_id}={self.value!r}"

    @property
    def value(self) -> int | str | None:
        return self.number if self.number is not None else (self.code or self.text or None)
