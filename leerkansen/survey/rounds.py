"""Rounds and their invitations: opening, inviting, links, reminders, status and closing.

Links. A link's token is HMAC-SHA256(SECRET_KEY, invitation.code), where the code is 128 random
bits from `secrets`; the database keeps only the token's SHA-256. So the database alone never
yields a working link, while the site can make the same link again for a reminder or to show
a shared link to the admin. (Changing SECRET_KEY therefore ends every link that was sent.)

Anonymity. The round's status gives counts per role, never names next to answers or to a
completion; the invited addresses are kept only while the round is open (reminders need
them), and are not removed on completion, which would tell the admin who has answered.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac

from leerkansen.content.questionnaire_translations import available_languages
from leerkansen.lib.codes import hash_token
from leerkansen.organisations.models import Organisation

from .models import Assessment, Invitation, Language, Response, Role, today
from .services import new_assessment
from .signals import round_closed

LINK_SALT = "leerkansen.survey.invitation"
REMIND_AFTER_DAYS = 7
# Repeated bad links from one client: refused for the rest of the window.
BAD_TOKEN_LIMIT = 10
BAD_TOKEN_WINDOW_SECONDS = 10 * 60
MAX_ADDRESSES = 500
ADDRESS_SEPARATORS = re.compile(r"[\s,;]+")


# --- Rounds ---------------------------------------------------------------------------------


def open_round(organisation: Organisation, roles: Sequence[str], title: str = "") -> Assessment:
    """A new open round in which `roles` answer (at least one; kept in Role order)."""
    chosen = [role for role in Role.values if role in roles]
    if not chosen:
        raise ValueError("a round needs at least one role")
    return new_assessment(organisation, chosen, title.strip())


def close_round(assessment: Assessment) -> bool:
    """Close the round: no more answers, links stop working, invited addresses are erased.

    True for the call that closed it, which also sends signals.round_closed (the reports app
    publishes the final report on it). Drafts stay (they count as started) until the
    retention command removes them.
    """
    with transaction.atomic():
        closed = Assessment.objects.filter(pk=assessment.pk, status=Assessment.Status.OPEN).update(
            status=Assessment.Status.CLOSED, closed_at=timezone.now()
        )
        Invitation.objects.filter(assessment=assessment).exclude(email="").update(email="")
    assessment.refresh_from_db(fields=["status", "closed_at"])
    if closed:
        round_closed.send(sender=Assessment, assessment=assessment)
    return closed == 1


def role_label(role: str) -> str:
    return str(Role(role).label)


@dataclass(frozen=True)
class RoleStatus:
    """How far one role is: counts only, never who."""

    role: str
    label: str
    # Personal invitations sent (a shared link cannot be counted).
    invited: int
    has_shared_link: bool
    # Responses begun, sent or not; and those sent.
    started: int
    completed: int


def round_status(assessment: Assessment) -> list[RoleStatus]:
    """Per role of the round: invited, started and completed counts."""
    now = timezone.now()
    invitations = Invitation.objects.filter(assessment=assessment, revoked=False)
    invited = dict(
        invitations.filter(kind=Invitation.Kind.PERSONAL)
        .values_list("role")
        .annotate(n=Count("pk"))
        .values_list("role", "n")
    )
    shared = set(
        invitations.filter(kind=Invitation.Kind.SHARED, expires_at__gt=now).values_list(
            "role", flat=True
        )
    )
    responses = {
        role: (started, completed)
        for role, started, completed in Response.objects.filter(assessment=assessment)
        .values("role")
        .annotate(started=Count("pk"), completed=Count("pk", filter=Q(completed_on__isnull=False)))
        .values_list("role", "started", "completed")
    }
    roles = list(assessment.roles) + sorted(set(responses) - set(assessment.roles))
    return [
        RoleStatus(
            role=role,
            label=role_label(role),
            invited=invited.get(role, 0),
            has_shared_link=role in shared,
            started=responses.get(role, (0, 0))[0],
            completed=responses.get(role, (0, 0))[1],
        )
        for role in roles
    ]


# --- Links ----------------------------------------------------------------------------------


def invitation_token(invitation: Invitation) -> str:
    """The secret of the invitation's link (43 URL-safe characters, 256 bits)."""
    digest = salted_hmac(LINK_SALT, invitation.code, algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def invitation_url(invitation: Invitation, base_url: str) -> str:
    """The absolute address of the invitation's link, e.g. for an e-mail."""
    path = reverse("survey:invitation", args=[invitation_token(invitation)])
    return base_url.rstrip("/") + path


def _new_invitation(assessment: Assessment, role: str, kind: str, email: str = "") -> Invitation:
    invitation = Invitation(
        assessment=assessment,
        role=role,
        kind=kind,
        email=email,
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_DAYS),
    )
    invitation.token_hash = hash_token(invitation_token(invitation))
    invitation.save()
    Assessment.objects.filter(pk=assessment.pk, links_made=False).update(links_made=True)
    assessment.links_made = True
    return invitation


def find_invitation(token: str) -> Invitation | None:
    """The usable invitation of a link: known, not revoked, not expired, round open."""
    return (
        Invitation.objects.select_related("assessment")
        .filter(
            token_hash=hash_token(token),
            revoked=False,
            expires_at__gt=timezone.now(),
            assessment__status=Assessment.Status.OPEN,
        )
        .first()
    )


def personal_invitation_of(token: str, assessment_id: int) -> Invitation | None:
    """A personal invitation of the round by its token, expired or not (to resume a draft)."""
    return Invitation.objects.filter(
        token_hash=hash_token(token),
        assessment_id=assessment_id,
        kind=Invitation.Kind.PERSONAL,
        revoked=False,
    ).first()


def shared_links(assessment: Assessment) -> dict[str, Invitation]:
    """The working shared link per role."""
    links = Invitation.objects.filter(
        assessment=assessment,
        kind=Invitation.Kind.SHARED,
        revoked=False,
        expires_at__gt=timezone.now(),
    ).order_by("created_on", "pk")
    return {link.role: link for link in links}


def create_shared_link(assessment: Assessment, role: str) -> Invitation:
    """The role's shared link; made when the role has no working one."""
    if role not in assessment.roles:
        raise ValueError(f"{role} does not answer in this round")
    existing = shared_links(assessment).get(role)
    return existing or _new_invitation(assessment, role, Invitation.Kind.SHARED)


def disable_link(invitation: Invitation) -> None:
    """The link stops working at once; answers already sent stay."""
    Invitation.objects.filter(pk=invitation.pk).update(revoked=True)
    invitation.revoked = True


# --- Bad links from one client --------------------------------------------------------------
# Only failures count, and a link is checked before its client's count: a valid link always
# works, also for respondents behind the same address (NAT) as someone sending bad ones. A bad
# link is refused with 429 once its client sent BAD_TOKEN_LIMIT bad ones within the window.
# Counted in Django's default cache, the database cache shared by every worker
# (settings.CACHES); the client's address is kept only as a keyed hash. Tokens have 256 bits,
# so this only stops noise, not a real guessing threat.


def _bad_token_key(address: str) -> str:
    return "survey:bad-links:" + salted_hmac(LINK_SALT, address).hexdigest()


def is_refused(address: str) -> bool:
    """Whether this client sent too many bad links lately (ask only after a bad link)."""
    return cache.get(_bad_token_key(address), 0) >= BAD_TOKEN_LIMIT


def record_bad_token(address: str) -> None:
    key = _bad_token_key(address)
    cache.add(key, 0, timeout=BAD_TOKEN_WINDOW_SECONDS)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=BAD_TOKEN_WINDOW_SECONDS)


# --- Personal invitations and reminders -----------------------------------------------------


def parse_addresses(text: str) -> tuple[list[str], list[str]]:
    """(valid, invalid) e-mail addresses from free text: one per line, or separated by
    commas, semicolons or spaces; valid ones lower-cased and without duplicates."""
    valid: list[str] = []
    invalid: list[str] = []
    for part in ADDRESS_SEPARATORS.split(text):
        address = part.strip().strip("<>").lower()
        if not address:
            continue
        try:
            validate_email(address)
        except ValidationError:
            invalid.append(part.strip())
            continue
        if address not in valid:
            valid.append(address)
    return valid, invalid


@dataclass(frozen=True)
class InviteResult:
    invited: list[str]
    already_invited: list[str]


def invite_people(
    assessment: Assessment,
    role: str,
    addresses: Iterable[str],
    base_url: str,
    language: str = Language.NL,
) -> InviteResult:
    """One personal invitation per new address, e-mailed with its link in `language`.

    An address already invited to this round (in any role) is skipped: one person, one link.
    """
    if role not in assessment.roles:
        raise ValueError(f"{role} does not answer in this round")
    known = set(
        Invitation.objects.filter(
            assessment=assessment, kind=Invitation.Kind.PERSONAL, revoked=False
        ).values_list("email", flat=True)
    )
    new, skipped = [], []
    for address in addresses:
        (skipped if address in known else new).append(address)
    with transaction.atomic():
        invitations = [
            _new_invitation(assessment, role, Invitation.Kind.PERSONAL, address) for address in new
        ]
        if language != Language.NL:
            Invitation.objects.filter(pk__in=[i.pk for i in invitations]).update(language=language)
            for invitation in invitations:
                invitation.language = language
    send_invitation_mails(invitations, base_url)
    return InviteResult(invited=new, already_invited=skipped)


def invited_addresses(assessment: Assessment) -> list[tuple[str, str]]:
    """The addresses invited to the round, alphabetically, with the delivery of their mail
    (MailStatus, "" for none): never whether someone answered."""
    return list(
        Invitation.objects.filter(assessment=assessment, kind=Invitation.Kind.PERSONAL)
        .exclude(email="")
        .order_by("email")
        .values_list("email", "mail_status")
    )


def due_reminders(assessment: Assessment | None = None, day: date | None = None):
    """Personal invitations of open rounds to remind: not completed, still valid, and neither
    invited nor reminded in the last REMIND_AFTER_DAYS days."""
    day = day or today()
    week_ago = day - timedelta(days=REMIND_AFTER_DAYS)
    invitations = Invitation.objects.filter(
        kind=Invitation.Kind.PERSONAL,
        completed_on__isnull=True,
        revoked=False,
        expires_at__gt=timezone.now(),
        assessment__status=Assessment.Status.OPEN,
        created_on__lte=week_ago,
    ).filter(Q(reminded_on__isnull=True) | Q(reminded_on__lte=week_ago))
    if assessment is not None:
        invitations = invitations.filter(assessment=assessment)
    return invitations.exclude(email="").select_related("assessment__organisation")


def send_reminders(invitations: Iterable[Invitation], base_url: str) -> int:
    """E-mail each invitee their link again; returns how many were sent.

    Each invitation is claimed with a conditional update first, so two runs at the same time
    never remind one person twice.
    """
    day = today()
    claimed = []
    for invitation in invitations:
        if Invitation.objects.filter(
            pk=invitation.pk, reminded_on=invitation.reminded_on, completed_on__isnull=True
        ).update(reminded_on=day):
            claimed.append(invitation)
    send_invitation_mails(claimed, base_url, reminder=True)
    return len(claimed)


def send_invitation_mails(
    invitations: Sequence[Invitation], base_url: str, reminder: bool = False
) -> None:
    """One e-mail per personal invitation, in Dutch, each sent by a background task
    (survey/tasks.py: retried, its delivery kept on the invitation)."""
    from .tasks import queue_invitation_mails

    queue_invitation_mails(list(invitations), base_url, reminder=reminder)


def invitation_mail(
    invitation: Invitation, base_url: str, *, reminder: bool = False
) -> mail.EmailMessage:
    """The invitation's (or reminder's) e-mail in the language the admin chose for it (Dutch
    unless told otherwise), with a line in each other language a respondent can answer in,
    saying how to choose it on the respondent pages (survey/language.py)."""
    kind = "reminder" if reminder else "invitation"
    assessment = invitation.assessment
    context = {
        "organisation": assessment.organisation.name,
        "title": assessment.title,
        "url": invitation_url(invitation, base_url),
        "expires_on": timezone.localdate(invitation.expires_at),
    }
    offered = available_languages()
    language = invitation.language if invitation.language in offered else settings.LANGUAGE_CODE
    notes = []
    for other in offered:
        if other != language:
            with translation.override(other):
                notes.append(render_to_string("survey/email/_language_note.txt", context).strip())
    context["language_notes"] = notes
    with translation.override(language):
        subject = render_to_string(f"survey/email/{kind}_subject.txt", context)
        body = render_to_string(f"survey/email/{kind}_body.txt", context)
    return mail.EmailMessage(subject=" ".join(subject.split()), body=body, to=[invitation.email])
