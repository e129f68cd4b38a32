"""An event's lifecycle in Chromium: cancelling and re-opening say who gets a mail and ask first; edit errors stand
next to their field; moving a published event says how many update mails go out before saving."""

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from speeddate.events import services as events
from speeddate.extensions import db
from speeddate.models import Event, OutboxMail
from tests.browser.helpers import settle

pytestmark = pytest.mark.browser

ENGLISH = {"locale": "en-GB"}
NOTE = "The speaker is ill. New date: 12 March, same room."


def outbox(kind: str) -> list[OutboxMail]:
    settle()
    return list(db.session.scalars(select(OutboxMail).where(OutboxMail.kind == kind)))


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


@pytest.fixture
def event_with_registrants(make_event, personal_path):
    """A published event with capacity 1: anna has the place, bart waits."""
    event = make_event(capacity=1, title="Speeddate Beernem", location="Zaal De Schakel")
    personal_path(event.slug, "anna@example.org")
    personal_path(event.slug, "bart@example.org")
    settle()
    return event


def open_event(page: Page, event: Event) -> None:
    page.goto(f"/admin/events/{event.id}")


def test_cancelling_says_who_gets_a_mail_asks_and_sends_the_note(site, device, event_with_registrants, mailbox):
    event = event_with_registrants
    organiser = site.organiser_page(**device, **ENGLISH)
    open_event(organiser, event)
    organiser.click(f"a[href$='/events/{event.id}/cancel']")
    what_happens = organiser.locator("#what-happens")
    expect(what_happens).to_contain_text("Registrants who get a cancellation mail: 2")
    expect(what_happens).to_contain_text("confirmed: 1")
    expect(what_happens).to_contain_text("on the waiting list: 1")
    assert outbox("event_cancelled") == [], "nothing is sent before the organiser confirms"

    organiser.fill("#note", NOTE)
    organiser.click("form.form button[type=submit]")
    expect(organiser.locator(".badge-cancelled")).to_be_visible()
    expect(organiser.locator("#event-facts")).to_contain_text(NOTE)

    settle()
    mailbox.deliver()
    for address in ("anna@example.org", "bart@example.org"):
        [mail] = [m for m in mailbox.to(address) if m["Subject"].startswith(("Geannuleerd", "Cancelled"))]
        assert NOTE in text_of(mail)

    public = site.new_page(**device)
    public.goto(f"/e/{event.slug}")
    expect(public.locator("blockquote.cancellation-note")).to_have_text(NOTE)


def test_keeping_the_event_on_the_cancel_page_changes_nothing(site, event_with_registrants):
    event = event_with_registrants
    organiser = site.organiser_page(**ENGLISH)
    organiser.goto(f"/admin/events/{event.id}/cancel")
    organiser.click("text=Keep the event")
    expect(organiser.locator(".badge-published")).to_be_visible()
    assert outbox("event_cancelled") == []


def test_reopening_shows_the_counts_then_gives_the_places_back(site, event_with_registrants, mailbox):
    event = event_with_registrants
    events.cancel_event(event.id)
    settle()
    mailbox.deliver()
    mailbox.messages.clear()
    organiser = site.organiser_page(**ENGLISH)
    open_event(organiser, event)
    organiser.click(f"a[href$='/events/{event.id}/reopen']")
    what_happens = organiser.locator("#what-happens")
    expect(what_happens).to_contain_text("Get their place back, with a mail: 1")
    expect(what_happens).to_contain_text("Stay on the waiting list, with a mail: 1")
    assert outbox("event_reopened") == []

    organiser.click("form.form button[type=submit]")
    expect(organiser.locator(".badge-published")).to_be_visible()
    settle()
    mailbox.deliver()
    assert len(mailbox.to("anna@example.org")) == 1 and len(mailbox.to("bart@example.org")) == 1


@pytest.mark.parametrize(("field", "value"), [("ends_at", "#starts_at"), ("capacity", "1")])
def test_edit_errors_stand_next_to_the_field(site, make_event, personal_path, field, value):
    """The end before the start; a capacity below the two confirmed."""
    event = make_event(capacity=5)
    personal_path(event.slug, "anna@example.org")
    personal_path(event.slug, "bart@example.org")
    settle()
    organiser = site.organiser_page(**ENGLISH)
    organiser.goto(f"/admin/events/{event.id}/edit")
    organiser.fill(f"#{field}", organiser.input_value(value) if value.startswith("#") else value)
    organiser.click("form.form button[type=submit]")
    expect(organiser.locator(f"#{field}-error")).to_be_visible()
    expect(organiser.locator(f"#{field}")).to_have_attribute("aria-invalid", "true")


def test_deadline_after_the_start_is_refused_next_to_the_deadline(site, make_event):
    event = make_event()
    settle()
    organiser = site.organiser_page(**ENGLISH)
    organiser.goto(f"/admin/events/{event.id}/edit")
    organiser.fill("#registration_deadline", organiser.input_value("#ends_at"))
    organiser.click("form.form button[type=submit]")
    expect(organiser.locator("#registration_deadline-error")).to_contain_text("before the start")


def test_moving_a_published_event_says_how_many_update_mails_then_sends_them(site, event_with_registrants):
    event = event_with_registrants
    organiser = site.organiser_page(**ENGLISH)
    organiser.goto(f"/admin/events/{event.id}/edit")
    organiser.fill("#location", "Zaal Het Anker")
    organiser.click("form.form > button[type=submit]")
    notice = organiser.locator("#update-mails")
    expect(notice).to_contain_text("Registrants who get an update mail about this change: 2.")
    settle()
    assert db.session.get(Event, event.id).location == "Zaal De Schakel"
    assert outbox("event_changed") == []

    notice.locator("button").click()
    expect(organiser).to_have_url(re.compile(rf"/admin/events/{event.id}$"))
    expect(organiser.locator("#event-facts")).to_contain_text("Zaal Het Anker")
    assert len(outbox("event_changed")) == 2
