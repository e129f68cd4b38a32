"""Seating services: registrations to the solver and back, checked plans, jobs, swaps, publishing, the day."""

import csv
import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from speeddate import solver
from speeddate.extensions import db
from speeddate.mail import services as mails
from speeddate.models import JobStatus, OutboxMail, Registration, RegistrationStatus, SeatingPlan
from speeddate.models.base import utcnow
from speeddate.participation import people_met
from speeddate.partners.services import cancel_registration
from speeddate.seating import constraints, jobs, on_the_day, plans, seats
from speeddate.seating.errors import SeatingError
from tests.solver.helpers import REFEREE

FIGURES = ("same_organisation", "same_sector", "distinct_sectors_total", "distinct_sectors_min")


def generated(event, time_limit: float = 1.0) -> SeatingPlan:
    job = jobs.run_job(jobs.request_job(event.id, "generate", time_limit, background=False).id)
    assert job.status == JobStatus.DONE, job.error
    return db.session.get_one(SeatingPlan, job.plan_id)


def confirmed(event) -> list[Registration]:
    return constraints.confirmed_registrations(event.id)


def refereed(plan: SeatingPlan, folder: Path) -> dict[str, int]:
    """The figures the independent referee (../shared/tools/check_plan.py) computes for a stored plan, from the
    people's own organisation and sector."""
    people = db.session.scalars(select(Registration).where(Registration.id.in_(json.loads(plan.registration_ids))))
    with (folder / "people.csv").open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["id", "name", "organisation", "sector"])
        writer.writerows([r.id, r.partner.full_name, r.partner.organisation.name, r.partner.sector.name]
                         for r in people)
    (folder / "plan.json").write_text(plan.plan_json, encoding="utf-8")
    rounds = str(json.loads(plan.plan_json)["rounds"])
    done = subprocess.run([sys.executable, str(REFEREE), str(folder / "people.csv"), str(folder / "plan.json"), rounds],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout
    figures = json.loads(done.stdout)
    return {key: figures[key] for key in FIGURES}


def stored_figures(plan: SeatingPlan) -> dict[str, int]:
    return {key: getattr(plan, key) for key in FIGURES}


def test_instance_uses_registration_ids_organisation_and_sector_names(speeddate):
    event = speeddate(4)
    people = confirmed(event)
    instance = seats.instance_for(event.id, people, constraints.settings_of(event))
    first = instance.participants[0]
    assert first.id == str(people[0].id)
    assert first.organisation == "Organisatie 0" and first.sector == "Huisartsen"


def test_generated_plan_seats_every_confirmed_person_and_passes_the_checker(speeddate, tmp_path):
    event = speeddate(10)
    plan = generated(event)
    assert sorted(json.loads(plan.registration_ids)) == [r.id for r in confirmed(event)]
    assert stored_figures(plan) == refereed(plan, tmp_path)
    assert set(seats.seats(seats.plan_of(plan))) == {str(r.id) for r in confirmed(event)}


def test_rounds_are_suggested_from_the_events_length_and_capped_by_the_circle(speeddate):
    event = speeddate(6)
    assert constraints.settings_of(event).rounds == (120 - 30) // 8
    assert seats.plan_of(generated(event)).rounds == 3


def test_a_failing_solver_leaves_the_previous_plan_and_says_why(speeddate):
    event = speeddate(6)
    first = generated(event)
    constraints.set_fixed_seat(event.id, confirmed(event)[0].id, "inner", 99)
    job = jobs.run_job(jobs.request_job(event.id, "generate", 1.0, background=False).id)
    assert job.status == JobStatus.FAILED and "seat 99" in job.error
    assert seats.latest_plan(event.id).id == first.id


def test_generation_runs_in_a_background_thread(speeddate):
    event = speeddate(6)
    job = jobs.request_job(event.id, "generate")
    jobs.wait_for_threads()
    db.session.rollback()
    assert db.session.get(type(job), job.id).status == JobStatus.DONE
    assert seats.latest_plan(event.id) is not None


def test_a_second_run_is_refused_while_one_is_queued(speeddate):
    event = speeddate(4)
    jobs.request_job(event.id, "generate", background=False)
    with pytest.raises(SeatingError):
        jobs.request_job(event.id, "generate", background=False)


def test_cancelled_and_new_registrations_are_flagged_after_generation(speeddate, register):
    event = speeddate(6)
    plan = generated(event)
    gone = confirmed(event)[0]
    cancel_registration(gone.id)
    register(event, 99)
    stale = plans.staleness(plan)
    assert [r.id for r in stale.cancelled] == [gone.id]
    assert [r.partner.first_name for r in stale.added] == ["Partner99"]


def test_swap_exchanges_two_start_seats_and_recomputes_the_figures(speeddate, tmp_path):
    event = speeddate(8)
    plan = generated(event)
    a, b = confirmed(event)[:2]
    before = seats.seats(seats.plan_of(plan))
    plans.swap(plan.id, a.id, b.id)
    after = seats.seats(seats.plan_of(plan))
    assert after[str(a.id)] == before[str(b.id)] and after[str(b.id)] == before[str(a.id)]
    assert stored_figures(plan) == refereed(plan, tmp_path)


def test_fixed_seats_and_pairs_apart_reach_the_solver(speeddate):
    event = speeddate(8)
    a, b, c = confirmed(event)[:3]
    constraints.set_fixed_seat(event.id, a.id, "inner", 1)
    constraints.add_avoided_pair(event.id, c.id, b.id)
    plan = generated(event)
    assert seats.seats(seats.plan_of(plan))[str(a.id)] == seats.Seat(1, "inner", 1)
    instance = seats.instance_for(event.id, confirmed(event), constraints.settings_of(event))
    assert solver.check(instance, seats.plan_of(plan)).avoided_pairs_met == 0


def test_publishing_shows_the_seat_and_rerenders_the_pending_reminder(app, speeddate):
    assert "start_seat" not in app.jinja_env.globals, "the mail gets the seat in its context, not from a view"
    event = speeddate(6)
    plan = generated(event)
    plans.publish(plan.id)
    person = confirmed(event)[0]
    seat = seats.start_seat(person)
    assert seat is not None
    reminder = db.session.scalar(db.select(OutboxMail).where(OutboxMail.idempotency_key == f"reminder:{person.id}"))
    assert seat.label in mails.preview_due(reminder).body_text, "the worker renders it so when it is due"


def test_replan_after_no_shows_keeps_present_people_and_lists_who_moved(speeddate):
    event = speeddate(10)
    plans.publish(generated(event).id)
    people = confirmed(event)
    for registration in people[2:]:
        registration.attended = True
    db.session.commit()
    job = jobs.run_job(jobs.request_job(event.id, "replan", 1.0, background=False).id)
    assert job.status == JobStatus.DONE, job.error
    final = seats.published_plan(event.id)
    assert final.id == job.plan_id and final.replanned_from_id is not None
    assert set(seats.seats(seats.plan_of(final))) == {str(r.id) for r in people[2:]}
    assert not plans.staleness(final)


def test_people_met_follow_the_final_plan_and_consent(speeddate):
    event = speeddate(8)
    plans.publish(generated(event).id)
    people = confirmed(event)
    shy = people[1].partner
    shy.consent_share_contacts_at = None
    for registration in people:
        registration.attended = True
    db.session.commit()
    me = people[0]
    met = seats.met_ids(me)
    assert {r.id for r in people_met(me)} == met - {people[1].id} and 0 < len(met) < len(people) - 1


def test_a_walk_in_gets_a_place_and_is_checked_in_even_when_full(speeddate):
    from speeddate.models import Sector
    from speeddate.partners.services import PartnerDetails

    event = speeddate(4, capacity=4)
    sector = db.session.scalar(db.select(Sector).where(Sector.name == "Apothekers"))
    details = PartnerDetails("Wally", "In", "Apotheek Beernem", sector)
    registration = on_the_day.add_walk_in(event.id, "Walk.In@example.org", details, over_capacity=True)
    assert registration.status == RegistrationStatus.CONFIRMED and registration.attended
    assert registration.event.capacity == 5


def test_a_walk_in_into_a_full_room_changes_nothing_unless_the_organiser_agrees(speeddate):
    from speeddate.models import Partner, Sector
    from speeddate.partners.services import PartnerDetails

    event = speeddate(4, capacity=4)
    sector = db.session.scalar(db.select(Sector).where(Sector.name == "Apothekers"))
    with pytest.raises(on_the_day.RoomFull):
        on_the_day.add_walk_in(event.id, "walk.in@example.org", PartnerDetails("Wally", "In", "Apotheek", sector))
    db.session.rollback()
    assert db.session.get(type(event), event.id).capacity == 4
    assert db.session.scalar(db.select(Partner).where(Partner.email == "walk.in@example.org")) is None


def test_the_timer_offers_only_the_buttons_that_fit_its_state_and_skips_to_the_next_round(speeddate, clock):
    event = speeddate(4)
    clock.set(utcnow())
    settings = constraints.settings_of(event)
    rounds = settings.rounds
    assert on_the_day.timer_state(settings).controls() == ("start",)
    assert on_the_day.timer_action(event.id, "start").controls() == ("pause", "next", "reset")
    clock.advance(timedelta(minutes=2))
    state = on_the_day.timer_action(event.id, "next")
    assert (state.round, state.phase, state.seconds_left) == (2, "talk", state.round_seconds)
    assert "start" not in state.controls(), "no 'start round 1' in round 2"
    assert on_the_day.timer_action(event.id, "pause").controls() == ("resume", "next", "reset")
    for _ in range(rounds):
        state = on_the_day.timer_action(event.id, "next")
    assert (state.round, state.paused) == (rounds, True) and state.controls() == ("resume", "reset")
    on_the_day.timer_action(event.id, "resume")
    clock.advance(timedelta(hours=5))
    assert on_the_day.timer_state(constraints.settings_of(event)).controls() == ("restart", "reset")


def test_timer_survives_pause_and_resume(speeddate, clock):
    event = speeddate(4)
    clock.set(utcnow())
    on_the_day.timer_action(event.id, "start")
    clock.advance(timedelta(minutes=7, seconds=30))
    state = on_the_day.timer_action(event.id, "pause")
    assert (state.round, state.phase, state.seconds_left, state.paused) == (1, "switch", 30, True)
    clock.advance(timedelta(minutes=12, seconds=30))
    state = on_the_day.timer_action(event.id, "resume")
    assert (state.round, state.phase, state.seconds_left, state.paused) == (1, "switch", 30, False)
    clock.advance(timedelta(minutes=1))
    assert on_the_day.timer_state(constraints.settings_of(event)).round == 2
