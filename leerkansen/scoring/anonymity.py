"""The anonymity rule: which groups of respondents a closed round's report shows, whom it counts.

Pure functions without Django. A round's report shows the results of its responses together
("Iedereen"); its final state (a closed round's) also shows groups of respondents apart. One
function decides which: `report_groups` (docs/scoring.md, "The anonymity rule"). With k the
anonymity threshold (never below MIN_THRESHOLD):

1. On the final counts. A role with at least k responses is a group of its own. The roles
   below k are merged into one named group ("hr+directie": HR en directie) when together
   they reach k (unless no role reaches k on its own: that group would be everyone, so
   nobody is shown apart). When they do not, they cannot be shown, and "Iedereen" minus the groups
   shown would give them away: with at least two groups of k or more, their responses are
   left out of every figure, "Iedereen" included (its scores, profile, top 3, needs,
   practices and agreement), so that the large groups stay comparable; with fewer, no group
   is shown apart and everyone counts in "Iedereen" (the comparison would be with nothing).
   So line managers and employees are compared whenever each has k responses: 1 HR, 2
   directie, 5 leidinggevenden, 7 medewerkers shows the managers and the employees, and
   "Iedereen" is those 12.
2. Against the steps the report was published in. An open round's report is published in
   steps (reports.services.refresh_report): each step adds at least k responses, and the
   overall result of every step stays known to whoever read it. The final state adds the
   scores of the groups shown apart. Together these are sums over sets of respondents: one
   per step (the responses a step added, from the difference of two overall results) and
   one per group shown. Whoever knows how many of each role came in at each step (the round
   page shows counts per role from k on) can combine them: with 5 employees in step 1, 4
   employees and 1 manager in step 2, 5 managers in step 3 and the managers shown apart at
   the end, "all managers" minus "step 3" is the one manager of step 2.

   What such combinations can single out is a cut in a small graph: one node per step, one per
   group shown apart and one for what is never published on its own (ZERO: the roles not shown,
   and the last step when the final "Iedereen" leaves someone out and the round was closed with
   new responses: that step's overall result is then never published). An edge joins a step and
   a group, weighted by how many of that group the step added. A combination of the published
   sums gives a value to each node (ZERO's is 0); it counts every respondent on an edge between
   nodes with different values. The fewest respondents any non-zero combination can count is
   the graph's minimum cut. As long as that is at least k, nothing published narrows down to
   fewer than k respondents. When the plan of check 1 fails this, the best plan that passes is
   taken: the one that keeps line managers and employees apart, then the most groups, then the
   most respondents counted.
3. Which responses each publication takes in (the steps themselves). An open state takes in
   the new responses of a role only when that role has at least k new ones of its own
   (`open_step_roles`): every step then adds 0 or at least k of each role, so every edge of
   the graph weighs 0 or at least k and no combination of steps and groups can narrow down to
   fewer than k. The responses of a role below k wait for the close, so that a small role the
   final state leaves out (1 HR and 2 directie next to 5 managers and 7 employees) was never
   in an open state's "Iedereen". The close chooses which waiting roles it takes in
   (`closing_step_roles`): the choice whose final state the same preference ranks best, among
   those whose responses counted in the figures are 0 or at least k. What it does not take in
   is left out of the report, and the report says how many.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

# The anonymity floor: below this, a group of respondents is too small to show on its own,
# whatever the settings say (settings.ANONYMITY_THRESHOLD may not be set below it).
MIN_THRESHOLD = 3

# The respondent roles in a fixed order: the order of the groups and of the roles in a
# merged group's key. When plans are equally good, the one hiding the earlier role wins, so
# "medewerker" (usually the largest group, the one people want to compare) stays longest.
# Roles not listed here come after these, by name.
ROLE_ORDER = ("hr", "directie", "leidinggevende", "medewerker")

# Joins the roles of a merged group in its key: "hr+directie".
MERGED = "+"

# The two groups whose comparison a report keeps whenever it can (issue 14).
COMPARED = ("leidinggevende", "medewerker")


def role_counts(roles: Sequence[str]) -> dict[str, int]:
    """How many responses each role has, e.g. ["hr", "medewerker", "hr"] → {"hr": 2, ...}.

    Roles come out in ROLE_ORDER (unknown roles after them, by name); roles without a
    response are not listed.
    """
    counts = Counter(roles)
    return {role: counts[role] for role in sorted(counts, key=role_rank)}


def protected_counts(responses: Sequence[tuple[str, bool]]) -> dict[str, int]:
    """Per role, the responses the threshold protects: (role, entered_by_organisation) pairs.

    Answers the organisation entered itself (paper, import) are known to the admin who typed
    them, so they cannot make up a group's k: a role counts its answers through links when it
    has any. A role with entered answers only counts those (its group is protected as any).

    >>> protected_counts([("medewerker", False), *[("medewerker", True)] * 4, ("hr", True)])
    {'hr': 1, 'medewerker': 1}
    """
    through_links = role_counts([role for role, entered in responses if not entered])
    entered_only = role_counts([role for role, entered in responses if entered])
    counts = {**entered_only, **through_links}
    return {role: counts[role] for role in sorted(counts, key=role_rank)}


def enough_new(new: Sequence[tuple[str, bool]], threshold: int) -> bool:
    """Whether new responses, (role, entered_by_organisation) pairs, may be taken in together:
    at least k came through a link, or all were entered by the organisation and they are k.

    Entered responses (paper, import) are known to the admin who typed them: counting them
    towards k would let k - 1 entered answers single out one person who answered by link.

    >>> enough_new([("medewerker", False)] + [("medewerker", True)] * 4, 5)
    False
    """
    through_links = sum(1 for _role, entered in new if not entered)
    return through_links >= threshold or (through_links == 0 and len(new) >= threshold)


def open_step_roles(new: Sequence[tuple[str, bool]], threshold: int) -> frozenset[str]:
    """The roles whose new responses an open state takes in: each role with enough new ones
    of its own (enough_new per role). Rule 3 of the module docstring.

    >>> sorted(open_step_roles([("medewerker", False)] * 5 + [("hr", False)] * 4, 5))
    ['medewerker']
    """
    by_role: dict[str, list[tuple[str, bool]]] = {}
    for row in new:
        by_role.setdefault(row[0], []).append(row)
    return frozenset(role for role, rows in by_role.items() if enough_new(rows, threshold))


def closing_step_roles(
    steps: Sequence[Sequence[tuple[str, bool]]],
    new: Sequence[tuple[str, bool]],
    threshold: int,
) -> frozenset[str]:
    """The roles whose waiting responses the close takes in, after the published `steps`
    (per step, its (role, entered_by_organisation) pairs). Rule 3 of the module docstring.

    Every set of waiting roles is tried; a choice is allowed when the responses it takes in
    that the final state counts are none or enough_new; the best allowed choice compares
    line managers and employees, then shows the most groups (one group that is everyone
    shows nothing), then counts the most respondents, then takes in the most. 1/2/5/7 whose
    steps took in 5 employees and 5 managers, with 1 HR, 2 directie and 2 employees waiting:
    HR and directie come in (counted in no figure), the 2 employees stay out.

    >>> steps = [[("medewerker", False)] * 5, [("leidinggevende", False)] * 5]
    >>> waiting = [("hr", False), ("directie", False), ("directie", False)]
    >>> sorted(closing_step_roles(steps, waiting + [("medewerker", False)] * 2, 5))
    ['directie', 'hr']
    """
    roles = sorted({role for role, _entered in new}, key=role_rank)
    best: tuple | None = None
    chosen: frozenset[str] = frozenset()
    for size in range(len(roles), -1, -1):
        for subset in itertools.combinations(roles, size):
            taken = [row for row in new if row[0] in subset]
            all_steps = [*steps, taken] if taken else list(steps)
            plan = report_groups(
                protected_counts([row for step in all_steps for row in step]),
                threshold,
                [protected_counts(step) for step in all_steps],
                last_step_published=not taken,
            )
            counted = [row for row in taken if plan.counted(row[0])]
            if counted and not enough_new(counted, threshold):
                continue
            rank = (*_closing_preference(plan, all_steps), len(taken))
            if best is None or rank > best:
                best, chosen = rank, frozenset(subset)
    return chosen


def _closing_preference(
    plan: GroupPlan, steps: Sequence[Sequence[tuple[str, bool]]]
) -> tuple[bool, int, int]:
    counted_roles = {role for step in steps for role, _entered in step if plan.counted(role)}
    groups = len(plan.shown)
    if groups == 1 and counted_roles <= set(next(iter(plan.shown.values()))):
        groups = 0
    return (
        all(role in plan.shown for role in COMPARED),
        groups,
        sum(1 for step in steps for role, _entered in step if plan.counted(role)),
    )


def role_rank(role: str) -> tuple[int, str]:
    """The sort key of a role: ROLE_ORDER first, other roles after them by name."""
    return (ROLE_ORDER.index(role) if role in ROLE_ORDER else len(ROLE_ORDER), role)


def group_key(roles: Sequence[str]) -> str:
    """The key of a group of roles in a snapshot: "medewerker", or "hr+directie" when merged.

    >>> group_key(["directie", "hr"])
    'hr+directie'
    """
    return MERGED.join(sorted(roles, key=role_rank))


def group_roles(key: str) -> tuple[str, ...]:
    """The roles of a group key: "hr+directie" → ("hr", "directie")."""
    return tuple(key.split(MERGED))


def group_rank(key: str) -> tuple[tuple[int, str], ...]:
    """The sort key of a group: by its roles in ROLE_ORDER."""
    return tuple(role_rank(role) for role in group_roles(key))


@dataclass(frozen=True)
class GroupPlan:
    """What a report's final state shows: the groups apart, and the roles it leaves out.

    `shown` maps each group's key to its roles; `left_out` holds the roles whose responses
    count in no figure at all, "Iedereen" included. A role in neither counts in "Iedereen"
    only.
    """

    shown: dict[str, tuple[str, ...]] = field(default_factory=dict)
    left_out: tuple[str, ...] = ()

    def counted(self, role: str) -> bool:
        """Whether the role's responses count in the figures ("Iedereen" and its group)."""
        return role not in self.left_out

    def group_of(self, role: str) -> str | None:
        """The key of the group shown apart that holds the role, or None."""
        return next((key for key, roles in self.shown.items() if role in roles), None)


def report_groups(
    counts: Mapping[str, int],
    threshold: int,
    steps: Sequence[Mapping[str, int]] = (),
    *,
    last_step_published: bool = False,
) -> GroupPlan:
    """The groups a closed round's report shows apart and the roles it leaves out: THE rule.

    `counts`: the responses per role the final state holds; `steps`: per publication, how
    many responses of each role it added (none: one step, the counts). The last step is the
    final state's own, unless `last_step_published`: a round closed without new responses
    published its last step's overall result already, while open. See the module docstring
    for the rule and why. Examples with threshold 5, in the order hr, directie,
    leidinggevende, medewerker:

    1/2/5/7: managers and employees apart; HR and directie (3) left out of every figure.

    >>> plan = report_groups({"hr": 1, "directie": 2, "leidinggevende": 5, "medewerker": 7}, 5)
    >>> list(plan.shown), plan.left_out
    (['leidinggevende', 'medewerker'], ('hr', 'directie'))

    2/3/5/9: HR and directie together reach 5, a group of their own.

    >>> plan = report_groups({"hr": 2, "directie": 3, "leidinggevende": 5, "medewerker": 9}, 5)
    >>> list(plan.shown), plan.left_out
    (['leidinggevende', 'medewerker', 'hr+directie'], ())

    4 managers and 6 employees: the employees apart would give the managers away ("Iedereen"
    minus the employees), and leaving the managers out would leave nothing to compare with.
    Nobody apart, everyone in "Iedereen".

    >>> report_groups({"leidinggevende": 4, "medewerker": 6}, 5)
    GroupPlan(shown={}, left_out=())

    Raises ValueError for a threshold below MIN_THRESHOLD or a negative count.
    """
    if threshold < MIN_THRESHOLD:
        raise ValueError(
            f"the anonymity threshold must be at least {MIN_THRESHOLD}, not {threshold}"
        )
    for role, count in counts.items():
        if count < 0:
            raise ValueError(f"role {role!r} has a negative count: {count}")
    plan = _plan_on_counts(counts, threshold)
    published = list(steps) or [dict(counts)]
    if _is_safe(published, plan, threshold, last_step_published):
        return plan
    counted = {role: count for role, count in counts.items() if count > 0}
    safe = [
        candidate
        for candidate in _smaller_plans(plan)
        if _is_safe(published, candidate, threshold, last_step_published)
    ]
    # The first best: candidates come with the earlier roles hidden first (_smaller_plans).
    return max(safe, key=lambda candidate: _preference(candidate, counted))


def _plan_on_counts(counts: Mapping[str, int], threshold: int) -> GroupPlan:
    """Check 1 of the module docstring, on the final counts alone."""
    roles = sorted((role for role, count in counts.items() if count > 0), key=role_rank)
    large = [role for role in roles if counts[role] >= threshold]
    small = [role for role in roles if counts[role] < threshold]
    shown = {role: (role,) for role in large}
    small_total = sum(counts[role] for role in small)
    if small_total >= threshold and not large:
        # Their merged group would be everyone: it would show nothing "Iedereen" does not.
        return GroupPlan()
    if small_total >= threshold:
        shown[group_key(small)] = tuple(small)
    elif small_total:
        if len(large) < 2:
            return GroupPlan()
        return GroupPlan(shown, tuple(small))
    return GroupPlan(shown)


def _smaller_plans(plan: GroupPlan) -> list[GroupPlan]:
    """Plans that show fewer of the plan's groups, later roles kept first.

    A group hidden counts in "Iedereen"; with one hidden, "Iedereen" minus the groups shown
    is at least k, so the left-out roles count again. (So a plan that leaves roles out shows
    every role it counts: the report tells them apart by its response count.)
    """
    keys = sorted(plan.shown, key=group_rank, reverse=True)
    plans = [
        GroupPlan({key: plan.shown[key] for key in kept})
        for size in range(len(keys) - 1, 0, -1)
        for kept in itertools.combinations(keys, size)
    ]
    plans.append(GroupPlan())
    return plans


def _preference(plan: GroupPlan, counts: Mapping[str, int]) -> tuple[bool, int, int]:
    return (
        all(role in plan.shown for role in COMPARED),
        len(plan.shown),
        sum(count for role, count in counts.items() if plan.counted(role)),
    )


# The node of step_graph for what is never published on its own.
ZERO = "*zero*"
# The node of the roles counted in "Iedereen" but not shown apart, when "Iedereen" leaves
# someone out: "Iedereen" minus the groups shown is then their own published sum.
REST = "*rest*"


def step_graph(
    steps: Sequence[Mapping[str, int]], plan: GroupPlan, last_step_published: bool = False
) -> dict[tuple[str, str], int]:
    """The graph of the module docstring (check 2): steps × (groups shown, REST, ZERO)."""
    edges: dict[tuple[str, str], int] = {}
    for index, counts in enumerate(steps, start=1):
        # Leaving someone out of the final "Iedereen" leaves the final state's own step
        # without an overall result; a step an open state published keeps its own.
        last_unpublished = index == len(steps) and bool(plan.left_out) and not last_step_published
        step = ZERO if last_unpublished else f"step {index}"
        for role, count in counts.items():
            group = plan.group_of(role)
            if group is None:
                group = REST if plan.left_out and plan.counted(role) else ZERO
            edges[(step, group)] = edges.get((step, group), 0) + count
    return edges


def _is_safe(
    steps: Sequence[Mapping[str, int]], plan: GroupPlan, threshold: int, last_published: bool
) -> bool:
    """Whether no combination of the published sums singles out fewer than k respondents."""
    if not plan.shown:
        return True
    cut = minimum_cut(step_graph(steps, plan, last_published))
    return cut is None or cut >= threshold


def minimum_cut(edges: Mapping[tuple[str, str], int]) -> int | None:
    """The smallest total weight of edges between two parts of any connected component.

    Stoer and Wagner's algorithm on an undirected graph given as {(a, b): weight}; None when
    no component has two nodes joined by a positive weight.

    >>> minimum_cut({("s1", "E"): 5, ("s2", "E"): 4, ("s2", "M"): 1, ("s3", "M"): 5})
    1
    >>> minimum_cut({("s1", "E"): 5, ("s1", "M"): 5})
    5
    >>> minimum_cut({}) is None
    True
    """
    graph: dict[str, dict[str, int]] = {}
    for (a, b), weight in edges.items():
        if weight <= 0 or a == b:
            continue
        graph.setdefault(a, {}).setdefault(b, 0)
        graph.setdefault(b, {}).setdefault(a, 0)
        graph[a][b] += weight
        graph[b][a] += weight
    best: int | None = None
    for component in _components(graph):
        if len(component) < 2:
            continue
        cut = _stoer_wagner({node: dict(graph[node]) for node in component})
        best = cut if best is None else min(best, cut)
    return best


def _components(graph: dict[str, dict[str, int]]) -> list[set[str]]:
    seen: set[str] = set()
    components = []
    for start in sorted(graph):
        if start in seen:
            continue
        component, todo = {start}, [start]
        while todo:
            for neighbour in graph[todo.pop()]:
                if neighbour not in component:
                    component.add(neighbour)
                    todo.append(neighbour)
        seen |= component
        components.append(component)
    return components


def _stoer_wagner(graph: dict[str, dict[str, int]]) -> int:
    best: int | None = None
    while len(graph) > 1:
        nodes = sorted(graph)
        added = [nodes[0]]
        weights = dict.fromkeys(nodes[1:], 0)
        for neighbour, weight in graph[nodes[0]].items():
            weights[neighbour] += weight
        cut_of_phase = 0
        while weights:
            node = max(sorted(weights), key=lambda n: weights[n])
            cut_of_phase = weights.pop(node)
            added.append(node)
            for neighbour, weight in graph[node].items():
                if neighbour in weights:
                    weights[neighbour] += weight
        last, before = added[-1], added[-2]
        best = cut_of_phase if best is None else min(best, cut_of_phase)
        # Merge the last node into the one added before it.
        for neighbour, weight in graph.pop(last).items():
            graph[neighbour].pop(last)
            if neighbour != before:
                graph[before][neighbour] = graph[before].get(neighbour, 0) + weight
                graph[neighbour][before] = graph[before][neighbour]
    return best if best is not None else 0
