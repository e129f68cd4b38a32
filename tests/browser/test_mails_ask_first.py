"""Nothing mails people without saying so first, in a real Chromium: the who-you-met mails and the invitations
each show the count and one mail before anything is sent, and the outbox opens on what is due.

In English: the pages' new words reach Dutch and French when the lead merges this branch's translations.
"""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from speeddate.extensions import db
from speeddate.models import OutboxMail
from tests.browser.helpers import settle
from tests.mail.test_outbox_order import EXPECTED, outbox_with_mails_due_at
from tests.mail.test_views import add_partner
from tests.seating.test_after_the_day import held  # noqa: F401 - a fixture

pytestmark = pytest.mark.browser
ENGLISH = {"locale": "en-GB"}
TOKEN = re.compile(r"/[ru]/[A-Za-z0-9_.-]{8,}")


def outbox(kind: str) -> list[OutboxMail]:
    settle()
    return list(db.session.scalars(select(OutboxMail).where(OutboxMail.kind == kind)))


def test_who_you_met_is_refused_before_the_end_then_asks_first_goes_to_attendees_only_and_once(
        site, device, app, held, clock, mailbox):  # noqa: F811
    app.config["SEATING_TIME_LIMIT"] = 1.0
    people = held()
    people[3].attended = False
    db.session.commit()
    event = people[0].event
    clock.set(event.starts_at - timedelta(days=90))
    settle()
    page = site.organiser_page(**device, **ENGLISH)
    page.goto(f"/admin/events/{event.id}/seating/")
    page.get_by_role("link", name="Send who-you-met mails…").click()
    expect(page.locator("#summary")).to_contain_text("has not ended yet")
    expect(page.get_by_role("button", name=re.compile("^Yes, send"))).to_have_count(0)

    clock.set(event.ends_at + timedelta(hours=1))
    page.reload()
    expect(page.locator("#summary")).to_have_text(
        "7 participants who were present get a mail with the people they met.")
    expect(page.locator("#left-out")).to_contain_text("Not checked in, so no mail: 1.")
    # The mail in the partner's language, whatever the organiser's.
    expect(page.locator("#preview")).to_contain_text("Dit zijn de mensen die je ontmoette")
    expect(page.locator("#preview")).to_contain_text("/r/…")
    assert not TOKEN.search(page.content())
    assert outbox("who_you_met") == [], "the page only asks"

    page.get_by_role("button", name="Yes, send 7 mails").click()
    expect(page.locator(".message.success")).to_have_text("7 who-you-met mails are in the outbox.")
    page.goto(f"/admin/events/{event.id}/seating/who-you-met")
    expect(page.locator("#already")).to_have_text("Already sent to 7 people before: not sent again.")
    expect(page.locator("#nothing")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("^Yes, send"))).to_have_count(0)

    rows = outbox("who_you_met")
    assert len(rows) == 7 and people[3].id not in {row.registration_id for row in rows}
    mailbox.deliver()
    subjects = {row.subject for row in rows}
    assert sorted(m["To"] for m in mailbox.messages if m["Subject"] in subjects) == sorted(
        r.partner.email for r in people if r.attended)


def test_invitations_start_with_nobody_warn_filter_by_ticking_preview_and_carry_the_message(
        site, device, make_event, register, mailbox):
    event = make_event(capacity=1)
    register(event)  # the one place is taken
    add_partner(1, "Oostkamp", "Huisartsen")
    add_partner(2, "Oostkamp", "CAW")
    add_partner(3, "Beernem", "Huisartsen")
    add_partner(4, "Oostkamp", "Huisartsen", consents=False)
    settle()
    page = site.organiser_page(**device, **ENGLISH)
    page.goto(f"/admin/events/{event.id}/invite")
    expect(page.locator(".notice.warning")).to_contain_text("The event is full")
    expect(page.locator("#summary")).to_have_text("Nobody is chosen yet.")
    expect(page.locator("select[multiple]")).to_have_count(0)
    expect(page.locator("input[type=checkbox]:checked")).to_have_count(0)

    page.locator("fieldset", has_text="Gemeenten").get_by_label("Oostkamp", exact=True).check()
    page.get_by_label("Your own message").fill("This year with the pharmacists.\nDoors open at 7 pm.")
    page.get_by_role("button", name="Show who would be invited").click()
    expect(page.locator("#summary")).to_have_text("2 partners would be invited")
    expect(page.locator("#skipped")).to_have_text("Left out: 2.")
    expect(page.get_by_text("Already registered: 1.")).to_be_visible()
    expect(page.get_by_text("Did not agree to invitations: 1.")).to_be_visible()
    expect(page.locator("#preview")).to_contain_text("This year with the pharmacists.")
    expect(page.locator("#preview")).to_contain_text("/u/…")
    assert not TOKEN.search(page.content())
    assert outbox("invitation") == [], "the page only asks"

    page.get_by_role("button", name="Yes, send 2 invitations").click()
    expect(page.locator(".message.success")).to_have_text("2 invitations are in the outbox.")
    assert sorted(row.recipient for row in outbox("invitation")) == ["directory1@example.org",
                                                                     "directory2@example.org"]
    mailbox.deliver()
    body = mailbox.to("directory2@example.org")[0].get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert "This year with the pharmacists.\nDoors open at 7 pm." in body


def test_the_outbox_opens_on_the_mails_due_and_lists_the_scheduled_ones_after(site, make_event, register):
    when = outbox_with_mails_due_at(make_event, register)
    settle()
    page = site.organiser_page(**ENGLISH)
    page.goto("/admin/outbox/")
    ids = [int(value) for value in page.locator("input[name=mail]").evaluate_all("es => es.map(e => e.value)")]
    assert [when[i] for i in ids if i in when] == EXPECTED
    first_later = page.locator(f"#mail-{next(i for i, w in when.items() if w == 'tomorrow')}")
    expect(page.locator("#scheduled-later")).to_have_text("Scheduled for later, soonest first")
    assert page.locator("#scheduled-later").bounding_box()["y"] < first_later.bounding_box()["y"]
