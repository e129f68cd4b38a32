"""The zone's calendar in a real browser: filters without JavaScript, on a desktop and a phone, and inside the zone's
website in a frame, which only the origins SPEEDDATE_FRAME_ANCESTORS names may do."""

from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from speeddate.models import EventType
from tests.browser.helpers import DEVICES, settle
from tests.support import local_now, serving

pytestmark = pytest.mark.browser


@pytest.fixture
def calendar_events(make_event):
    start = local_now().replace(hour=12, minute=0, second=0) + timedelta(days=9)
    made = {
        "speeddate": make_event(title="Speeddate Oostkamp", title_fr="Speed-dating Oostkamp"),
        "webinar": make_event(type=EventType.LUNCHWEBINAR, title="Webinar valpreventie", organised_by="VIVEL",
                              external_url="https://www.vivel.example/webinars/valpreventie", starts_at=start,
                              ends_at=start + timedelta(hours=1)),
    }
    settle()
    return made


@pytest.fixture
def zone_website():
    """The zone's own website on another origin, with a page that frames the calendar."""
    pages: dict[str, str] = {}

    def website(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [pages.get(environ["PATH_INFO"], "").encode()]

    with serving(website) as server:
        yield server.url, pages


def test_the_calendar_filters_without_javascript(site, device, calendar_events):
    page = site.new_page(java_script_enabled=False, **device)
    page.goto("/calendar?lang=fr")
    expect(page.locator(".calendar-item")).to_have_count(2)
    expect(page.locator(".calendar-item h2").first).to_have_text("Webinar valpreventie")

    page.select_option("#filter-type", "speeddate")
    page.click(".calendar-filters button[type=submit]")

    expect(page.locator(".calendar-item")).to_have_count(1)
    expect(page.locator(".calendar-item h2")).to_have_text("Speed-dating Oostkamp")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    assert "type=speeddate" in page.url
    site.measure(page)


def test_the_zones_website_frames_the_calendar_where_it_is_allowed(app, site, calendar_events, zone_website):
    website_url, pages = zone_website
    app.config["FRAME_ANCESTORS"] = website_url
    pages["/agenda"] = (f'<!doctype html><title>Agenda</title><h1>Onze agenda</h1>'
                        f'<iframe src="{site.url}/calendar?lang=nl" title="Kalender" width="600" height="700">'
                        f'</iframe>')
    page = site.new_page()
    page.goto(f"{website_url}/agenda")

    calendar = page.frame_locator("iframe")
    expect(calendar.locator(".calendar-item")).to_have_count(2)
    expect(calendar.locator(".calendar-item h2 a").last).to_have_text("Speeddate Oostkamp")

    calendar.locator(".calendar-item h2 a").last.click()  # opens the event in the whole window, not in the frame
    page.wait_for_url(f"{site.url}/e/{calendar_events['speeddate'].slug}*")
    expect(page.locator("h1")).to_have_text("Speeddate Oostkamp")


@pytest.mark.parametrize("ancestors", ["'self'", "https://www.elz.example"])
def test_another_website_cannot_frame_the_calendar(app, site, calendar_events, zone_website, ancestors):
    website_url, pages = zone_website
    app.config["FRAME_ANCESTORS"] = ancestors
    pages["/copy"] = (f'<!doctype html><title>Copy</title>'
                      f'<iframe src="{site.url}/calendar" title="Kalender"></iframe>')
    page = site.new_page()
    page.goto(f"{website_url}/copy", wait_until="load")

    frame = page.frames[1]
    assert frame.url.startswith("chrome-error://"), frame.url  # Chromium refused to show it: frame-ancestors
    assert frame.locator(".calendar-item").count() == 0


@pytest.mark.parametrize("name", ["desktop", "phone"])
def test_the_calendar_passes_axe_without_serious_violations(site, calendar_events, name):
    page = site.new_page(**DEVICES[name])
    serious = {}
    for path in ("/calendar", "/calendar?lang=fr&type=speeddate", "/calendar?gemeente=Atlantis"):
        page.goto(path)
        found = [v["id"] for v in Axe().run(page).response["violations"] if v["impact"] in ("serious", "critical")]
        if found:
            serious[path] = found
    assert serious == {}
