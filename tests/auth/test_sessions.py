"""Sessions can be ended: logout, a disabled account or a new password make every earlier cookie useless."""

import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest
from flask_migrate import upgrade
from sqlalchemy import select, text

from speeddate import create_app
from speeddate.auth.services import create_user
from speeddate.extensions import db
from speeddate.models import User
from tests.support import RequestClient, csrf_token, post_form

EMAIL, PASSWORD = "organisator@elz.example", "correct horse battery"
COOKIES = ("session", "remember_token")


@pytest.fixture(autouse=True)
def browsers_of_their_own(app):
    app.test_client_class = RequestClient


def logged_in(app, email: str = EMAIL, password: str = PASSWORD):
    """A fresh browser that logged in with "keep me logged in"."""
    browser = app.test_client()
    response = post_form(browser, "/login", {"email": email, "password": password, "remember": "y"})
    assert response.status_code == 302
    return browser


def copy_of(app, browser, names=COOKIES):
    """Another browser holding copies of the given cookies, as someone who copied them would."""
    thief = app.test_client()
    for name in names:
        thief.set_cookie(name, browser.get_cookie(name).value)
    return thief


def is_in(browser) -> bool:
    return browser.get("/admin/events").status_code == 200


@pytest.mark.parametrize("names", [COOKIES, ("session",), ("remember_token",)])
def test_copied_cookies_are_useless_after_logout(app, names):
    create_user(EMAIL, PASSWORD)
    browser = logged_in(app)
    thief = copy_of(app, browser, names)
    assert is_in(thief), "the copy works while the session lasts"
    browser.post("/logout", data={"csrf_token": csrf_token(browser, "/admin/events")})
    assert not is_in(browser) and not is_in(thief)


def test_keep_me_logged_in_lasts_a_month(app):
    create_user(EMAIL, PASSWORD)
    browser = app.test_client()
    response = post_form(browser, "/login", {"email": EMAIL, "password": PASSWORD, "remember": "y"})
    remember = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("remember_token="))
    expires = parsedate_to_datetime(re.search(r"Expires=([^;]+)", remember).group(1))
    assert timedelta(days=29) < expires - datetime.now(UTC) <= timedelta(days=30)
    assert "HttpOnly" in remember


def test_logging_out_ends_that_organisers_sessions_only(app):
    create_user(EMAIL, PASSWORD)
    create_user("collega@elz.example", PASSWORD)
    mine, colleague = logged_in(app), logged_in(app, "collega@elz.example")
    mine.post("/logout", data={"csrf_token": csrf_token(mine, "/admin/events")})
    assert is_in(colleague) and is_in(logged_in(app)), "a new login works at once"


def test_disabling_an_organiser_ends_their_sessions_and_refuses_their_login(app, runner):
    create_user(EMAIL, PASSWORD)
    browser = logged_in(app)
    thief = copy_of(app, browser, ("remember_token",))
    result = runner.invoke(args=["users", "disable", EMAIL])
    assert result.exit_code == 0, result.output
    assert not is_in(browser) and not is_in(thief)
    assert post_form(app.test_client(), "/login", {"email": EMAIL, "password": PASSWORD}).status_code == 400


def test_a_new_password_ends_the_sessions_opened_with_the_old_one(app, runner):
    create_user(EMAIL, PASSWORD)
    browser = logged_in(app)
    result = runner.invoke(args=["users", "password", EMAIL], input="a new long password\n" * 2)
    assert result.exit_code == 0, result.output
    assert not is_in(browser) and is_in(logged_in(app, password="a new long password"))


@pytest.mark.parametrize("args", [["users", "disable", "nobody@elz.example"],
                                  ["users", "password", EMAIL, "--password", "short"]])
def test_account_commands_refuse_what_they_cannot_do_and_change_nothing(app, runner, args):
    token = create_user(EMAIL, PASSWORD).session_token
    result = runner.invoke(args=args)
    assert result.exit_code != 0 and "Error" in result.output
    db.session.rollback()
    user = db.session.scalar(select(User))
    assert user.active and user.session_token == token and user.check_password(PASSWORD)


def test_cookies_name_a_random_session_token_not_the_account_id(app):
    user = create_user(EMAIL, PASSWORD)
    assert user.get_id() == user.session_token and len(user.session_token) >= 43
    browser = app.test_client()
    with browser.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
    assert not is_in(browser), "a session naming the id, as made before this change, loads no one"


def test_the_migration_gives_every_existing_account_its_own_token(tmp_path):
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'm.db'}", "SECRET_KEY": "x"})
    with app.app_context():
        upgrade(revision="0008")
        for number in range(3):
            db.session.execute(text("INSERT INTO users (email, password_hash, role, active, created_at) "
                                    "VALUES (:email, 'x', 'organiser', 1, '2026-01-01')"),
                               {"email": f"u{number}@elz.example"})
        db.session.commit()
        upgrade()
        tokens = list(db.session.scalars(select(User.session_token)))
        assert len(set(tokens)) == 3 and all(len(token) >= 43 for token in tokens)
        db.session.remove()
        db.engine.dispose()
