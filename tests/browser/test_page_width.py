"""The check that every page a browser test loads fits its viewport (see conftest.py) can fail, and when."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Route

from tests.browser.helpers import DEVICES

pytestmark = pytest.mark.browser

PAGE = '<!doctype html><meta name="viewport" content="width=device-width, initial-scale=1"><body>{}</body>'
WIDE_TABLE = '<table style="width: 1000px"><tr><td>wide</td><td>{}</td></tr></table>'
PAGES = {
    "/wide": PAGE.format('<p style="width: 1000px">wide</p>'),
    "/scroller": PAGE.format(f'<div style="overflow-x: auto">{WIDE_TABLE.format("")}</div>'),
    # An absolutely positioned element's containing block is the nearest positioned ancestor: when that lies
    # outside the scroller, the element escapes it and widens the page (the visually hidden column headings did).
    "/escapes": PAGE.format(
        f'<div style="overflow-x: auto">{WIDE_TABLE.format("<span style=position:absolute>x</span>")}</div>'),
    "/contained": PAGE.format(
        f'<div style="overflow-x: auto; position: relative">'
        f'{WIDE_TABLE.format("<span style=position:absolute>x</span>")}</div>'),
}


def serve(route: Route) -> None:
    route.fulfill(content_type="text/html", body=PAGES[urlsplit(route.request.url).path])


def test_a_page_wider_than_a_phone_is_reported_but_a_wide_table_in_a_scroller_is_not(site):
    page = site.new_page(**DEVICES["phone"])
    page.route("**/*", serve)
    for path in PAGES:
        page.goto(path)
    page.close()
    measured = {urlsplit(m["url"]).path: m for m in site.measured}
    reported = {urlsplit(m["url"]).path: m for m in site.too_wide()}
    site.measured.clear()  # the teardown check would otherwise fail this test for the pages made too wide here
    assert sorted(measured) == sorted(PAGES)
    assert sorted(reported) == ["/escapes", "/wide"]
    assert reported["/wide"]["scrollWidth"] > 1000
    assert reported["/wide"]["outside"] == ['<p style="width: 1000px">wide</p>']
    assert reported["/escapes"]["outside"] == ['<span style="position:absolute">x</span>']
