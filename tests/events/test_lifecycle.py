"""An event's lifecycle without surprises: cancel and re-open after saying what happens, edit errors next to their
field, update mails announced before they go, past events shown as past."""

import re
from datetime import timedelta

import icalendar
import pytest
from sqlalchemy import select

from speeddate.events import services as events
from speeddate.extensions import db
from speeddate.models import Event, EventStatus, MailStatus, OutboxMail, Registration, RegistrationStatus
from tests.events.test_views import unchanged
from tests.support import local_now, post_form, vnu_messages

NOTE = "De spreker is ziek. Nieuwe datum: 12 maart, zelfde zaal."


def mails(kind: str, status: MailStatus | None = None) -> list[OutboxMail]:
    db.session.rollback()
    query = select(OutboxMail).where(OutboxMail.kind == kind).order_by(OutboxMail.id)
    if status is not None:
        query = query.where(OutboxMail.status == status)
    return list(db.session.scalars(query))


def statuses(event: Event) -> dict[str, RegistrationStatus]:
    db.session.rollback()
    rows = db.session.scalars(select(Registration).where(Registration.event_id == event.id))
    return {r.partner.first_name: r.status for r in rows}


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def calendar_method(message) -> str | None:
    parts = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    return str(icalendar.Calendar.from_ical(parts[0].get_payload(decode=True))["method"]) if parts else None


@pytest.fixture
def full_event(make_event, register):
    """A published event with two people confirmed and one waiting (Partner0 and Partner1 in, Partner2 waiting)."""
    event = make_event(capacity=2, location="Zaal De Schakel")
    for number in range(3):
        register(event, number, language="fr" if number == 1 else "nl")
    return event


# Cancelling


def test_cancel_page_says_who_gets_a_mail_and_changes_nothing(organiser, full_event):
    page = organiser.get(f"/admin/events/{full_event.id}/cancel?lang=en").get_data(as_text=True)
    assert "Registrants who get a cancellation mail: 3" in page
    assert "confirmed: 2" in page and "on the waiting list: 1" in page
    db.session.refresh(full_event)
    assert full_event.status == EventStatus.PUBLISHED
    assert mails("event_cancelled") == []


def test_the_status_button_no_longer_cancels_in_one_click(organiser, full_event):
    detail = f"/admin/events/{full_event.id}"
    response = post_form(organiser, f"{detail}/status/cancelled", {}, form_url=detail)
    assert response.status_code == 302 and response.location.endswith(f"{detail}/cancel")
    db.session.refresh(full_event)
    assert full_event.status == EventStatus.PUBLISHED
    assert mails("event_cancelled") == []


def test_the_note_goes_into_each_cancellation_mail_in_the_recipients_language(organiser, full_event, mailbox):
    mailbox.deliver()
    post_form(organiser, f"/admin/events/{full_event.id}/cancel", {"note": NOTE})
    db.session.refresh(full_event)
    assert (full_event.status, full_event.cancellation_note) == (EventStatus.CANCELLED, NOTE)
    mailbox.messages.clear()
    mailbox.deliver()
    assert len(mailbox.messages) == 3
    dutch, french = text_of(mailbox.to("partner0@")[0]), text_of(mailbox.to("partner1@")[0])
    assert NOTE in dutch and NOTE in french
    assert "is geannuleerd" in dutch or "gaat niet door" in dutch, dutch
    assert "est annulé" in french, french
    assert calendar_method(mailbox.to("partner0@")[0]) == "CANCEL"


def test_the_public_page_of_a_cancelled_event_shows_the_note(organiser, client, full_event):
    post_form(organiser, f"/admin/events/{full_event.id}/cancel", {"note": NOTE})
    page = client.get(f"/e/{full_event.slug}?lang=en").get_data(as_text=True)
    assert "This event is cancelled." in page
    assert "De spreker is ziek." in page


def test_a_note_too_long_changes_nothing(organiser, full_event):
    response = post_form(organiser, f"/admin/events/{full_event.id}/cancel?lang=en", {"note": "x" * 2001})
    assert response.status_code == 400
    assert "note-error" in response.get_data(as_text=True)
    db.session.refresh(full_event)
    assert full_event.status == EventStatus.PUBLISHED


# Re-opening


def test_reopen_page_gives_the_counts_and_changes_nothing(organiser, full_event):
    events.cancel_event(full_event.id)
    page = organiser.get(f"/admin/events/{full_event.id}/reopen?lang=en").get_data(as_text=True)
    assert "Get their place back, with a mail: 2" in page
    assert "Stay on the waiting list, with a mail: 1" in page
    assert "Mails in all: 3." in page
    db.session.refresh(full_event)
    assert full_event.status == EventStatus.CANCELLED


def test_reopening_gives_places_back_tells_everyone_and_plans_the_reminders_again(organiser, full_event, mailbox):
    events.cancel_event(full_event.id, NOTE)
    assert mails("reminder", MailStatus.PENDING) == []
    mailbox.deliver()
    mailbox.messages.clear()
    post_form(organiser, f"/admin/events/{full_event.id}/reopen", {})
    db.session.refresh(full_event)
    assert (full_event.status, full_event.cancellation_note) == (EventStatus.PUBLISHED, "")
    assert statuses(full_event) == {"Partner0": RegistrationStatus.CONFIRMED, "Partner1": RegistrationStatus.CONFIRMED,
                                    "Partner2": RegistrationStatus.WAITLISTED}
    assert len(mails("reminder", MailStatus.PENDING)) == 2
    mailbox.deliver()
    assert len(mailbox.messages) == 3
    [confirmed], [waiting] = mailbox.to("partner0@"), mailbox.to("partner2@")
    assert calendar_method(confirmed) == "REQUEST" and calendar_method(waiting) is None
    assert re.search(r"(plaats|position) 1\b", text_of(waiting)), "the rank, in Dutch once the lead merges it"


def test_reopening_fills_a_place_that_came_free_from_the_waiting_list(full_event, register):
    events.cancel_event(full_event.id)
    data = events.EventData(type=full_event.type, title=full_event.title, starts_at=local_now() + timedelta(days=14),
                            ends_at=local_now() + timedelta(days=14, hours=2), capacity=3)
    events.update_event(full_event.id, data)
    assert events.reopening_preview(db.session.get(Event, full_event.id)).promoted == 1
    done = events.reopen_event(full_event.id)
    assert (done.reconfirmed, done.promoted, done.waiting, done.mails) == (2, 1, 0, 3)
    assert set(statuses(full_event).values()) == {RegistrationStatus.CONFIRMED}


def test_an_event_reopened_and_cancelled_again_mails_the_cancellation_again(full_event):
    events.cancel_event(full_event.id)
    events.reopen_event(full_event.id)
    events.cancel_event(full_event.id, NOTE)
    assert len(mails("event_cancelled")) == 6
    assert NOTE in mails("event_cancelled")[-1].body_text


def test_an_event_that_has_ended_cannot_be_reopened(full_event, clock):
    events.cancel_event(full_event.id)
    clock.set(full_event.ends_at + timedelta(minutes=1))
    with pytest.raises(events.EventError):
        events.reopen_event(full_event.id)


@pytest.mark.parametrize("page", ["cancel", "reopen"])
def test_the_confirmation_pages_send_back_what_cannot_be_done(organiser, make_event, page):
    """An event that is not cancelled cannot be re-opened; one that is cancelled already cannot be cancelled."""
    event = make_event()
    if page == "cancel":
        events.cancel_event(event.id)
    response = organiser.get(f"/admin/events/{event.id}/{page}?lang=en")
    assert response.status_code == 302 and response.location.endswith(f"/admin/events/{event.id}")
    flashed = organiser.get(response.location + "?lang=en").get_data(as_text=True)
    assert "cannot go from" in flashed or "Only a cancelled event" in flashed


def test_an_event_that_has_ended_cannot_be_cancelled(make_event):
    start = local_now() - timedelta(days=3)
    event = make_event(starts_at=start, ends_at=start + timedelta(hours=2))
    with pytest.raises(events.EventError):
        events.cancel_event(event.id)
    assert mails("event_cancelled") == []


# Editing


def past_deadline(event):
    return (local_now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")


@pytest.mark.parametrize(("field", "overrides"), [
    ("ends_at", lambda event: {"ends_at": (local_now() + timedelta(days=13)).strftime("%Y-%m-%dT%H:%M")}),
    ("registration_deadline",
     lambda event: {"registration_deadline": (local_now() + timedelta(days=15)).strftime("%Y-%m-%dT%H:%M")}),
    ("registration_deadline", lambda event: {"registration_deadline": past_deadline(event)}),
    ("capacity", lambda event: {"capacity": "1"}),
])
def test_edit_errors_stand_next_to_their_field_and_change_nothing(organiser, full_event, field, overrides):
    url = f"/admin/events/{full_event.id}/edit?lang=en"
    response = post_form(organiser, url, unchanged(full_event, **overrides(full_event)))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page
    assert f'href="#{field}"' in page, "the summary links to the field"
    db.session.rollback()
    assert db.session.get(Event, full_event.id).capacity == 2


def test_publishing_with_a_deadline_already_passed_is_refused(make_event):
    event = make_event(publish=False, registration_deadline=local_now() - timedelta(hours=1))
    with pytest.raises(events.EventError):
        events.change_status(event.id, EventStatus.PUBLISHED)


def test_moving_a_published_event_asks_before_the_update_mails(organiser, full_event):
    url = f"/admin/events/{full_event.id}/edit?lang=en"
    moved = unchanged(full_event, location="Zaal Het Anker")
    asked = post_form(organiser, url, moved)
    assert asked.status_code == 200
    assert "Registrants who get an update mail about this change: 3." in asked.get_data(as_text=True)
    db.session.refresh(full_event)
    assert full_event.location == "Zaal De Schakel" and mails("event_changed") == []

    saved = post_form(organiser, url, {**moved, "update_mails": "3"})
    assert saved.status_code == 302
    db.session.refresh(full_event)
    assert full_event.location == "Zaal Het Anker" and len(mails("event_changed")) == 3


def test_a_stale_count_of_update_mails_asks_again(organiser, full_event, register):
    url = f"/admin/events/{full_event.id}/edit?lang=en"
    moved = unchanged(full_event, location="Zaal Het Anker")
    register(full_event, 7)
    again = post_form(organiser, url, {**moved, "update_mails": "3"})
    assert "Registrants who get an update mail about this change: 4." in again.get_data(as_text=True)
    assert mails("event_changed") == []


def test_a_change_that_mails_nobody_saves_at_once(organiser, full_event):
    response = post_form(organiser, f"/admin/events/{full_event.id}/edit", unchanged(full_event, capacity="5"))
    assert response.status_code == 302
    db.session.refresh(full_event)
    assert full_event.capacity == 5 and mails("event_changed") == []


# Past events


@pytest.fixture
def past_event(make_event):
    start = local_now() - timedelta(days=3)
    return make_event(starts_at=start, ends_at=start + timedelta(hours=2), catering=False, location="Zaal De Schakel",
                      description="Over kwetsbare ouderen", registration_deadline=start - timedelta(days=2))


def test_past_events_show_as_past_without_invitations_or_closing(organiser, past_event):
    listing = organiser.get("/admin/events?past=1&lang=en").get_data(as_text=True)
    assert 'badge-past">past<' in listing
    page = organiser.get(f"/admin/events/{past_event.id}?lang=en").get_data(as_text=True)
    assert 'badge-past">past<' in page
    assert "Invite partners" not in page and "Close registration" not in page and "Cancel event" not in page


def test_the_event_page_gives_location_description_and_deadline(organiser, past_event):
    page = organiser.get(f"/admin/events/{past_event.id}?lang=en").get_data(as_text=True)
    assert "Zaal De Schakel" in page and "Over kwetsbare ouderen" in page
    assert "Registration deadline" in page


def test_catering_downloads_only_where_there_is_catering(organiser, past_event, make_event):
    assert "catering (CSV)" not in organiser.get(f"/admin/events/{past_event.id}?lang=en").get_data(as_text=True)
    with_catering = make_event(catering=True)
    assert "catering (CSV)" in organiser.get(f"/admin/events/{with_catering.id}?lang=en").get_data(as_text=True)


def test_the_lifecycle_pages_and_mails_are_valid_html(organiser, full_event, tmp_path):
    ask = post_form(organiser, f"/admin/events/{full_event.id}/edit", unchanged(full_event, location="Elders"))
    pages = {"cancel": organiser.get(f"/admin/events/{full_event.id}/cancel"), "update-mails": ask}
    events.cancel_event(full_event.id, NOTE)
    pages |= {"reopen": organiser.get(f"/admin/events/{full_event.id}/reopen"),
              "cancelled": organiser.get(f"/admin/events/{full_event.id}")}
    events.reopen_event(full_event.id)
    for name, page in pages.items():
        assert page.status_code == 200, name
        (tmp_path / f"{name}.html").write_text(page.get_data(as_text=True))
    for kind in ("event_cancelled", "event_reopened"):
        (tmp_path / f"{kind}.html").write_text(mails(kind)[-1].body_html)
    assert vnu_messages(tmp_path) == []


@pytest.mark.parametrize("clock", ["08:30", "12:00", "21:15", "23:59"])
@pytest.mark.parametrize("event_type", list(events.EventType))
def test_a_new_event_never_starts_in_the_past(event_type, clock):
    """The form's first guess is today at the type's usual hour, or tomorrow once that hour has passed."""
    hour, minute = map(int, clock.split(":"))
    now = local_now().replace(hour=hour, minute=minute, second=0, microsecond=0)
    start, end = events.new_event_times(event_type, now)
    assert now < start < end
    assert start - now <= timedelta(days=1)
