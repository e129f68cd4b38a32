"""Queries per page, counted: a page that shows one event, one page of a list or one registration runs the same
number of queries whatever the zone's size, so that an N+1 (a lazy load per row) cannot come back unnoticed."""

from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy import select

from speeddate.events import services as events
from speeddate.extensions import db
from speeddate.models import EventType, Registration
from speeddate.partners.services import PartnerDetails, register
from speeddate.seating import jobs
from speeddate.zone.services import sectors_by_cluster
from tests.support import local_now, log_in_organiser


@contextmanager
def counted():
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")):
            statements.append(statement)

    sqlalchemy_event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sqlalchemy_event.remove(db.engine, "before_cursor_execute", count)


def a_zone(people: int, waiting: int | None = None):
    """A speeddate with `people` confirmed and `waiting` (by default a fifth as many) on the waiting list, of
    varied sectors and organisations."""
    start = local_now().replace(second=0, microsecond=0) + timedelta(days=14)
    event = events.create_event(events.EventData(type=EventType.SPEEDDATE, title="Speeddate", starts_at=start,
                                                 ends_at=start + timedelta(hours=2), capacity=people,
                                                 catering=True), publish=True)
    waiting = people // 5 if waiting is None else waiting
    sectors = [sector for cluster in sectors_by_cluster() for sector in cluster.sectors]
    for number in range(people + waiting):
        register(event.id, f"p{number}@example.org",
                 PartnerDetails(f"First{number}", f"Last{number}", f"Organisatie {number // 2}",
                                sectors[number % len(sectors)], consent_invitations=True), dietary="Veggie")
    return event


def queries(client, url: str) -> list[str]:
    """The statements one request runs, once what a process builds on first use (the form's choices) is built."""
    client.get(url)
    db.session.remove()
    with counted() as statements:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return statements


PAGES = {
    "event page": "/admin/events/{event}",
    "event list": "/admin/events",
    "outbox of the event": "/admin/outbox/?event={event}",
    "outbox": "/admin/outbox/",
    "outbox search": "/admin/outbox/?person=Last1",
    "directory": "/admin/directory/",
    "directory search": "/admin/directory/?q=last",
    "registrations export": "/admin/events/{event}/registrations.csv",
    "catering export": "/admin/events/{event}/catering.csv",
    "registration form": "/e/{slug}",
    "personal page": "/r/{token}",
}


def page_queries(app, client, people: int) -> dict[str, int]:
    event = a_zone(people)
    token = db.session.scalar(select(Registration.token).where(Registration.event_id == event.id).limit(1))
    from speeddate import tokens

    values = {"event": event.id, "slug": event.slug, "token": tokens.sign(token)}
    return {name: len(queries(client, url.format(**values))) for name, url in PAGES.items()}


@pytest.fixture
def small_and_big(app, client):
    log_in_organiser(client)
    small = page_queries(app, client, 5)
    big = page_queries(app, client, 50)  # and ten times as many on the waiting list
    return small, big


def test_a_page_runs_as_many_queries_with_50_registrations_as_with_5(small_and_big):
    small, big = small_and_big
    grown = {name: (small[name], big[name]) for name in small if big[name] != small[name]}
    assert grown == {}, f"pages whose queries grow with the registrations (5 -> 50): {grown}"


def test_a_page_runs_few_queries(small_and_big):
    small, _ = small_and_big
    many = {name: count for name, count in small.items() if count > 15}
    assert many == {}, many


def test_the_seating_page_runs_as_many_queries_for_30_people_as_for_8(app, client):
    log_in_organiser(client)
    counts = []
    for people in (8, 30):
        event = a_zone(people, waiting=0)
        job = jobs.run_job(jobs.request_job(event.id, "generate", 0.3, background=False).id)
        assert job.plan_id is not None, job.error
        counts.append(len(queries(client, f"/admin/events/{event.id}/seating/")))
    assert counts[0] == counts[1], counts
