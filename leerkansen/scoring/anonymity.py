"""The anonymity rule: which groups of respondents a round's report may show apart.

Pure functions without Django. A round's report always shows the results of all its completed
responses together; its final state (a closed round's) also shows the scores of each role
that is large enough. Two checks decide which roles that are:

1. `visible_groups`, on the final counts: a role needs at least k responses (the anonymity
   threshold, never below MIN_THRESHOLD), and when the hidden responses together are fewer
   than k, the smallest visible role is hidden too (complementary suppression).
2. `roles_safe_to_show`, against the steps the report was published in. A round's report is
   published in steps (reports.services.refresh_report): each step adds at least k
   responses, and the overall results of every step stay known to whoever read them. The
   final state adds the scores of the roles shown apart. Together these are sums over sets
   of respondents: one per step (the responses a step added, from the difference of two
   overall results) and one per role shown. Whoever knows how many of each role came in at
   each step (the round page shows counts per role from k on) can combine them: with 5
   employees in step 1, 4 employees and 1 manager in step 2, 5 managers in step 3 and the
   managers shown apart at the end, "all managers" minus "step 3" is the one manager of
   step 2.

   What such combinations can single out is a cut in a small graph: one node per step, one
   per role shown apart and one for all hidden roles together, an edge between a step and a
   role weighted by how many of that role the step added. A combination of the published
   sums gives a value to each node (the hidden roles' node always 0: their sums are not
   published); it counts every respondent on an edge between nodes with different values.
   The fewest respondents any non-zero combination can count is therefore the graph's
   minimum cut. As long as that is at least k, nothing published can be narrowed down to
   fewer than k respondents; visible_groups is the special case of one step.

`role_breakdown` applies both: it is what a report stores per role.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

# The anonymity floor: below this, a group of respondents is too small to show on its own,
# whatever the settings say (settings.ANONYMITY_THRESHOLD may not be set below it).
MIN_THRESHOLD = 3

# The respondent roles in a fixed order. It breaks ties when complementary suppression must
# choose between equally small groups: the earlier role is hidden, so "medewerker" (usually
# the largest group and the one people want to compare) stays visible longest. Roles not
# listed here come after these, by name.
ROLE_ORDER = ("hr", "directie", "leidinggevende", "medewerker")


def role_counts(roles: Sequence[str]) -> dict[str, int]:
    """How many responses each role has, e.g. ["hr", "medewerker", "hr"] → {"hr": 2, ...}.

    Roles come out in ROLE_ORDER (unknown roles after them, by name); roles without a
    response are not listed.
    """
    counts = Counter(roles)
    return {role: counts[role] for role in sorted(counts, key=role_rank)}


def visible_groups(counts: Mapping[str, int], threshold: int) -> set[str]:
    """The roles whose own results may be shown next to the total of all responses.

    A role is shown when it has at least `threshold` responses. The total of all responses is
    always shown, so the total minus the visible roles gives away the hidden responses taken
    together: with one hidden role, that role itself. So when the hidden responses together
    are fewer than `threshold` and some role is visible, the smallest visible role is hidden
    as well (complementary suppression). Then the hidden responses are at least `threshold`
    and belong to at least two roles: no hidden role can be derived on its own, and what can
    be derived (all hidden responses together) is as large as a group that may be shown.

    Examples with threshold 5:

    >>> sorted(visible_groups({"medewerker": 6, "leidinggevende": 4, "hr": 1}, 5))
    ['medewerker']
    >>> sorted(visible_groups({"medewerker": 6, "hr": 5, "leidinggevende": 1}, 5))
    ['medewerker']
    >>> sorted(visible_groups({"medewerker": 6, "hr": 1}, 5))
    []
    >>> sorted(visible_groups({"medewerker": 6, "leidinggevende": 2, "hr": 1}, 5))
    []
    >>> sorted(visible_groups({"medewerker": 6, "hr": 5, "leidinggevende": 0}, 5))
    ['hr', 'medewerker']

    In the first example the 4 managers and the 1 HR respondent are hidden together (5
    responses): nothing more is hidden. In the fourth, the 3 hidden responses would be known
    together, so the employees are hidden too.

    Ties between the smallest visible roles are broken by ROLE_ORDER: the earlier role is
    hidden. Raises ValueError for a threshold below 3 or a negative count.
    """
    if threshold < MIN_THRESHOLD:
        raise ValueError(
            f"the anonymity threshold must be at least {MIN_THRESHOLD}, not {threshold}"
        )
    for role, count in counts.items():
        if count < 0:
            raise ValueError(f"role {role!r} has a negative count: {count}")
    visible = {role for role, count in counts.items() if count >= threshold}
    hidden = sum(count for count in counts.values() if count < threshold)
    if visible and 0 < hidden < threshold:
        # One extra role is enough: it has at least `threshold` responses of its own.
        smallest = min(visible, key=lambda role: (counts[role], role_rank(role)))
        visible.discard(smallest)
    return visible


# The node of all hidden roles together in step_graph.
HIDDEN = "*hidden*"


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


def step_graph(steps: Sequence[Mapping[str, int]], shown: set[str]) -> dict[tuple[str, str], int]:
    """The graph of the module docstring (check 2): steps × (roles shown, all hidden roles)."""
    edges: dict[tuple[str, str], int] = {}
    for index, counts in enumerate(steps, start=1):
        for role, count in counts.items():
            key = (f"step {index}", role if role in shown else HIDDEN)
            edges[key] = edges.get(key, 0) + count
    return edges


def roles_safe_to_show(
    steps: Sequence[Mapping[str, int]], candidates: set[str], threshold: int, order: Sequence[str]
) -> set[str]:
    """The roles of `candidates` that may be shown apart after the published `steps`.

    `steps` holds, per publication, how many responses of each role it added; `candidates`
    are the roles visible_groups allows on the final counts. While some combination of the
    steps' overall results and the roles shown could single out fewer than `threshold`
    respondents, the smallest role still shown (ties: earlier in `order`) is hidden as well.

    >>> steps = [{"medewerker": 5}, {"medewerker": 4, "leidinggevende": 1},
    ...          {"leidinggevende": 5}]
    >>> sorted(roles_safe_to_show(steps, {"medewerker", "leidinggevende"}, 5, ()))
    []
    >>> steps = [{"medewerker": 3, "leidinggevende": 2}, {"medewerker": 3, "leidinggevende": 3}]
    >>> sorted(roles_safe_to_show(steps, {"medewerker", "leidinggevende"}, 5, ()))
    ['leidinggevende', 'medewerker']
    """
    shown = set(candidates)
    totals: dict[str, int] = {}
    for counts in steps:
        for role, count in counts.items():
            totals[role] = totals.get(role, 0) + count
    rank = {role: index for index, role in enumerate(order)}
    while shown:
        cut = minimum_cut(step_graph(steps, shown))
        if cut is None or cut >= threshold:
            break
        smallest = min(
            shown, key=lambda role: (totals.get(role, 0), rank.get(role, len(rank)), role)
        )
        shown.discard(smallest)
    return shown


def role_breakdown(
    roles: Sequence[str],
    *,
    threshold: int,
    final: bool,
    steps: Sequence[Mapping[str, int]] = (),
) -> tuple[dict[str, int], set[str]]:
    """The counts per role a report stores, and the roles whose own scores it may show.

    `roles` holds the role of every response the report holds. Only a `final` state (a
    closed round's) holds anything per role; before that both are empty. The roles shown are
    those visible_groups allows on the counts that, together with the overall results of the
    earlier published `steps` (the role counts each step added), cannot single anyone out
    (roles_safe_to_show; with one step, visible_groups alone decides).
    """
    counts = role_counts(roles) if final else {}
    visible = visible_groups(counts, threshold)
    if final and len(steps) > 1:
        visible = roles_safe_to_show(steps, visible, threshold, ROLE_ORDER)
    return counts, visible


def role_rank(role: str) -> tuple[int, str]:
    """The sort key of a role: ROLE_ORDER first, other roles after them by name."""
    return (ROLE_ORDER.index(role) if role in ROLE_ORDER else len(ROLE_ORDER), role)
