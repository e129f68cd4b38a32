"""The network a period built: which sectors (or clusters) met which, what came of it, and who never came.

Definitions (the report page repeats them):
- a *meeting* is two participants who sat face to face in a round of the final (published) plan of a speeddate
  held in the period, both having taken part (present where attendance is known);
- a *platform* counts once for a pair of sectors when people of both took part in the same platform (ELP);
- *contacts*, *referrals* and *collaborations* come from the follow-up: a participant says what came of meeting
  someone; each answer counts once for the pair of their two sectors;
- a *new bridge* is a pair of different sectors that met (speeddate or platform) in the period and never in any
  earlier event;
- per gemeente: the sectors of the participants active in that gemeente, and the zone's sectors that never came.

No person is named. A count below SMALL is suppressed (None, shown as "< 3"): with small sectors, a single meeting
between two of them would point at two people.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations

from sqlalchemy import func, select

from speeddate import solver
from speeddate.extensions import db
from speeddate.models import (
    ContactOutcome,
    Event,
    EventStatus,
    EventType,
    FollowupContact,
    FollowupResponse,
    Gemeente,
    Partner,
    Registration,
    RegistrationStatus,
    Sector,
    partner_gemeenten,
)
from speeddate.models.base import utcnow
from speeddate.seating.seats import plan_of, published_plan

SMALL = 3
LEVELS = ("sector", "cluster")
OUTCOMES = {ContactOutcome.CONTACTED: "contacts", ContactOutcome.REFERRED: "referrals",
            ContactOutcome.COLLABORATING: "collaborations"}

Pair = tuple[str, str]


@dataclass
class Link:
    """What happened between two sectors (or clusters) in the period; counts before suppression."""

    meetings: int = 0
    platforms: int = 0
    contacts: int = 0
    referrals: int = 0
    collaborations: int = 0

    def shown(self, name: str) -> int | None:
        """A count as it may be shown: None when small enough to point at people."""
        value = getattr(self, name)
        return None if 0 < value < SMALL else value


@dataclass
class Network:
    """The network of a period at one level (sector or cluster), ready for the page and the exports."""

    level: str
    labels: list[str]
    links: dict[Pair, Link] = field(default_factory=dict)
    new_bridges: list[Pair] = field(default_factory=list)
    gemeenten: list[tuple[str, list[str], list[str]]] = field(default_factory=list)  # (gemeente, came, never)

    def link(self, first: str, second: str) -> Link:
        """The link between two labels, in either order (an empty one when they never met)."""
        return self.links.get(_pair(first, second), Link())

    @property
    def busiest(self) -> int:
        """The largest shown meeting count, for the heat map's scale."""
        return max((link.shown("meetings") or 0 for link in self.links.values()), default=0)

    @property
    def met_labels(self) -> list[str]:
        """The labels that met anyone, in the zone's order: the heat map's rows and columns."""
        seen = {label for pair in self.links for label in pair}
        return [label for label in self.labels if label in seen]

    def heat(self, first: str, second: str) -> int:
        """A shade from 0 (no meeting) to 5 (the busiest pair); suppressed counts get the lightest shade."""
        link = self.link(first, second)
        if not link.meetings:
            return 0
        shown = link.shown("meetings")
        return 1 if shown is None or not self.busiest else max(1, round(5 * shown / self.busiest))

    def as_json(self) -> dict[str, object]:
        """The network for `flask report --format json`: names, not ids; suppressed counts are null."""
        return {
            "level": self.level,
            "suppressed_below": SMALL,
            "pairs": [{"first": first, "second": second, "new": (first, second) in self.new_bridges,
                       **{name: link.shown(name) for name in
                          ("meetings", "platforms", "contacts", "referrals", "collaborations")}}
                      for (first, second), link in sorted(self.links.items())],
            "new_bridges": [list(pair) for pair in self.new_bridges],
            "gemeenten": [{"gemeente": name, "came": came, "never_came": never}
                          for name, came, never in self.gemeenten],
        }


def _pair(first: str, second: str) -> Pair:
    return (first, second) if first <= second else (second, first)


@dataclass(frozen=True)
class _Taker:
    """One registration that took part, with the sector it is counted under (kept after an erasure)."""

    registration_id: int
    event_id: int
    partner_id: int
    sector_id: int | None


def _held(start, end) -> list[Event]:  # noqa: ANN001 (naive UTC datetimes, like indicators.Period.bounds)
    query = select(Event).where(Event.starts_at < end, Event.starts_at <= utcnow(), Event.external_url == "",
                                Event.status.in_((EventStatus.PUBLISHED, EventStatus.CLOSED)))
    if start is not None:
        query = query.where(Event.starts_at >= start)
    return list(db.session.scalars(query.order_by(Event.starts_at, Event.id)))


def _takers(event_ids: Iterable[int]) -> list[_Taker]:
    """Confirmed registrations of the events that took part: present where attendance is known."""
    rows = db.session.execute(
        select(Registration.id, Registration.event_id, Registration.partner_id,
               func.coalesce(Registration.counted_sector_id, Partner.sector_id), Registration.attended)
        .join(Partner, Partner.id == Registration.partner_id)
        .where(Registration.event_id.in_(list(event_ids)), Registration.status == RegistrationStatus.CONFIRMED))
    rows = list(rows)
    known = {event_id for _, event_id, _, _, attended in rows if attended}
    return [_Taker(rid, event_id, partner_id, sector_id) for rid, event_id, partner_id, sector_id, attended in rows
            if attended or event_id not in known]


class _Names:
    """Sector or cluster names for sector ids, at the chosen level."""

    def __init__(self, level: str, language: str = "nl") -> None:
        if level not in LEVELS:
            raise ValueError(f"level must be one of {LEVELS}")
        sectors = list(db.session.scalars(select(Sector).order_by(Sector.position, Sector.name)))
        self.level = level
        if level == "sector":
            self.by_sector = {s.id: s.label(language) for s in sectors}
        else:
            self.by_sector = {s.id: s.cluster.name for s in sectors}
        self.all = list(dict.fromkeys(self.by_sector.values()))

    def of(self, sector_id: int | None) -> str | None:
        return self.by_sector.get(sector_id) if sector_id is not None else None


def _meetings(events: list[Event], takers: list[_Taker], names: _Names) -> Counter[Pair]:
    """Face-to-face meetings per pair, from the final plan of each speeddate."""
    label = {str(t.registration_id): names.of(t.sector_id) for t in takers}
    counts: Counter[Pair] = Counter()
    for event in events:
        if event.type != EventType.SPEEDDATE or (row := published_plan(event.id)) is None:
            continue
        for meeting in solver.meetings_of(plan_of(row)):
            first, second = label.get(meeting.inner or ""), label.get(meeting.outer or "")
            if first is not None and second is not None:
                counts[_pair(first, second)] += 1
    return counts


def _platforms(events: list[Event], takers: list[_Taker], names: _Names) -> Counter[Pair]:
    """For each pair of sectors, the platforms where both took part (a pair of people of one sector counts too)."""
    present: dict[int, Counter[str]] = defaultdict(Counter)
    for taker in takers:
        if (name := names.of(taker.sector_id)) is not None:
            present[taker.event_id][name] += 1
    counts: Counter[Pair] = Counter()
    for event in events:
        if event.type != EventType.ELP:
            continue
        here = present[event.id]
        for first, second in combinations(sorted(here), 2):
            counts[(first, second)] += 1
        counts.update((name, name) for name, number in here.items() if number > 1)
    return counts


def _outcomes(events: list[Event], names: _Names) -> dict[str, Counter[Pair]]:
    """Follow-up answers per pair: contacts, referrals, collaborations."""
    own = Registration.__table__.alias("own")
    other = Registration.__table__.alias("other")
    own_partner, other_partner = Partner.__table__.alias("own_partner"), Partner.__table__.alias("other_partner")
    rows = db.session.execute(
        select(FollowupContact.outcome,
               func.coalesce(own.c.counted_sector_id, own_partner.c.sector_id),
               func.coalesce(other.c.counted_sector_id, other_partner.c.sector_id))
        .join(FollowupResponse, FollowupResponse.id == FollowupContact.response_id)
        .join(own, own.c.id == FollowupResponse.registration_id)
        .join(own_partner, own_partner.c.id == own.c.partner_id)
        .join(other, other.c.id == FollowupContact.met_registration_id)
        .join(other_partner, other_partner.c.id == other.c.partner_id)
        .where(FollowupResponse.event_id.in_([event.id for event in events])))
    result: dict[str, Counter[Pair]] = {name: Counter() for name in OUTCOMES.values()}
    for outcome, first_id, second_id in rows:
        first, second = names.of(first_id), names.of(second_id)
        if outcome in OUTCOMES and first is not None and second is not None:
            result[OUTCOMES[outcome]][_pair(first, second)] += 1
    return result


def _met_before(start, names: _Names) -> set[Pair]:  # noqa: ANN001
    """Pairs that met at any event held before the period."""
    events = _held(None, start)
    takers = _takers(event.id for event in events)
    return set(_meetings(events, takers, names)) | set(_platforms(events, takers, names))


def _per_gemeente(takers: list[_Taker], names: _Names) -> list[tuple[str, list[str], list[str]]]:
    partner_ids = {taker.partner_id for taker in takers}
    sector_of = {taker.partner_id: names.of(taker.sector_id) for taker in takers}
    came: dict[int, set[str]] = defaultdict(set)
    for partner_id, gemeente_id in db.session.execute(
            select(partner_gemeenten.c.partner_id, partner_gemeenten.c.gemeente_id)
            .where(partner_gemeenten.c.partner_id.in_(partner_ids))):
        if (name := sector_of.get(partner_id)) is not None:
            came[gemeente_id].add(name)
    result = []
    for gemeente in db.session.scalars(select(Gemeente).order_by(Gemeente.name)):
        here = came.get(gemeente.id, set())
        result.append((gemeente.name, [n for n in names.all if n in here], [n for n in names.all if n not in here]))
    return result


def network(start, end, level: str = "sector", language: str = "nl") -> Network:  # noqa: ANN001
    """The network of the events held from `start` up to (not including) `end` (naive UTC); sector names in
    `language`."""
    names = _Names(level, language)
    events = _held(start, end)
    takers = _takers(event.id for event in events)
    meetings, platforms = _meetings(events, takers, names), _platforms(events, takers, names)
    outcomes = _outcomes(events, names)
    pairs = set(meetings) | set(platforms) | {pair for counts in outcomes.values() for pair in counts}
    links = {pair: Link(meetings[pair], platforms[pair], *(outcomes[name][pair] for name in OUTCOMES.values()))
             for pair in pairs}
    before = _met_before(start, names)
    bridges = sorted(pair for pair in set(meetings) | set(platforms) if pair[0] != pair[1] and pair not in before)
    return Network(level, names.all, links, bridges, _per_gemeente(takers, names))
