"""A published plan changed in a browser, with only the moved people mailed (real SMTP on loopback), and a PDF
printout whose text holds every name exactly as registered. On a desktop and on a phone."""

import re
import subprocess

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from speeddate.extensions import db
from speeddate.models import OutboxMail
from speeddate.seating import seats
from tests.browser.helpers import settle
from tests.seating.test_print import NAMES
from tests.support import PARTNER, post_form

pytestmark = pytest.mark.browser
SECTORS = ("Huisartsen", "Apothekers", "Thuisverpleging", "OCMW en sociale dienst")
ENGLISH = {"locale": "en-GB"}


def registered(client, event, count: int = 8, names=()) -> list[str]:
    """Register `count` partners through the public form; returns their addresses."""
    addresses = []
    for number in range(count):
        first, last = names[number] if number < len(names) else (f"Deelnemer{number}", "Peeters")
        address = f"p{number}@example.org"
        response = post_form(client, f"/e/{event.slug}", {
            **PARTNER, "first_name": first, "last_name": last, "email": address,
            "organisation": f"Organisatie {number // 2}", "sector": SECTORS[number % 4],
            "language": ("nl", "fr", "en")[number % 3]})
        assert response.status_code == 200
        addresses.append(address)
    settle()
    return addresses


def generate_and_publish(page, event) -> None:
    page.goto(f"/admin/events/{event.id}/seating/")
    page.click("form[action$='/generate'] button")
    for _ in range(60):
        if page.locator("dl.figures").count():
            break
        page.wait_for_timeout(300)
        page.reload()
    page.click("form[action$='/publish'] button")
    expect(page.locator(".badge-published")).to_be_visible()


def test_a_swap_in_a_published_plan_lists_the_two_who_moved_and_mails_only_them(
        site, device, app, make_event, client, mailbox):
    app.config["SEATING_TIME_LIMIT"] = 1.0
    event = make_event(capacity=20)
    registered(client, event)
    page = site.organiser_page(**device, **ENGLISH)
    generate_and_publish(page, event)
    settle()
    mailbox.deliver()  # the registration confirmations, sent long before
    mailbox.messages.clear()
    before = seats.seats(seats.plan_of(seats.published_plan(event.id)))
    a, b = sorted(before)[:2]
    page.select_option("#swap-first", a)
    page.select_option("#swap-second", b)
    page.get_by_role("button", name="Show what changes").click()  # the swap is shown with its consequences first
    if page.locator("#confirmed").count():
        page.check("#confirmed")
    page.get_by_role("button", name="Swap their seats").click()

    expect(page).to_have_url(re.compile(r"/plans/\d+/moved$"))
    expect(page.locator("#summary")).to_contain_text("moved 2 people off the seat they knew")
    expect(page.locator("table.moved-people tbody tr")).to_have_count(2)
    expect(page.locator(f"#moved-{a}")).to_contain_text(re.compile(r"seat \d+.*seat \d+", re.S))
    expect(page.locator("#preview")).to_be_visible()
    expect(page.locator("#to-send")).to_contain_text("Only the 2 people who move get a mail")
    settle()
    assert list(db.session.scalars(select(OutboxMail).where(OutboxMail.kind == "seat_moved"))) == []
    assert mailbox.deliver().messages == [], "the swap itself mails nobody"

    page.get_by_role("button", name="Yes, send 2 mails").click()
    expect(page.locator(".message.success")).to_contain_text("2 mails with the new seat are in the outbox.")
    expect(page.locator("#nothing")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("^Yes, send"))).to_have_count(0)
    settle()
    mailbox.deliver()
    people = {str(r.id): r for r in seats.plan_registrations(seats.published_plan(event.id))}
    assert sorted(m["To"] for m in mailbox.messages) == sorted(people[p].partner.email for p in (a, b))
    for message in mailbox.messages:
        assert message["To"] in {people[a].partner.email, people[b].partner.email}
        assert "/r/" in message.get_body(("plain",)).get_content()


def test_the_pdf_downloaded_from_the_seating_page_holds_every_name_as_registered(
        site, device, app, make_event, client, tmp_path):
    app.config["SEATING_TIME_LIMIT"] = 1.0
    event = make_event(capacity=20)
    registered(client, event, count=len(NAMES) + 1, names=NAMES)
    page = site.organiser_page(**device)
    generate_and_publish(page, event)
    for part in ("rounds", "cards"):
        with page.expect_download() as download:
            page.locator(f"a[href$='/{part}.pdf']").click()
        path = tmp_path / f"{part}.pdf"
        download.value.save_as(path)
        text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True,
                              text=True).stdout
        for first, last in NAMES:
            assert f"{first} {last}" in text, (part, first, last)
