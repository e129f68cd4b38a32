"""Pages load nothing from other hosts: stylesheets and scripts are served by the app itself."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_partner_and_organiser_pages_request_nothing_but_the_app_itself(site, event_slug, personal_path):
    slug = event_slug(online_url="https://meet.example.org/speeddate")
    personal = personal_path(slug)
    partner = site.new_page()
    for path in (f"/e/{slug}", personal, f"{personal}/cancel"):
        partner.goto(path)
    organiser = site.organiser_page()
    for path in ("/admin/events", "/admin/events/new", "/admin/events/1"):
        organiser.goto(path)
    expect(organiser.locator("a[href$='/registrations.csv']")).to_be_visible()

    hosts = {urlsplit(request.url).hostname for request in site.requests}
    assert hosts == {"127.0.0.1"}
    stylesheets = [r for r in site.requests if r.resource_type == "stylesheet"]
    assert stylesheets and {urlsplit(r.url).path for r in stylesheets} == {"/static/style.css"}
    assert {r.response().status for r in stylesheets} <= {200, 304}
    assert "system-ui" in organiser.evaluate("getComputedStyle(document.body).fontFamily")
    assert len(site.requests) >= 8
