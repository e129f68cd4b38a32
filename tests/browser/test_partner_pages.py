"""Partner pages without JavaScript, on a phone, and the personal page's form."""

import pytest
from playwright.sync_api import Page, expect

from speeddate.extensions import db
from speeddate.models import Registration
from tests.browser.helpers import CONSENTS, register_in_browser, settle
from tests.support import PARTNER

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 375, "height": 667}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


def test_partner_registers_and_cancels_with_javascript_disabled(site, device, event_slug):
    slug = event_slug()
    page = site.new_page(**device, java_script_enabled=False)

    link = register_in_browser(page, slug, "zonder.js@example.org")
    page.goto(link)  # the link from the mail
    expect(page.locator(".status-confirmed")).to_contain_text("Je inschrijving is bevestigd.")
    site.measure(page)  # without scripts a page cannot report its width when it loads: measured here instead
    page.click("a[href$='/cancel']")
    page.wait_for_url(f"{link}/cancel")
    site.measure(page)
    page.click("form.form button[type=submit]")
    page.wait_for_url(link)
    expect(page.locator(".status-cancelled")).to_contain_text("Deze inschrijving is geannuleerd.")
    site.measure(page)

    settle()
    registration = db.session.scalars(db.select(Registration)).one()
    assert (registration.partner.email, registration.status.value) == ("zonder.js@example.org", "cancelled")


def assert_fits_phone_width(page: Page) -> None:
    """No horizontal scrolling, and the page's main button lies within the screen's width."""
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    button = page.locator("main button[type=submit].primary")
    expect(button).to_be_visible()
    button.scroll_into_view_if_needed()
    expect(button).to_be_in_viewport()
    box = button.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375


def test_registration_and_personal_pages_fit_a_phone_screen(site, event_slug, personal_path):
    slug = event_slug(location="Gemeentelijk Administratief Centrum, Burgemeester Vandenbergheplein 1, Oostkamp")
    page = site.new_page(**PHONE)
    for path in (f"/e/{slug}", personal_path(slug)):
        page.goto(path)
        assert_fits_phone_width(page)


def test_a_long_dutch_compound_word_in_the_title_does_not_widen_the_page_on_a_phone(site, event_slug):
    page = site.new_page(**PHONE)
    page.goto(f"/e/{event_slug(title='Eerstelijnszonevergadering')}")
    assert_fits_phone_width(page)


def test_personal_page_form_shows_the_details_given_at_registration(site, event_slug, personal_path):
    page = site.new_page()
    page.goto(personal_path(event_slug()))
    texts = ("first_name", "last_name", "phone", "organisation", "function", "dietary", "language")
    shown = {name: page.input_value(f"#{name}") for name in texts}
    shown["sector"] = page.locator("#sector option:checked").inner_text()
    shown["gemeenten"] = page.locator("input[name=gemeenten]:checked + label").all_inner_texts()
    shown["consents"] = [page.is_checked(f"#{consent}") for consent in CONSENTS]
    assert shown == {**{name: PARTNER[name] for name in texts}, "sector": PARTNER["sector"],
                     "gemeenten": PARTNER["gemeenten"], "consents": [True, False, False]}
