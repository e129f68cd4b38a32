"""The day itself in a browser: a walk-in error keeps the check-in list, the timer's buttons follow its state,
and the pages have a favicon of their own."""

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import settle
from tests.support import PARTNER, post_form

pytestmark = pytest.mark.browser


def test_a_walk_in_error_keeps_the_checkin_list_and_its_count(site, client, make_event, device):
    event = make_event(capacity=10)
    for number in range(3):
        post_form(client, f"/e/{event.slug}", {**PARTNER, "first_name": f"Deelnemer{number}",
                                               "email": f"p{number}@example.org"})
    settle()
    page = site.organiser_page(**device)
    page.goto(f"/admin/events/{event.id}/seating/checkin")
    page.locator("ul.checkin li:not(.present) form button").first.click()
    expect(page.locator("ul.checkin li.present")).to_have_count(1)
    page.fill("#walkin-first_name", "Wim")
    page.fill("#walkin-last_name", "Walker")
    page.fill("#walkin-organisation", "CAW")
    page.fill("#walkin-email", "wim-at-home")
    page.locator("#walk-in ~ form button[type=submit]").click()
    expect(page.locator("#walkin-email-error")).to_be_visible()
    expect(page.locator("ul.checkin li[id^='person-']")).to_have_count(3)
    expect(page.get_by_role("status")).to_contain_text("1")
    assert "Niemand gevonden" not in page.content()


def test_a_walk_in_into_a_full_room_is_asked_about_before_the_capacity_grows(site, client, make_event):
    event = make_event(capacity=1)
    post_form(client, f"/e/{event.slug}", {**PARTNER, "email": "p0@example.org"})
    settle()
    page = site.organiser_page()
    page.goto(f"/admin/events/{event.id}/seating/checkin")
    expect(page.locator("#room-full")).to_be_visible()
    page.fill("#walkin-first_name", "Wim")
    page.fill("#walkin-last_name", "Walker")
    page.fill("#walkin-email", "wim@example.org")
    page.fill("#walkin-organisation", "CAW")
    page.select_option("#walkin-sector", label="Apothekers")
    page.locator("#walk-in ~ form button[type=submit]").click()
    expect(page.locator("#walkin-over_capacity-error")).to_be_visible()
    expect(page.locator("ul.checkin li[id^='person-']")).to_have_count(1)
    page.check("#walkin-over_capacity")
    page.locator("#walk-in ~ form button[type=submit]").click()
    expect(page.locator("ul.checkin li.present")).to_have_count(1)
    expect(page.locator("ul.checkin li[id^='person-']")).to_have_count(2)


def test_a_walk_in_without_email_is_checked_in_and_gets_an_address_later(site, client, make_event, device):
    event = make_event(capacity=10)
    post_form(client, f"/e/{event.slug}", {**PARTNER, "email": "p0@example.org"})
    settle()
    page = site.organiser_page(**device)
    page.goto(f"/admin/events/{event.id}/seating/checkin?lang=en")
    expect(page.locator("#walkin-email-hint")).to_contain_text("no mail until")
    page.fill("#walkin-first_name", "Wim")
    page.fill("#walkin-last_name", "Walker")
    page.fill("#walkin-organisation", "CAW")
    page.select_option("#walkin-sector", index=1)
    page.locator("#walk-in ~ form button[type=submit]").click()
    expect(page.locator("ul.checkin li.present")).to_have_count(1)
    expect(page.locator("ul.checkin li.present")).to_contain_text("Wim Walker")
    page.goto(f"/admin/events/{event.id}?lang=en")
    row = page.locator("tr", has_text="Wim Walker")
    expect(row).to_contain_text("no email address")
    row.get_by_role("link", name="Send link again").click()
    expect(page.locator("#what-happens")).to_contain_text("no email address")
    expect(page.locator("#confirm-link")).to_have_count(0)
    page.get_by_role("link", name="Add an address").click()
    page.fill("#email", "wim@example.org")
    page.locator("form.form button[type=submit]").first.click()
    expect(page.locator("dd", has_text="wim@example.org")).to_be_visible()


def test_the_timer_buttons_follow_the_state(site, make_event):
    event = make_event(capacity=10)
    settle()
    page = site.organiser_page()
    page.goto(f"/admin/events/{event.id}/seating/timer")
    visible = "nav.timer-controls form:not([hidden]) button"
    expect(page.locator(visible)).to_have_count(1)
    expect(page.locator("#timer-start")).to_be_visible()

    page.click("#timer-start")
    expect(page.locator("#timer-pause")).to_be_visible()
    expect(page.locator("#timer-start")).to_be_hidden()
    expect(page.locator("#timer-resume")).to_be_hidden()
    page.click("#timer-next")
    expect(page.locator("#timer-round")).to_contain_text("2")
    expect(page.locator("#timer-start")).to_be_hidden()
    page.click("#timer-pause")
    expect(page.locator("#timer-resume")).to_be_visible()
    expect(page.locator("#timer-pause")).to_be_hidden()
    widths = {round(box["width"]) for box in (b.bounding_box() for b in page.locator(visible).all()) if box}
    assert len(widths) == 1, f"the timer's buttons differ in width: {widths}"


def test_pages_have_a_favicon_from_the_app_itself(site):
    page = site.organiser_page()
    href = page.locator("link[rel=icon]").get_attribute("href")
    assert href and href.startswith("/static/")
    response = page.request.get(href)
    assert response.status == 200 and "svg" in response.headers["content-type"]
