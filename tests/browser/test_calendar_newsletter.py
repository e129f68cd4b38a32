"""The newsletter block's copy buttons in a real browser, and the same page without JavaScript."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import DEVICES, log_in, settle
from tests.support import local_now

pytestmark = pytest.mark.browser


@pytest.fixture
def next_month(make_event):
    first = (local_now().replace(day=1) + timedelta(days=32)).replace(day=5, hour=12, minute=0, second=0)
    make_event(title="Speeddate Oostkamp", title_fr="Speed-dating Oostkamp", starts_at=first,
               ends_at=first + timedelta(hours=2))
    settle()
    return first


def test_copy_puts_the_block_on_the_clipboard(site, next_month):
    page = site.organiser_page(**DEVICES["desktop"])
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site.url)
    page.goto(f"/admin/newsletter?month={next_month:%Y-%m}&lang=en")

    page.locator("button[data-copy=html-fr]").click()

    expect(page.locator("#copy-status")).to_have_text("Copied.")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == page.locator("#html-fr").input_value()
    assert "Speed-dating Oostkamp" in copied and copied.startswith("<h2>")


def test_without_javascript_the_block_is_there_to_select_and_no_button_pretends(site, next_month):
    page = site.new_page(java_script_enabled=False, **DEVICES["phone"])
    log_in(page)
    page.goto(f"/admin/newsletter?month={next_month:%Y-%m}&lang=en")

    expect(page.locator("button[data-copy]")).to_have_count(6)
    expect(page.locator("button[data-copy]").first).to_be_hidden()
    expect(page.locator("#text-nl")).to_have_attribute("readonly", "")
    assert "Speeddate Oostkamp" in page.locator("#text-nl").input_value()
    site.measure(page)
