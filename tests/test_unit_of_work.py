"""Services compose into one unit of work: a step that fails late leaves nothing behind, not even for the next
action, which on the old code joined the abandoned transaction and committed its half."""

import sqlite3

import pytest
from sqlalchemy import func, select

from speeddate.directory import services as directory
from speeddate.events import services as events
from speeddate.extensions import db
from speeddate.models import Event, OutboxMail, Partner, Registration, RegistrationStatus
from speeddate.privacy import services as privacy
from speeddate.zone import services as zone
from tests.support import registered, upcoming_event


def fail(*_args) -> None:
    raise RuntimeError("a later step fails")


def snapshot() -> tuple:
    """Everything the two services change: who holds which registration, places counted, mails queued."""
    db.session.expire_all()
    return (
        sorted(db.session.execute(select(Registration.id, Registration.partner_id, Registration.status)).all()),
        sorted(db.session.execute(select(Event.id, Event.confirmed_count)).all()),
        sorted(db.session.execute(select(OutboxMail.id, OutboxMail.partner_id, OutboxMail.kind)).all()),
        sorted(db.session.execute(select(Partner.id, Partner.email, Partner.erased_at)).all()),
    )


def then_another_action_commits() -> None:
    """A later, unrelated action of the same request or worker: it must not carry the failed half along."""
    zone.save_gemeente("Wingene")


def test_a_merge_that_fails_half_way_leaves_nothing_even_after_another_action(any_app, monkeypatch):
    first, second = upcoming_event("Platform 1"), upcoming_event("Platform 2")
    keep = registered("els@example.org", first, second)
    drop = registered("els.peeters@example.org", first, second)
    before = snapshot()
    # Both events hold a place twice: the merge frees one of each (locking each event), moves the mails, then fails.
    monkeypatch.setattr(directory, "_fill_missing", fail)
    with pytest.raises(RuntimeError):
        directory.merge_partners(keep, drop)
    then_another_action_commits()
    assert snapshot() == before


def test_an_erasure_that_fails_half_way_gives_no_place_up_even_after_another_action(any_app, monkeypatch):
    event = upcoming_event("Platform", capacity=1)
    erased = registered("els@example.org", event)
    registered("waiting@example.org", event)  # on the waiting list: would be promoted by the place given up
    before = snapshot()
    monkeypatch.setattr(privacy, "_anonymise", fail)
    with pytest.raises(RuntimeError):
        privacy.erase_partner(erased)
    then_another_action_commits()
    assert snapshot() == before
    assert db.session.scalar(select(func.count()).where(Registration.status == RegistrationStatus.WAITLISTED)) == 1


def test_a_refused_change_releases_the_write_lock_at_once(app):
    """A service that refuses (raises) rolls back: another process can write without waiting."""
    event = upcoming_event("Platform", capacity=1)
    registered("els@example.org", event)
    registered("waiting@example.org", event)
    waiting = db.session.scalar(select(Registration.id).where(Registration.status == RegistrationStatus.WAITLISTED))
    with pytest.raises(events.EventError):
        events.set_attendance(waiting, True)  # only confirmed people can be checked in
    other = sqlite3.connect(db.engine.url.database, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # "database is locked" at once if the refused change still held the lock
        other.execute("ROLLBACK")
    finally:
        other.close()
