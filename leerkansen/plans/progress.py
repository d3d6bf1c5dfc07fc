"""Progress after a re-scan: per challenge the previous round's score, this round's and the change.

A round's report is compared with the organisation's previous round that has a report: the
latest round opened before it. The rounds' overall scores are compared (all responses that
count in them together). Like is compared with like: when the groups whose answers count
differ between the two rounds (say, HR and directie answered only the first time), the page
says so plainly next to the overall scores (`groups_compared`), and a group is compared on
its own only where both reports show it apart (`group_rows`): a report shows a group only
from the anonymity threshold on, so no group below k ever appears here. Next to each
challenge stand the actions of the organisation's plan that target it, with their status,
so that the change can be read against what was done.

It lives in the plans app, with the data it puts next to the scores: plans reads the reports,
the reports app knows nothing of plans.

Scores are barrier severity (0-100): a lower score means the challenge weighs less than
before. The change is taken between the rounded scores the page shows (73 → 70 is −3), so the
numbers on the page always add up.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db.models import Q

from leerkansen.content.catalogue import Action, Catalogue, Challenge, get_catalogue
from leerkansen.organisations.tenancy import owned
from leerkansen.reports.chart import CHALLENGE_COLOURS
from leerkansen.reports.comparison import group_name, role_group_name
from leerkansen.reports.models import Report
from leerkansen.scoring.anonymity import group_rank, group_roles, role_rank
from leerkansen.scoring.scales import score_value

from .models import PlanItem

# Chart geometry in CSS pixels: per challenge a label, a thin outlined bar for the previous
# round and a thick filled one for this round, each followed by its number in words.
CHART_ROW_HEIGHT = 64
CHART_LABEL_BASELINE = 16
CHART_PREVIOUS_TOP = 24
CHART_PREVIOUS_HEIGHT = 10
CHART_CURRENT_TOP = 40
CHART_CURRENT_HEIGHT = 16
# A score of 100 fills this share of the width; the rest holds "vorige 45" and "nu 40 (−5)"
# at 360 px.
CHART_FULL_BAR_PERCENT = 62

LOWER, HIGHER, SAME, UNKNOWN = "lower", "higher", "same", "unknown"
# A true minus sign: a hyphen reads as a dash.
MINUS = "\u2212"


@dataclass(frozen=True)
class PlanAction:
    """An action of the plan, with its place in the plan and its status."""

    action: Action
    # The plan item's code: the plan page's anchor is "item-<code>".
    code: str
    position: int
    status: str
    status_label: str


@dataclass(frozen=True)
class ChallengeProgress:
    challenge: Challenge
    colour: str
    previous: int | None
    current: int | None
    # current − previous on the shown (rounded) scores; None when either is missing.
    change: int | None
    # LOWER, HIGHER, SAME or UNKNOWN.
    direction: str
    # "−5", "+3", "0", or "" when there is no change to show.
    change_text: str
    actions: tuple[PlanAction, ...]


@dataclass(frozen=True)
class ChartRow:
    number: int
    title: str
    colour: str
    previous: int | None
    current: int | None
    change_text: str
    # Positions as strings: Django would write a float with a decimal comma in Dutch.
    previous_width: str
    current_width: str
    label_y: int
    previous_y: int
    previous_text_y: int
    current_y: int
    current_text_y: int


@dataclass(frozen=True)
class Chart:
    rows: tuple[ChartRow, ...]
    height: int
    track_width: str
    previous_height: int
    current_height: int


@dataclass(frozen=True)
class GroupsCompared:
    """Whose answers count in each round's overall scores, as group names."""

    previous: tuple[str, ...]
    current: tuple[str, ...]

    @property
    def differ(self) -> bool:
        return self.previous != self.current


@dataclass(frozen=True)
class GroupProgress:
    """One group that both reports show apart (at least k responses in each), per challenge."""

    name: str
    # The table caption's id: "groep-hr-directie".
    anchor: str
    rows: tuple[ChallengeProgress, ...]


@dataclass(frozen=True)
class Progress:
    report: Report
    # None: this round has no earlier round with a report (the empty state).
    previous: Report | None
    rows: tuple[ChallengeProgress, ...]
    chart: Chart | None
    # The plan's actions, per challenge number (also shown without a previous round).
    plan_actions: Mapping[int, tuple[PlanAction, ...]]
    groups: GroupsCompared | None = None
    group_rows: tuple[GroupProgress, ...] = ()


def _neighbour_report(report: Report, *, later: bool) -> Report | None:
    """The report of the organisation's nearest round opened before (or after) the report's.

    Rounds opened at the same moment are ordered by their id, so every round has at most one
    predecessor and one successor.
    """
    assessment = report.assessment
    side = "gt" if later else "lt"
    beyond = Q(**{f"assessment__created_at__{side}": assessment.created_at}) | Q(
        assessment__created_at=assessment.created_at,
        **{f"assessment__pk__{side}": assessment.pk},
    )
    sign = "" if later else "-"
    return (
        owned(Report, assessment.organisation)
        .filter(beyond)
        .select_related("assessment")
        .defer("html", "pdf")
        .order_by(f"{sign}assessment__created_at", f"{sign}assessment__pk")
        .first()
    )


def previous_report(report: Report) -> Report | None:
    """The report of the organisation's latest round opened before the report's round."""
    return _neighbour_report(report, later=False)


def later_report(report: Report) -> Report | None:
    """The report of the organisation's first round opened after the report's round."""
    return _neighbour_report(report, later=True)


def score_change(previous: int | None, current: int | None) -> int | None:
    """current − previous, or None when a score is missing in either round."""
    if previous is None or current is None:
        return None
    return current - previous


def direction(change: int | None) -> str:
    if change is None:
        return UNKNOWN
    if change < 0:
        return LOWER
    if change > 0:
        return HIGHER
    return SAME


def change_text(change: int | None) -> str:
    """A change with its sign: "−5", "+3", "0" ("" when there is none)."""
    if change is None:
        return ""
    if change < 0:
        return f"{MINUS}{-change}"
    if change > 0:
        return f"+{change}"
    return "0"


def plan_actions_by_challenge(
    items: Iterable[PlanItem], catalogue: Catalogue
) -> dict[int, tuple[PlanAction, ...]]:
    """The plan's actions grouped by the challenge they target, in the plan's order.

    An item whose action the catalogue no longer has targets no known challenge: left out.
    """
    grouped: dict[int, list[PlanAction]] = {}
    for item in items:
        action = catalogue.action(item.action_id)
        if action is None:
            continue
        grouped.setdefault(action.challenge_number, []).append(
            PlanAction(
                action=action,
                code=item.code,
                position=item.position,
                status=item.status,
                status_label=str(item.get_status_display()),
            )
        )
    return {number: tuple(actions) for number, actions in grouped.items()}


def progress_rows(
    previous_scores: Mapping[str, float | None],
    current_scores: Mapping[str, float | None],
    plan_actions: Mapping[int, tuple[PlanAction, ...]],
    catalogue: Catalogue,
) -> tuple[ChallengeProgress, ...]:
    """One row per challenge of the catalogue, in challenge order."""
    rows = []
    for challenge in catalogue.challenges:
        key = str(challenge.number)
        previous = score_value(previous_scores.get(key))
        current = score_value(current_scores.get(key))
        change = score_change(previous, current)
        rows.append(
            ChallengeProgress(
                challenge=challenge,
                colour=CHALLENGE_COLOURS[challenge.number],
                previous=previous,
                current=current,
                change=change,
                direction=direction(change),
                change_text=change_text(change),
                actions=plan_actions.get(challenge.number, ()),
            )
        )
    return tuple(rows)


def _width(value: int | None) -> str:
    share = 0.0 if value is None else value * CHART_FULL_BAR_PERCENT / 100
    return f"{share:.2f}%"


def progress_chart(rows: Iterable[ChallengeProgress]) -> Chart:
    """Paired bars per challenge: the previous round outlined and thin, this round filled."""
    chart_rows = []
    for index, row in enumerate(rows):
        top = index * CHART_ROW_HEIGHT
        chart_rows.append(
            ChartRow(
                number=row.challenge.number,
                title=row.challenge.short_title,
                colour=row.colour,
                previous=row.previous,
                current=row.current,
                change_text=row.change_text,
                previous_width=_width(row.previous),
                current_width=_width(row.current),
                label_y=top + CHART_LABEL_BASELINE,
                previous_y=top + CHART_PREVIOUS_TOP,
                previous_text_y=top + CHART_PREVIOUS_TOP + CHART_PREVIOUS_HEIGHT - 1,
                current_y=top + CHART_CURRENT_TOP,
                current_text_y=top + CHART_CURRENT_TOP + CHART_CURRENT_HEIGHT - 3,
            )
        )
    return Chart(
        rows=tuple(chart_rows),
        height=len(chart_rows) * CHART_ROW_HEIGHT,
        track_width=f"{CHART_FULL_BAR_PERCENT}%",
        previous_height=CHART_PREVIOUS_HEIGHT,
        current_height=CHART_CURRENT_HEIGHT,
    )


def counted_roles(report: Report) -> tuple[str, ...]:
    """The roles whose answers count in the report's overall scores, in role order.

    A final state knows its counts per role, and leaves out of every figure the roles in no
    group shown apart when it says so (fewer responses counted than sent). An open state keeps
    no counts per role: there, the roles the round asked.
    """
    counts = {role: n for role, n in (report.role_counts or {}).items() if n}
    if not counts:
        roles = set(report.assessment.roles)
    elif sum(counts.values()) > report.response_count:
        in_groups = {role for key in report.role_scores or {} for role in group_roles(key)}
        roles = {role for role in counts if role in in_groups}
    else:
        roles = set(counts)
    return tuple(sorted(roles, key=role_rank))


def groups_compared(previous: Report, current: Report) -> GroupsCompared:
    def names(report: Report) -> tuple[str, ...]:
        return tuple(role_group_name(role) for role in counted_roles(report))

    return GroupsCompared(previous=names(previous), current=names(current))


def group_progress(
    previous: Report, current: Report, catalogue: Catalogue
) -> tuple[GroupProgress, ...]:
    """Per group both reports show apart (the same roles), its scores then and now.

    Only groups in both reports' role_scores: those reached the anonymity threshold in each.
    """
    before = previous.role_scores or {}
    now = current.role_scores or {}
    keys = sorted(set(before) & set(now), key=group_rank)
    return tuple(
        GroupProgress(
            name=group_name(key),
            anchor="groep-" + "-".join(group_roles(key)),
            rows=progress_rows(before[key], now[key], {}, catalogue),
        )
        for key in keys
    )


def build_progress(report: Report, items: Iterable[PlanItem]) -> Progress:
    """The progress page's content for `report`, with the plan's `items` per challenge."""
    catalogue = get_catalogue()
    plan_actions = plan_actions_by_challenge(items, catalogue)
    previous = previous_report(report)
    if previous is None:
        return Progress(report, None, (), None, plan_actions)
    rows = progress_rows(previous.scores, report.scores, plan_actions, catalogue)
    return Progress(
        report,
        previous,
        rows,
        progress_chart(rows),
        plan_actions,
        groups=groups_compared(previous, report),
        group_rows=group_progress(previous, report, catalogue),
    )
