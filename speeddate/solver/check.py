"""Independent checker: recomputes every figure from the meetings alone, sharing no code with the search.

Each hard rule is one function that raises PlanError when a plan breaks it. `check` applies the seating rules
(DESIGN.md section 4) and recomputes the figures:

- `rounds_fit`: there is at least one round, every meeting is in one of them, and no circle has fewer seats a
  side than there are rounds (the outer people would come round to the same inner people again);
- `known_people`: everyone seated is a participant;
- `seated_once_per_round`: nobody sits twice in a round;
- `stays_in_circle_and_side`: nobody changes circle or side;
- `follows_rotation`: inner people keep their seat, outer people move one seat up per round, seat n goes to 1;
- `everyone_seated`: every participant sits in every round;
- `nobody_meets_twice`: no pair meets twice, nobody meets themselves.

`check_requests` applies the organiser's requests: `fixed_seats_kept` and `avoided_pairs_apart`. They are
apart from `check` because an avoided pair is the objective's first level, not a rule the solver can always
keep (when it cannot, the figures count the pairs that meet), and because a stored plan is checked against
the event's requests of today, which may have changed since the plan was made.

`check_network` applies what the zone's network asks for, for callers that know it can be kept:
`common_language_everywhere` (two people who both gave their languages share one) and `nobody_meets_again`
(no pair of `Instance.met_before` meets). Both are objective levels too, so the figures count what remains.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from speeddate.solver.model import INNER, OUTER, Figures, Instance, Meeting, Participant, Plan, meetings_of


class PlanError(ValueError):
    """The plan breaks a seating rule."""


Seat = tuple[str, int, int]  # side, circle, seat
Seating = dict[str, dict[int, Seat]]  # person -> round -> seat
Pair = frozenset[str]


def check(instance: Instance, plan: Plan) -> Figures:
    """Figures of a plan, after checking its meetings against every seating rule."""
    return check_meetings(instance.participants, plan.rounds, meetings_of(plan), instance.met_before)


def check_meetings(people: Sequence[Participant], rounds: int, meetings: Iterable[Meeting],
                   met_before: Iterable[tuple[str, str]] = ()) -> Figures:
    """Figures of a list of meetings; raises PlanError when a seating rule is broken."""
    by_id = {p.id: p for p in people}
    meetings = list(meetings)
    sizes = circle_sizes(meetings)
    rounds_fit(rounds, sizes, meetings)
    known_people(by_id, meetings)
    seats = seated_once_per_round(meetings)
    stays_in_circle_and_side(seats)
    follows_rotation(seats, sizes)
    everyone_seated(by_id, rounds, seats)
    return _figures(by_id, nobody_meets_twice(meetings), {frozenset(pair) for pair in met_before})


def check_requests(instance: Instance, plan: Plan) -> None:
    """Raise PlanError unless the plan keeps every fixed seat and no avoided pair meets."""
    meetings = meetings_of(plan)
    fixed_seats_kept(instance.participants, seated_once_per_round(meetings))
    avoided_pairs_apart(instance.participants, nobody_meets_twice(meetings))


def check_network(instance: Instance, plan: Plan) -> None:
    """Raise PlanError if two people without a common language meet, or two people who met before."""
    pairs = nobody_meets_twice(meetings_of(plan))
    common_language_everywhere(instance.participants, pairs)
    nobody_meets_again(instance.met_before, pairs)


def circle_sizes(meetings: Iterable[Meeting]) -> dict[int, int]:
    """Seats a side of each circle: the highest seat number a meeting uses."""
    sizes: dict[int, int] = defaultdict(int)
    for m in meetings:
        sizes[m.circle] = max(sizes[m.circle], m.seat)
    return sizes


def rounds_fit(rounds: int, sizes: dict[int, int], meetings: Iterable[Meeting]) -> None:
    """At least one round, every meeting in rounds 1..R, and R at most the seats a side of every circle."""
    if rounds < 1:
        raise PlanError(f"{rounds} rounds: a plan has at least one")
    for m in meetings:
        if not 1 <= m.round <= rounds:
            raise PlanError(f"round {m.round} outside 1..{rounds}")
    for circle, seats in sorted(sizes.items()):
        if rounds > seats:
            raise PlanError(f"{rounds} rounds do not fit circle {circle} of {seats} seats a side")


def known_people(by_id: dict[str, Participant], meetings: Iterable[Meeting]) -> None:
    """Everyone seated is a participant."""
    for m in meetings:
        for person in (m.inner, m.outer):
            if person is not None and person not in by_id:
                raise PlanError(f"unknown participant {person!r}")


def seated_once_per_round(meetings: Iterable[Meeting]) -> Seating:
    """Where everybody sits in each round; raises when someone sits twice in a round."""
    seats: Seating = defaultdict(dict)
    for m in meetings:
        for side, person in ((INNER, m.inner), (OUTER, m.outer)):
            if person is None:
                continue
            if m.round in seats[person]:
                raise PlanError(f"{person} sits twice in round {m.round}")
            seats[person][m.round] = (side, m.circle, m.seat)
    return seats


def stays_in_circle_and_side(seats: Seating) -> None:
    """Nobody changes circle or side between rounds."""
    for person, by_round in seats.items():
        if len({(side, circle) for side, circle, _ in by_round.values()}) != 1:
            raise PlanError(f"{person} changes circle or side")


def follows_rotation(seats: Seating, sizes: dict[int, int]) -> None:
    """Inner people keep their seat; outer people move one seat up per round, seat n to seat 1."""
    for person, by_round in seats.items():
        for round_no, (side, circle, seat) in by_round.items():
            following = by_round.get(round_no + 1)
            if following is None:
                continue
            expected = seat if side == INNER else seat % sizes[circle] + 1
            if following[2] != expected:
                raise PlanError(f"{person} ({side}) goes from seat {seat} to {following[2]} "
                                f"after round {round_no}")


def everyone_seated(by_id: dict[str, Participant], rounds: int, seats: Seating) -> None:
    """Every participant sits in every round."""
    missing = [p for p in by_id if len(seats.get(p, {})) != rounds]
    if missing:
        raise PlanError(f"not seated in every round: {', '.join(missing[:5])}")


def nobody_meets_twice(meetings: Iterable[Meeting]) -> set[Pair]:
    """The pairs that meet; raises when a pair meets twice or someone faces themselves."""
    pairs: set[Pair] = set()
    for m in meetings:
        if m.inner is None or m.outer is None:
            continue
        pair = frozenset((m.inner, m.outer))
        if pair in pairs or len(pair) == 1:
            raise PlanError(f"{m.inner} and {m.outer} meet twice")
        pairs.add(pair)
    return pairs


def fixed_seats_kept(people: Sequence[Participant], seats: Seating) -> None:
    """Everyone with a fixed seat sits on it in round 1 (inner people keep it all event by the rotation)."""
    for person in people:
        fixed = person.fixed_seat
        if fixed is None:
            continue
        wanted = (fixed.side, fixed.circle, fixed.seat)
        if seats.get(person.id, {}).get(1) != wanted:
            raise PlanError(f"{person.id} is not on their fixed seat: {fixed.side} seat {fixed.seat} "
                            f"of circle {fixed.circle}")


def avoided_pairs_apart(people: Sequence[Participant], pairs: set[Pair]) -> None:
    """No pair meets of whom one asked not to meet the other."""
    for person in people:
        for other in person.avoid:
            if frozenset((person.id, other)) in pairs:
                raise PlanError(f"{person.id} and {other} meet, but must not")


def common_language_everywhere(people: Sequence[Participant], pairs: set[Pair]) -> None:
    """Every pair that meets has a language in common (someone who gave no languages speaks any)."""
    by_id = {p.id: p for p in people}
    for a, b in _people(by_id, pairs):
        if not _common_language(a, b):
            raise PlanError(f"{a.id} ({'|'.join(a.languages)}) and {b.id} ({'|'.join(b.languages)}) meet "
                            "without a language in common")


def nobody_meets_again(met_before: Iterable[tuple[str, str]], pairs: set[Pair]) -> None:
    """No pair that met before meets again."""
    for first, second in met_before:
        if first != second and frozenset((first, second)) in pairs:
            raise PlanError(f"{first} and {second} meet again, but met before")


def _common_language(a: Participant, b: Participant) -> bool:
    return not a.languages or not b.languages or bool(set(a.languages) & set(b.languages))


def _figures(by_id: dict[str, Participant], pairs: set[Pair], met_before: set[Pair]) -> Figures:
    met: dict[str, list[Participant]] = defaultdict(list)
    for pair in pairs:
        a, b = (by_id[x] for x in pair)
        met[a.id].append(b)
        met[b.id].append(a)
    distinct = {pid: {q.sector for q in met[pid]} - {p.sector} for pid, p in by_id.items()}
    return Figures(
        meetings=len(pairs),
        same_organisation=sum(1 for a, b in _people(by_id, pairs) if a.organisation == b.organisation),
        same_sector=sum(1 for a, b in _people(by_id, pairs) if a.sector == b.sector),
        distinct_sectors_total=sum(len(d) for d in distinct.values()),
        distinct_sectors_min=min((len(d) for d in distinct.values()), default=0),
        wishes_met=sum(len(distinct[pid] & set(p.wants)) for pid, p in by_id.items()),
        avoided_pairs_met=sum(1 for a, b in _people(by_id, pairs) if b.id in a.avoid or a.id in b.avoid),
        no_common_language=sum(1 for a, b in _people(by_id, pairs) if not _common_language(a, b)),
        met_before=len(pairs & met_before),
    )


def _people(by_id: dict[str, Participant], pairs: set[Pair]) -> list[tuple[Participant, ...]]:
    return [(by_id[a], by_id[b]) for a, b in (sorted(pair) for pair in pairs)]
