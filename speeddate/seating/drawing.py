"""The plan on screen: each circle in each round laid out for an SVG, a legend per sector, whom each person meets.

Only reads. The figures come from the solver's checker; the per-person counts are recomputed from the same meetings
with the checker's definition (other sectors met), so that their sum and minimum are the page's figures.
"""

import json
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from speeddate import solver
from speeddate.extensions import db
from speeddate.models import Event, Partner, Registration, SeatingFixedSeat, SeatingPlan
from speeddate.seating import seats
from speeddate.seating.constraints import fixed_seats, settings_of
from speeddate.solver.model import INNER, OUTER

# Colours that stay apart for the common colour-vision deficiencies (Okabe-Ito first); the short label drawn on
# every seat carries the sector in black and white, so a repeated colour past the sixteenth sector is harmless.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999",
           "#332288", "#88CCEE", "#44AA99", "#117733", "#DDCC77", "#AA4499", "#882255", "#661100")
NO_SECTOR_COLOUR = "#FFFFFF"
SMALL_WORDS = {"en", "et", "and", "of", "the", "de", "het", "van", "voor", "la", "le", "les", "des", "du", "pour"}
LABEL_CHARS = 24  # the longest name or organisation drawn in full; the seat's tooltip and the table have it all
MARK = 18  # radius of a seat in SVG units
SEAT_ARC = 40  # the arc one seat needs on the inner ring for its two lines of text


@dataclass(frozen=True)
class SectorKey:
    """A sector in the legend: its name, a short label drawn on the seat, a fill colour and the ink on it."""

    key: str
    name: str
    short: str
    colour: str
    ink: str
    people: int = 0


@dataclass(frozen=True)
class Person:
    """Someone in the plan, as the view shows them."""

    id: int
    name: str
    organisation: str
    sector: SectorKey
    seat: seats.Seat
    distinct: int
    worst_off: bool
    fixed: bool


@dataclass(frozen=True)
class SeatMark:
    """One chair in one round: where it is drawn, who sits there (None: empty) and where their name goes."""

    number: int
    side: str
    person: Person | None
    facing: Person | None
    x: float
    y: float
    text_x: float
    text_y: float
    angle: float
    anchor: str

    @property
    def pauses(self) -> bool:
        """The person on this chair faces an empty one this round."""
        return self.person is not None and self.facing is None


@dataclass(frozen=True)
class CircleDrawing:
    """One circle in one round: its chairs on two rings, and the numbers between them."""

    circle: int
    round: int
    rounds: int
    size: float
    inner_radius: float
    outer_radius: float
    inner: list[SeatMark]
    outer: list[SeatMark]
    numbers: list[tuple[int, float, float]]

    @property
    def centre(self) -> float:
        """The middle of the square drawing."""
        return self.size / 2

    @property
    def pairs(self) -> list[tuple[SeatMark, SeatMark]]:
        """Inner and outer chair at each seat number, for the table that says the same as the drawing."""
        return list(zip(self.inner, self.outer, strict=True))


@dataclass(frozen=True)
class Encounter:
    """One round of one person: where they sit and whom they face (None: a pause)."""

    round: int
    circle: int
    seat: int
    side: str
    other: Person | None


@dataclass(frozen=True)
class PersonPlan:
    """Whom one person meets, the sectors they meet, their wishes and whether their fixed seat is kept."""

    person: Person
    encounters: list[Encounter]
    sectors: list[SectorKey]
    wishes: list[str]
    wishes_met: list[str]
    fixed_seat: seats.Seat | None
    kept_apart: list[Person] = field(default_factory=list)

    @property
    def fixed_seat_kept(self) -> bool:
        """The plan seats them where their fixed seat says."""
        return self.fixed_seat is not None and self.fixed_seat == self.person.seat


@dataclass
class PlanView:
    """A stored plan as the view shows it: people, legend, figures and every meeting."""

    row: SeatingPlan
    registrations: list[Registration]
    plan: solver.Plan
    instance: solver.Instance
    figures: solver.Figures
    people: dict[str, Person]
    legend: list[SectorKey]
    meetings: list[solver.Meeting]
    fixed: dict[str, seats.Seat] = field(default_factory=dict)

    @property
    def rounds(self) -> int:
        """Rounds in the plan."""
        return self.plan.rounds

    @property
    def circles(self) -> list[int]:
        """The circles' numbers."""
        return [c.circle for c in self.plan.circles]

    @property
    def worst_off(self) -> list[Person]:
        """People who meet the fewest other sectors, by name."""
        return sorted((p for p in self.people.values() if p.worst_off), key=lambda p: p.name.lower())

    def search(self, query: str) -> list[Person]:
        """People whose name or organisation contains the query, case and accents as typed."""
        words = query.casefold().split()
        found = [p for p in self.people.values()
                 if all(w in f"{p.name} {p.organisation}".casefold() for w in words)]
        return sorted(found, key=lambda p: p.name.lower()) if words else []

    def drawing(self, circle_no: int, round_no: int) -> CircleDrawing:
        """The circle as it sits in that round."""
        circle = next(c for c in self.plan.circles if c.circle == circle_no)
        here = sorted((m for m in self.meetings if m.circle == circle_no and m.round == round_no),
                      key=lambda m: m.seat)
        return _layout(circle_no, round_no, self.rounds, circle.pairs,
                       [(self._person(m.inner), self._person(m.outer)) for m in here])

    def person_plan(self, registration_id: int) -> PersonPlan | None:
        """One person's rounds, or None when they are not in the plan."""
        person = self.people.get(str(registration_id))
        if person is None:
            return None
        key = str(registration_id)
        encounters = []
        for m in self.meetings:
            if key in (m.inner, m.outer):
                mine_inner = m.inner == key
                encounters.append(Encounter(m.round, m.circle, m.seat, INNER if mine_inner else OUTER,
                                            self._person(m.outer if mine_inner else m.inner)))
        encounters.sort(key=lambda e: e.round)
        met = {e.other.sector.key: e.other.sector for e in encounters if e.other}
        met.pop(person.sector.key, None)
        participant = next(p for p in self.instance.participants if p.id == key)
        names = {k.key: k.name for k in self.legend}
        wishes = [names.get(w, w) for w in participant.wants if w != participant.sector]
        apart = set(participant.avoid) | {p.id for p in self.instance.participants if key in p.avoid}
        return PersonPlan(person, encounters, sorted(met.values(), key=lambda s: s.name.lower()), wishes,
                          [names.get(w, w) for w in participant.wants if w in met], self.fixed.get(key),
                          sorted((self.people[o] for o in apart if o in self.people), key=lambda p: p.name.lower()))

    def _person(self, key: str | None) -> Person | None:
        return self.people[key] if key is not None else None


def plan_view(row: SeatingPlan, language: str = "nl") -> PlanView:
    """Everything the plan view shows of a stored plan, in the given language."""
    event = db.session.get_one(Event, row.event_id)
    registrations = plan_people(row)
    instance = seats.instance_for(event.id, registrations, settings_of(event), keep_colleagues_apart=True)
    plan = seats.plan_of(row)
    figures = solver.check(instance, plan)
    meetings = solver.meetings_of(plan)
    distinct = distinct_sectors(instance.participants, met_pairs(meetings))
    legend = _legend(registrations, language)
    counts = [len(d) for d in distinct.values()]
    worst = min(counts, default=0)
    # When everybody meets as many sectors, nobody is worse off: marking all of them would say nothing.
    anyone_better = max(counts, default=0) > worst
    where = seats.seats(plan)
    count = len(plan.circles)
    fixed = {str(f.registration_id): seats.Seat(f.circle, f.side, f.seat, count) for f in fixed_seats(event.id)}
    people = {}
    for registration in registrations:
        key = str(registration.id)
        if key not in where:
            continue
        partner = registration.partner
        people[key] = Person(registration.id, partner.full_name,
                             partner.organisation.name if partner.organisation else "",
                             legend[_sector_key(registration)], where[key], len(distinct[key]),
                             anyone_better and len(distinct[key]) == worst, key in fixed)
    return PlanView(row, registrations, plan, instance, figures, people, _counted(legend.values(), people.values()),
                    meetings, fixed)


def plan_people(row: SeatingPlan) -> list[Registration]:
    """The registrations a plan was made from, with their partner, organisation and sector in the same queries."""
    ids = json.loads(row.registration_ids)
    partner = selectinload(Registration.partner)
    return list(db.session.scalars(select(Registration).where(Registration.id.in_(ids)).order_by(Registration.id)
                                   .options(partner.selectinload(Partner.organisation),
                                            partner.selectinload(Partner.sector))))


def met_pairs(meetings: Iterable[solver.Meeting]) -> list[tuple[str, str]]:
    """Every pair that meets, once."""
    return [(m.inner, m.outer) for m in meetings if m.inner is not None and m.outer is not None]


def distinct_sectors(people: Iterable[solver.Participant], pairs: Iterable[tuple[str, str]]) -> dict[str, set[str]]:
    """The other sectors each person meets, as the checker counts them."""
    by_id = {p.id: p for p in people}
    met: dict[str, set[str]] = defaultdict(set)
    for a, b in pairs:
        met[a].add(by_id[b].sector)
        met[b].add(by_id[a].sector)
    return {key: met[key] - {p.sector} for key, p in by_id.items()}


def abbreviation(name: str) -> str:
    """A short label for a sector: the initials of its words, or the first letters of a single word."""
    words = [w for w in re.findall(r"[^\W\d_]+", name) if w.lower() not in SMALL_WORDS] or [name or "?"]
    if len(words) == 1:
        return words[0][:3].upper()
    return "".join(w[0] for w in words[:3]).upper()


def _sector_key(registration: Registration) -> str:
    sector = registration.partner.sector
    return sector.name if sector else ""


def _legend(registrations: list[Registration], language: str) -> dict[str, SectorKey]:
    sectors = {r.partner.sector.name: r.partner.sector for r in registrations if r.partner.sector}
    legend: dict[str, SectorKey] = {}
    shorts: set[str] = set()
    for index, name in enumerate(sorted(sectors)):
        label = sectors[name].label(language)
        short = _unique(abbreviation(label), shorts)
        colour = PALETTE[index % len(PALETTE)]
        legend[name] = SectorKey(name, label, short, colour, _ink(colour))
    if any(r.partner.sector is None for r in registrations):
        legend[""] = SectorKey("", _("no sector"), "?", NO_SECTOR_COLOUR, "#000000")
    return legend


def _unique(short: str, taken: set[str]) -> str:
    candidate, number = short, 2
    while candidate in taken:
        candidate, number = f"{short[:2]}{number}", number + 1
    taken.add(candidate)
    return candidate


def _ink(colour: str) -> str:
    """Black or white, whichever reads better on the colour (WCAG relative luminance)."""
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return "#000000" if luminance > 0.179 else "#FFFFFF"


def _counted(keys: Iterable[SectorKey], people: Iterable[Person]) -> list[SectorKey]:
    counts: dict[str, int] = defaultdict(int)
    for person in people:
        counts[person.sector.key] += 1
    return [SectorKey(k.key, k.name, k.short, k.colour, k.ink, counts[k.key]) for k in
            sorted(keys, key=lambda k: (k.key == "", k.name.lower()))]


def _layout(circle: int, round_no: int, rounds: int, n: int,
            pairs: list[tuple[Person | None, Person | None]]) -> CircleDrawing:
    """Seat 1 at the top, numbers growing clockwise (the way the outer circle moves); names point outwards."""
    text = LABEL_CHARS * 8.6  # the width of a name at the drawing's font size
    inner_radius = max(MARK + text + 90, n * SEAT_ARC / (2 * math.pi))
    outer_radius = inner_radius + 2 * MARK + 26
    size = 2 * (outer_radius + MARK + text + 16)
    centre = size / 2
    inner, outer, numbers = [], [], []
    for index, (inside, outside) in enumerate(pairs):
        angle = -90 + 360 * index / n
        inner.append(_mark(index + 1, "inner", inside, outside, centre, inner_radius, angle, inward=True))
        outer.append(_mark(index + 1, "outer", outside, inside, centre, outer_radius, angle, inward=False))
        numbers.append((index + 1, *_point(centre, (inner_radius + outer_radius) / 2, angle)))
    return CircleDrawing(circle, round_no, rounds, size, inner_radius, outer_radius, inner, outer, numbers)


def _mark(number: int, side: str, person: Person | None, facing: Person | None, centre: float, radius: float,
          angle: float, inward: bool) -> SeatMark:
    x, y = _point(centre, radius, angle)
    text_radius = radius - MARK - 6 if inward else radius + MARK + 6
    text_x, text_y = _point(centre, text_radius, angle)
    direction = (angle + 180) % 360 if inward else angle % 360
    # Text on the left half would read upside down: turn it round and let it end at the seat instead.
    upright = not 90 < direction < 270
    return SeatMark(number, side, person, facing, x, y, text_x, text_y,
                    round(direction if upright else direction - 180, 2), "start" if upright else "end")


def _point(centre: float, radius: float, angle: float) -> tuple[float, float]:
    radians = math.radians(angle)
    return round(centre + radius * math.cos(radians), 1), round(centre + radius * math.sin(radians), 1)


def fixed_seat_outcome(row: SeatingPlan, registration_id: int) -> str:
    """What a fixed seat just saved means for this plan: kept already, or only once the plan is generated again."""
    fixed = db.session.get_one(SeatingFixedSeat, registration_id)
    plan = seats.plan_of(row)
    wanted = seats.Seat(fixed.circle, fixed.side, fixed.seat, len(plan.circles))
    name = db.session.get_one(Registration, registration_id).partner.full_name
    if seats.seats(plan).get(str(registration_id)) == wanted:
        return _("%(name)s has a fixed seat: %(seat)s. This plan already seats them there; plans generated from "
                 "now on keep it.", name=name, seat=wanted.label)
    return _("%(name)s has a fixed seat: %(seat)s. This plan is unchanged: generate the plan again to seat them "
             "there.", name=name, seat=wanted.label)


def apart_outcome(row: SeatingPlan, first_id: int, second_id: int) -> str:
    """What a pair just kept apart means for this plan: they meet in it (generate again) or they do not."""
    names = {r.id: r.partner.full_name for r in (db.session.get_one(Registration, i) for i in (first_id, second_id))}
    pair = {str(first_id), str(second_id)}
    meeting = next((m for m in solver.meetings_of(seats.plan_of(row)) if {m.inner, m.outer} == pair), None)
    if meeting is None:
        return _("%(first)s and %(second)s do not meet in this plan; plans generated from now on keep them apart "
                 "too.", first=names[first_id], second=names[second_id])
    return _("%(first)s and %(second)s still meet in round %(round)d of this plan: generate the plan again to keep "
             "them apart.", first=names[first_id], second=names[second_id], round=meeting.round)
