"""Pages behind a personal link are never cached: not by the browser, nor by a proxy between."""

import urllib.error
import urllib.request

from speeddate import create_app, tokens
from speeddate.extensions import db
from speeddate.models import Registration
from tests.support import personal_link


def personal_paths(link: str, unsubscribe: str) -> list[str]:
    """Every GET route with a token, filled in with a real link (and a made-up one)."""
    app = create_app({"TESTING": True, "DATABASE_URL": "sqlite://", "SECRET_KEY": "routes"})
    rules = [rule.rule for rule in app.url_map.iter_rules() if "token" in rule.arguments and "GET" in rule.methods]
    assert len(rules) >= 7
    paths = [rule.replace("/r/<token>", link).replace("/u/<token>", f"/u/{unsubscribe}") for rule in rules]
    return paths + ["/r/made-up.token", "/u/made-up.token"]


def fetch(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers)


def test_every_page_behind_a_personal_link_is_sent_with_no_store(app, register, make_event, live_server):
    assert register(make_event()).status_code == 200
    registration = db.session.scalar(db.select(Registration))
    paths = personal_paths(personal_link(), tokens.unsubscribe_token(registration.partner_id))
    db.session.rollback()
    answers = {path: fetch(live_server.url + path) for path in paths}
    assert {path: headers.get("Cache-Control") for path, (_, headers) in answers.items()} == \
        dict.fromkeys(paths, "no-store")
    assert answers[personal_link()][0] == 200


def test_public_pages_may_still_be_cached(client, make_event):
    assert client.get("/events.ics").headers["Cache-Control"] == "public, max-age=600"
