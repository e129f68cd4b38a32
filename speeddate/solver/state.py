"""The search state: a seating with its score kept up to date under swaps.

The state keeps, for every person, how often they meet each sector, so a swap costs O(rounds) updates.
"""

from __future__ import annotations

from speeddate.solver.problem import EMPTY, NO_ORGANISATION, NO_SECTOR, NO_SLOT, Problem
from speeddate.solver.score import Score

NOT_SUFFERING = -1  # the badness of an empty slot: below anyone's, so targeted moves pick a person


class State:
    """A seating (person per slot) with its figures kept up to date under swaps."""

    def __init__(self, problem: Problem, at: list[int]) -> None:
        self.problem = problem
        self.partners = problem.layout.partners()
        self.at = [EMPTY] * len(at)
        self.pos = [NO_SLOT] * problem.size
        self.count = [[0] * problem.sector_count for _ in range(problem.size)]
        self.distinct = [0] * problem.size
        self.histogram = [0] * (problem.layout.rounds + 1)
        self.histogram[0] = problem.size
        self.avoided = self.colleagues = self.same_sector = self.total = self.wishes = 0
        self.no_language = self.met_before = 0
        # Per person: meetings without a common language or with someone met before, for badness().
        self.clashes = [0] * problem.size
        # Whether languages or history can cost a meeting at all: score_after_swap skips their two tests otherwise
        # (with them it measured within the noise of the speed before them, bench/RESULTS.md).
        masks = set(problem.language)
        self.network = any(problem.met) or any(not a & b for a in masks for b in masks)
        for slot, person in enumerate(at):
            if person != EMPTY:
                self.place(person, slot)

    def score(self) -> Score:
        """The objective tuple; lower is better."""
        worst = next(d for d, k in enumerate(self.histogram) if k)
        return Score(self.avoided, self.colleagues, self.no_language, self.met_before, self.same_sector,
                     -self.total, -worst, -self.wishes, self.histogram[worst])

    def place(self, person: int, slot: int) -> None:
        """Seat a person in an empty slot and count the meetings it brings."""
        at = self.at
        for other_slot in self.partners[slot]:
            other = at[other_slot]
            if other != EMPTY:
                self._meet(person, other, 1)
        at[slot] = person
        self.pos[person] = slot

    def remove(self, slot: int) -> int:
        """Empty a slot, uncounting its meetings; returns who sat there."""
        at = self.at
        person = at[slot]
        if person == EMPTY:
            return EMPTY
        at[slot] = EMPTY
        for other_slot in self.partners[slot]:
            other = at[other_slot]
            if other != EMPTY:
                self._meet(person, other, -1)
        return person

    def swap(self, a: int, b: int) -> None:
        """Exchange whoever sits in slots a and b (either may be empty)."""
        first, second = self.remove(a), self.remove(b)
        if second != EMPTY:
            self.place(second, a)
        if first != EMPTY:
            self.place(first, b)

    def score_after_swap(self, a: int, b: int) -> Score:
        """The score the swap of slots a and b would give, computed without changing the state.

        p (at a) stops meeting X, the people at a's partner slots (b excluded), and starts meeting Y, the people
        at b's partner slots (a excluded); q (at b) the other way round; a meeting between p and q, if any, stays.
        Only p, q and the people in X or Y (not both) change, so this costs O(rounds) steps and no undo: measured
        2-2.5 times faster than applying, scoring and undoing the swap (bench/RESULTS.md).
        """
        at, problem, count = self.at, self.problem, self.count
        sector, org, avoid, wants = problem.sector, problem.org, problem.avoid, problem.wants
        language, met, network = problem.language, problem.met, self.network
        p, q = at[a], at[b]
        sp = sector[p] if p != EMPTY else NO_SECTOR
        sq = sector[q] if q != EMPTY else NO_SECTOR
        # sign[x]: -1 if x only meets a's slot (loses p, gains q), +1 if only b's; 0 if both (no change).
        sign: dict[int, int] = {}
        for slot in self.partners[a]:
            if slot != b and at[slot] != EMPTY:
                sign[at[slot]] = -1
        for slot in self.partners[b]:
            if slot != a and at[slot] != EMPTY:
                other = at[slot]
                sign[other] = sign.get(other, 0) + 1
        avoided, colleagues, same = self.avoided, self.colleagues, self.same_sector
        no_language, met_before = self.no_language, self.met_before
        total, wishes = self.total, self.wishes
        shift: dict[int, int] = {}
        # gained[s]: how many more people of sector s p meets after the swap (q meets that many fewer).
        gained: dict[int, int] = {}
        for other, side in sign.items():
            if not side:
                continue
            so = sector[other]
            gained[so] = gained.get(so, 0) + side
            lose, gain = (p, q) if side < 0 else (q, p)
            for person, step in ((lose, -1), (gain, 1)):
                if person != EMPTY:
                    if org[person] == org[other] != NO_ORGANISATION:
                        colleagues += step
                    if other in avoid[person]:
                        avoided += step
                    if network:
                        if not language[person] & language[other]:
                            no_language += step
                        if other in met[person]:
                            met_before += step
            if sp == sq:
                continue
            s_lose, s_gain = (sp, sq) if side < 0 else (sq, sp)
            row, own, change = count[other], so, 0
            if s_lose == own:
                same -= 1
            elif s_lose != NO_SECTOR and row[s_lose] == 1:
                change -= 1
                wishes -= s_lose in wants[other]
            if s_gain == own:
                same += 1
            elif s_gain != NO_SECTOR and row[s_gain] == 0:
                change += 1
                wishes += s_gain in wants[other]
            if change:
                shift[other] = change
                total += change
        # The meetings' same-sector changes were counted above, once each; here only p's and q's sectors.
        for person, own, direction in ((p, sp, 1), (q, sq, -1)):
            if person == EMPTY:
                continue
            row, change = count[person], 0
            for s, k in gained.items():
                if not k or s == own:
                    continue
                before = row[s]
                after = before + direction * k
                step = 1 if before == 0 and after else -1 if after == 0 and before else 0
                if step:
                    change += step
                    wishes += step if s in wants[person] else 0
            if change:
                shift[person] = change
                total += change
        histogram, distinct = self.histogram, self.distinct
        moved: dict[int, int] = {}
        for person, change in shift.items():
            d = distinct[person]
            moved[d] = moved.get(d, 0) - 1
            moved[d + change] = moved.get(d + change, 0) + 1
        worst = next(d for d in range(len(histogram)) if histogram[d] + moved.get(d, 0))
        return Score(avoided, colleagues, no_language, met_before, same, -total, -worst, -wishes,
                     histogram[worst] + moved.get(worst, 0))

    def _meet(self, p: int, q: int, step: int) -> None:
        problem = self.problem
        if problem.org[p] == problem.org[q] != NO_ORGANISATION:
            self.colleagues += step
        if q in problem.avoid[p]:
            self.avoided += step
        clash = 0
        if not problem.language[p] & problem.language[q]:
            self.no_language += step
            clash = step
        if q in problem.met[p]:
            self.met_before += step
            clash = step
        if clash:
            self.clashes[p] += clash
            self.clashes[q] += clash
        sp, sq = problem.sector[p], problem.sector[q]
        if sp == sq:
            self.same_sector += step
            self.count[p][sp] += step
            self.count[q][sq] += step
            return
        self._see(p, sq, step)
        self._see(q, sp, step)

    def _see(self, person: int, sector: int, step: int) -> None:
        row = self.count[person]
        before = row[sector]
        row[sector] = before + step
        if before == 0 or before + step == 0:
            change = 1 if before == 0 else -1
            self._shift(person, change)
            if sector in self.problem.wants[person]:
                self.wishes += change

    def _shift(self, person: int, step: int) -> None:
        d = self.distinct[person]
        self.histogram[d] -= 1
        self.histogram[d + step] += 1
        self.distinct[person] = d + step
        self.total += step

    def badness(self, slot: int) -> int:
        """How much the person in a slot suffers: conflicts weigh more than missing sectors, and a meeting without
        a common language or with someone met before more than a same-sector one (the objective order)."""
        person = self.at[slot]
        if person == EMPTY:
            return NOT_SUFFERING
        own = self.count[person][self.problem.sector[person]]
        return 1_000_000 * self.clashes[person] + 1000 * own + (self.problem.layout.rounds - self.distinct[person])
