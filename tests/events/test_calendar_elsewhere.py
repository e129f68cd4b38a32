"""Events elsewhere: a third party's webinar or activity that the zone announces. It shows in the calendar, counts in
the report as spread (not organised), and has no registration, invitation, seating or evaluation here."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from speeddate.extensions import db
from speeddate.models import Event, EventType, OutboxMail, Partner, Registration
from tests.events.test_views import event_form, unchanged
from tests.support import PARTNER, assert_valid_html, local_now, post_form

LINK = "https://www.vivel.example/webinars/valpreventie"
WEBINAR = {"type": EventType.LUNCHWEBINAR, "title": "Webinar valpreventie", "external_url": LINK,
           "organised_by": "VIVEL", "capacity": 300}


def count(model) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def webinar(make_event):
    return make_event(**WEBINAR)


def test_registering_for_an_event_elsewhere_is_refused_politely_with_its_own_link(client, make_event, webinar):
    open_one = make_event()  # a form from any page of the site, as a stale tab or a script would post it
    page = client.get(f"/e/{webinar.slug}?lang=en")
    posted = post_form(client, f"/e/{webinar.slug}?lang=en", PARTNER, form_url=f"/e/{open_one.slug}")

    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "This event is organised by VIVEL: registration is on their site, not here." in text
    assert f'href="{LINK}"' in text and 'name="email"' not in text
    assert posted.status_code == 200 and "registration is on their site" in posted.get_data(as_text=True)
    assert count(Registration) == 0 and count(Partner) == 0 and count(OutboxMail) == 0


def test_the_registration_service_refuses_an_event_elsewhere(webinar):
    from speeddate.partners import services as partners
    from speeddate.zone.services import sectors_by_cluster

    details = partners.PartnerDetails("Els", "Peeters", "Praktijk", sectors_by_cluster()[0].sectors[0])
    with pytest.raises(partners.RegistrationClosed):
        partners.register(webinar.id, "els@example.org", details)
    assert count(Registration) == 0


def test_an_event_elsewhere_has_no_invitations(organiser, webinar):
    asked = organiser.get(f"/admin/events/{webinar.id}/invite?everyone=y")
    sent = post_form(organiser, f"/admin/events/{webinar.id}/invite", {"everyone": "y"},
                     form_url=f"/admin/events/{webinar.id}")

    assert asked.status_code == 302 and sent.status_code == 302
    assert count(OutboxMail) == 0
    detail = organiser.get(f"/admin/events/{webinar.id}?lang=en").get_data(as_text=True)
    assert "Invite partners" not in detail and "Seating" not in detail and LINK in detail
    assert "Organised by VIVEL." in detail


def test_the_organiser_creates_an_event_elsewhere_with_the_form(organiser):
    response = post_form(organiser, "/admin/events/new", event_form(
        type="lunchwebinar", title="Webinar valpreventie", external_url=LINK, organised_by="VIVEL", location=""))

    assert response.status_code == 302, response.get_data(as_text=True)
    event = db.session.scalars(select(Event)).one()
    assert event.elsewhere and event.organised_by == "VIVEL"


@pytest.mark.parametrize(("overrides", "field"), [
    ({"external_url": LINK, "organised_by": ""}, "organised_by"),
    ({"external_url": "javascript:alert(1)", "organised_by": "VIVEL"}, "external_url"),
    ({"external_url": LINK, "organised_by": "VIVEL", "online_url": "https://meet.example/x"}, "online_url"),
])
def test_an_event_elsewhere_needs_its_organiser_and_a_web_link(organiser, overrides, field):
    response = post_form(organiser, "/admin/events/new", event_form(**overrides))

    assert response.status_code == 400
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert count(Event) == 0


def test_an_event_with_registrations_cannot_move_elsewhere(organiser, make_event, register):
    event = make_event()
    register(event, 1)

    response = post_form(organiser, f"/admin/events/{event.id}/edit",
                         unchanged(event, external_url=LINK, organised_by="VIVEL"))

    assert response.status_code == 400 and 'id="external_url-error"' in response.get_data(as_text=True)
    db.session.rollback()
    assert not db.session.get(Event, event.id).elsewhere


def test_the_report_counts_events_elsewhere_as_spread_not_organised(runner, make_event, register, clock):
    start = local_now() + timedelta(days=1)
    own = make_event(starts_at=start, ends_at=start + timedelta(hours=2))
    register(own, 1)
    make_event(**WEBINAR, starts_at=start, ends_at=start + timedelta(hours=1))
    make_event(**{**WEBINAR, "type": EventType.OTHER, "title": "Vorming"}, starts_at=start,
               ends_at=start + timedelta(hours=1))
    clock.set(db.session.scalar(select(func.max(Event.ends_at))) + timedelta(hours=1))

    result = runner.invoke(args=["report", "--year", str(start.year), "--format", "json"])
    figures = json.loads(result.output)

    assert figures["events_held"] == 1 and figures["events_by_type"] == {"speeddate": 1}
    assert figures["events_spread"] == 2
    assert figures["events_spread_by_type"] == {"lunchwebinar": 1, "other": 1}
    assert figures["registrations"] == 1 and figures["per_event"][0]["title"] == own.title


def test_flask_events_create_takes_translations_and_an_elsewhere_link(runner, client):
    result = runner.invoke(args=[
        "events", "create", "--title", "Webinar valpreventie", "--title-fr", "Webinaire prévention des chutes",
        "--title-en", "Falls prevention webinar", "--description-nl", "Over vallen", "--description-fr",
        "Sur les chutes", "--description-en", "On falls", "--type", "lunchwebinar", "--start", "2027-03-04T12:00",
        "--end", "2027-03-04T13:00", "--elsewhere", LINK, "--organised-by", "VIVEL", "--publish", "--json"])

    assert result.exit_code == 0, result.output
    created = json.loads(result.output)
    assert created["registration_url"] == LINK
    event = db.session.get(Event, created["id"])
    assert (event.title_fr, event.title_en, event.description, event.description_fr, event.description_en) == (
        "Webinaire prévention des chutes", "Falls prevention webinar", "Over vallen", "Sur les chutes", "On falls")
    assert event.elsewhere and event.organised_by == "VIVEL" and event.capacity == 300
    assert "Falls prevention webinar" in client.get("/calendar?lang=en").get_data(as_text=True)


@pytest.mark.parametrize("extra", [["--elsewhere", LINK], ["--elsewhere", "ftp://x.example", "--organised-by", "X"],
                                   [], ["--capacity", "5", "--title-fr", "x" * 201],
                                   ["--elsewhere", LINK, "--organised-by", "x" * 201]])
def test_flask_events_create_refuses_an_incomplete_event_elsewhere(runner, extra):
    result = runner.invoke(args=["events", "create", "--title", "T", "--type", "other", "--start",
                                 "2027-03-04T12:00", "--end", "2027-03-04T13:00", *extra])

    assert result.exit_code != 0
    assert count(Event) == 0


def test_the_pages_of_an_event_elsewhere_are_valid_html(organiser, client, webinar, tmp_path):
    assert_valid_html({"public": client.get(f"/e/{webinar.slug}").get_data(as_text=True),
                       "detail": organiser.get(f"/admin/events/{webinar.id}").get_data(as_text=True)}, tmp_path)
