"""What the round page's "Werk het rapport bij" changed, in words (views.round_report).

It compares two published states of the report, before and after the refresh: their number of
responses, profile and top 3. The admin can read both states anyway (the report changes only
in steps of k responses, services.refresh_report), so the comparison tells nothing new.

When nothing could be published, the message says what is still needed. A step takes in a
role's new responses once that role has k of them (scoring.anonymity, rule 3), so only a round
of one role gets a number: k minus the responses completed since the last published state,
i.e. the round's total (on the round page) minus the report's count (in the report), two
numbers the admin already sees. With several roles the number would tell how many of a group
below k answered: the message then says the rule instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from leerkansen.content.catalogue import get_catalogue
from leerkansen.survey.models import Assessment, Response

from .models import Report


@dataclass(frozen=True)
class Published:
    """What the message compares of one published state of a report."""

    revision: int
    response_count: int
    profile: str
    top3: tuple[str, ...]
    final: bool

    @classmethod
    def of(cls, report: Report | None) -> Published | None:
        if report is None:
            return None
        return cls(
            revision=report.revision,
            response_count=report.response_count,
            profile=str(report.profile.get("name", "")),
            top3=tuple(str(item["action"]) for item in report.top3),
            final=report.final,
        )


def waiting_responses(assessment: Assessment) -> int:
    """Completed responses of the round that no published state holds yet."""
    return Response.objects.filter(
        assessment=assessment, completed_on__isnull=False, report_step__isnull=True
    ).count()


def refresh_message(
    before: Published | None,
    after: Published | None,
    *,
    assessment: Assessment,
    waiting: int,
    threshold: int,
) -> str:
    """The message after a refresh: what changed, or why nothing did and what is still needed,
    e.g. "Het rapport brengt nu 14 antwoorden samen (was 9). De top 3 bleef gelijk."."""
    if after is None:
        return _no_report(assessment, waiting, threshold)
    if before is None:
        return ngettext(
            "The report is made: it brings together %(count)s response.",
            "The report is made: it brings together %(count)s responses.",
            after.response_count,
        ) % {"count": after.response_count}
    if before.revision == after.revision:
        if after.final:
            return _("The report is final: it no longer changes.")
        return " ".join(
            [
                ngettext(
                    "The report was not updated: it still brings together %(count)s response.",
                    "The report was not updated: it still brings together %(count)s responses.",
                    after.response_count,
                )
                % {"count": after.response_count},
                _when_updated(assessment, waiting, threshold),
            ]
        )
    lines = [
        _("The report now brings together %(count)s responses (was %(before)s).")
        % {"count": after.response_count, "before": before.response_count},
        *_top3_change(before.top3, after.top3),
    ]
    if before.profile != after.profile:
        lines.append(
            _("The profile is now “%(now)s” (was “%(before)s”).")
            % {"now": after.profile, "before": before.profile}
        )
    return " ".join(lines)


def _no_report(assessment: Assessment, waiting: int, threshold: int) -> str:
    if not assessment.is_open:
        if not waiting:
            return _("There is no report yet: nobody has sent their answers.")
        return _(
            "There is no report: fewer than %(threshold)s people sent their answers. Everyone "
            "was promised that their answers are shown only together with those of enough "
            "colleagues."
        ) % {"threshold": threshold}
    return " ".join(
        [
            _(
                "There is no report yet: it appears once %(threshold)s people of one group "
                "(the employees, for example) have sent their answers."
            )
            % {"threshold": threshold},
            *_still_needed(assessment, waiting, threshold),
        ]
        # Only its admins could answer: a first state at the close cannot be differenced.
        + ([] if assessment.links_made else [_("Or close the round: then the report is made.")])
    )


def _when_updated(assessment: Assessment, waiting: int, threshold: int) -> str:
    if len(assessment.roles) == 1:
        needed = max(threshold - waiting, 1)
        return ngettext(
            "It is updated once %(threshold)s new responses have come in: %(needed)s "
            "more is needed.",
            "It is updated once %(threshold)s new responses have come in: %(needed)s "
            "more are needed.",
            needed,
        ) % {"threshold": threshold, "needed": needed}
    return _(
        "It is updated once a group (the employees, for example) has %(threshold)s new "
        "responses, or when you close the round."
    ) % {"threshold": threshold}


def _still_needed(assessment: Assessment, waiting: int, threshold: int) -> list[str]:
    """How many more are needed: only for a round of one role, where it is the total minus
    the waiting; with several roles it would tell how many of a small group answered."""
    if len(assessment.roles) != 1:
        return []
    needed = max(threshold - waiting, 1)
    return [
        ngettext(
            "%(needed)s more response is needed.",
            "%(needed)s more responses are needed.",
            needed,
        )
        % {"needed": needed}
    ]


def _top3_change(before: tuple[str, ...], after: tuple[str, ...]) -> list[str]:
    if before == after:
        return [_("The top 3 stayed the same.")]
    if set(before) == set(after):
        return [_("The top 3 holds the same actions, in another order.")]
    lines = []
    new = [action for action in after if action not in before]
    gone = [action for action in before if action not in after]
    if new:
        lines.append(_("New in the top 3: %(actions)s.") % {"actions": _named(new)})
    if gone:
        lines.append(_("No longer in the top 3: %(actions)s.") % {"actions": _named(gone)})
    return lines


def _named(action_ids: list[str]) -> str:
    catalogue = get_catalogue()
    names = []
    for action_id in action_ids:
        action = catalogue.action(action_id)
        names.append(f"{action_id} “{action.title}”" if action else action_id)
    return "; ".join(names)
