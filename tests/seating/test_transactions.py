"""Seating changes are units of work: a step that fails undoes the steps before it, and leaves no lock behind."""

import sqlite3

import pytest
from sqlalchemy import select

from speeddate import solver
from speeddate.extensions import db
from speeddate.models import JobStatus, SeatingPlan
from speeddate.seating import after_the_day, constraints, jobs, on_the_day, plans
from tests.seating.test_services import confirmed, generated


def plan_rows(event) -> list[tuple[int, str]]:
    db.session.rollback()
    return [(row.id, row.status.value) for row in db.session.scalars(
        select(SeatingPlan).where(SeatingPlan.event_id == event.id).order_by(SeatingPlan.id))]


def failing_after(real):
    """`real`, which then raises: a later step of the same change that fails after the earlier ones wrote."""
    def fail(*args, **kwargs):
        real(*args, **kwargs)
        raise RuntimeError("a later step fails")

    return fail


def test_a_replan_whose_publishing_fails_keeps_the_published_plan_and_the_draft(speeddate, monkeypatch):
    event = speeddate(10)
    plans.publish(generated(event).id)
    generated(event)  # a draft made after publishing: storing the re-plan supersedes it
    for registration in confirmed(event)[2:]:
        registration.attended = True
    db.session.commit()
    before = plan_rows(event)
    monkeypatch.setattr(plans, "publish", failing_after(plans.publish))
    job = jobs.run_job(jobs.request_job(event.id, "replan", 1.0, background=False).id)
    assert job.status == JobStatus.FAILED and "a later step fails" in job.error
    assert plan_rows(event) == before


def other_connection_can_write() -> bool:
    """Whether a second connection takes SQLite's write lock at once (no waiting)."""
    connection = sqlite3.connect(db.engine.url.database, timeout=0, isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        connection.close()


def a_plan_the_checker_rejects(event) -> None:
    people = [str(r.id) for r in confirmed(event)]
    twice = solver.Plan(rounds=1, circles=(solver.Circle(1, (people[0],), (people[0],)),), upper_bound=0)
    plans.store_plan(event.id, twice, [int(p) for p in people])


REFUSALS = {
    "publish an unknown plan": lambda event: plans.publish(999_999),
    "swap in an unknown plan": lambda event: plans.swap(999_999, 1, 2),
    "save settings of an unknown event": lambda event: constraints.save_settings(
        999_999, constraints.SettingsData(2, 7, 1, None, True)),
    "start the timer of an unknown event": lambda event: on_the_day.timer_action(999_999, "start"),
    "send who-you-met mails of an unknown event": lambda event: after_the_day.send_who_you_met(999_999),
    "store a plan the checker rejects": a_plan_the_checker_rejects,
}


@pytest.mark.parametrize("refused", REFUSALS.values(), ids=REFUSALS.keys())
def test_a_refused_seating_change_leaves_no_write_lock_behind(speeddate, refused):
    event = speeddate(4)
    with pytest.raises(Exception):  # noqa: B017 - each refusal raises its own error; the lock is the point
        refused(event)
    assert other_connection_can_write()
