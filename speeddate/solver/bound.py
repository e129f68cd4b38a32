"""A true upper bound on the distinct-sector total, valid for every plan with the given circles and rounds.

Why it holds. Write "p sees s" when p meets at least one member of sector s != sector(p); the distinct total
is the number of such (p, s) incidences. Three limits apply to every plan, whoever sits where:

1. Per person: p meets at most R people, and only sectors other than its own count, so p sees at most
   min(R, S - 1) sectors (S sectors present).
2. Per sector (the window argument): each member of s meets at most R people, so at most m_s * R people
   see s; and only the N - m_s people outside s can see it. On a circle this is the cyclic-window fact: an
   outer member covers the windows of exactly R inner seats, so b_s outer members cover at most b_s * R inner
   windows; any further inner person must repeat a sector or miss s, and the count is capped either way.
3. Per meeting: every meeting gives each side at most one new sector, so the total is at most twice the number
   of meetings, which an empty seat lowers by R (the person facing it pauses each round).

Limits 1 and 2 together form a transportation problem: people (grouped by own sector) send at most
min(R, S - 1) units each, at most one to each other sector, and sector s accepts at most
min(N - m_s, m_s * R). Every plan gives a feasible flow, so the maximum flow, capped by limit 3, bounds the
total. The bound ignores the objective's higher levels, so it also holds for the lexicographic optimum.
"""

from __future__ import annotations

from collections import Counter, deque

from speeddate.solver.layout import Layout


def distinct_upper_bound(sectors: list[str], layout: Layout) -> int:
    """Maximum distinct-sector total any plan of this layout could reach."""
    members = Counter(sectors)
    count, rounds = len(sectors), layout.rounds
    per_person = min(rounds, len(members) - 1)
    names = sorted(members)
    source, sink = 0, 2 * len(names) + 1
    capacity: dict[tuple[int, int], int] = {}
    for g, own in enumerate(names):
        capacity[(source, 1 + g)] = members[own] * per_person
        capacity[(1 + len(names) + g, sink)] = min(count - members[own], members[own] * rounds)
        for s, other in enumerate(names):
            if other != own:
                capacity[(1 + g, 1 + len(names) + s)] = members[own]
    meetings = sum(n - (2 * n - people) for n, people in zip(layout.sizes, layout.people, strict=True))
    return min(max_flow(capacity, source, sink), 2 * meetings * rounds)


def max_flow(capacity: dict[tuple[int, int], int], source: int, sink: int) -> int:
    """Edmonds-Karp on a small graph given as edge capacities."""
    residual: dict[int, dict[int, int]] = {}
    for (a, b), cap in capacity.items():
        residual.setdefault(a, {})[b] = residual.get(a, {}).get(b, 0) + cap
        residual.setdefault(b, {}).setdefault(a, 0)
    flow = 0
    while True:
        parent = _augmenting_path(residual, source, sink)
        if parent is None:
            return flow
        path, node = [], sink
        while node != source:
            path.append((parent[node], node))
            node = parent[node]
        push = min(residual[a][b] for a, b in path)
        for a, b in path:
            residual[a][b] -= push
            residual[b][a] += push
        flow += push


def _augmenting_path(residual: dict[int, dict[int, int]], source: int, sink: int) -> dict[int, int] | None:
    parent = {source: source}
    queue = deque([source])
    while queue:
        node = queue.popleft()
        for nxt, cap in residual.get(node, {}).items():
            if cap > 0 and nxt not in parent:
                parent[nxt] = node
                if nxt == sink:
                    return parent
                queue.append(nxt)
    return None
