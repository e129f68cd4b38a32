"""The flask commands: demo data, accounts, events for scripting."""

import csv
import io
import json

import openpyxl
from sqlalchemy import func, select

from speeddate import demo
from speeddate.extensions import db
from speeddate.models import Event, EventStatus, Partner, Registration, User


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_demo_loads_a_realistic_zone_once(runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert demo.ORGANISER_EMAIL in result.output and demo.ORGANISER_PASSWORD in result.output
    sizes = (count(Partner), count(Event), count(Registration), count(User))
    assert sizes[0] == 80 and sizes[1] == 9
    assert len([e for e in db.session.scalars(select(Event)) if e.elsewhere]) == 2, "two third parties' webinars"
    events = db.session.scalars(select(Event)).all()
    assert {e.type.value for e in events} == {"speeddate", "elp", "lunchwebinar"}
    assert any(e.ends_at < e.created_at for e in events), "one speeddate lies in the past"
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert (count(Partner), count(Event), count(Registration), count(User)) == sizes
    assert "not loaded" in runner.invoke(args=["demo", "--if-empty"]).output


def test_users_create_makes_an_account_that_can_log_in(runner, client):
    result = runner.invoke(args=["users", "create", "Boss@ELZ.example", "--admin", "--password", "long-enough-pw"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User))
    assert (user.email, user.role.value, user.check_password("long-enough-pw")) == ("boss@elz.example", "admin", True)
    again = runner.invoke(args=["users", "create", "boss@elz.example", "--password", "long-enough-pw"])
    assert again.exit_code != 0 and "exists already" in again.output
    short = runner.invoke(args=["users", "create", "x@elz.example", "--password", "short"])
    assert short.exit_code != 0 and count(User) == 1


def test_events_create_prints_json_with_the_registration_url(runner, client):
    result = runner.invoke(args=["events", "create", "--title", "Speeddate Zedelgem", "--type", "speeddate",
                                 "--start", "2027-03-04T12:00", "--end", "2027-03-04T14:00", "--capacity", "24",
                                 "--gemeente", "zedelgem", "--publish", "--json"])
    assert result.exit_code == 0, result.output
    created = json.loads(result.output)
    assert set(created) == {"id", "slug", "registration_url"}
    assert created["registration_url"] == f"http://speeddate.test/e/{created['slug']}"
    event = db.session.get(Event, created["id"])
    assert (event.status, event.gemeente.name, event.capacity, event.catering) == (
        EventStatus.PUBLISHED, "Zedelgem", 24, True)
    assert event.starts_at.hour == 11, "12:00 in Brussels is 11:00 UTC in winter"
    assert client.get(f"/e/{created['slug']}").status_code == 200


def test_events_create_refuses_bad_input_without_creating_anything(runner):
    base = ["events", "create", "--title", "T", "--type", "elp", "--capacity", "10"]
    for extra in (["--start", "gisteren", "--end", "2027-01-01T10:00"],
                  ["--start", "2027-01-01T12:00", "--end", "2027-01-01T10:00"],
                  ["--start", "2027-01-01T10:00", "--end", "2027-01-01T12:00", "--gemeente", "Atlantis"]):
        result = runner.invoke(args=base + extra)
        assert result.exit_code != 0
    assert count(Event) == 0


def test_events_export_writes_csv_and_xlsx(runner, make_event, register, tmp_path):
    event = make_event(capacity=1)
    register(event, 1)
    register(event, 2)
    result = runner.invoke(args=["events", "export", str(event.id), "--format", "csv", "--raw"])
    rows = list(csv.DictReader(io.StringIO(result.stdout_bytes.decode("utf-8-sig"))))
    assert [(r["id"] != "", r["email"], r["status"], r["waitlist_position"]) for r in rows] == [
        (True, "partner1@example.org", "confirmed", ""), (True, "partner2@example.org", "waitlisted", "1")]
    assert {"organisation", "sector", "attended"} <= set(rows[0])
    out = tmp_path / "list.xlsx"
    assert runner.invoke(args=["events", "export", str(event.id), "--format", "xlsx", "--out", str(out)]).exit_code == 0
    sheet = openpyxl.load_workbook(out).active
    assert sheet.cell(row=3, column=6).value == "partner2@example.org"
    assert runner.invoke(args=["events", "export", "999"]).exit_code != 0
