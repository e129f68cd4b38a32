"""The organiser's start page and language, in a real Chromium: the page after login says what needs doing and
leads to where it is done; the language chosen in the navigation stays with the account across logins."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import log_in, settle
from tests.support import local_now

pytestmark = pytest.mark.browser


def test_after_login_the_start_page_leads_to_the_waiting_list_and_the_check_in(site, make_event, register, device):
    soon = local_now().replace(second=0) + timedelta(days=2)
    event = make_event(title="Speeddate Oostkamp", capacity=1, starts_at=soon, ends_at=soon + timedelta(hours=2))
    register(event, 1), register(event, 2)
    settle()
    page = site.new_page(locale="en-BE", **device)
    log_in(page)
    expect(page.locator("h1")).to_have_text("What needs doing")
    expect(page.locator("#waiting")).to_contain_text("1 on the waiting list")
    expect(page.locator("#full")).to_contain_text("1 of 1 places taken")

    page.locator("#waiting a", has_text="Speeddate Oostkamp").click()
    page.wait_for_url(f"**/admin/events/{event.id}")
    expect(page.locator("h1")).to_contain_text("Speeddate Oostkamp")

    page.go_back()
    page.locator("#this-week a", has_text="Check-in").click()
    page.wait_for_url(f"**/admin/events/{event.id}/seating/checkin")


def test_the_language_chosen_in_the_navigation_stays_across_logins(site):
    page = site.new_page(locale="nl-BE")
    log_in(page)
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.locator("nav.backoffice button", has_text="Uitloggen")).to_be_visible()

    page.locator("nav.languages button[value=fr]").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("nav.languages button[value=fr]")).to_have_attribute("aria-pressed", "true")
    page.goto("/admin/events")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    page.locator("nav.backoffice button", has_text="Se déconnecter").click()

    # Another computer whose browser asks for Dutch: the account's French wins once logged in.
    elsewhere = site.new_page(locale="nl-BE")
    log_in(elsewhere)
    expect(elsewhere.locator("html")).to_have_attribute("lang", "fr")
    expect(elsewhere.locator("nav.backoffice button", has_text="Se déconnecter")).to_be_visible()
