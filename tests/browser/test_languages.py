"""The language switcher in the page header."""

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

# A string from the page template, one from a form label and one from the database, in each language.
TRANSLATED = {
    "nl": {"h2": "Inschrijven", "legend": "Over jou", "sector": "Huisartsen"},
    "fr": {"h2": "S'inscrire", "legend": "À propos de vous", "sector": "Médecins généralistes"},
    "en": {"h2": "Register", "legend": "About you", "sector": "General practitioners"},
}


def assert_page_language(page: Page, language: str) -> None:
    """The page declares the language and shows its words."""
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("main h2").first).to_have_text(TRANSLATED[language]["h2"])
    expect(page.locator("legend").first).to_have_text(TRANSLATED[language]["legend"])
    expect(page.locator("#sector option[value='1']")).to_have_text(TRANSLATED[language]["sector"])
    expect(page.locator("nav.languages a[aria-current=true]")).to_have_attribute("hreflang", language)


def test_language_links_switch_the_registration_page_to_french_and_english_and_the_choice_sticks(
        site, event_slug):
    slug = event_slug()
    page = site.new_page()
    page.goto(f"/e/{slug}")
    assert_page_language(page, "nl")

    page.click("nav.languages a[hreflang=fr]")
    assert_page_language(page, "fr")
    page.goto(f"/e/{slug}")
    assert_page_language(page, "fr")

    page.click("nav.languages a[hreflang=en]")
    assert_page_language(page, "en")
    page.click("nav.languages a[hreflang=nl]")
    assert_page_language(page, "nl")

