"""The development server's access log (werkzeug's, as `make run` shows it) never writes a personal link."""

import contextlib
import logging
import urllib.error
import urllib.request

from speeddate import tokens
from speeddate.extensions import db
from speeddate.models import Registration
from speeddate.ops.logs import redact_links
from tests.support import personal_link


def visit(url: str) -> None:
    with contextlib.suppress(urllib.error.HTTPError):  # a 404 is logged too
        urllib.request.urlopen(url, timeout=30).read()


def test_the_access_log_shows_personal_and_unsubscribe_paths_without_their_token(
        app, register, make_event, live_server, caplog):
    assert register(make_event()).status_code == 200
    link = personal_link()
    unsubscribe = tokens.unsubscribe_token(db.session.scalar(db.select(Registration)).partner_id)
    db.session.rollback()
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        for path in (link, f"{link}/evaluation?lang=fr", f"/u/{unsubscribe}", "/r/made-up"):
            visit(live_server.url + path)
    access = [record.getMessage() for record in caplog.records if record.name == "werkzeug"]
    assert len(access) == 4
    assert all(link[3:] not in line and unsubscribe not in line and "made-up" not in line for line in access)
    assert "GET /r/<token>/evaluation?lang=fr HTTP/1.1" in access[1] and "GET /u/<token> " in access[2]


def test_other_paths_are_written_as_they_are():
    line = '"GET /e/speeddate-oostkamp-x1?lang=fr HTTP/1.1" 200 -'
    assert redact_links(line) == line
    assert redact_links("/r/abc.def/cancel and /u/xyz") == "/r/<token>/cancel and /u/<token>"
