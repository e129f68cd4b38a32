"""The outbox: written with the change, sent once by the worker, retried, never lost; calendar files."""

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import icalendar
import pytest
from flask_mail import email_dispatched
from sqlalchemy import select, update

from speeddate.database import write
from speeddate.events import services as events
from speeddate.extensions import db
from speeddate.i18n import to_local
from speeddate.mail import outbox, worker
from speeddate.mail import services as mails
from speeddate.mail.transport import Delivery, Verdict
from speeddate.models import EventStatus, MailStatus, OutboxMail, Registration
from speeddate.models.base import utcnow
from speeddate.workers import Beat
from tests.support import free_port, local_now, post_form


def rows(**filters) -> list[OutboxMail]:
    db.session.rollback()
    query = select(OutboxMail).filter_by(**filters).order_by(OutboxMail.id)
    return list(db.session.scalars(query))


def calendar_of(message) -> icalendar.Calendar:
    [part] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    return icalendar.Calendar.from_ical(part.get_payload(decode=True))


def smtp_down(app) -> int:
    """Point the mail settings at a port nobody listens on; returns the real port."""
    state = app.extensions["mail"]
    real, state.port = state.port, free_port()
    return real


def test_registration_then_worker_delivers_exactly_one_confirmation_with_a_calendar_invite(
        make_event, register, mailbox, runner):
    event = make_event(title="Speeddate Oostkamp", location="Zaal De Schakel")
    register(event)
    assert [r.kind for r in rows(status=MailStatus.PENDING, kind="confirmed")] == ["confirmed"]
    result = runner.invoke(args=["mail", "send"])
    assert result.exit_code == 0 and "sent 1" in result.output
    assert runner.invoke(args=["mail", "send"]).output.startswith("sent 0")
    [message] = mailbox.to("els.peeters@example.org")
    calendar = calendar_of(message)
    assert calendar["method"] == "REQUEST"
    [entry] = calendar.walk("VEVENT")
    registration = db.session.scalar(select(Registration))
    assert str(entry["uid"]) == f"registration-{registration.id}@speeddate.test"
    assert entry["sequence"] == 0 and str(entry["location"]) == "Zaal De Schakel"
    assert entry.decoded("dtstart").tzinfo.key == "Europe/Brussels"
    assert [tz["tzid"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Brussels"]
    assert message.get_body(("html",)) is not None and message.get_body(("plain",)) is not None


def test_a_rollback_sends_nothing(app, make_event, register):
    event = make_event()
    register(event, 1)
    before = len(rows())
    with pytest.raises(RuntimeError), write():
        registration = db.session.scalar(select(Registration))
        from speeddate.mail import services as mails

        mails.cancelled(registration)
        raise RuntimeError("the change failed after the mail was written")
    assert len(rows()) == before


def test_smtp_down_loses_nothing_and_everything_arrives_once_in_due_order_when_it_is_back(
        app, make_event, register, mailbox, runner):
    event = make_event()
    for number in range(5):
        register(event, number)
    real_port = smtp_down(app)
    result = runner.invoke(args=["mail", "send"])
    assert result.exit_code == 0 and "SMTP server unreachable" in result.output
    assert {r.status for r in rows(kind="confirmed")} == {MailStatus.PENDING}
    assert mailbox.messages == []
    app.extensions["mail"].port = real_port
    assert "sent 5" in runner.invoke(args=["mail", "send"]).output
    recipients = [m["To"] for m in mailbox.messages]
    assert recipients == [f"partner{n}@example.org" for n in range(5)], "once each, oldest first"


def test_two_workers_at_the_same_time_send_each_mail_once(any_app, mailbox):
    any_app.config["MAIL_READ_AHEAD"] = 7
    event = _event_with_registrations(60)
    assert len(rows(event_id=event.id, kind="confirmed")) == 60
    barrier = threading.Barrier(2)
    reports = []

    def run(name: str) -> None:
        with any_app.app_context():
            barrier.wait()
            reports.append(worker.send_due(name))

    threads = [threading.Thread(target=run, args=(f"worker-{n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    ids = [m["Message-ID"] for m in mailbox.messages]
    assert len(ids) == 60 and len(set(ids)) == 60
    assert sum(report.sent for report in reports) == 60
    assert {r.status for r in rows(event_id=event.id, kind="confirmed")} == {MailStatus.SENT}


def _event_with_registrations(count: int):
    from speeddate.partners.services import PartnerDetails, register
    from speeddate.zone.services import sectors_by_cluster

    start = local_now().replace(second=0) + timedelta(days=20)
    event = events.create_event(events.EventData(type=events.EventType.ELP, title="Platform", starts_at=start,
                                                 ends_at=start + timedelta(hours=2), capacity=count), publish=True)
    sector = sectors_by_cluster()[0].sectors[0]
    for number in range(count):
        register(event.id, f"p{number}@example.org", PartnerDetails("P", str(number), "Org", sector))
    return event


def test_temporary_refusals_back_off_and_fail_after_the_last_attempt(app, make_event, register, mailbox):
    app.config["MAIL_MAX_ATTEMPTS"] = 3
    register(make_event(), email="busy@example.org")
    now = utcnow()
    for attempt in range(1, 4):
        report = worker.send_due(now=now + timedelta(days=attempt))
        [row] = rows(kind="confirmed")
        assert row.attempts == attempt and "451" in row.last_error
    assert row.status == MailStatus.FAILED and report.failed == 1
    assert mailbox.messages == []


def test_a_421_charges_only_its_own_mail_and_the_others_go_on_a_new_connection(app, make_event, register, mailbox):
    """After a 421 smtplib closes the connection: the next mail must not be charged for "please run connect()"."""
    event = make_event()
    register(event, email="closing@example.org")
    register(event, 1)
    register(event, 2)
    worker.send_due()
    closing = rows(kind="confirmed")[0]
    assert closing.recipient == "closing@example.org" and closing.attempts == 1 and "421" in closing.last_error
    others = [row for row in rows(kind="confirmed") if row.recipient != "closing@example.org"]
    assert [row.attempts for row in others] == [0, 0], [row.last_error for row in others]
    worker.send_due()
    assert sorted(m["To"] for m in mailbox.messages) == ["partner1@example.org", "partner2@example.org"]


def test_backoff_doubles_between_attempts(app, make_event, register):
    register(make_event(), email="busy@example.org")
    worker.send_due()
    [row] = rows(kind="confirmed")
    first_wait = row.next_attempt_at - utcnow()
    worker.send_due(now=row.next_attempt_at)
    [row] = rows(kind="confirmed")
    assert row.attempts == 2
    assert row.next_attempt_at - utcnow() > first_wait * 1.5


def test_an_invalid_address_fails_that_row_only(app, make_event, register, mailbox):
    event = make_event()
    register(event, 1)
    register(event, email="reject@example.org")
    register(event, 2)
    report = worker.send_due()
    assert (report.sent, report.failed) == (2, 1)
    [failed] = rows(status=MailStatus.FAILED)
    assert failed.recipient == "reject@example.org" and "550" in failed.last_error
    assert sorted(m["To"] for m in mailbox.messages) == ["partner1@example.org", "partner2@example.org"]


def test_header_injection_is_impossible(app, make_event, register, mailbox):
    register(make_event())
    [row] = rows(kind="confirmed")
    row.subject = "Hello\r\nBcc: victim@example.org"
    db.session.commit()
    report = worker.send_due()
    assert report.failed == 1 and mailbox.messages == []
    assert rows(kind="confirmed")[0].status == MailStatus.FAILED


def test_a_claim_left_by_a_dead_worker_is_marked_uncertain_never_resent(app, make_event, register, mailbox):
    register(make_event())
    [row] = rows(kind="confirmed")
    row.status, row.claimed_by, row.claimed_at = MailStatus.SENDING, "dead-worker", utcnow() - timedelta(hours=1)
    db.session.commit()
    assert worker.send_due().sent == 0
    [row] = rows(kind="confirmed")
    assert row.status == MailStatus.UNCERTAIN and "stopped while sending" in row.last_error
    assert worker.send_due().sent == 0 and mailbox.messages == []


def test_a_claim_of_a_living_worker_is_left_alone(app, make_event, register, mailbox):
    register(make_event())
    with Beat(app, "mail") as beat:
        beat.beat()  # at once, rather than waiting for its thread
        [row] = rows(kind="confirmed")
        row.status, row.claimed_by, row.claimed_at = MailStatus.SENDING, beat.name, utcnow() - timedelta(hours=1)
        db.session.commit()
        assert worker.send_due().sent == 0
        assert rows(kind="confirmed")[0].status == MailStatus.SENDING
    assert mailbox.messages == []


def test_an_outcome_never_overwrites_a_mail_taken_from_its_worker_meanwhile(app, make_event, register, mailbox):
    """A worker cut off from the database past WORKER_DEAD_SECONDS finds its mail marked uncertain: it stays so."""
    register(make_event())
    report = outbox.SendReport()
    [candidate] = outbox.due(utcnow())
    mail = outbox.advance("cut-off", None, [candidate], utcnow(), report)
    db.session.execute(update(OutboxMail).where(OutboxMail.id == mail.id)
                       .values(status=MailStatus.UNCERTAIN, claimed_by=None))
    db.session.commit()
    sent = outbox.outcome_of(mail, Delivery(Verdict.SENT), utcnow(), report)
    assert outbox.advance("cut-off", sent, [], utcnow(), report) is None
    assert rows(kind="confirmed")[0].status == MailStatus.UNCERTAIN


def test_a_claim_whose_commit_answer_was_lost_is_given_back_and_sent_once(app, make_event, register, mailbox):
    """The worker sends only after its claim's commit returned: a row it finds claimed by itself was never sent."""
    register(make_event())
    [row] = rows(kind="confirmed")
    row.status, row.claimed_by, row.claimed_at = MailStatus.SENDING, "same-worker", utcnow()
    db.session.commit()
    assert worker.send_due("same-worker").sent == 1
    assert rows(kind="confirmed")[0].status == MailStatus.SENT and len(mailbox.messages) == 1


def test_a_worker_holds_at_most_one_mail_sending_at_a_time(app, make_event, register, mailbox):
    event = make_event()
    for number in range(4):
        register(event, number)
    seen = []

    def look_while_sending(app, message):
        seen.append(len(rows(status=MailStatus.SENDING)))

    with email_dispatched.connected_to(look_while_sending):
        assert worker.send_due().sent == 4
    assert seen == [1, 1, 1, 1]


def test_event_moved_sends_an_updated_invite_and_moves_the_reminder(make_event, register, mailbox):
    event = make_event()
    register(event)
    [reminder] = rows(kind="reminder")
    old_due = reminder.due_at
    mailbox.deliver()
    # A week later than the event itself, not than "now": two readings of the clock can fall in two minutes.
    moved = to_local(event.starts_at).replace(tzinfo=None) + timedelta(days=7)
    data = events.EventData(type=event.type, title=event.title, capacity=event.capacity,
                            starts_at=moved, ends_at=moved + timedelta(hours=2))
    events.update_event(event.id, data)
    [reminder] = rows(kind="reminder")
    assert reminder.due_at - old_due == timedelta(days=7) and reminder.status == MailStatus.PENDING
    messages = mailbox.deliver().to("els.peeters@example.org")
    first, update = calendar_of(messages[0]).walk("VEVENT")[0], calendar_of(messages[-1]).walk("VEVENT")[0]
    assert update["uid"] == first["uid"]
    assert update["sequence"] == first["sequence"] + 1
    assert update.decoded("dtstart") - first.decoded("dtstart") == timedelta(days=7)


def test_event_cancelled_sends_cancel_invites_and_leaves_no_reminder(make_event, register, mailbox):
    event = make_event(capacity=1)
    register(event, 1)
    register(event, 2)
    mailbox.deliver()
    events.change_status(event.id, EventStatus.CANCELLED)
    assert rows(kind="reminder", status=MailStatus.PENDING) == []
    cancellations = [m for m in mailbox.deliver().messages if "partner1" in m["To"]][-1:]
    calendar = calendar_of(cancellations[0])
    assert calendar["method"] == "CANCEL" and calendar.walk("VEVENT")[0]["status"] == "CANCELLED"
    waiting = mailbox.to("partner2@example.org")[-1]
    assert not [p for p in waiting.walk() if p.get_content_type() == "text/calendar"], "never had an entry"


def test_cancelling_withdraws_the_scheduled_mails(register_link, client, make_event, register):
    event = make_event()
    link = register_link(event)
    assert rows(kind="reminder", status=MailStatus.PENDING)
    post_form(client, f"{link}/cancel", {})
    assert [r.status for r in rows(kind="reminder")] == [MailStatus.CANCELLED]
    assert len(rows(kind="cancelled")) == 1


def test_webinars_get_the_link_an_hour_before(make_event, register):
    event = make_event(type=events.EventType.LUNCHWEBINAR, online_url="https://meet.example/room", catering=False)
    register(event)
    [link_mail] = rows(kind="webinar_link")
    assert event.starts_at - link_mail.due_at == timedelta(hours=1)
    assert link_mail.render_when_due, "rendered by the worker when it is due"
    assert "https://meet.example/room" in mails.preview_due(link_mail).body_text


def test_evaluation_and_followup_are_scheduled_after_the_end(make_event, register):
    event = make_event()
    register(event, consent_followup="y")
    [evaluation] = rows(kind="evaluation")
    [followup] = rows(kind="followup")
    assert evaluation.due_at > event.ends_at
    assert followup.due_at - event.ends_at >= timedelta(days=89)


@pytest.mark.parametrize("day, local_hour, utc_hour", [("2027-03-27", 12, 11), ("2027-03-28", 12, 10),
                                                       ("2027-10-30", 12, 10), ("2027-10-31", 12, 11)])
def test_calendar_times_are_right_across_daylight_saving_changes(make_event, register, mailbox, day, local_hour,
                                                                 utc_hour):
    start = datetime.fromisoformat(f"{day}T{local_hour:02}:00")
    register(make_event(starts_at=start, ends_at=start + timedelta(hours=2)))
    [message] = mailbox.deliver().messages
    dtstart = calendar_of(message).walk("VEVENT")[0].decoded("dtstart")
    assert (dtstart.hour, dtstart.astimezone(UTC).hour) == (local_hour, utc_hour)


def test_personal_calendar_download_and_public_feed(register_link, client, make_event, register):
    event = make_event(title="Platform Beernem", online_url="https://meet.example/secret")
    other = make_event(title="Speeddate Jabbeke")
    link = register_link(event)
    personal = icalendar.Calendar.from_ical(client.get(f"{link}/event.ics").data)
    assert str(personal.walk("VEVENT")[0]["summary"]) == "Platform Beernem"
    feed = client.get("/events.ics")
    assert feed.mimetype == "text/calendar"
    calendar = icalendar.Calendar.from_ical(feed.data)
    assert {str(e["summary"]) for e in calendar.walk("VEVENT")} == {"Platform Beernem", "Speeddate Jabbeke"}
    assert b"secret" not in feed.data and b"els.peeters" not in feed.data, "no join links, no personal data"
    events.change_status(other.id, EventStatus.CANCELLED)
    assert b"Jabbeke" not in client.get("/events.ics").data


def test_feed_filters_by_gemeente(client, make_event):
    make_event(title="In Oostkamp", gemeente=_gemeente("Oostkamp"))
    make_event(title="In Beernem", gemeente=_gemeente("Beernem"))
    data = client.get("/events.ics?gemeente=oostkamp").data
    assert b"In Oostkamp" in data and b"In Beernem" not in data


def _gemeente(name: str):
    from speeddate.models import Gemeente

    return db.session.scalar(select(Gemeente).where(Gemeente.name == name))


def test_loop_worker_in_its_own_process_keeps_sending_until_stopped(app, make_event, register, mailbox, smtp_server):
    controller, _ = smtp_server
    environment = {**os.environ, "FLASK_APP": "wsgi.py", "SPEEDDATE_SECRET_KEY": "test-secret",
                   "SPEEDDATE_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
                   "SPEEDDATE_MAIL_SERVER": "127.0.0.1", "SPEEDDATE_MAIL_PORT": str(controller.port),
                   "SPEEDDATE_PUBLIC_BASE_URL": "http://speeddate.test"}
    process = subprocess.Popen([str(Path(sys.executable).parent / "flask"), "mail", "send", "--loop",
                                "--interval", "0.2"], cwd=Path(__file__).resolve().parents[2], env=environment,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        event = make_event()
        for number in range(3):
            register(event, number)
            db.session.rollback()
            deadline = time.monotonic() + 30
            while len(mailbox.messages) <= number and time.monotonic() < deadline:
                time.sleep(0.1)
        assert sorted(m["To"] for m in mailbox.messages) == [f"partner{n}@example.org" for n in range(3)]
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=30)
    assert process.returncode == 0 and "Stopped." in output


def test_the_calendar_with_the_shared_timezone_is_icalendars_own_text(app, make_event, register):
    """The VTIMEZONE is built once per process and put in as text: the result is what icalendar itself writes."""
    from speeddate.mail import calendar as ics

    register(make_event(location="Zaal De Schakel"))
    registration = db.session.scalar(select(Registration))
    ours = ics.registration_ics(registration)
    parsed = icalendar.Calendar.from_ical(ours)
    rebuilt = icalendar.Calendar()
    for key, value in parsed.property_items(recursive=False)[1:-1]:
        rebuilt.add(key, value)
    rebuilt.add_component(icalendar.Timezone.from_tzid(app.config["TIMEZONE"]))
    for component in parsed.walk("VEVENT"):
        rebuilt.add_component(component)
    assert ours == rebuilt.to_ical().decode()
    feed = ics.feed_ics([])
    assert feed.index("BEGIN:VTIMEZONE") < feed.index("END:VCALENDAR") and feed.count("BEGIN:VTIMEZONE") == 1
