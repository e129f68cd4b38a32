"""The action plan's indicators over a period: one function per figure, all computed from the data.

Definitions (shown on the report page too):
- an event is *held* when it was published or closed (not a draft, not cancelled) and has started;
- its *registrations* are the confirmed ones (people who held a place); the waiting list is counted apart;
- attendance is known for an event once at least one person is marked present; the *no-show rate* is
  (confirmed - attended) / confirmed over those events only;
- *participants* are the people present where attendance is known, the confirmed people elsewhere; partners,
  organisations, sectors and clusters *reached* are counted over participants.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import func, select

from speeddate.extensions import db
from speeddate.i18n import to_local, to_utc
from speeddate.models import (
    Cluster,
    Event,
    EventStatus,
    Partner,
    Registration,
    RegistrationStatus,
    Sector,
)
from speeddate.models.base import utcnow
from speeddate.reports import network
from speeddate.surveys import results

EVALUATION_TARGET = 3.5
NO_GEMEENTE = "—"


@dataclass(frozen=True)
class Period:
    """Calendar days from `start` up to and including `end`, in Brussels time."""

    start: date
    end: date

    @classmethod
    def year(cls, year: int) -> "Period":
        """The calendar year."""
        return cls(date(year, 1, 1), date(year, 12, 31))

    @property
    def is_calendar_year(self) -> bool:
        """Whether the period is one whole calendar year, the span of the action plan's targets."""
        return self.start == date(self.start.year, 1, 1) and self.end == date(self.start.year, 12, 31)

    def bounds(self) -> tuple[datetime, datetime]:
        """The period as naive UTC times, end exclusive."""
        return (to_utc(datetime.combine(self.start, time.min)),
                to_utc(datetime.combine(date.fromordinal(self.end.toordinal() + 1), time.min)))


@dataclass(frozen=True)
class Seat:
    """One registration at a held event, with what the figures need of its partner."""

    event_id: int
    partner_id: int
    organisation_id: int | None
    sector_id: int | None
    status: RegistrationStatus
    attended: bool


@dataclass(frozen=True)
class YearData:
    """Everything the figures are computed from, loaded in two queries."""

    events: list[Event]
    seats: list[Seat]
    clusters: dict[int, str]  # cluster id -> name, every cluster of the zone
    sector_cluster: dict[int, int]  # sector id -> cluster id
    sector_names: dict[int, str]


def load(period: Period) -> YearData:
    """The zone's own held events of the period and their registrations (events elsewhere count apart)."""
    events = [event for event in _events_of(period) if not event.elsewhere]
    rows = db.session.execute(
        select(Registration.event_id, Registration.partner_id,
               # An erased partner's organisation and sector are kept on their registrations only.
               func.coalesce(Registration.counted_organisation_id, Partner.organisation_id),
               func.coalesce(Registration.counted_sector_id, Partner.sector_id),
               Registration.status, Registration.attended)
        .join(Partner, Partner.id == Registration.partner_id)
        .where(Registration.event_id.in_([event.id for event in events])))
    sectors = list(db.session.scalars(select(Sector)))
    return YearData(events=events, seats=[Seat(*row) for row in rows],
                    clusters={c.id: c.name for c in db.session.scalars(select(Cluster).order_by(Cluster.position))},
                    sector_cluster={s.id: s.cluster_id for s in sectors}, sector_names={s.id: s.name for s in sectors})


def _events_of(period: Period) -> list[Event]:
    """The period's published events that have started: the zone's own and those it spread from elsewhere."""
    start, end = period.bounds()
    return list(db.session.scalars(
        select(Event).where(Event.starts_at >= start, Event.starts_at < end, Event.starts_at <= utcnow(),
                            Event.status.in_((EventStatus.PUBLISHED, EventStatus.CLOSED)))
        .order_by(Event.starts_at, Event.id)))


def events_spread(period: Period) -> dict[str, object]:
    """Third parties' events the zone announced (action plan: "verspreid (van derden)"), apart from its own."""
    spread = [event for event in _events_of(period) if event.elsewhere]
    return {"events_spread": len(spread),
            "events_spread_by_type": dict(Counter(event.type.value for event in spread))}


# Which seats count -------------------------------------------------------------------------------------------------

def attendance_known(data: YearData) -> set[int]:
    """Events where someone was marked present, so that attendance was recorded."""
    return {seat.event_id for seat in data.seats if seat.attended}


def confirmed(data: YearData) -> list[Seat]:
    """Registrations that held a place."""
    return [seat for seat in data.seats if seat.status == RegistrationStatus.CONFIRMED]


def participants(data: YearData) -> list[Seat]:
    """Present people where attendance is known, confirmed people elsewhere."""
    known = attendance_known(data)
    return [seat for seat in confirmed(data) if seat.attended or seat.event_id not in known]


# The figures -------------------------------------------------------------------------------------------------------

def events_held(data: YearData) -> int:
    """Number of events held."""
    return len(data.events)


def events_by_type(data: YearData) -> dict[str, int]:
    """Events held per event type."""
    return dict(Counter(event.type.value for event in data.events))


def events_by_gemeente(data: YearData) -> dict[str, int]:
    """Events held per gemeente (events without one, such as webinars, under '—')."""
    return dict(Counter(event.gemeente.name if event.gemeente else NO_GEMEENTE for event in data.events))


def registrations(data: YearData) -> int:
    """Confirmed registrations."""
    return len(confirmed(data))


def waitlisted(data: YearData) -> int:
    """People still on a waiting list when the event took place."""
    return sum(seat.status == RegistrationStatus.WAITLISTED for seat in data.seats)


def attended(data: YearData) -> int:
    """People marked present."""
    return sum(seat.attended for seat in confirmed(data))


def no_show_rate(data: YearData) -> float | None:
    """Share of confirmed people who did not come, over events whose attendance was recorded."""
    known = attendance_known(data)
    expected = [seat for seat in confirmed(data) if seat.event_id in known]
    if not expected:
        return None
    return round(sum(not seat.attended for seat in expected) / len(expected), 4)


def unique_partners(data: YearData) -> int:
    """Different people among the participants."""
    return len({seat.partner_id for seat in participants(data)})


def unique_organisations(data: YearData) -> int:
    """Different organisations among the participants."""
    return len({seat.organisation_id for seat in participants(data) if seat.organisation_id is not None})


def sectors_reached(data: YearData) -> list[str]:
    """Names of the sectors of the participants."""
    ids = {seat.sector_id for seat in participants(data) if seat.sector_id is not None}
    return sorted(data.sector_names[sector_id] for sector_id in ids)


def participants_per_cluster(data: YearData) -> dict[str, int]:
    """Participants per cluster, every cluster of the zone listed (zero when missed)."""
    counts = Counter(data.sector_cluster[seat.sector_id] for seat in participants(data) if seat.sector_id)
    return {name: counts.get(cluster_id, 0) for cluster_id, name in data.clusters.items()}


def participants_per_sector(data: YearData) -> dict[str, int]:
    """Participants per sector that someone came from, most first (a zone has too many sectors to list them all)."""
    counts = Counter(data.sector_names[seat.sector_id] for seat in participants(data) if seat.sector_id)
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def clusters_reached(data: YearData) -> list[str]:
    """Clusters with at least one participant."""
    return [name for name, count in participants_per_cluster(data).items() if count]


def clusters_missing(data: YearData) -> list[str]:
    """Clusters of the zone that no participant came from."""
    return [name for name, count in participants_per_cluster(data).items() if not count]


def participants_per_event(data: YearData) -> list[dict[str, object]]:
    """Per event, in time order: date, title (Dutch, French, English), type, gemeente, confirmed and participants."""
    placed = Counter(seat.event_id for seat in confirmed(data))
    came = Counter(seat.event_id for seat in participants(data))
    return [{"date": to_local(event.starts_at).date().isoformat(), "title": event.title,
             "title_fr": event.text("title", "fr"), "title_en": event.text("title", "en"), "type": event.type.value,
             "gemeente": event.gemeente.name if event.gemeente else NO_GEMEENTE,
             "registrations": placed[event.id], "participants": came[event.id]} for event in data.events]


def breakdown(data: YearData, key: str) -> list[dict[str, object]]:
    """Events, registrations, participants and no-show rate per event type or per gemeente."""
    groups: dict[str, list[int]] = defaultdict(list)
    for row, event in zip(participants_per_event(data), data.events, strict=True):
        groups[str(row[key])].append(event.id)
    result = []
    for name, ids in sorted(groups.items()):
        event_ids = set(ids)
        part = YearData([e for e in data.events if e.id in event_ids],
                        [s for s in data.seats if s.event_id in event_ids], data.clusters, data.sector_cluster,
                        data.sector_names)
        result.append({key: name, "events": events_held(part), "registrations": registrations(part),
                       "participants": len(participants(part)), "no_show_rate": no_show_rate(part)})
    return result


# The action plan's indicators ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PlanIndicator:
    """One indicator of the action plan: the figure that measures it, its kind, the plan's words and its target.

    The kinds are the plan's own (ELZ WE40 action plan 2025, action sheets 1, 7 and 8): *output* is a direct
    result such as a number of editions, *process* how the action moves towards its goal, *impact* the effect
    sought. Targets are per calendar year, as the plan sets them; None where the plan names none.
    """

    key: str
    level: str  # "process", "output" or "impact"
    plan: str  # the plan's wording, in Dutch as the plan is written
    target: float | None = None


PLAN_INDICATORS = (
    PlanIndicator("elp_held", "output", "Er zijn 3 ELP georganiseerd.", 3),
    PlanIndicator("elp_participants", "output", "We bereikten in totaal min. 85 deelnemers.", 85),
    PlanIndicator("speeddates_held", "output", "Er zijn 2 speeddates georganiseerd.", 2),
    PlanIndicator("lunchwebinars_held", "process", "Aantal georganiseerde lunchwebinars"),
    PlanIndicator("lunchwebinar_participants", "output", "Aantal deelnemers aan de webinar."),
    PlanIndicator("evaluation_mean", "output", "Na elke speeddate vragen we om een evaluatie in te vullen. "
                  "We streven naar min. 3.5/5.", EVALUATION_TARGET),
    PlanIndicator("response_rate", "process", "Na elke speeddate vragen we om een evaluatie in te vullen."),
    PlanIndicator("followup_invited", "impact", "Enkele maanden na het evenement werden de partners bevraagd om "
                  "na te gaan of en hoe ze met de nieuwe contacten aan de slag zijn gegaan."),
    PlanIndicator("new_contact_share", "impact", "Partners maken kennis met het aanbod uit de regio en hebben "
                  "contactgegevens om actief door te verwijzen indien nodig."),
    PlanIndicator("referrals", "impact", "Partners hebben contactgegevens om actief door te verwijzen."),
)
# Which indicator kind each headline figure of the report serves (figures that no plan line names have none).
FIGURE_LEVELS = {
    "events_held": "output", "registrations": "output", "attended": "output", "no_show_rate": "process",
    "unique_partners": "output", "unique_organisations": "output", "sectors_reached": "output",
    "clusters_reached": "output", "evaluation_mean": "output", "response_rate": "process",
    "new_contact_share": "impact", "referrals": "impact", "collaborations": "impact",
}


def participants_of_type(data: YearData, kind: str) -> int:
    """Participants at the events of one type."""
    of_type = {event.id for event in data.events if event.type.value == kind}
    return sum(seat.event_id in of_type for seat in participants(data))


def plan_indicators(values: dict[str, object], whole_year: bool) -> list[dict[str, object]]:
    """Each indicator of the plan with its value, its target and whether the target was met.

    `met` is None without a target, without a value, or when the period is not a calendar year (a yearly target
    says nothing about a quarter).
    """
    rows = []
    for indicator in PLAN_INDICATORS:
        value = values.get(indicator.key)
        known = indicator.target is not None and value is not None and whole_year
        rows.append({"key": indicator.key, "level": indicator.level, "plan": indicator.plan,
                     "target": indicator.target, "value": value,
                     "met": float(value) >= indicator.target if known else None})  # type: ignore[arg-type,operator]
    return rows


def evaluation_figures(events: list[Event]) -> dict[str, object]:
    """Evaluation and follow-up figures of the events (computed by the surveys area)."""
    return results.evaluation_figures(events)


def report(period: Period) -> dict[str, object]:
    """Every figure of the period, one key each (the JSON export and the page both use this)."""
    data = load(period)
    evaluation = evaluation_figures(data.events)
    mean = evaluation.get("evaluation_mean")
    by_type = events_by_type(data)
    counted = {"elp_held": by_type.get("elp", 0), "elp_participants": participants_of_type(data, "elp"),
               "speeddates_held": by_type.get("speeddate", 0), "lunchwebinars_held": by_type.get("lunchwebinar", 0),
               "lunchwebinar_participants": participants_of_type(data, "lunchwebinar"), **evaluation}
    return {
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat()},
        "events_held": events_held(data),
        "events_by_type": events_by_type(data),
        "events_by_gemeente": events_by_gemeente(data),
        **events_spread(period),
        "registrations": registrations(data),
        "waitlisted": waitlisted(data),
        "attended": attended(data),
        "no_show_rate": no_show_rate(data),
        "unique_partners": unique_partners(data),
        "unique_organisations": unique_organisations(data),
        "sectors_reached": sectors_reached(data),
        "clusters_reached": clusters_reached(data),
        "clusters_missing": clusters_missing(data),
        "participants_per_cluster": participants_per_cluster(data),
        "participants_per_sector": participants_per_sector(data),
        "by_type": breakdown(data, "type"),
        "by_gemeente": breakdown(data, "gemeente"),
        "per_event": participants_per_event(data),
        **evaluation,
        "evaluation_target": EVALUATION_TARGET,
        "evaluation_target_met": None if mean is None else float(mean) >= EVALUATION_TARGET,  # type: ignore[arg-type]
        "network": network.network(*period.bounds()).as_json(),
        "plan_indicators": plan_indicators(counted, period.is_calendar_year),
    }
