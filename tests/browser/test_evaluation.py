"""A partner fills the evaluation from the mail's link; the organiser sees the result chart. Desktop and phone."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from speeddate.extensions import db
from speeddate.models import Event
from tests.browser.helpers import settle

pytestmark = pytest.mark.browser


def test_partner_evaluates_from_the_mail_link_and_organiser_sees_the_chart(site, device, event_slug, personal_path,
                                                                          mailbox, clock):
    slug = event_slug(title="Speeddate Zedelgem")
    personal_path(slug)
    event = db.session.scalar(select(Event).where(Event.slug == slug))
    event.evaluation_anonymous = False  # one anonymous answer would show as a count only
    db.session.commit()
    clock.set(event.ends_at + timedelta(hours=1))
    mail = next(m for m in mailbox.deliver().messages if m["Subject"].startswith("Hoe was"))
    link = next(line.strip() for line in mail.get_body(("plain",)).get_content().splitlines()
                if "/evaluation" in line)
    assert link.startswith(site.url)
    settle()
    page = site.new_page(**device)
    page.goto(link)
    for fieldset in page.locator("fieldset").all():
        fieldset.locator("label").last.click()
    page.fill("textarea >> nth=0", "Heel fijne gesprekken")
    page.click("button[type=submit]")
    page.wait_for_selector(".message.success")
    organiser = site.organiser_page(**device)
    organiser.goto(f"/admin/events/{event.id}/evaluation")
    chart = organiser.locator("svg.chart").first
    assert chart.is_visible()
    assert "1" in organiser.locator("main").inner_text()
    assert "Heel fijne gesprekken" in organiser.content()
    assert organiser.locator(".status-confirmed").count() == 1, "5 out of 5 is above the 3.5 target"
