"""What the browser tests do on pages: log in, fill the registration form, end the test thread's transaction.

Also the two devices the journeys run on.
"""

from urllib.parse import urljoin

from playwright.sync_api import Page, expect

from speeddate.extensions import db
from tests.support import personal_link

ORGANISER_EMAIL = "organisator@elz.example"
ORGANISER_PASSWORD = "correct horse battery"
PARTNER_FIELDS = {
    "first_name": "Els",
    "last_name": "Peeters",
    "phone": "050 12 34 56",
    "organisation": "Huisartsenpraktijk Oostkamp",
    "function": "Huisarts",
    "dietary": "vegetarisch",
}
CONSENTS = ("consent_share_contacts", "consent_followup", "consent_invitations")
# The journeys run on both; the phone is an iPhone 12-class device as in Playwright's device list.
DEVICES = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3, "is_mobile": True,
              "has_touch": True},
}


def settle() -> None:
    """End the test thread's transaction, so the browser's requests never wait on it and later reads are fresh.

    In WAL mode a read transaction left open keeps showing the database as it was before the browser wrote.
    """
    db.session.rollback()


def log_in(page: Page) -> None:
    """Log in as the organiser through the form at /login."""
    page.goto("/login")
    page.fill("#email", ORGANISER_EMAIL)
    page.fill("#password", ORGANISER_PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_url("**/admin/")


def fill_registration(page: Page, email: str, first_name: str = "Els") -> None:
    """Fill every field of the public registration form, without sending it."""
    for name, value in {**PARTNER_FIELDS, "first_name": first_name, "email": email}.items():
        page.fill(f"#{name}", value)
    page.select_option("#language", "nl")
    page.select_option("#sector", label="Huisartsen")
    page.get_by_label("Oostkamp", exact=True).check()
    for consent in CONSENTS:
        page.check(f"#{consent}")


def register_in_browser(page: Page, slug: str, email: str, first_name: str = "Els") -> str:
    """Register through the public form; returns the personal link, which only the mail carries."""
    page.goto(f"/e/{slug}")
    fill_registration(page, email, first_name)
    page.click("form.form button[type=submit]")
    expect(page.get_by_role("heading", name="Kijk in je mailbox")).to_be_visible()
    expect(page.locator("main a[href*='/r/']")).to_have_count(0)
    settle()
    return urljoin(page.url, personal_link(email))
