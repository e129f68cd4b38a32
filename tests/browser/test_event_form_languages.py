"""The organiser's event form shows each text in Dutch, French and English side by side (stacked on a phone), and
what is typed there is what a French-reading partner then sees."""

import pytest
from playwright.sync_api import Page, expect

from speeddate.extensions import db
from speeddate.models import Event
from tests.browser.helpers import DEVICES, settle

pytestmark = pytest.mark.browser

TITLES = {"nl": "Eerstelijnsplatform najaar", "fr": "Plateforme de première ligne", "en": "Primary care platform"}
FIELDS = {"nl": "#title", "fr": "#title_fr", "en": "#title_en"}


def boxes(page: Page) -> dict[str, dict]:
    return {language: page.locator(selector).bounding_box() for language, selector in FIELDS.items()}


def test_the_three_languages_stand_side_by_side_on_a_desktop(site):
    page = site.organiser_page(**DEVICES["desktop"])
    page.goto("/admin/events/new?type=elp&lang=en")

    title = boxes(page)
    assert title["nl"]["y"] == title["fr"]["y"] == title["en"]["y"]
    assert title["nl"]["x"] < title["fr"]["x"] < title["en"]["x"]
    assert title["nl"]["width"] > 150
    expect(page.locator("#title")).to_have_attribute("lang", "nl")
    expect(page.locator("#description_fr")).to_have_attribute("lang", "fr")
    expect(page.locator("label[for=title]")).to_contain_text("required")
    expect(page.locator("label[for=title_fr]")).not_to_contain_text("required")


def test_on_a_phone_the_languages_are_stacked_one_under_the_other(site):
    page = site.organiser_page(**DEVICES["phone"])
    page.goto("/admin/events/new?type=elp&lang=en")

    title = boxes(page)
    assert title["nl"]["y"] < title["fr"]["y"] < title["en"]["y"]
    assert title["nl"]["x"] == title["fr"]["x"] == title["en"]["x"]


def test_texts_typed_in_three_languages_reach_a_french_reader(site):
    page = site.organiser_page(**DEVICES["desktop"])
    page.goto("/admin/events/new?type=elp&lang=en")
    for language, selector in FIELDS.items():
        page.fill(selector, TITLES[language])
    page.fill("#location", "Zaal De Schakel")
    page.fill("#location_fr", "Salle De Schakel")
    page.fill("#practical_note_fr", "Parking derrière la salle")
    page.click("form.event-form button[type=submit]")
    expect(page.locator("#event-languages")).to_have_text("Nederlands, Français, English")
    page.get_by_role("button", name="Publish").click()
    settle()
    slug = db.session.query(Event.slug).scalar()

    partner = site.new_page(locale="fr-BE")
    partner.goto(f"/e/{slug}")
    expect(partner.locator("h1")).to_have_text(TITLES["fr"])
    expect(partner.locator(".event-info")).to_contain_text("Salle De Schakel")
    expect(partner.locator(".practical-note")).to_have_text("Parking derrière la salle")
    english = site.new_page(locale="en-GB")
    english.goto(f"/e/{slug}")
    expect(english.locator("h1")).to_have_text(TITLES["en"])
    expect(english.locator(".event-info")).to_contain_text("Zaal De Schakel")
