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

4. Without same-sector meetings (the objective's second level, so this holds for the lexicographic optimum
   whenever a plan without them is known), a sector's members on one circle take distinct positions 1..n
   (inner seat i and outer start i meet in round 1) and cut the cycle into runs of inner and of outer
   members. An inner member must lie at least R positions after every outer member, so each of the r
   outer-to-inner changes costs a gap of R, and windows overlap inside a run unless its gaps are R apart.
   Counting gaps gives: the m members are seen by at most min(m * R, n + r * (R - 1)) people, with
   r <= min(m // 2, (n - m) // (R - 1)) changes, or min(m * R, n) when all sit on one side; m > n is
   impossible. (Exact: brute force over all placements agrees for n <= 9, see the tests.) A circle's
   seers are also at most its people outside the sector (an empty seat sees nobody). Over several circles the
   members' split is unknown, so the best split is taken (`best_split`, which the constructive start uses too).
"""

from __future__ import annotations

from collections import Counter, deque

from speeddate.solver.layout import Layout


def distinct_upper_bound(sectors: list[str], layout: Layout, no_same_sector: bool = False) -> int:
    """Maximum distinct-sector total of any plan of this layout (without same-sector meetings, if asked)."""
    members = Counter(sectors)
    seen_cap = {own: min(len(sectors) - k, k * layout.rounds) for own, k in members.items()}
    if no_same_sector:
        for own, k in members.items():
            seen_cap[own] = min(seen_cap[own], sector_seen_cap(k, layout))
    rounds = layout.rounds
    per_person = min(rounds, len(members) - 1)
    names = sorted(members)
    source, sink = 0, 2 * len(names) + 1
    capacity: dict[tuple[int, int], int] = {}
    for g, own in enumerate(names):
        capacity[(source, 1 + g)] = members[own] * per_person
        capacity[(1 + len(names) + g, sink)] = seen_cap[own]
        for s, other in enumerate(names):
            if other != own:
                capacity[(1 + g, 1 + len(names) + s)] = members[own]
    meetings = sum(n - (2 * n - people) for n, people in zip(layout.sizes, layout.people, strict=True))
    return min(max_flow(capacity, source, sink), 2 * meetings * rounds)


def sector_seen_cap(members: int, layout: Layout) -> int:
    """Most people who can see a sector of this size without a same-sector meeting (limit 4), best split."""
    split = best_split(members, layout)
    if split is None:
        return members * layout.rounds
    return sum(_circle_cap(here, c, layout) for c, here in enumerate(split))


def best_split(members: int, layout: Layout) -> list[int] | None:
    """Members per circle that let the most people see the sector without a same-sector meeting.

    None when the members cannot all sit on the circles without meeting each other (more than a side each).
    Among equally good splits the most even one is returned, so the split only departs from dealing the
    sector round the circles when that measurably lets more people see it.
    """
    # members placed so far -> (most people seeing them, unevenness, members per circle)
    reach: dict[int, tuple[int, int, tuple[int, ...]]] = {0: (0, 0, ())}
    fair = members / max(1, len(layout.sizes))
    for c, n in enumerate(layout.sizes):
        following: dict[int, tuple[int, int, tuple[int, ...]]] = {}
        for used, (seen, uneven, split) in reach.items():
            for here in range(min(n, members - used) + 1):
                key = (seen + _circle_cap(here, c, layout), uneven - int(abs(here - fair) * 2))
                if used + here not in following or key > following[used + here][:2]:
                    following[used + here] = (*key, (*split, here))
        reach = following
    return list(reach[members][2]) if members in reach else None


def _circle_cap(members: int, circle: int, layout: Layout) -> int:
    """circle_seen_cap, and no more than the circle's other people (an empty seat sees nobody)."""
    return min(circle_seen_cap(members, layout.sizes[circle], layout.rounds), layout.people[circle] - members)


def circle_seen_cap(members: int, n: int, rounds: int) -> int:
    """Most people on one circle of n pairs who can see `members` people of a sector, none meeting another."""
    one_side = min(members * rounds, n)
    if rounds == 1 or members < 2:
        return one_side
    changes = min(members // 2, (n - members) // (rounds - 1))
    return max(one_side, min(members * rounds, n + changes * (rounds - 1))) if changes >= 1 else one_side


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
