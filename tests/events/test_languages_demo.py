"""The demo zone shows event texts in French and third parties' events: `flask demo` is how a zone tries it out."""

from datetime import datetime

import pytest
from sqlalchemy import select

from speeddate import demo, tokens
from speeddate.extensions import db
from speeddate.models import Event, Partner, Registration
from speeddate.reports import indicators


@pytest.fixture
def demo_zone(app, clock):
    clock.set(datetime(2026, 12, 3, 9))
    demo.load()
    return app


def test_a_french_reading_demo_partner_sees_french_texts(demo_zone, client):
    translated = [event.id for event in db.session.scalars(select(Event).where(Event.title_fr != ""))
                  if not event.elsewhere]
    registration = db.session.scalars(
        select(Registration).join(Partner).where(Partner.language == "fr", Registration.event_id.in_(translated))
        .order_by(Registration.id)).first()
    assert registration is not None, "no French-reading partner is registered for a translated event"

    page = client.get(f"/r/{tokens.sign(registration.token)}").get_data(as_text=True)

    assert registration.event.title_fr in page.replace("&#39;", "'")
    assert registration.event.title not in page


def test_the_demo_calendar_has_a_third_party_webinar_and_the_report_counts_one_spread(demo_zone, client):
    calendar = client.get("/calendar.json").get_json()["events"]
    elsewhere = [event for event in calendar if event["elsewhere"]]

    assert [event["organised_by"] for event in elsewhere] == ["ELZ Brugge"]
    assert elsewhere[0]["url"].startswith("https://www.elz-brugge.example/")
    assert elsewhere[0]["title"]["fr"].startswith("Webinaire")
    figures = indicators.report(indicators.Period.year(2026))
    assert figures["events_spread"] == 1
    assert not db.session.scalars(select(Registration).join(Event).where(Event.external_url != "")).first()
