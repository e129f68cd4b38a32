"""The issue's "Done when", in a browser: create an event, register partners, waiting list, cancel, export.

On a desktop and on a phone, for organiser and partners alike (the site fixture checks every page's width).
"""

import csv
import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from speeddate.extensions import db
from speeddate.models import Event, Registration
from tests.browser.helpers import register_in_browser, settle
from tests.support import local_now

pytestmark = pytest.mark.browser

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
PARTNERS = [("Anna", "anna@example.org"), ("Bart", "bart@example.org"), ("Chloé", "chloe@example.org")]


def create_event_in_form(page: Page) -> None:
    """Fill /admin/events/new as an organiser would and save it."""
    start = (local_now() + timedelta(days=21)).replace(hour=18, minute=0)
    page.goto("/admin/events/new")
    page.select_option("#type", "speeddate")
    page.fill("#title", "Speeddate Beernem in de browser")
    page.fill("#starts_at", start.strftime(DATETIME_LOCAL))
    page.fill("#ends_at", (start + timedelta(hours=2)).strftime(DATETIME_LOCAL))
    page.fill("#capacity", "2")
    page.set_checked("#catering", True)
    page.click("form.form button[type=submit]")
    page.wait_for_url("**/admin/events/*")


def group(page: Page, heading: str):
    """The block that follows an <h3> on the organiser's event page (a table or a 'nobody' line)."""
    return page.locator(f"xpath=//h3[starts-with(normalize-space(), '{heading}')]/following-sibling::*[1]")


def download(page: Page, file_format: str) -> bytes:
    """Click a registrations export link and return the file the browser saved."""
    with page.expect_download() as info:
        page.click(f"a[href$='/registrations.{file_format}']")
    with open(info.value.path(), "rb") as saved:
        return saved.read()


def test_organiser_creates_event_partners_register_cancel_promotes_and_export_lists_them(site, device):
    organiser = site.organiser_page(**device)
    create_event_in_form(organiser)
    expect(organiser.locator("h1")).to_have_text("Speeddate Beernem in de browser")
    organiser.click("form[action$='/status/published'] button")
    expect(organiser.locator(".badge-published")).to_be_visible()
    link = organiser.locator("section[aria-labelledby=link-heading] a").get_attribute("href")
    assert link.startswith(f"{site.url}/e/")
    slug = link.rsplit("/", 1)[1]

    partners = {}
    for first_name, email in PARTNERS:
        partners[email] = page = site.new_page(**device)
        page.goto(register_in_browser(page, slug, email, first_name))  # the link from the mail
        if email == "chloe@example.org":
            expect(page.locator(".status-waitlisted")).to_contain_text("Je staat op de wachtlijst, op plaats 1.")
        else:
            expect(page.locator(".status-confirmed")).to_contain_text("Je inschrijving is bevestigd.")
    assert len({page.url for page in partners.values()}) == 3

    chloe, anna = partners["chloe@example.org"], partners["anna@example.org"]
    chloe.goto(chloe.locator(".personal-link a").get_attribute("href"))
    expect(chloe.locator(".status-waitlisted")).to_contain_text("op plaats 1")

    anna.click("a[href$='/cancel']")
    expect(anna.locator("h1")).to_have_text("Mijn inschrijving annuleren")
    anna.click("form.form button[type=submit]")
    expect(anna.locator(".status-cancelled")).to_contain_text("Deze inschrijving is geannuleerd.")

    chloe.reload()
    expect(chloe.locator(".status-confirmed")).to_contain_text("Je inschrijving is bevestigd.")

    organiser.reload()
    expect(organiser.locator("h3", has_text="Bevestigd")).to_have_text("Bevestigd (2)")
    confirmed = group(organiser, "Bevestigd")
    expect(confirmed.locator("tbody tr")).to_have_count(2)
    expect(confirmed).to_contain_text("bart@example.org")
    expect(confirmed).to_contain_text("chloe@example.org")
    expect(group(organiser, "Wachtlijst")).to_have_text("Niemand op de wachtlijst.")
    expect(group(organiser, "Geannuleerd")).to_contain_text("Anna Peeters")

    # The export speaks the organiser's language (Dutch here), split on `;` for Belgian Excel.
    expected = {"anna@example.org": "geannuleerd", "bart@example.org": "bevestigd", "chloe@example.org": "bevestigd"}
    rows = list(csv.DictReader(io.StringIO(download(organiser, "csv").decode("utf-8-sig")), delimiter=";"))
    assert {row["E-mail"]: row["Status"] for row in rows} == expected
    assert {row[list(row)[2]] for row in rows} == {""}, "nobody has a place on the waiting list"
    sheet = load_workbook(io.BytesIO(download(organiser, "xlsx")), read_only=True).active
    header, *values = sheet.iter_rows(values_only=True)
    assert {row[header.index("E-mail")]: row[header.index("Status")] for row in values} == expected

    bart = confirmed.locator("tr", has_text="bart@example.org")
    bart.get_by_role("button", name="Inchecken").click()  # the table's last columns: scrolled to on a phone
    expect(bart.get_by_role("button", name="Aanwezig ✓")).to_be_visible()

    settle()
    event = db.session.scalars(db.select(Event).where(Event.slug == slug)).one()
    assert (event.capacity, event.catering, event.status.value) == (2, True, "published")
    registrations = db.session.scalars(db.select(Registration).where(Registration.event_id == event.id)).all()
    assert sorted(r.status.value for r in registrations) == ["cancelled", "confirmed", "confirmed"]
    assert [r.partner.email for r in registrations if r.attended] == ["bart@example.org"]
