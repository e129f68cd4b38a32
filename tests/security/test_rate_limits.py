"""Rate limits on logins and public posts, counted in the database so that every worker shares them."""

from sqlalchemy import select

from speeddate.auth.services import create_user
from speeddate.extensions import db
from speeddate.models import RateLimitHit, Registration
from tests.conftest import PARTNER, csrf_token, post_form

EMAIL, PASSWORD = "organisator@elz.example", "correct horse battery"


def log_in(client, password: str, email: str = EMAIL, address: str = "192.0.2.1"):
    return post_form(client, "/login", {"email": email, "password": password},
                     environ_base={"REMOTE_ADDR": address})


def test_five_failed_logins_lock_the_account_even_with_the_right_password(app, client):
    create_user(EMAIL, PASSWORD)
    for _ in range(5):
        assert log_in(client, "wrong password").status_code == 400
    locked = log_in(client, PASSWORD, address="198.51.100.7")
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 800
    assert "Te veel pogingen" in locked.get_data(as_text=True)
    assert client.get("/admin/events").status_code == 302, "not logged in"


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


def test_no_address_or_email_is_stored_in_the_counters(app, client):
    log_in(client, "wrong")
    buckets = list(db.session.scalars(select(RateLimitHit.bucket)))
    assert len(buckets) == 2 and all(EMAIL not in b and "192.0.2.1" not in b for b in buckets)


def register_from(client, event, number: int, address: str, email: str | None = None):
    data = {**PARTNER, "first_name": f"P{number}", "email": email or f"p{number}@example.org"}
    return post_form(client, f"/e/{event.slug}", data, environ_base={"REMOTE_ADDR": address})


def test_an_office_behind_one_address_can_register_thirty_colleagues_at_once(client, make_event):
    event = make_event(capacity=40)
    assert [register_from(client, event, n, "192.0.2.10").status_code for n in range(30)] == [302] * 30


def test_a_flood_from_one_address_is_stopped_and_stores_nothing_more(app, client, make_event):
    app.config["RATE_LIMITS"] = {**app.config["RATE_LIMITS"], "public_address": (5, 60)}
    event = make_event(capacity=40)
    statuses = [register_from(client, event, n, "192.0.2.20").status_code for n in range(8)]
    assert statuses == [302] * 5 + [429] * 3
    assert register_from(client, event, 9, "192.0.2.21").status_code == 302, "another address is not hindered"
    db.session.rollback()
    assert len(db.session.scalars(select(Registration)).all()) == 6


def test_one_email_cannot_be_used_to_flood_its_owner_with_mails(client, make_event):
    event = make_event()
    statuses = [register_from(client, event, n, f"192.0.2.{n}", email="victim@example.org").status_code
                for n in range(22)]
    assert statuses[0] == 302 and statuses[20:] == [429, 429]
    assert 429 not in statuses[:20]


def test_personal_link_posts_are_limited_per_link(app, client, make_event):
    app.config["RATE_LIMITS"] = {**app.config["RATE_LIMITS"], "public_link": (3, 3600)}
    response = register_from(client, make_event(), 1, "192.0.2.30")
    personal = response.location
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
