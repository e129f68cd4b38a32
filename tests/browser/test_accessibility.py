"""Accessibility checked in the browser: labels, headings, language, keyboard use, error messages."""

import pytest
from playwright.sync_api import Page, expect

from speeddate.extensions import db
from speeddate.models import Partner
from tests.browser.helpers import ORGANISER_EMAIL, ORGANISER_PASSWORD, fill_registration, settle

pytestmark = pytest.mark.browser

# Every visible form control needs a non-empty <label for>, and a group of checkboxes sharing a name also needs
# a fieldset with a legend (the question the group answers); ids must be unique for label[for] to work.
UNLABELLED_FIELDS = """() => {
  const problems = [];
  for (const field of document.querySelectorAll('input, select, textarea')) {
    if (field.type === 'hidden' || !field.checkVisibility()) continue;
    const name = field.id || field.name || field.outerHTML;
    const label = field.id && document.querySelector(`label[for="${CSS.escape(field.id)}"]`);
    if (!label || !label.textContent.trim()) problems.push(`${name}: no label`);
    const twice = field.id && document.querySelectorAll(`#${CSS.escape(field.id)}`).length > 1;
    if (twice) problems.push(`${name}: id used twice`);
    const group = field.type === 'checkbox'
      && document.querySelectorAll(`input[type=checkbox][name="${CSS.escape(field.name)}"]`).length > 1;
    const legend = field.closest('fieldset')?.querySelector(':scope > legend');
    if (group && !legend?.textContent.trim()) problems.push(`${name}: checkbox group without legend`);
  }
  return problems;
}"""
HEADING_LEVELS = "() => [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].map(h => Number(h.tagName[1]))"


def page_problems(page: Page) -> list[str]:
    """What is wrong with the page's labels, heading order and language."""
    problems = page.evaluate(UNLABELLED_FIELDS)
    levels = page.evaluate(HEADING_LEVELS)
    if levels.count(1) != 1 or levels[0] != 1:
        problems.append(f"headings {levels}: need exactly one h1, first")
    problems += [f"heading h{b} after h{a}" for a, b in zip(levels, levels[1:], strict=False) if b > a + 1]
    if page.locator("html").get_attribute("lang") != "nl":
        problems.append(f"html lang is {page.locator('html').get_attribute('lang')!r}")
    return problems


def test_partner_pages_label_every_field_order_headings_and_declare_the_language(site, event_slug, personal_path):
    slug = event_slug(online_url="https://meet.example.org/speeddate")
    personal = personal_path(slug)
    page = site.new_page()
    problems = {}
    page.goto(f"/e/{slug}")
    problems["registration"] = page_problems(page)
    page.click("form.form button[type=submit]")
    expect(page.locator("#error-summary")).to_be_visible()
    problems["registration with errors"] = page_problems(page)
    page.goto(personal)
    problems["personal page"] = page_problems(page)
    page.goto(f"{personal}/cancel")
    problems["cancel page"] = page_problems(page)
    assert problems == dict.fromkeys(problems, [])


def test_organiser_pages_label_every_field_order_headings_and_declare_the_language(site, event_slug):
    event_slug()
    page = site.new_page()
    problems = {}
    page.goto("/login")
    problems["login"] = page_problems(page)
    page.fill("#email", ORGANISER_EMAIL)
    page.fill("#password", ORGANISER_PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_url("**/admin/")
    problems["start page"] = page_problems(page)
    page.goto("/admin/events")
    expect(page.locator("tbody tr")).to_have_count(1)
    problems["event list"] = page_problems(page)
    page.click("tbody a")
    problems["event page"] = page_problems(page)
    page.goto("/admin/events/new")
    problems["event form"] = page_problems(page)
    page.fill("#title", "")
    page.click("form.form button[type=submit]")
    expect(page.locator("#error-summary")).to_be_visible()
    problems["event form with errors"] = page_problems(page)
    assert problems == dict.fromkeys(problems, [])


def focused(page: Page) -> str:
    """The id (or else the tag and class) of the element that has the keyboard focus."""
    return page.evaluate("(e => e.id || `${e.tagName.toLowerCase()}.${e.className}`)(document.activeElement)")


def test_tab_from_the_top_reaches_the_skip_link_first_and_then_the_form_fields(site, event_slug):
    page = site.new_page()
    page.goto(f"/e/{event_slug()}")
    page.keyboard.press("Tab")
    assert focused(page) == "a.skip"
    expect(page.locator("a.skip")).to_be_in_viewport()
    page.keyboard.press("Enter")
    assert focused(page) == "main"
    page.keyboard.press("Tab")
    assert focused(page) == "first_name"
    page.keyboard.press("Tab")
    assert focused(page) == "last_name"


# What a keyboard user does on each field of the registration form, in the order Tab reaches them.
KEYBOARD = {"first_name": "Toetsen", "last_name": "Bord", "email": "toetsenbord@example.org", "phone": "",
            "language": "", "organisation": "Thuiszorg Beernem", "sector": "ArrowDown",
            "function": "Verpleegkundige", "dietary": "geen", "consent_share_contacts": "Space",
            "consent_followup": "", "consent_invitations": "Space"}


def test_registration_form_can_be_filled_and_sent_with_the_keyboard_only(site, event_slug):
    page = site.new_page()
    page.goto(f"/e/{event_slug()}")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    reached: list[str] = []
    while len(reached) < 40 and not (reached and reached[-1].startswith("button.")):
        page.keyboard.press("Tab")
        field = focused(page)
        action = KEYBOARD.get(field, "")
        if field.startswith("gemeenten-") and not any(f.startswith("gemeenten-") for f in reached):
            action = "Space"
        elif field.startswith("button."):
            action = "Enter"
        reached.append(field)
        if action in ("ArrowDown", "Space", "Enter"):
            page.keyboard.press(action)
        elif action:
            page.keyboard.type(action)
    assert [f for f in reached if not f.startswith("gemeenten-")] == [*KEYBOARD, "button.button primary"]
    expect(page.get_by_role("heading", name="Kijk in je mailbox")).to_be_visible()
    settle()
    partner = db.session.scalars(db.select(Partner)).one()
    assert (partner.email, partner.first_name, partner.organisation.name) == (
        "toetsenbord@example.org", "Toetsen", "Thuiszorg Beernem")
    assert partner.sector is not None and len(partner.gemeenten) == 1
    assert partner.consent_share_contacts_at and partner.consent_invitations_at and not partner.consent_followup_at


# One page with every bad input at once rather than a parametrized test: each browser round trip costs a second,
# and the HTTP tests already parametrize over bad inputs. This proves that each error is tied to its own field.
BAD_INPUTS = {"email": ("geen-adres", "Dit is geen geldig e-mailadres."), "first_name": ("", "Vul dit veld in."),
              "sector": ("", "Kies je sector."), "phone": ("bel me maar", "alleen cijfers"),
              "organisation": ("<script>alert(1)</script>", "< en >")}


def test_invalid_registration_shows_the_error_summary_and_marks_each_bad_field_invalid(site, event_slug):
    page = site.new_page()
    page.goto(f"/e/{event_slug()}")
    fill_registration(page, "fout@example.org")
    for field, (value, _) in BAD_INPUTS.items():
        if field == "sector":
            page.select_option("#sector", "")
        else:
            page.fill(f"#{field}", value)
    page.click("form.form button[type=submit]")

    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_have_attribute("role", "alert")
    expect(summary.locator("h2")).to_have_text("Controleer het formulier")
    assert sorted(summary.locator("a").evaluate_all("links => links.map(a => a.hash)")) == sorted(
        f"#{field}" for field in BAD_INPUTS)
    assert sorted(page.locator("[aria-invalid=true]").evaluate_all("fields => fields.map(f => f.id)")) == sorted(
        BAD_INPUTS)
    for field, (_, message) in BAD_INPUTS.items():
        described_by = page.get_attribute(f"#{field}", "aria-describedby").split()
        assert f"{field}-error" in described_by, field
        assert all(page.locator(f"#{target}").count() == 1 for target in described_by), (field, described_by)
        expect(page.locator(f"#{field}-error")).to_contain_text(message)
    assert page.get_attribute("#email", "aria-describedby") == "email-hint email-error"
    summary.locator("a[href='#email']").click()
    assert focused(page) == "email"
