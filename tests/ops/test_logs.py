"""Request ids on every request and every log line; no emails or names in the logs."""

import io
import json
import logging

import pytest

from speeddate.ops.logs import JsonFormatter
from tests.support import personal_link


@pytest.fixture
def log_output(app):
    """What the app's log handler writes during the test."""
    handler = next(h for h in logging.getLogger("speeddate").handlers if h.get_name() == "speeddate")
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


def test_every_response_has_a_request_id_and_a_sane_incoming_one_is_kept(client):
    generated = client.get("/").headers["X-Request-ID"]
    assert len(generated) == 32 and generated != client.get("/").headers["X-Request-ID"]
    assert client.get("/", headers={"X-Request-ID": "nginx-4f1c2a9b"}).headers["X-Request-ID"] == "nginx-4f1c2a9b"


@pytest.mark.parametrize("incoming", ["short", "x" * 65, "evil; Set-Cookie: a=b", "<script>alert(1)</script>"])
def test_an_insane_incoming_request_id_is_replaced(client, incoming):
    assert client.get("/", headers={"X-Request-ID": incoming}).headers["X-Request-ID"] != incoming


def test_a_registration_logs_lines_with_its_request_id_and_without_the_email_or_name(
        client, make_event, register, mailbox, log_output):
    event = make_event()
    response = register(event)
    assert response.status_code == 200
    mailbox.deliver()
    link = personal_link(event=event)
    client.get(link)
    lines = log_output.getvalue().splitlines()
    posted = [line for line in lines if "method=POST" in line]
    assert len(posted) == 1
    assert f"request_id={response.headers['X-Request-ID']}" in posted[0]
    assert "endpoint=partners.event" in posted[0] and "status=200" in posted[0]
    text = log_output.getvalue().lower()
    for personal in ("els.peeters", "example.org", "peeters", "huisartsenpraktijk", "050 12", link[3:]):
        assert personal.lower() not in text, personal
    assert all("request_id=" in line for line in lines)


def test_json_log_lines_carry_the_same_fields():
    record = logging.LogRecord("speeddate.requests", logging.INFO, __file__, 1, "request", None, None)
    record.request_id, record.status = "abc12345", 200
    line = json.loads(JsonFormatter().format(record))
    assert (line["msg"], line["request_id"], line["status"], line["level"]) == ("request", "abc12345", 200, "INFO")
