"""Rate limits on logins and public posts, counted in the database so that every worker shares them."""

import pytest
from sqlalchemy import func, select

from speeddate.auth import services
from speeddate.auth.services import create_user
from speeddate.extensions import db
from speeddate.models import RateLimitHit, Registration, User
from tests.support import CSRF_FIELD, PARTNER, csrf_token, personal_link, post_form
from tests.test_concurrency import Browser

EMAIL, PASSWORD = "organisator@elz.example", "correct horse battery"


def log_in(client, password: str, email: str = EMAIL, address: str = "192.0.2.1"):
    return post_form(client, "/login", {"email": email, "password": password},
                     environ_base={"REMOTE_ADDR": address})


def test_five_failed_logins_lock_the_account_from_that_address_even_with_the_right_password(app, client):
    create_user(EMAIL, PASSWORD)
    for _ in range(5):
        assert log_in(client, "wrong password").status_code == 400
    locked = log_in(client, PASSWORD)
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 800
    assert "Te veel pogingen" in locked.get_data(as_text=True)
    assert client.get("/admin/events").status_code == 302, "not logged in"


def test_a_stranger_failing_on_purpose_never_locks_the_organiser_out_from_another_address(app, client):
    create_user(EMAIL, PASSWORD)
    for attempt in range(30):
        log_in(client, "guess", address="203.0.113.66")
        log_in(client, "guess", address=f"198.51.100.{attempt}")
    assert log_in(client, PASSWORD, address="192.0.2.1").status_code == 302


def test_a_successful_login_forgets_the_accounts_earlier_failures(app, client):
    create_user(EMAIL, PASSWORD)
    for _ in range(4):
        log_in(client, "wrong password")
    assert log_in(client, PASSWORD).status_code == 302
    client.post("/logout", data={"csrf_token": csrf_token(client, "/admin/events")})
    for _ in range(4):
        log_in(client, "wrong password")
    assert log_in(client, PASSWORD).status_code == 302


def test_many_failures_from_one_address_lock_logins_from_it_for_any_account(app, client):
    create_user(EMAIL, PASSWORD)
    for number in range(20):
        log_in(client, "guess", email=f"someone{number}@elz.example")
    assert log_in(client, PASSWORD).status_code == 429
    assert log_in(client, PASSWORD, address="192.0.2.2").status_code == 302


def test_the_lockout_page_is_in_the_users_language(app, client):
    for _ in range(5):
        log_in(client, "wrong")
    page = post_form(client, "/login?lang=fr", {"email": EMAIL, "password": "x"},
                     environ_base={"REMOTE_ADDR": "192.0.2.1"}).get_data(as_text=True)
    assert "Trop de tentatives" in page


def test_an_unknown_email_costs_a_password_check_like_a_known_one(app, client, monkeypatch):
    checked = []
    real_check = services.check_password_hash
    monkeypatch.setattr(services, "check_password_hash", lambda *args: checked.append(args) or real_check(*args))
    assert log_in(client, "guess", email="nobody@elz.example").status_code == 400
    assert len(checked) == 1 and checked[0][1] == "guess"
    assert checked[0][0].startswith("scrypt:"), "the dummy hash costs what a stored one costs"


def test_a_disabled_account_is_refused_after_the_same_password_check(app, client, monkeypatch):
    user = create_user(EMAIL, PASSWORD)
    user.active = False
    db.session.commit()
    checked = []
    monkeypatch.setattr(User, "check_password", lambda self, password: checked.append(password) or True)
    assert log_in(client, PASSWORD).status_code == 400 and checked == [PASSWORD]


def test_no_address_or_email_is_stored_in_the_counters(app, client):
    log_in(client, "wrong")
    buckets = list(db.session.scalars(select(RateLimitHit.bucket)))
    assert len(buckets) == 2 and all(EMAIL not in b and "192.0.2.1" not in b for b in buckets)


def register_from(client, event, number: int, address: str, email: str | None = None):
    data = {**PARTNER, "first_name": f"P{number}", "email": email or f"p{number}@example.org"}
    return post_form(client, f"/e/{event.slug}", data, environ_base={"REMOTE_ADDR": address})


def test_an_office_behind_one_address_can_register_twenty_colleagues_for_an_event(client, make_event):
    event, other = make_event(capacity=40), make_event(capacity=40, title="Speeddate Beernem")
    statuses = [register_from(client, event, n, "192.0.2.10").status_code for n in range(21)]
    assert statuses == [200] * 20 + [429]
    assert register_from(client, other, 21, "192.0.2.10").status_code == 200, "another event is not hindered"
    assert register_from(client, event, 22, "192.0.2.11").status_code == 200, "another address is not hindered"


def test_a_script_cannot_fill_an_event_over_real_http(app, make_event, live_server):
    app.config["RATE_LIMITS"] = {**app.config["RATE_LIMITS"], "event_address": (5, 3600)}
    event = make_event(capacity=40)
    browser = Browser(live_server.url)
    token = CSRF_FIELD.search(browser.get(f"/e/{event.slug}")).group(1)
    statuses = [browser.post(f"/e/{event.slug}", {**PARTNER, "email": f"bot{n}@example.org", "csrf_token": token})[0]
                for n in range(8)]
    assert statuses == [200] * 5 + [429] * 3
    db.session.rollback()
    assert len(db.session.scalars(select(Registration)).all()) == 5


def test_a_flood_from_one_address_is_stopped_and_stores_nothing_more(app, client, make_event):
    app.config["RATE_LIMITS"] = {**app.config["RATE_LIMITS"], "public_address": (5, 60)}
    event = make_event(capacity=40)
    statuses = [register_from(client, event, n, "192.0.2.20").status_code for n in range(8)]
    assert statuses == [200] * 5 + [429] * 3
    assert register_from(client, event, 9, "192.0.2.21").status_code == 200, "another address is not hindered"
    db.session.rollback()
    assert len(db.session.scalars(select(Registration)).all()) == 6


def test_one_email_cannot_be_used_to_flood_its_owner_with_mails(client, make_event):
    event = make_event()
    statuses = [register_from(client, event, n, f"192.0.2.{n}", email="victim@example.org").status_code
                for n in range(22)]
    assert statuses[0] == 200 and statuses[20:] == [429, 429]
    assert 429 not in statuses[:20]


@pytest.mark.parametrize("broken", [{"first_name": ""}, {"sector": "no such sector"}, {"email": "victim@"}])
def test_malformed_posts_naming_an_email_never_block_its_owners_registration(client, make_event, broken):
    event = make_event()
    for n in range(25):
        response = post_form(client, f"/e/{event.slug}", {**PARTNER, "email": "victim@example.org", **broken},
                             environ_base={"REMOTE_ADDR": f"203.0.113.{n}"})
        assert response.status_code == 400
    assert register_from(client, event, 1, "192.0.2.60", email="victim@example.org").status_code == 200


def test_personal_link_posts_are_limited_per_link(app, client, make_event):
    app.config["RATE_LIMITS"] = {**app.config["RATE_LIMITS"], "public_link": (3, 3600)}
    assert register_from(client, make_event(), 1, "192.0.2.30").status_code == 200
    personal = personal_link("p1@example.org")
    data = {**PARTNER, "email": "p1@example.org"}
    statuses = [post_form(client, personal, data, environ_base={"REMOTE_ADDR": f"192.0.2.{40 + n}"}).status_code
                for n in range(4)]
    assert statuses[:2] == [302, 302] and statuses[-1] == 429


def test_the_429_page_is_in_the_users_language(app, client, make_event):
    app.config["RATE_LIMITS"] = {**app.config["RATE_LIMITS"], "public_address": (1, 60)}
    event = make_event()
    register_from(client, event, 1, "192.0.2.50")
    page = post_form(client, f"/e/{event.slug}?lang=nl", {**PARTNER, "email": "x@example.org"},
                     environ_base={"REMOTE_ADDR": "192.0.2.50"})
    assert page.status_code == 429 and "Te veel pogingen" in page.get_data(as_text=True)


def writes_committed_during(action) -> int:
    """How many transactions that wrote something `action` committed (each is a disk flush on both databases;
    ending a read-only transaction is not counted)."""
    from sqlalchemy import event as sa_event

    wrote, committed = [False], []

    def statement(connection, cursor, sql, *args) -> None:
        wrote[0] = wrote[0] or sql.lstrip().split(None, 1)[0].upper() in ("INSERT", "UPDATE", "DELETE")

    def commit(connection) -> None:
        if wrote[0]:
            committed.append(1)
        wrote[0] = False

    sa_event.listen(db.engine, "before_cursor_execute", statement)
    sa_event.listen(db.engine, "commit", commit)
    try:
        action()
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", statement)
        sa_event.remove(db.engine, "commit", commit)
    return len(committed)


def test_a_registration_is_one_transaction_with_its_rate_limit_counts(any_app, client, make_event):
    """The address's and the email's counts are written in the registration's own unit of work: one commit, so
    that a rush of registrations waits for one disk flush each, not three."""
    event = make_event(capacity=40)
    assert writes_committed_during(lambda: register_from(client, event, 1, "192.0.2.70").status_code == 200) == 1
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 1
    assert db.session.scalar(select(func.count()).select_from(RateLimitHit)) == 3, "address, email, event+address"


def test_malformed_and_robot_posts_still_count_against_their_address(app, client, make_event):
    app.config["RATE_LIMITS"] = {**app.config["RATE_LIMITS"], "public_address": (4, 60)}
    event = make_event(capacity=40)
    address = {"REMOTE_ADDR": "192.0.2.80"}
    assert post_form(client, f"/e/{event.slug}", {**PARTNER, "first_name": ""}, environ_base=address).status_code == 400
    assert post_form(client, f"/e/{event.slug}", {**PARTNER, "email": "robot@example.org",
                                                  "website": "https://spam.example"},
                     environ_base=address).status_code == 200
    statuses = [register_from(client, event, n, "192.0.2.80").status_code for n in range(4)]
    assert statuses == [200, 200, 429, 429]
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 2
