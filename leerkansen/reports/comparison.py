"""The report's comparison of groups: who answered, and per challenge everyone's score next to
every group shown apart, the gap between the groups and the agreement, in words.

Built from the stored snapshot by `role_comparison` (presentation.report_context uses it); the
rules come from scoring: which groups exist (anonymity.report_groups, stored as role_scores
keys such as "medewerker" or "hr+directie"), the gap and the agreement level
(agreement.group_gap, agreement.agreement_level). Old snapshots, with roles only, render the
same way.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext, ngettext, pgettext

from leerkansen.content.catalogue import Catalogue
from leerkansen.scoring.agreement import GAP_LIMIT, Gap, agreement_level, group_gap
from leerkansen.scoring.anonymity import group_rank, group_roles, role_rank
from leerkansen.scoring.scales import score_value

from .models import Report


@dataclass(frozen=True)
class RoleCount:
    role: str
    name: str
    count: int
    # Shown apart on its own or in a merged group.
    shown: bool


@dataclass(frozen=True)
class GroupScore:
    name: str
    value: int | None


@dataclass(frozen=True)
class ComparisonRow:
    number: int
    title: str
    everyone: int | None
    # Each group shown apart (in `columns` order).
    groups: tuple[GroupScore, ...]
    # The lowest and highest group and the points between them, in words ("" with one group).
    gap: Gap | None
    gap_words: str
    agreement: float | None
    # "split", "strong", "moderate", "little" or "unknown", for the words and a class.
    agreement_level: str
    agreement_words: str

    @property
    def values(self) -> tuple[int | None, ...]:
        """Everyone's score first, then each group's."""
        return (self.everyone, *(group.value for group in self.groups))


@dataclass(frozen=True)
class RoleComparison:
    """Who answered, and the scores per group where a group is large enough to show."""

    counts: tuple[RoleCount, ...]
    # The names of the groups shown apart, after "everyone".
    columns: tuple[str, ...]
    rows: tuple[ComparisonRow, ...]
    # Names of roles counted in "everyone" only, not shown apart.
    hidden: tuple[str, ...]
    # Merged groups shown apart: their names.
    merged: tuple[str, ...]
    # Names of roles left out of every figure, and their responses together.
    left_out: tuple[str, ...]
    left_out_count: int
    # A role that reached the threshold is hidden too, to protect a smaller one.
    protects_smaller_group: bool
    threshold: int
    gap_limit: int


def role_group_name(role: str) -> str:
    """A role as a group of respondents, in the words of the questionnaire ("Medewerkers")."""
    names = {
        "hr": pgettext("role group", "HR and training"),
        "directie": pgettext("role group", "Management"),
        "leidinggevende": pgettext("role group", "Line managers"),
        "medewerker": pgettext("role group", "Employees"),
    }
    return names.get(role, role)


def group_name(key: str) -> str:
    """A group shown apart: a role's name, or a merged group's ("HR en directie")."""
    roles = group_roles(key)
    if len(roles) == 1:
        return role_group_name(roles[0])
    if roles == ("hr", "directie"):
        return pgettext("role group", "HR and management")
    names = [role_group_name(roles[0]), *(_in_sentence(role_group_name(r)) for r in roles[1:])]
    return gettext("%(names)s and %(last)s") % {
        "names": ", ".join(names[:-1]),
        "last": names[-1],
    }


def _in_sentence(name: str) -> str:
    """A group's name inside a sentence: "medewerkers", but "HR of opleiding" as it is."""
    return name if name[1:2].isupper() else name[:1].lower() + name[1:]


def agreement_words(level: str) -> str:
    """How much the respondents agree on a challenge, in plain Dutch ("grote eensgezindheid")."""
    return {
        # The help text under the comparison says why (more than GAP_LIMIT points apart).
        "split": gettext("no shared view"),
        "unknown": gettext("too few answers to tell the agreement"),
        "strong": gettext("strong agreement"),
        "moderate": gettext("moderate agreement"),
        "little": gettext("little agreement"),
    }[level]


def gap_words(gap: Gap | None, names: dict[str, str]) -> str:
    """The gap between the groups shown apart, in words and numbers.

    "Leidinggevenden 25, medewerkers 75: ze zien dit heel verschillend." Empty without two
    groups with a score.
    """
    if gap is None:
        return ""
    parts = {
        "low": names[gap.low],
        "low_value": gap.low_value,
        "high": _in_sentence(names[gap.high]),
        "high_value": gap.high_value,
        "points": gap.points,
    }
    if gap.large:
        text = gettext(
            "%(low)s %(low_value)s, %(high)s %(high_value)s: they see this very differently."
        )
    elif gap.points:
        text = ngettext(
            "%(low)s %(low_value)s, %(high)s %(high_value)s: %(points)s point apart.",
            "%(low)s %(low_value)s, %(high)s %(high_value)s: %(points)s points apart.",
            gap.points,
        )
    else:
        text = gettext("All groups %(low_value)s: they see this the same way.")
    return text % parts


def role_comparison(report: Report, catalogue: Catalogue, threshold: int) -> RoleComparison:
    """The counts per role and, per challenge, everyone's score next to every group shown apart.

    Groups are stored under their key ("medewerker", "hr+directie"); an old snapshot has
    roles only. A snapshot whose response count is below its counts per role left the roles
    not shown apart out of every figure (scoring.anonymity.report_groups).
    """
    counts: dict[str, int] = report.role_counts or {}
    group_scores: dict[str, dict[str, float | None]] = report.role_scores or {}
    agreement: dict[str, float | None] = report.agreement or {}
    # In role order, not the stored order: PostgreSQL's jsonb does not keep a dict's order.
    roles = sorted(counts, key=role_rank)
    groups = sorted(group_scores, key=group_rank)
    names = {key: group_name(key) for key in groups}
    in_groups = {role for key in groups for role in group_roles(key)}
    not_apart = [role for role in roles if counts[role] > 0 and role not in in_groups]
    leaves_out = sum(counts.values()) > report.response_count
    rows = []
    for challenge in catalogue.challenges:
        key = str(challenge.number)
        values = {group: score_value(group_scores[group].get(key)) for group in groups}
        gap = group_gap(values)
        value = agreement.get(key)
        level = agreement_level(value, gap)
        rows.append(
            ComparisonRow(
                number=challenge.number,
                title=challenge.short_title,
                everyone=score_value(report.scores.get(key)),
                groups=tuple(GroupScore(names[group], values[group]) for group in groups),
                gap=gap,
                gap_words=gap_words(gap, names),
                agreement=value,
                agreement_level=level,
                agreement_words=agreement_words(level),
            )
        )
    return RoleComparison(
        counts=tuple(
            RoleCount(role, role_group_name(role), counts[role], role in in_groups)
            for role in roles
        ),
        columns=tuple(names[group] for group in groups),
        rows=tuple(rows),
        hidden=() if leaves_out else tuple(role_group_name(role) for role in not_apart),
        merged=tuple(names[group] for group in groups if len(group_roles(group)) > 1),
        left_out=tuple(role_group_name(role) for role in not_apart) if leaves_out else (),
        left_out_count=sum(counts.values()) - report.response_count if leaves_out else 0,
        protects_smaller_group=not leaves_out
        and any(counts[role] >= threshold for role in not_apart),
        threshold=threshold,
        gap_limit=GAP_LIMIT,
    )
