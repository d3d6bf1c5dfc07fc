"""Which roles a round's final report may show apart, given the steps it was published in.

Pure functions without Django. A round's report is published in steps (services.
refresh_report): each step adds at least k responses, and the overall results of every step
stay known to whoever read them. The final state adds the scores of the roles that are shown
apart. Together these are sums over sets of respondents: one per step (the responses a step
added, from the difference of two overall results) and one per role shown. Whoever knows how
many of each role came in at each step (the round page shows counts per role from k on) can
combine them: with 5 employees in step 1, 4 employees and 1 manager in step 2, 5 managers in
step 3 and the managers shown apart at the end, "all managers" minus "step 3" is the one
manager of step 2.

What such combinations can single out is a cut in a small graph: one node per step, one per
role shown apart and one for all hidden roles together, an edge between a step and a role
weighted by how many of that role the step added. A combination of the published sums gives a
value to each node (the hidden roles' node always 0: their sums are not published); it counts
every respondent on an edge between nodes with different values. The fewest respondents any
non-zero combination can count is therefore the graph's minimum cut. As long as that is at
least k, nothing published can be narrowed down to fewer than k respondents; the rule that
hides a small role's complement (scoring.aggregate.visible_groups) is the special case of one
step.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

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
    """The graph of the module docstring: steps × (roles shown apart, all hidden roles)."""
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
