"""The speeddate in a browser: generate, publish, a seat on the personal page, check in, re-plan, print.

On a desktop and on a phone: check-in happens at the door, on whatever the organiser carries.
"""

import re
import time

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import settle
from tests.support import PARTNER, personal_link, post_form

pytestmark = pytest.mark.browser
SECTORS = ("Huisartsen", "Apothekers", "Thuisverpleging", "OCMW en sociale dienst")


def reload_until(page: Page, selector: str, seconds: float = 20) -> None:
    """Reload until the background job's result shows, as an organiser would."""
    deadline = time.monotonic() + seconds
    while page.locator(selector).count() == 0:
        assert time.monotonic() < deadline, f"{selector} never appeared"
        time.sleep(0.3)
        page.reload()


def test_organiser_seats_publishes_checks_in_replans_and_prints(site, device, app, make_event, client):
    app.config["SEATING_TIME_LIMIT"] = 1.0
    event = make_event(capacity=20)
    paths = []
    for number in range(8):
        response = post_form(client, f"/e/{event.slug}", {
            **PARTNER, "first_name": f"Deelnemer{number}", "email": f"p{number}@example.org",
            "organisation": f"Organisatie {number // 2}", "sector": SECTORS[number % 4]})
        assert response.status_code == 200
        paths.append(personal_link(f"p{number}@example.org"))
    settle()

    organiser = site.organiser_page(**device)
    organiser.goto(f"/admin/events/{event.id}")
    organiser.get_by_role("link", name="Tafelschikking").click()
    organiser.click("form[action$='/generate'] button")
    reload_until(organiser, "dl.figures")
    expect(organiser.locator("dd.colleagues")).to_have_text("0")
    organiser.click("form[action$='/publish'] button")
    expect(organiser.locator(".badge-published")).to_be_visible()

    partner = site.new_page(**device)
    partner.goto(paths[0])
    expect(partner.locator(".start-seat")).to_contain_text("kring, stoel")

    organiser.goto(f"/admin/events/{event.id}/seating/checkin")
    organiser.fill("#q", "Deelnemer3")
    organiser.click("form.search button")
    expect(organiser.locator("ul.checkin li")).to_have_count(1)
    organiser.goto(f"/admin/events/{event.id}/seating/checkin")
    for _ in range(6):  # two no-shows
        organiser.locator("ul.checkin li:not(.present) form button").first.click()
    expect(organiser.locator("ul.checkin li.present")).to_have_count(6)

    organiser.goto(f"/admin/events/{event.id}/seating/")
    organiser.click("form[action$='/replan'] button")
    reload_until(organiser, "p.moved")
    expect(organiser.locator("text=herpland op de dag zelf")).to_be_visible()

    organiser.get_by_role("link", name="Plan per ronde afdrukken").click()
    organiser.emulate_media(media="print")
    expect(organiser.locator("section.sheet").first).to_be_visible()
    expect(organiser.locator(".no-print")).to_be_hidden()
    assert organiser.pdf(format="A4")[:4] == b"%PDF"



def test_the_round_timer_has_buttons_a_finger_can_hit_and_starts(site, device, make_event):
    event = make_event(capacity=20)
    page = site.organiser_page(**device)
    page.goto(f"/admin/events/{event.id}/seating/timer")
    controls = page.locator(".timer-controls .button:visible").all()
    assert len(controls) == 3, "before the start: start round 1, full screen, back"
    for control in controls:
        box = control.bounding_box()
        assert box is not None and box["height"] >= 44 and box["width"] >= 44
        # Styled by the timer's own stylesheet, not the browser's default grey buttons.
        assert control.evaluate("e => getComputedStyle(e).borderRadius") == "4px"
        assert control.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(255, 255, 255)"
    page.click("#timer-start")
    expect(page.locator("#timer-round")).to_contain_text("1")
    expect(page.locator("#timer-clock")).to_have_text(re.compile(r"^\d+:\d\d$"))
