"""The zone's public calendar: /calendar (a page to frame), /calendar.json (data to pull), /events.ics (the feed)."""

from datetime import timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from speeddate.events import services as events
from speeddate.extensions import db
from speeddate.models import EventType, Gemeente
from tests.support import PARTNER, assert_valid_html, post_form

ELSEWHERE = {"external_url": "https://www.elz-brugge.example/webinars/diabetes", "organised_by": "ELZ Brugge",
             "type": EventType.LUNCHWEBINAR, "title": "Lunchwebinar diabetes", "title_fr": "Webinaire diabète"}


@pytest.fixture
def zone_events(make_event):
    """A speeddate in Oostkamp (French and English texts), a platform in Beernem, a third party's webinar, and a
    draft and a cancelled event that must never show."""
    oostkamp = db.session.scalar(select(Gemeente).where(Gemeente.name == "Oostkamp"))
    beernem = db.session.scalar(select(Gemeente).where(Gemeente.name == "Beernem"))
    made = {
        "speeddate": make_event(title="Speeddate Oostkamp", title_fr="Speed-dating Oostkamp",
                                title_en="Speed dating Oostkamp", location="Zaal De Valk",
                                location_fr="Salle De Valk", description="Kennismaken met collega's.",
                                description_fr="Faire connaissance.", gemeente=oostkamp,
                                co_organisers="OCMW Oostkamp", online_url=""),
        "platform": make_event(type=EventType.ELP, title="Platform Beernem", gemeente=beernem,
                               starts_at=events.default_times(EventType.ELP, _in_days(20))[0],
                               ends_at=events.default_times(EventType.ELP, _in_days(20))[1]),
        "elsewhere": make_event(**ELSEWHERE, starts_at=_in_days(5), ends_at=_in_days(5) + timedelta(hours=1)),
        "draft": make_event(publish=False, title="Nog niet klaar"),
        "cancelled": make_event(title="Gaat niet door"),
    }
    events.cancel_event(made["cancelled"].id)
    return made


def _in_days(days: int):
    from tests.support import local_now
    return local_now().replace(hour=12, minute=0, second=0) + timedelta(days=days)


def test_calendar_lists_the_zones_events_and_those_elsewhere_never_drafts_or_cancelled_ones(client, zone_events):
    page = client.get("/calendar?lang=en").get_data(as_text=True)

    assert "Speed dating Oostkamp" in page and "Platform Beernem" in page and "Lunchwebinar diabetes" in page
    assert "Nog niet klaar" not in page and "Gaat niet door" not in page
    # soonest first: the webinar elsewhere (in 5 days) before the speeddate (14) and the platform (20)
    assert page.index("Lunchwebinar diabetes") < page.index("Speed dating Oostkamp") < page.index(
        "Platform Beernem")
    assert 'href="https://www.elz-brugge.example/webinars/diabetes"' in page
    assert "Organised by ELZ Brugge; register on their site." in page
    assert "Organised together with OCMW Oostkamp." in page


def test_calendar_shows_the_texts_in_the_chosen_language_falling_back_to_dutch(client, zone_events):
    page = client.get("/calendar?lang=fr").get_data(as_text=True)

    assert "Speed-dating Oostkamp" in page and "Salle De Valk" in page and "Webinaire diabète" in page
    assert "Platform Beernem" in page  # no French title: the Dutch one


@pytest.mark.parametrize(("query", "expected"), [
    ("type=elp", {"Platform Beernem"}),
    ("type=speeddate&type=lunchwebinar", {"Speed dating Oostkamp", "Lunchwebinar diabetes"}),
    ("gemeente=oostkamp", {"Speed dating Oostkamp"}),
    ("gemeente=Beernem&type=elp", {"Platform Beernem"}),
    ("language=fr", {"Speed dating Oostkamp", "Lunchwebinar diabetes"}),
    ("language=en", {"Speed dating Oostkamp"}),
    ("language=nl", {"Speed dating Oostkamp", "Platform Beernem", "Lunchwebinar diabetes"}),
    ("type=nonsense&gemeente=", {"Speed dating Oostkamp", "Platform Beernem", "Lunchwebinar diabetes"}),
    ("gemeente=Atlantis", set()),
])
def test_calendar_filters_by_type_gemeente_and_language(client, zone_events, query, expected):
    data = client.get(f"/calendar.json?{query}").get_json()
    page = client.get(f"/calendar?lang=en&{query}").get_data(as_text=True)

    assert {event["title"]["en"] for event in data["events"]} == expected
    titles = {"Speed dating Oostkamp", "Platform Beernem", "Lunchwebinar diabetes"}
    assert {title for title in titles if title in page} == expected
    if not expected:
        assert "No upcoming events match these choices." in page


def test_calendar_json_gives_texts_per_language_and_public_links_without_personal_data(app, client, zone_events):
    app.config["PUBLIC_BASE_URL"] = "https://events.elz.example"
    post_form(client, f"/e/{zone_events['speeddate'].slug}", PARTNER)

    response = client.get("/calendar.json")
    data = response.get_json()

    assert response.headers["Access-Control-Allow-Origin"] == "*"
    speeddate = next(e for e in data["events"] if e["type"] == "speeddate")
    assert speeddate["title"] == {"nl": "Speeddate Oostkamp", "fr": "Speed-dating Oostkamp",
                                  "en": "Speed dating Oostkamp"}
    assert speeddate["location"] == {"nl": "Zaal De Valk", "fr": "Salle De Valk", "en": "Zaal De Valk"}
    assert speeddate["languages"] == ["nl", "fr", "en"]
    assert speeddate["type_label"]["nl"] and speeddate["gemeente"] == "Oostkamp"
    assert speeddate["url"] == f"https://events.elz.example/e/{zone_events['speeddate'].slug}"
    assert speeddate["registration_open"] is True and speeddate["elsewhere"] is False
    assert speeddate["co_organisers"] == "OCMW Oostkamp"
    assert speeddate["starts_at"].endswith(("+01:00", "+02:00"))
    webinar = next(e for e in data["events"] if e["elsewhere"])
    assert webinar["url"] == ELSEWHERE["external_url"] and webinar["organised_by"] == "ELZ Brugge"
    assert webinar["registration_open"] is False
    text = response.get_data(as_text=True)
    assert PARTNER["email"] not in text and "Peeters" not in text


def test_calendar_page_runs_no_script_and_is_valid_html(client, zone_events, tmp_path):
    pages = {"calendar": client.get("/calendar").get_data(as_text=True),
             "calendar-fr": client.get("/calendar?lang=fr&type=speeddate&gemeente=Oostkamp").get_data(as_text=True),
             "empty": client.get("/calendar?gemeente=Atlantis").get_data(as_text=True)}

    assert all("<script" not in page for page in pages.values())
    assert_valid_html(pages, tmp_path)


@pytest.mark.parametrize("ancestors", ["'self'", "https://www.elz.example", "'none'"])
def test_calendar_may_be_framed_only_where_frame_ancestors_allows(app, client, ancestors):
    app.config["FRAME_ANCESTORS"] = ancestors

    policy = client.get("/calendar").headers["Content-Security-Policy"]

    assert f"frame-ancestors {ancestors}" in policy and "script-src 'self'" in policy


def test_ics_feed_speaks_the_asked_language_and_links_elsewhere_events_to_their_organiser(client, zone_events):
    feed = Calendar.from_ical(client.get("/events.ics?lang=fr").get_data())
    entries = {str(component["summary"]): component for component in feed.walk("VEVENT")}

    assert set(entries) == {"Speed-dating Oostkamp", "Platform Beernem", "Webinaire diabète"}
    assert str(entries["Speed-dating Oostkamp"]["location"]) == "Salle De Valk"
    assert str(entries["Webinaire diabète"]["url"]) == ELSEWHERE["external_url"]
    assert "organizer" not in entries["Webinaire diabète"]
