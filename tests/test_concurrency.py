"""No overbooking: real simultaneous HTTP requests against a running server, on SQLite and PostgreSQL."""

import http.cookiejar
import re
import threading
import urllib.parse
import urllib.request
from datetime import timedelta

import pytest
from sqlalchemy import select

from speeddate.events import services as events
from speeddate.extensions import db
from speeddate.models import Event, EventType, Registration, RegistrationStatus
from speeddate.tokens import sign
from tests.support import CSRF_FIELD, PARTNER, local_now, serving

RACERS = 24
CAPACITY = 6
ALREADY_CONFIRMED = 2


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One partner's HTTP session: its own cookies, hence its own CSRF token."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)

    def get(self, path: str) -> str:
        with self.opener.open(self.base_url + path, timeout=60) as response:
            return response.read().decode()

    def post(self, path: str, data: dict) -> tuple[int, str]:
        body = urllib.parse.urlencode(data, doseq=True).encode()
        try:
            with self.opener.open(self.base_url + path, data=body, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:  # 302 surfaces as an error with NoRedirect
            return error.code, error.headers.get("Location", "")


@pytest.fixture
def any_app(any_app):
    app = any_app
    app.config["RATE_LIMIT_ENABLED"] = False  # every racer posts from loopback; the limits have their own tests
    return app


def make_event(capacity: int) -> Event:
    start = local_now() + timedelta(days=10)
    return events.create_event(events.EventData(type=EventType.SPEEDDATE, title="Laatste plaatsen", starts_at=start,
                                                ends_at=start + timedelta(hours=2), capacity=capacity), publish=True)


def race(base_url: str, path: str, forms: list[dict]) -> list[tuple[int, str]]:
    """Every browser loads the form first, then all post at the same moment."""
    browsers = [Browser(base_url) for _ in forms]
    tokens = [CSRF_FIELD.search(b.get(path)) for b in browsers]
    barrier = threading.Barrier(len(forms))
    results: list[tuple[int, str] | None] = [None] * len(forms)

    def run(index: int) -> None:
        data = {**forms[index], "csrf_token": tokens[index].group(1) or tokens[index].group(2)}
        barrier.wait()
        results[index] = browsers[index].post(path, data)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(forms))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return [(result, browser) for result, browser in zip(results, browsers, strict=True)]


def partner_form(number: int) -> dict:
    return {**PARTNER, "first_name": f"Racer{number}", "email": f"racer{number}@example.org"}


def test_last_places_go_to_exactly_capacity_of_many_simultaneous_registrants(any_app):
    event = make_event(CAPACITY)
    path = f"/e/{event.slug}"
    with serving(any_app) as server:
        early = race(server.url, path, [partner_form(1000 + i) for i in range(ALREADY_CONFIRMED)])
        outcomes = race(server.url, path, [partner_form(i) for i in range(RACERS)])
        assert [status for (status, _), _ in early + outcomes] == [200] * (ALREADY_CONFIRMED + RACERS)
        db.session.rollback()
        rows = list(db.session.scalars(select(Registration).where(Registration.event_id == event.id)))
        racers = [r for r in rows if r.partner.first_name.startswith("Racer") and int(r.partner.first_name[5:]) < 1000]
        shown = [Browser(server.url).get(f"/r/{sign(r.token)}?lang=en") for r in racers]
    confirmed = [r for r in rows if r.status == RegistrationStatus.CONFIRMED]
    waiting = sorted((r for r in rows if r.status == RegistrationStatus.WAITLISTED), key=lambda r: r.waitlist_position)
    assert len(confirmed) == CAPACITY
    assert len(waiting) == ALREADY_CONFIRMED + RACERS - CAPACITY
    assert len({r.waitlist_position for r in waiting}) == len(waiting)
    assert db.session.get(Event, event.id).confirmed_count == CAPACITY
    ranks = sorted(int(m.group(1)) for page in shown if (m := re.search(r"waiting list, position (\d+)", page)))
    assert ranks == list(range(1, len(waiting) + 1)), "every waiting partner saw their own, distinct position"
    assert sum("You are confirmed" in page for page in shown) == CAPACITY - ALREADY_CONFIRMED


def test_simultaneous_registrations_with_one_email_make_one_registration(any_app, mailbox):
    event = make_event(10)
    spellings = ["same@example.org", "SAME@example.org ", " Same@Example.org"]
    path = f"/e/{event.slug}"
    with serving(any_app) as server:
        outcomes = race(server.url, path, [{**PARTNER, "email": email} for email in spellings * 4])
    assert sorted(status for (status, _), _ in outcomes) == [200] * 12, "the same page whatever the address"
    db.session.rollback()
    rows = list(db.session.scalars(select(Registration).where(Registration.event_id == event.id)))
    assert len(rows) == 1
    assert db.session.get(Event, event.id).confirmed_count == 1
    assert len(mailbox.deliver().to("same@example.org")) == 2, "one confirmation and the personal link once again"
