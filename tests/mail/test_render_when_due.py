"""Scheduled mails (reminder, webinar link, evaluation, follow-up) are rendered by the worker when they are due.

The outbox row keeps what makes the mail unique (its key, kind, registration, event and due time) with the
recipient and subject for the organisers' list; the body is written in the unit of work that claims the mail, in
the recipient's language of that day, so that a renamed event or a corrected name is right in the reminder.
"""

import dataclasses
from datetime import timedelta

from sqlalchemy import select, update

from speeddate.events import services as events
from speeddate.extensions import db
from speeddate.i18n import to_local
from speeddate.mail import actions, worker
from speeddate.mail import services as mails
from speeddate.models import Event, MailStatus, OutboxMail, Registration, RegistrationStatus
from speeddate.partners import services as partners


def reminder() -> OutboxMail:
    db.session.rollback()
    return db.session.scalar(select(OutboxMail).where(OutboxMail.kind == "reminder"))


def reminders_in(mailbox) -> list:
    return [m for m in mailbox.deliver().messages if m["Subject"].startswith(("Reminder", "Herinnering", "Rappel"))]


def send_when_the_reminder_is_due():
    return worker.send_due(now=reminder().due_at + timedelta(minutes=1))


def text_of(message) -> str:
    return message.get_body(("plain",)).get_content()


def event_data(event: Event, **changes) -> events.EventData:
    """The event as its edit form holds it (Brussels wall-clock times), with the given changes."""
    values = {field.name: getattr(event, field.name) for field in dataclasses.fields(events.EventData)}
    for name in ("starts_at", "ends_at", "registration_deadline"):
        if values[name] is not None:
            values[name] = to_local(values[name]).replace(tzinfo=None)
    return events.EventData(**{**values, **changes})


def details_of(registration: Registration, **changes) -> partners.PartnerDetails:
    partner = registration.partner
    values = {"first_name": partner.first_name, "last_name": partner.last_name,
              "organisation": partner.organisation.name, "sector": partner.sector, "function": partner.function,
              "gemeenten": list(partner.gemeenten), "phone": partner.phone, "language": partner.language}
    return partners.PartnerDetails(**{**values, **changes})


def test_a_scheduled_mail_is_queued_with_its_subject_and_recipient_and_no_body(make_event, register):
    event = make_event(title="Speeddate Oostkamp")
    register(event)
    row = reminder()
    assert row.render_when_due and row.body_text == "" and row.body_html == "" and row.ics is None
    assert row.subject == "Herinnering: Speeddate Oostkamp" or "Speeddate Oostkamp" in row.subject
    assert row.recipient == "els.peeters@example.org" and row.status == MailStatus.PENDING
    assert row.due_at > row.created_at + timedelta(days=10)
    confirmation = db.session.scalar(select(OutboxMail).where(OutboxMail.kind == "confirmed"))
    assert not confirmation.render_when_due and "Els" in confirmation.body_text, "a mail due now is rendered now"


def test_the_reminder_tells_the_event_and_the_name_as_they_are_when_it_goes(make_event, register, mailbox):
    event = make_event(title="Speeddate Oostkamp", description="Old text")
    register(event)
    registration = db.session.scalar(select(Registration))
    # A new title sends an update mail; a corrected name sends nothing: only the reminder tells it.
    events.update_event(event.id, event_data(event, title="Speeddate Oostkamp en Beernem"))
    partners.update_details(registration.id, details_of(registration, first_name="Elise"), "")
    report = send_when_the_reminder_is_due()
    [message] = reminders_in(mailbox)
    assert "Speeddate Oostkamp en Beernem" in message["Subject"]
    assert "Elise" in text_of(message) and "Speeddate Oostkamp en Beernem" in text_of(message)
    row = reminder()
    assert row.status == MailStatus.SENT and not row.render_when_due and report.sent >= 1
    assert "Elise" in row.body_text, "what went out is kept: the organisers see what was sent"


def test_the_reminder_goes_in_the_language_the_partner_chose_since(make_event, register, mailbox):
    register(make_event(title="Speeddate Oostkamp"))
    registration = db.session.scalar(select(Registration))
    partners.update_details(registration.id, details_of(registration, language="fr"), "")
    send_when_the_reminder_is_due()
    [message] = reminders_in(mailbox)
    assert message["Subject"].startswith("Rappel") or "Cher" in text_of(message) or "Chère" in text_of(message), \
        message["Subject"]
    assert reminder().language == "fr"


def test_a_reminder_whose_registration_was_deleted_does_not_go(make_event, register, mailbox):
    register(make_event())
    due_at = reminder().due_at
    db.session.execute(update(OutboxMail).where(OutboxMail.kind != "reminder").values(status=MailStatus.SENT))
    db.session.delete(db.session.scalar(select(Registration)))
    db.session.commit()
    report = worker.send_due(now=due_at + timedelta(minutes=1))
    row = reminder()
    assert row.registration_id is None and row.status == MailStatus.CANCELLED
    assert "no longer exists" in row.last_error and report.withdrawn == 1 and report.sent == 0
    assert mailbox.deliver().messages == []


def test_a_reminder_whose_registration_is_no_longer_confirmed_does_not_go(make_event, register, mailbox):
    """Cancelling withdraws the reminder; should anything leave it waiting, the worker still does not send it."""
    register(make_event())
    db.session.execute(update(OutboxMail).where(OutboxMail.kind != "reminder").values(status=MailStatus.SENT))
    db.session.execute(update(Registration).values(status=RegistrationStatus.WAITLISTED, waitlist_position=1))
    db.session.commit()
    report = send_when_the_reminder_is_due()
    assert reminder().status == MailStatus.CANCELLED and "no longer confirmed" in reminder().last_error
    assert report.sent == 0 and mailbox.deliver().messages == []


def test_a_mail_that_cannot_be_rendered_fails_for_an_organiser_and_the_others_go(app, make_event, register, mailbox):
    event = make_event()
    register(event)
    register(event, 1)
    db.session.execute(update(OutboxMail).where(OutboxMail.kind != "reminder").values(status=MailStatus.SENT))
    db.session.commit()
    broken = reminder()
    calls = {"n": 0}
    real_fill = mails._fill

    def fill_failing_once(row, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise KeyError("a template value that is missing")
        return real_fill(row, *args, **kwargs)

    mails._fill = fill_failing_once
    try:
        report = worker.send_due(now=broken.due_at + timedelta(minutes=1))
    finally:
        mails._fill = real_fill
    db.session.rollback()
    rows = list(db.session.scalars(select(OutboxMail).where(OutboxMail.kind == "reminder").order_by(OutboxMail.id)))
    assert [r.status for r in rows] == [MailStatus.FAILED, MailStatus.SENT]
    assert "could not be rendered" in rows[0].last_error and report.failed == 1
    assert len(reminders_in(mailbox)) == 1
    # The organiser sends it again once the cause is fixed: it is rendered then.
    assert actions.retry(rows[0].id)
    worker.send_due(now=broken.due_at + timedelta(minutes=2))
    assert len(reminders_in(mailbox)) == 2


def test_moving_the_event_moves_the_waiting_reminder_without_rendering_it(make_event, register):
    event = make_event()
    register(event)
    before = reminder().due_at
    moved = to_local(event.starts_at).replace(tzinfo=None) + timedelta(days=2)
    events.update_event(event.id, event_data(event, starts_at=moved, ends_at=moved + timedelta(hours=2)))
    row = reminder()
    assert row.due_at - before == timedelta(days=2) and row.render_when_due and row.body_text == ""


def test_withdrawn_then_put_back_it_is_still_rendered_when_due(make_event, register, mailbox):
    register(make_event())
    row = reminder()
    assert actions.refusal(actions.Action.WITHDRAW, row, row.created_at) is None
    assert actions.apply(actions.Action.WITHDRAW, [row.id]).done == 1
    assert actions.refusal(actions.Action.PUT_BACK, reminder(), row.created_at) is None, "not taken for emptied"
    assert actions.apply(actions.Action.PUT_BACK, [row.id]).done == 1
    db.session.execute(update(OutboxMail).where(OutboxMail.kind != "reminder").values(status=MailStatus.SENT))
    db.session.commit()
    send_when_the_reminder_is_due()
    assert len(reminders_in(mailbox)) == 1 and reminder().status == MailStatus.SENT


def test_the_organisers_see_the_mail_as_it_would_read_now_without_personal_links(organiser, make_event, register):
    event = make_event(title="Speeddate Oostkamp")
    register(event)
    row = reminder()
    listed = organiser.get("/admin/outbox/?person=Peeters&lang=en").get_data(as_text=True)
    assert row.subject in listed
    page = organiser.get(f"/admin/outbox/{row.id}?lang=en")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "written when it is due" in text
    assert "Els" in text and "/r/…" in text
    signed = partners.tokens.sign(db.session.scalar(select(Registration.token)))
    assert signed not in text
    html = organiser.get(f"/admin/outbox/{row.id}/html").get_data(as_text=True)
    assert "Speeddate Oostkamp" in html and signed not in html
    assert reminder().body_text == "", "looking does not render the stored mail"


def test_a_cancelled_registrations_waiting_mail_says_it_would_not_go(organiser, make_event, register_link):
    link = register_link(make_event())
    row = reminder()
    db.session.execute(update(Registration).values(status=RegistrationStatus.CANCELLED))
    db.session.commit()
    text = organiser.get(f"/admin/outbox/{row.id}?lang=en").get_data(as_text=True)
    assert "it would not go" in text and link not in text
