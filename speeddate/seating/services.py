"""Seating a speeddate: settings, constraints, solver jobs in the background, plans, publishing, the day."""

import json
import logging
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from flask import Flask, current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from speeddate import solver, tokens
from speeddate.database import begin_write
from speeddate.events import places
from speeddate.exports import to_csv, to_xlsx_sheets
from speeddate.extensions import db
from speeddate.mail import services as mails
from speeddate.models import (
    Event,
    JobStatus,
    Partner,
    PlanStatus,
    Registration,
    RegistrationStatus,
    SeatingAvoidPair,
    SeatingFixedSeat,
    SeatingJob,
    SeatingPlan,
    SeatingSettings,
)
from speeddate.models.base import utcnow
from speeddate.partners import services as partners
from speeddate.seating import seats
from speeddate.solver import io as solver_io
from speeddate.surveys.services import attendance_known, shares_contacts

log = logging.getLogger(__name__)

DEFAULT_MINUTES, DEFAULT_SWITCH = 7, 1
WELCOME_MINUTES = 30  # welcome and closing words: not for rounds
# A job still running this long after its time limit died with its process.
STUCK_GRACE = timedelta(seconds=120)
_threads: list[threading.Thread] = []


class SeatingError(Exception):
    """A seating change that cannot be made; the message says why."""


# --- settings and constraints -----------------------------------------------------------------------------------

def suggested_rounds(event: Event, minutes: int = DEFAULT_MINUTES, switch: int = DEFAULT_SWITCH) -> int:
    """As many rounds as fit in the event after the welcome, at `minutes` + `switch` a round."""
    duration = (event.ends_at - event.starts_at).total_seconds() / 60
    return max(1, int((duration - WELCOME_MINUTES) // (minutes + switch)))


def settings_of(event: Event) -> SeatingSettings:
    """The event's settings, or unsaved suggestions from its duration."""
    found = db.session.get(SeatingSettings, event.id)
    return found or SeatingSettings(event_id=event.id, rounds=suggested_rounds(event),
                                    minutes_per_round=DEFAULT_MINUTES, switch_minutes=DEFAULT_SWITCH,
                                    pairs_per_circle=None, keep_colleagues_apart=True)


@dataclass(frozen=True)
class SettingsData:
    rounds: int
    minutes_per_round: int
    switch_minutes: int
    pairs_per_circle: int | None
    keep_colleagues_apart: bool


def save_settings(event_id: int, data: SettingsData) -> SeatingSettings:
    """Store the seating settings of an event."""
    begin_write()
    event = db.session.get_one(Event, event_id)
    settings = settings_of(event)
    for name, value in data.__dict__.items():
        setattr(settings, name, value)
    db.session.add(settings)
    db.session.commit()
    return settings


def _confirmed(event_id: int, registration_id: int) -> Registration:
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.event_id != event_id or \
            registration.status != RegistrationStatus.CONFIRMED:
        db.session.rollback()
        raise SeatingError(_l("Choose someone with a confirmed place."))
    return registration


def set_fixed_seat(event_id: int, registration_id: int, side: str, seat: int, circle: int = 1) -> None:
    """Give a participant a fixed start seat (replacing an earlier one)."""
    begin_write()
    _confirmed(event_id, registration_id)
    taken = db.session.scalar(select(SeatingFixedSeat).where(
        SeatingFixedSeat.event_id == event_id, SeatingFixedSeat.side == side, SeatingFixedSeat.seat == seat,
        SeatingFixedSeat.circle == circle, SeatingFixedSeat.registration_id != registration_id))
    if taken is not None:
        db.session.rollback()
        raise SeatingError(_l("That seat is already fixed for %(name)s.", name=taken.registration.partner.full_name))
    row = db.session.get(SeatingFixedSeat, registration_id) or SeatingFixedSeat(registration_id=registration_id)
    row.event_id, row.side, row.seat, row.circle = event_id, side, seat, circle
    db.session.add(row)
    db.session.commit()


def remove_fixed_seat(event_id: int, registration_id: int) -> None:
    """Let the solver choose this participant's seat again."""
    begin_write()
    row = db.session.get(SeatingFixedSeat, registration_id)
    if row is not None and row.event_id == event_id:
        db.session.delete(row)
    db.session.commit()


def add_avoided_pair(event_id: int, first_id: int, second_id: int) -> None:
    """Two participants who must not meet."""
    if first_id == second_id:
        raise SeatingError(_l("Choose two different people."))
    begin_write()
    first, second = sorted((first_id, second_id))
    _confirmed(event_id, first)
    _confirmed(event_id, second)
    if db.session.get(SeatingAvoidPair, (first, second)) is None:
        db.session.add(SeatingAvoidPair(event_id=event_id, first_id=first, second_id=second))
    db.session.commit()


def remove_avoided_pair(event_id: int, first_id: int, second_id: int) -> None:
    """They may meet after all."""
    begin_write()
    row = db.session.get(SeatingAvoidPair, (first_id, second_id))
    if row is not None and row.event_id == event_id:
        db.session.delete(row)
    db.session.commit()


def fixed_seats(event_id: int) -> list[SeatingFixedSeat]:
    """The event's fixed seats."""
    return list(db.session.scalars(select(SeatingFixedSeat).where(SeatingFixedSeat.event_id == event_id)))


def avoided_pairs(event_id: int) -> list[SeatingAvoidPair]:
    """The event's pairs that must not meet."""
    return list(db.session.scalars(select(SeatingAvoidPair).where(SeatingAvoidPair.event_id == event_id)))


def confirmed_registrations(event_id: int) -> list[Registration]:
    """Confirmed registrations, by id."""
    return list(db.session.scalars(select(Registration).where(
        Registration.event_id == event_id, Registration.status == RegistrationStatus.CONFIRMED)
        .order_by(Registration.id)))


# --- jobs --------------------------------------------------------------------------------------------------------

def current_job(event_id: int) -> SeatingJob | None:
    """The event's most recent solver job."""
    return db.session.scalar(select(SeatingJob).where(SeatingJob.event_id == event_id)
                             .order_by(SeatingJob.id.desc()))


def is_stuck(job: SeatingJob) -> bool:
    """Running (or waiting) far longer than its time limit allows: its process is gone."""
    if job.status not in (JobStatus.QUEUED, JobStatus.RUNNING):
        return False
    since = job.started_at or job.created_at
    return utcnow() > since + timedelta(seconds=job.time_limit) + STUCK_GRACE


def request_job(event_id: int, kind: str, time_limit: float | None = None, background: bool = True) -> SeatingJob:
    """Queue a solver run ("generate" or "replan"); unless told otherwise a thread starts on it at once."""
    begin_write()
    event = db.session.get_one(Event, event_id)
    running = current_job(event.id)
    if running is not None and running.status in (JobStatus.QUEUED, JobStatus.RUNNING):
        if not is_stuck(running):
            db.session.rollback()
            raise SeatingError(_l("The solver is already working on this event."))
        _fail(running, str(_l("The solver stopped without an answer (its process ended).")))
    if kind == "replan" and seats.published_plan(event.id) is None:
        db.session.rollback()
        raise SeatingError(_l("Publish a plan first: re-planning starts from the published plan."))
    limit = time_limit or float(current_app.config.get("SEATING_TIME_LIMIT", 10.0))
    job = SeatingJob(event_id=event.id, kind=kind, status=JobStatus.QUEUED, time_limit=limit, error="")
    db.session.add(job)
    db.session.commit()
    if background and current_app.config.get("SEATING_WORKER_THREAD", True):
        start_thread(job.id)
    return job


def start_thread(job_id: int) -> None:
    """Run a job in a thread with its own app context, so that no web request waits for the solver."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    thread = threading.Thread(target=_run_in_app, args=(app, job_id), name=f"seating-job-{job_id}", daemon=True)
    _threads.append(thread)
    thread.start()


def _run_in_app(app: Flask, job_id: int) -> None:
    with app.app_context():
        try:
            run_job(job_id)
        finally:
            db.session.remove()


def wait_for_threads(timeout: float = 60) -> None:
    """Wait until every job thread of this process has finished (tests, shutdown)."""
    while _threads:
        _threads.pop().join(timeout)


def run_queued() -> int:
    """Run every queued job, oldest first (`flask seating work`); returns how many ran."""
    done = 0
    while (job_id := db.session.scalar(select(SeatingJob.id).where(SeatingJob.status == JobStatus.QUEUED)
                                       .order_by(SeatingJob.id))) is not None:
        run_job(job_id)
        done += 1
    return done


def run_job(job_id: int) -> SeatingJob:
    """Run the solver for a job and store its plan; on failure the previous plan stays and the job says why."""
    begin_write()
    job = db.session.get_one(SeatingJob, job_id)
    if job.status != JobStatus.QUEUED:
        db.session.rollback()
        return job
    job.status, job.started_at = JobStatus.RUNNING, utcnow()
    db.session.commit()
    try:
        plan_id = _generate(job) if job.kind == "generate" else _replan(job)
    except (solver.InputError, solver.PlanError, SeatingError, TimeoutError) as error:
        db.session.rollback()
        return _finish_failed(job_id, str(error))
    except Exception as error:  # noqa: BLE001 - whatever broke, the organiser must learn it and the plan stays
        log.exception("seating job %s failed", job_id)
        db.session.rollback()
        return _finish_failed(job_id, f"{type(error).__name__}: {error}")
    begin_write()
    job = db.session.get_one(SeatingJob, job_id)
    job.status, job.plan_id, job.finished_at = JobStatus.DONE, plan_id, utcnow()
    db.session.commit()
    return job


def _fail(job: SeatingJob, message: str) -> None:
    job.status, job.error, job.finished_at = JobStatus.FAILED, message[:2000], utcnow()


def _finish_failed(job_id: int, message: str) -> SeatingJob:
    begin_write()
    job = db.session.get_one(SeatingJob, job_id)
    _fail(job, message)
    db.session.commit()
    return job


def _options(job: SeatingJob) -> solver.Options:
    return solver.Options(time_limit=job.time_limit, seed=job.id)


def _check_time(job: SeatingJob, plan: solver.Plan) -> None:
    if plan.seconds > job.time_limit * 1.5 + 5:
        raise TimeoutError(str(_l("The solver took %(seconds)d s, more than its limit.", seconds=plan.seconds)))


def _generate(job: SeatingJob) -> int:
    event = db.session.get_one(Event, job.event_id)
    people = confirmed_registrations(event.id)
    instance = seats.instance_for(event.id, people, settings_of(event))
    db.session.rollback()  # no transaction open while the solver thinks
    plan = solver.solve(instance, _options(job))
    _check_time(job, plan)
    return store_plan(event.id, plan, [r.id for r in people]).id


def _replan(job: SeatingJob) -> int:
    event = db.session.get_one(Event, job.event_id)
    previous = seats.published_plan(event.id)
    if previous is None:
        raise SeatingError(str(_l("Publish a plan first: re-planning starts from the published plan.")))
    present = [r for r in confirmed_registrations(event.id) if r.attended]
    if len(present) < 2:
        raise SeatingError(str(_l("Check at least two people in before re-planning.")))
    instance = seats.instance_for(event.id, present, settings_of(event))
    old = seats.plan_of(previous)
    previous_id = previous.id
    db.session.rollback()
    plan = solver.replan(instance, old.circles, _options(job))
    _check_time(job, plan)
    before, after = seats.seats(old), seats.seats(plan)
    moved = sorted(int(p) for p, seat in after.items() if p in before and before[p] != seat)
    row = store_plan(event.id, plan, [r.id for r in present], replanned_from=previous_id, moved=moved)
    publish(row.id, remind=False)
    return row.id


# --- plans -------------------------------------------------------------------------------------------------------

def check_stored(row: SeatingPlan) -> solver.Figures:
    """The checker's figures for a stored plan, against the registrations it was made from."""
    event = db.session.get_one(Event, row.event_id)
    instance = seats.instance_for(event.id, seats.plan_registrations(row), settings_of(event),
                                  keep_colleagues_apart=True)
    return solver.check(instance, seats.plan_of(row))


def _write_plan(row: SeatingPlan, plan: solver.Plan) -> None:
    row.plan_json = solver_io.plan_to_json(plan)
    row.solver_status, row.upper_bound = plan.status, plan.upper_bound
    figures = check_stored(row)
    row.same_organisation, row.same_sector = figures.same_organisation, figures.same_sector
    row.distinct_sectors_total, row.distinct_sectors_min = figures.distinct_sectors_total, figures.distinct_sectors_min


def store_plan(event_id: int, plan: solver.Plan, registration_ids: list[int], replanned_from: int | None = None,
               moved: list[int] | None = None) -> SeatingPlan:
    """Store a plan as a draft after the checker accepts it against the event's registrations."""
    begin_write()
    row = SeatingPlan(event_id=event_id, status=PlanStatus.DRAFT, registration_ids=json.dumps(registration_ids),
                      moved_ids=json.dumps(moved or []), replanned_from_id=replanned_from, generated_at=utcnow())
    _write_plan(row, plan)
    old_drafts = db.session.scalars(select(SeatingPlan).where(SeatingPlan.event_id == event_id,
                                                              SeatingPlan.status == PlanStatus.DRAFT))
    for draft in old_drafts:
        draft.status = PlanStatus.SUPERSEDED
    db.session.add(row)
    db.session.commit()
    return row


def swap(plan_id: int, first_id: int, second_id: int) -> SeatingPlan:
    """Swap two people's start seats by hand; the figures are recomputed, a published plan updates their mails."""
    begin_write()
    row = db.session.get_one(SeatingPlan, plan_id)
    if row.status == PlanStatus.SUPERSEDED:
        db.session.rollback()
        raise SeatingError(_l("This plan has been replaced; swap in the current one."))
    plan = seats.plan_of(row)
    a, b = str(first_id), str(second_id)
    where = seats.seats(plan)
    if a == b or a not in where or b not in where:
        db.session.rollback()
        raise SeatingError(_l("Choose two different people from this plan."))
    fixed = {f.registration_id for f in fixed_seats(row.event_id)}
    if first_id in fixed or second_id in fixed:
        db.session.rollback()
        raise SeatingError(_l("Someone with a fixed seat keeps it; remove the fixed seat first."))
    swapped = {a: b, b: a}
    circles = tuple(solver.Circle(c.circle, tuple(swapped.get(p, p) if p else p for p in c.inner),
                                  tuple(swapped.get(p, p) if p else p for p in c.outer)) for c in plan.circles)
    _write_plan(row, solver.Plan(plan.rounds, circles, upper_bound=plan.upper_bound, status="FEASIBLE"))
    if row.status == PlanStatus.PUBLISHED:
        for registration_id in (first_id, second_id):
            _remind_again(db.session.get_one(Registration, registration_id))
    db.session.commit()
    return row


def _remind_again(registration: Registration) -> None:
    """Re-render the pending reminder, so that it names the seat now planned."""
    if registration.status == RegistrationStatus.CONFIRMED:
        mails.schedule(registration)


def publish(plan_id: int, remind: bool = True) -> SeatingPlan:
    """Make a plan the one participants see; pending reminders are rendered again with their seat."""
    begin_write()
    row = db.session.get_one(SeatingPlan, plan_id)
    if row.status != PlanStatus.DRAFT:
        db.session.rollback()
        raise SeatingError(_l("Only a draft plan can be published."))
    before = seats.published_plan(row.event_id)
    if before is not None:
        before.status = PlanStatus.SUPERSEDED
        db.session.flush()
    row.status, row.published_at = PlanStatus.PUBLISHED, utcnow()
    db.session.flush()
    if remind:
        for registration in seats.plan_registrations(row):
            _remind_again(registration)
    db.session.commit()
    return row


@dataclass
class Staleness:
    """Registrations changed since a plan was made."""

    cancelled: list[Registration] = field(default_factory=list)
    added: list[Registration] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.cancelled or self.added)


def staleness(row: SeatingPlan) -> Staleness:
    """Who cancelled or came in since the plan; a re-plan on the day is compared with the people present."""
    made_from = set(json.loads(row.registration_ids))
    confirmed = confirmed_registrations(row.event_id)
    now = {r.id for r in confirmed if r.attended or row.replanned_from_id is None}
    by_id = {r.id: r for r in seats.plan_registrations(row)} | {r.id: r for r in confirmed}
    return Staleness(cancelled=[by_id[i] for i in sorted(made_from - now)],
                     added=[by_id[i] for i in sorted(now - made_from)])


# --- quality --------------------------------------------------------------------------------------------------------

@dataclass
class Quality:
    """What the organiser sees about a plan."""

    figures: solver.Figures
    people: int
    upper_bound: int
    mean_distinct: float
    matrix_sectors: list[str]
    matrix: dict[tuple[str, str], int]
    pauses: list[tuple[int, Registration]]
    names: dict[str, Registration]

    @property
    def gap(self) -> int:
        """How far the distinct-sector total may still be from the best possible."""
        return max(0, self.upper_bound - self.figures.distinct_sectors_total)


def quality(row: SeatingPlan, language: str = "nl") -> Quality:
    """Figures from the checker, the sector x sector matrix and who pauses when."""
    figures = check_stored(row)
    registrations = {str(r.id): r for r in seats.plan_registrations(row)}

    def sector(person: str) -> str:
        partner = registrations[person].partner
        return partner.sector.label(language) if partner.sector else "—"

    matrix: Counter[tuple[str, str]] = Counter()
    pauses = []
    for m in solver.meetings_of(seats.plan_of(row)):
        if m.inner and m.outer:
            a, b = sorted((sector(m.inner), sector(m.outer)))
            matrix[(a, b)] += 1
            if a != b:
                matrix[(b, a)] += 1
        elif m.inner or m.outer:
            pauses.append((m.round, registrations[m.inner or m.outer or ""]))
    people = len(registrations)
    return Quality(figures, people, row.upper_bound, figures.distinct_sectors_total / people if people else 0,
                   sorted({sector(p) for p in registrations}), dict(matrix), pauses, registrations)


@dataclass(frozen=True)
class SeatRow:
    """One seat in one round, with names, for printouts and exports."""

    round: int
    circle: int
    seat: int
    inner: Registration | None
    outer: Registration | None


def seat_rows(row: SeatingPlan) -> list[SeatRow]:
    """Every seat of every round of a plan."""
    people = {str(r.id): r for r in seats.plan_registrations(row)}
    return [SeatRow(m.round, m.circle, m.seat, people.get(m.inner or ""), people.get(m.outer or ""))
            for m in solver.meetings_of(seats.plan_of(row))]


def pairs_per_round(row: SeatingPlan) -> int:
    """Seats per side of the largest circle (for the seat labels)."""
    return max((c.pairs for c in seats.plan_of(row).circles), default=0)


def circle_count(row: SeatingPlan) -> int:
    """Circles in a plan."""
    return len(seats.plan_of(row).circles)


def round_count(row: SeatingPlan) -> int:
    """Rounds in a plan."""
    return seats.plan_of(row).rounds


def labels(row: SeatingPlan) -> list[seats.Seat]:
    """One label per chair: every seat on both sides of every circle."""
    plan = seats.plan_of(row)
    return [seats.Seat(c.circle, side, n, len(plan.circles)) for c in plan.circles
            for side in ("inner", "outer") for n in range(1, c.pairs + 1)]


def people_with_seats(row: SeatingPlan) -> list[tuple[Registration, seats.Seat]]:
    """Everybody in a plan with their start seat, by name."""
    where = seats.seats(seats.plan_of(row))
    people = [(r, where[str(r.id)]) for r in seats.plan_registrations(row) if str(r.id) in where]
    return sorted(people, key=lambda p: (p[0].partner.last_name.lower(), p[0].partner.first_name.lower()))


def exported(row: SeatingPlan, file_format: str) -> bytes:
    """The plan as the solver's JSON contract, or one row per seat per round as CSV or XLSX."""
    if file_format == "json":
        return solver_io.plan_to_json(seats.plan_of(row)).encode()
    columns = ("round", "circle", "seat", "inner_id", "inner_name", "outer_id", "outer_name")
    rows = [(s.round, s.circle, s.seat, s.inner.id if s.inner else "", s.inner.partner.full_name if s.inner else "",
             s.outer.id if s.outer else "", s.outer.partner.full_name if s.outer else "") for s in seat_rows(row)]
    if file_format == "csv":
        return to_csv(columns, rows)
    starts = [(r.id, r.partner.full_name, seat.circle, seat.side, seat.seat) for r, seat in people_with_seats(row)]
    return to_xlsx_sheets([("plan", columns, rows),
                           ("start seats", ("id", "name", "circle", "side", "seat"), starts)])


# --- the day --------------------------------------------------------------------------------------------------------

def checkin_list(event_id: int, query: str = "") -> list[Registration]:
    """Confirmed people whose name or organisation contains the query, by last name."""
    words = query.lower().split()

    def matches(registration: Registration) -> bool:
        partner = registration.partner
        text = f"{partner.first_name} {partner.last_name} {partner.organisation.name if partner.organisation else ''}"
        return all(word in text.lower() for word in words)

    people = [r for r in confirmed_registrations(event_id) if matches(r)]
    return sorted(people, key=lambda r: (r.partner.last_name.lower(), r.partner.first_name.lower()))


def add_walk_in(event_id: int, email: str, details: partners.PartnerDetails) -> Registration:
    """Someone who turns up unregistered: a place (the room has one: capacity grows if needed), checked in."""
    email = partners.normalise_email(email)
    event = places.lock_event(event_id)
    partner = db.session.scalar(select(Partner).where(Partner.email == email))
    registration = partners.active_registration(event, partner) if partner else None
    if partner is None:
        partner = Partner(email=email, email_confirmed_at=utcnow())  # the organiser checks them in, in person
        partners.apply_details(partner, details)
        db.session.add(partner)
    if registration is None or registration.status != RegistrationStatus.CONFIRMED:
        if event.free_places < 1:
            event.capacity += 1
            db.session.flush()
        registration = registration or Registration(event=event, partner=partner, token=tokens.new_token())
        places.confirm(registration, event)
        db.session.add(registration)
    registration.attended = True
    db.session.commit()
    return registration


# --- after the day --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Contact:
    """Someone met, as the who-you-met mail shows them: exactly what the consent names (name, organisation, email)."""

    name: str
    organisation: str
    email: str


def contacts_met(registration: Registration) -> list[Contact]:
    """The people this participant actually met (final plan, checked in) who agreed to share their details."""
    met = seats.met_ids(registration) or set()
    people = db.session.scalars(select(Registration).where(Registration.id.in_(met)).order_by(Registration.id))
    result = [Contact(other.partner.full_name, other.partner.organisation.name if other.partner.organisation else "",
                      other.partner.email)
              for other in people if other.attended and shares_contacts(other.partner)]
    return sorted(result, key=lambda c: c.name.lower())


def send_who_you_met(event_id: int) -> int:
    """Put a who-you-met mail in the outbox for everyone checked in, once the event is over; a second call adds
    none. Refused (SeatingError) before the end, without a published plan, or when nobody was checked in."""
    begin_write()
    event = db.session.get_one(Event, event_id)
    refusal = _who_you_met_refusal(event)
    if refusal is not None:
        db.session.rollback()
        raise SeatingError(refusal)
    count = sum(queue_who_you_met(registration) for registration in confirmed_registrations(event_id)
                if registration.attended and registration.partner.erased_at is None)
    db.session.commit()
    return count


def _who_you_met_refusal(event: Event) -> object | None:
    if event.ends_at > utcnow():
        return _l("The event has not ended yet: the who-you-met mails can be sent once it is over.")
    if seats.published_plan(event.id) is None:
        return _l("There is no published plan: nobody knows whom they met.")
    if not attendance_known(event):
        return _l("Nobody is checked in: the who-you-met mail goes only to people who were there.")
    return None


def queue_who_you_met(registration: Registration, key: str | None = None) -> bool:
    """Queue one participant's who-you-met mail (no commit); False when nobody they met shares their details."""
    contacts = contacts_met(registration)
    if contacts:
        mails.enqueue("who_you_met", registration, key=key, contacts=contacts)
    return bool(contacts)


# --- round timer ----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TimerState:
    """Where the round timer is: round n of R, talking or switching, seconds left, paused."""

    started: bool
    paused: bool
    round: int
    rounds: int
    phase: str  # "talk", "switch" or "done"
    seconds_left: int
    round_seconds: int
    switch_seconds: int


def timer_state(settings: SeatingSettings) -> TimerState:
    """Derived from the stored start time, so a reload (or a second screen) shows the same clock."""
    talk, switch = settings.minutes_per_round * 60, settings.switch_minutes * 60
    if settings.timer_started_at is None:
        return TimerState(False, False, 1, settings.rounds, "talk", talk, talk, switch)
    now = settings.timer_paused_at or utcnow()
    elapsed = max(0, int((now - settings.timer_started_at).total_seconds()))
    index, into = divmod(elapsed, talk + switch)
    if index >= settings.rounds or (index == settings.rounds - 1 and into >= talk):
        return TimerState(True, settings.timer_paused_at is not None, settings.rounds, settings.rounds, "done", 0,
                          talk, switch)
    phase, left = ("talk", talk - into) if into < talk else ("switch", talk + switch - into)
    return TimerState(True, settings.timer_paused_at is not None, index + 1, settings.rounds, phase, left, talk,
                      switch)


def timer_action(event_id: int, action: str) -> TimerState:
    """Start (or restart), pause, resume, or reset the round timer."""
    begin_write()
    event = db.session.get_one(Event, event_id)
    settings = settings_of(event)
    now = utcnow()
    if action == "start":
        settings.timer_started_at, settings.timer_paused_at = now, None
    elif action == "pause" and settings.timer_started_at and not settings.timer_paused_at:
        settings.timer_paused_at = now
    elif action == "resume" and settings.timer_started_at and settings.timer_paused_at:
        settings.timer_started_at += now - settings.timer_paused_at
        settings.timer_paused_at = None
    elif action == "reset":
        settings.timer_started_at = settings.timer_paused_at = None
    db.session.add(settings)
    db.session.commit()
    return timer_state(settings)
