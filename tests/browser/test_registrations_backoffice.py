"""The registration list in a browser: cancel after a confirmation, undo (place back or waiting list), and the
personal link mailed again, checked at the loopback SMTP server; the organiser's pages never show the link."""

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from speeddate import tokens
from speeddate.extensions import db
from speeddate.models import Registration, RegistrationStatus
from tests.browser.helpers import settle
from tests.support import PARTNER, post_form

pytestmark = pytest.mark.browser


def registered(client, event, count: int) -> list[Registration]:
    """`count` partners registered over plain HTTP, in order."""
    for number in range(count):
        response = post_form(client, f"/e/{event.slug}", {**PARTNER, "first_name": f"Deelnemer{number}",
                                                          "email": f"p{number}@example.org"})
        assert response.status_code == 200
    settle()
    return list(db.session.scalars(select(Registration).order_by(Registration.id)))


def status_of(registration: Registration) -> RegistrationStatus:
    settle()
    return db.session.get(Registration, registration.id).status


def cancel_in_browser(page: Page, event, registration: Registration, email: str) -> None:
    page.goto(f"/admin/events/{event.id}")
    page.locator(f"#registration-{registration.id} a[href$='/cancel']").click()
    expect(page.locator("#what-happens")).to_contain_text(email)
    assert status_of(registration) == RegistrationStatus.CONFIRMED, "the confirmation page changes nothing"
    page.click("#confirm-cancel")
    expect(page.locator(".cancelled")).to_contain_text("Deelnemer")


def undo_in_browser(page: Page, registration: Registration) -> str:
    """Undo from the cancelled list; returns what the confirmation page said would happen."""
    page.locator(f".cancelled #registration-{registration.id} a").click()
    said = page.locator("#what-happens").inner_text()
    page.click("#confirm-restore")
    return said


def test_cancel_names_who_gets_the_place_and_undo_puts_the_person_on_the_waiting_list(site, device, client,
                                                                                      make_event, mailbox):
    event = make_event(capacity=1)
    first, second = registered(client, event, 2)
    page = site.organiser_page(**device)
    page.goto(f"/admin/events/{event.id}")
    page.locator(f"#registration-{first.id} a[href$='/cancel']").click()
    expect(page.locator("#what-happens .promoted")).to_contain_text("Deelnemer1")
    page.click("#confirm-cancel")
    assert (status_of(first), status_of(second)) == (RegistrationStatus.CANCELLED, RegistrationStatus.CONFIRMED)

    said = undo_in_browser(page, first)
    assert "1" in said, "the confirmation gave the place on the waiting list"
    expect(page.locator(".messages .message.success")).to_contain_text("Deelnemer0")
    assert (status_of(first), status_of(second)) == (RegistrationStatus.WAITLISTED, RegistrationStatus.CONFIRMED)
    mailbox.deliver()
    assert len(mailbox.to("p0@example.org")) == 3  # registered, cancelled, back on the waiting list
    assert len(mailbox.to("p1@example.org")) == 2  # waiting list, then promoted


def test_undo_gives_the_place_back_when_it_is_still_free(site, client, make_event, mailbox):
    event = make_event(capacity=2)
    [only] = registered(client, event, 1)
    page = site.organiser_page()
    cancel_in_browser(page, event, only, "p0@example.org")
    assert status_of(only) == RegistrationStatus.CANCELLED
    undo_in_browser(page, only)
    expect(page.locator(f"#registration-{only.id} a[href$='/cancel']")).to_be_visible()
    assert status_of(only) == RegistrationStatus.CONFIRMED
    mailbox.deliver()
    assert len(mailbox.to("p0@example.org")) == 3


def test_the_personal_link_goes_by_mail_and_never_shows_in_the_back_office(site, client, make_event, mailbox):
    event = make_event()
    [only] = registered(client, event, 1)
    signed = tokens.sign(only.token)
    mailbox.deliver()
    before = len(mailbox.to("p0@example.org"))
    page = site.organiser_page()
    page.goto(f"/admin/events/{event.id}")
    page.locator(f"#registration-{only.id} a[href$='/link']").click()
    expect(page.locator("#what-happens")).to_contain_text("p0@example.org")
    assert signed not in page.content() and only.token not in page.content()
    page.click("#confirm-link")
    expect(page.locator(f"#registration-{only.id}")).to_be_visible()
    assert signed not in page.content() and only.token not in page.content()

    page.goto(f"/admin/registrations/{only.id}/link")
    expect(page.locator("#confirm-link")).to_have_count(0)  # the second within the hour is refused up front
    settle()
    mailbox.deliver()
    [mail] = mailbox.to("p0@example.org")[before:]
    assert signed in mail.get_body(("plain",)).get_content()
