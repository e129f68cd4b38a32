"""Frozen data passed into and out of the seating solver; no logic beyond small derived properties."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

INNER = "inner"
OUTER = "outer"
SIDES = (INNER, OUTER)


class InputError(ValueError):
    """Bad solver input; carries the participant index and column so callers can name the row."""

    def __init__(self, message: str, index: int | None = None, column: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.index = index
        self.column = column


@dataclass(frozen=True)
class FixedSeat:
    """A seat a participant must take in round 1 (inner people keep it all event)."""

    side: str
    seat: int
    circle: int = 1


@dataclass(frozen=True)
class Participant:
    """One person to seat; sector and organisation drive the objective."""

    id: str
    name: str
    organisation: str
    sector: str
    email: str = ""
    fixed_seat: FixedSeat | None = None
    wants: tuple[str, ...] = ()
    avoid: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()  # codes of the languages they can hold a conversation in; () = any


@dataclass(frozen=True)
class Instance:
    """A speeddate to seat: who comes, how many rounds, how many pairs fit in one circle, who met before.

    `met_before` holds pairs of participant ids who already met (at an earlier speeddate); a pair naming
    someone who is not a participant is ignored, so a zone's whole history may be passed as it is.
    """

    participants: tuple[Participant, ...]
    rounds: int
    pairs_per_circle: int | None = None
    met_before: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Options:
    """How hard to search: wall-clock limit (seconds, including start-up), seed, CP-SAT workers."""

    time_limit: float = 10.0
    seed: int = 0
    workers: int = 2
    use_cpsat: bool = True
    started_at: float | None = None


@dataclass(frozen=True)
class Circle:
    """Round-1 seats of one circle; None marks the empty seat (whoever faces it pauses)."""

    circle: int
    inner: tuple[str | None, ...]
    outer: tuple[str | None, ...]

    @property
    def pairs(self) -> int:
        """Seats per side."""
        return len(self.inner)


@dataclass(frozen=True)
class Meeting:
    """Who faces whom at one seat in one round."""

    round: int
    circle: int
    seat: int
    inner: str | None
    outer: str | None


@dataclass(frozen=True)
class Figures:
    """Quality of a plan, always recomputed from its meetings by check.py."""

    meetings: int = 0
    same_organisation: int = 0
    same_sector: int = 0
    distinct_sectors_total: int = 0
    distinct_sectors_min: int = 0
    wishes_met: int = 0
    avoided_pairs_met: int = 0
    no_common_language: int = 0
    met_before: int = 0


class NoteKind(enum.Enum):
    """What a note on a plan is about, for code and tests to check; the note's text is for people."""

    CLOCK_ENDED_SEARCH = "clock_ended_search"  # a rerun with the same seed may give another plan
    COLLEAGUES_MEET = "colleagues_meet"  # colleague meetings remain, proven unavoidable or not


@dataclass(frozen=True)
class Note:
    """Something to know about a plan: its kind, and the text shown to people."""

    kind: NoteKind
    text: str

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Plan:
    """A seating plan with its checked figures, the distinct-sector upper bound and the proof status."""

    rounds: int
    circles: tuple[Circle, ...]
    figures: Figures = field(default_factory=Figures)
    upper_bound: int = 0
    status: str = "FEASIBLE"
    seconds: float = 0.0
    moved: int | None = None
    notes: tuple[Note, ...] = ()

    @property
    def optimal(self) -> bool:
        """True when the solver proved no plan is better in the objective order."""
        return self.status == "OPTIMAL"

    def noted(self, kind: NoteKind) -> bool:
        """Whether the plan carries a note of this kind."""
        return any(note.kind == kind for note in self.notes)


def meetings_of(plan: Plan) -> list[Meeting]:
    """Every seat of every round: outer people move one seat up per round, seat n goes to 1."""
    result = []
    for circle in plan.circles:
        n = circle.pairs
        for round_no in range(1, plan.rounds + 1):
            for seat in range(1, n + 1):
                start = (seat - 1 - (round_no - 1)) % n
                inner, outer = circle.inner[seat - 1], circle.outer[start]
                result.append(Meeting(round_no, circle.circle, seat, inner, outer))
    return result
