"""'Give a place' on the waiting list in a browser: a page says who gets a mail first; going back changes nothing,
confirming gives the place and the mail reaches the loopback SMTP server; a stale page is refused."""

import pytest
from playwright.sync_api import expect

from speeddate.extensions import db
from speeddate.models import Event, RegistrationStatus
from tests.browser.test_registrations_backoffice import registered, status_of

pytestmark = pytest.mark.browser


def free_a_place(event) -> None:
    """A place the automatic promotion has not filled (as right after a cancellation elsewhere)."""
    db.session.execute(Event.__table__.update().where(Event.id == event.id).values(capacity=event.capacity + 1))
    db.session.commit()


def test_give_a_place_says_who_is_mailed_then_gives_it_after_confirming(site, device, client, make_event, mailbox):
    event = make_event(capacity=1)
    first, waiting = registered(client, event, 2)
    free_a_place(event)
    mailbox.deliver()
    before = len(mailbox.to("p1@example.org"))
    page = site.organiser_page(**device)
    page.goto(f"/admin/events/{event.id}")
    page.locator(f"#registration-{waiting.id} a[href$='/promote']").click()
    expect(page.locator("#what-happens")).to_contain_text("p1@example.org")
    assert status_of(waiting) == RegistrationStatus.WAITLISTED, "the confirmation page changes nothing"

    page.locator(f"form[action$='/registrations/{waiting.id}/promote'] a.button").click()  # no, go back
    expect(page.locator(f"#registration-{waiting.id} a[href$='/promote']")).to_be_visible()
    assert status_of(waiting) == RegistrationStatus.WAITLISTED

    page.locator(f"#registration-{waiting.id} a[href$='/promote']").click()
    page.click("#confirm-promote")
    expect(page.locator(".messages .message.success")).to_contain_text("Deelnemer1")
    assert (status_of(first), status_of(waiting)) == (RegistrationStatus.CONFIRMED, RegistrationStatus.CONFIRMED)
    mailbox.deliver()
    assert len(mailbox.to("p1@example.org")) == before + 1


def test_a_place_taken_while_the_page_was_open_is_refused(site, client, make_event, mailbox):
    event = make_event(capacity=1)
    _, second, third = registered(client, event, 3)
    free_a_place(event)
    page = site.organiser_page()
    page.goto(f"/admin/registrations/{third.id}/promote")
    other = site.organiser_page()
    other.goto(f"/admin/registrations/{second.id}/promote")
    other.click("#confirm-promote")
    expect(other.locator(".messages .message.success")).to_contain_text("Deelnemer1")

    page.click("#confirm-promote")
    expect(page.locator(".messages .message.error")).to_be_visible()
    assert (status_of(second), status_of(third)) == (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)
    mailbox.deliver()
    assert len(mailbox.to("p2@example.org")) == 1, "only the waiting-list mail"
