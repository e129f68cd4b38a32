"""Security headers and cookies: CSP without inline code, frames, referrer, HSTS behind TLS, secure cookies."""

import pytest

from tests.support import make_test_app


def test_every_page_sends_a_strict_content_security_policy(client, make_event):
    response = client.get(f"/e/{make_event().slug}")
    policy = dict(part.strip().split(" ", 1) for part in response.headers["Content-Security-Policy"].split(";"))
    assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'self'" and policy["object-src"] == "'none'"
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_hsts_only_when_the_request_came_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/").headers
    assert "max-age=" in client.get("/", base_url="https://localhost").headers["Strict-Transport-Security"]


def test_behind_the_proxy_the_forwarded_scheme_and_address_count(app, smtp_server, tmp_path):
    proxied = make_test_app(app.config["DATABASE_URL"], smtp_server, PROXY_FIX=1)
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    assert "Strict-Transport-Security" in proxied.test_client().get("/", headers=headers).headers
    direct = make_test_app(app.config["DATABASE_URL"], smtp_server)
    assert "Strict-Transport-Security" not in direct.test_client().get("/", headers=headers).headers


@pytest.mark.parametrize(("base_url", "secure"), [("https://events.elz.example", True),
                                                  ("http://localhost:5000", False)])
def test_session_cookies_are_secure_when_the_public_address_is_https(app, smtp_server, base_url, secure):
    configured = make_test_app(app.config["DATABASE_URL"], smtp_server, PUBLIC_BASE_URL=base_url)
    assert configured.config["SESSION_COOKIE_SECURE"] is secure
    assert configured.config["REMEMBER_COOKIE_SECURE"] is secure
    cookie = configured.test_client().get("/login").headers["Set-Cookie"]
    assert ("Secure" in cookie) is secure and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_secure_cookies_can_be_forced_by_configuration(app, smtp_server):
    forced = make_test_app(app.config["DATABASE_URL"], smtp_server, SESSION_COOKIE_SECURE=True)
    assert forced.config["SESSION_COOKIE_SECURE"] is True


def test_passwords_are_hashed_with_scrypt():
    from speeddate.models import User

    user = User(email="a@elz.example")
    user.set_password("correct horse battery")
    assert user.password_hash.startswith("scrypt:") and "correct horse" not in user.password_hash
    assert user.check_password("correct horse battery") and not user.check_password("wrong")
