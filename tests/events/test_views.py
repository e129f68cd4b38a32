"""The organisers' back office: login, events, waiting list by hand, attendance."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from speeddate.auth.services import create_user
from speeddate.events.views import _form_values as form_values
from speeddate.extensions import db
from speeddate.models import Event, EventStatus, EventType, Registration, RegistrationStatus
from tests.support import local_now, post_form

EMAIL, PASSWORD = "organisator@elz.example", "a-long-password"


def event_form(**overrides) -> dict:
    start = local_now().replace(second=0) + timedelta(days=20)
    values = {"type": "elp", "title": "Eerstelijnsplatform najaar", "description": "Over kwetsbare ouderen",
              "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
              "ends_at": (start + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
              "registration_deadline": "", "location": "Zaal De Schakel", "online_url": "", "gemeente": "",
              "capacity": "50", "catering": "y"}
    values.update(overrides)
    return values


def unchanged(event, **overrides) -> dict:
    """The edit form as the organiser finds it, with only the given fields changed."""
    values = {name: value.strftime("%Y-%m-%dT%H:%M") if isinstance(value, datetime) else value
              for name, value in form_values(event).items() if value is not None}
    values["catering"] = "y" if values.pop("catering") else ""
    return {**values, **overrides}


def statuses(event) -> list[RegistrationStatus]:
    return [r.status for r in db.session.scalars(select(Registration).where(Registration.event_id == event.id)
                                                 .order_by(Registration.id))]


@pytest.mark.parametrize("url", ["/admin/events", "/admin/events/new", "/admin/events/1",
                                 "/admin/events/1/registrations.csv"])
def test_back_office_needs_a_login(client, make_event, url):
    make_event()
    response = client.get(url)
    assert response.status_code == 302
    assert response.location.startswith("/login")


def test_wrong_password_is_refused(client):
    create_user(EMAIL, PASSWORD)
    response = post_form(client, "/login?lang=en", {"email": EMAIL, "password": "wrong-password"})
    assert response.status_code == 400
    assert "not correct" in response.get_data(as_text=True)
    assert client.get("/admin/events").status_code == 302


def test_login_ignores_the_letter_case_of_the_email(client):
    create_user(EMAIL, PASSWORD)
    assert post_form(client, "/login", {"email": EMAIL.upper(), "password": PASSWORD}).status_code == 302
    assert client.get("/admin/events").status_code == 200


def test_login_never_redirects_to_another_site(client):
    create_user(EMAIL, PASSWORD)
    response = post_form(client, "/login?next=//evil.example/", {"email": EMAIL, "password": PASSWORD})
    assert response.location == "/admin/"


def test_organiser_creates_a_draft_then_publishes_it(organiser):
    response = post_form(organiser, "/admin/events/new", event_form(gemeente="1"))
    assert response.status_code == 302
    event = db.session.scalar(select(Event))
    assert (event.title, event.type, event.status, event.capacity) == (
        "Eerstelijnsplatform najaar", EventType.ELP, EventStatus.DRAFT, 50)
    assert event.gemeente.name == "Oostkamp"
    assert organiser.get(f"/e/{event.slug}?lang=en").get_data(as_text=True).count("not open yet") == 1
    post_form(organiser, f"/admin/events/{event.id}/status/published", {}, form_url=f"/admin/events/{event.id}")
    db.session.refresh(event)
    assert event.status == EventStatus.PUBLISHED
    assert 'name="first_name"' in organiser.get(f"/e/{event.slug}").get_data(as_text=True)


def test_times_are_entered_and_shown_in_brussels_time(organiser):
    post_form(organiser, "/admin/events/new", event_form(starts_at="2027-07-01T12:00", ends_at="2027-07-01T14:00"))
    event = db.session.scalar(select(Event))
    assert (event.starts_at.hour, event.ends_at.hour) == (10, 12), "summer time is UTC+2"
    post_form(organiser, f"/admin/events/{event.id}/edit",
              event_form(starts_at="2027-01-14T12:00", ends_at="2027-01-14T14:00"))
    db.session.refresh(event)
    assert event.starts_at.hour == 11, "winter time is UTC+1"
    page = organiser.get(f"/admin/events/{event.id}?lang=en").get_data(as_text=True)
    assert "14 January 2027, 12:00" in page


BAD_EVENTS = [
    ({"title": ""}, "title"),
    ({"title": "x" * 500}, "title"),
    ({"capacity": "0"}, "capacity"),
    ({"capacity": "veel"}, "capacity"),
    ({"starts_at": "morgen"}, "starts_at"),
    ({"online_url": "javascript:alert(1)"}, "online_url"),
    ({"gemeente": "999"}, "gemeente"),
]


@pytest.mark.parametrize("overrides, field", BAD_EVENTS)
def test_bad_event_input_is_refused_and_nothing_is_saved(organiser, overrides, field):
    response = post_form(organiser, "/admin/events/new", event_form(**overrides))
    assert response.status_code == 400
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert db.session.scalar(select(Event)) is None


def test_end_before_start_is_refused(organiser):
    response = post_form(organiser, "/admin/events/new?lang=en",
                         event_form(ends_at=(local_now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")))
    assert "The end must be after the start" in response.get_data(as_text=True)
    assert db.session.scalar(select(Event)) is None


def test_capacity_cannot_drop_below_the_confirmed_people(organiser, make_event, register):
    event = make_event(capacity=3)
    for number in range(3):
        register(event, number)
    response = post_form(organiser, f"/admin/events/{event.id}/edit?lang=en", unchanged(event, capacity="2"))
    assert "3 people are already confirmed" in response.get_data(as_text=True)
    db.session.refresh(event)
    assert event.capacity == 3


def test_more_capacity_promotes_from_the_waiting_list(organiser, make_event, register, mailbox):
    event = make_event(capacity=1)
    for number in range(4):
        register(event, number)
    post_form(organiser, f"/admin/events/{event.id}/edit", unchanged(event, capacity="3"))
    assert statuses(event) == [RegistrationStatus.CONFIRMED] * 3 + [RegistrationStatus.WAITLISTED]
    assert len(mailbox.deliver().to("partner1@example.org")) == 2


def test_manual_promotion_needs_a_free_place(organiser, make_event, register):
    event = make_event(capacity=1)
    for number in range(3):
        register(event, number)
    waiting = db.session.scalars(select(Registration).where(Registration.status == RegistrationStatus.WAITLISTED)
                                 .order_by(Registration.id)).all()
    url = f"/admin/registrations/{waiting[1].id}/promote?lang=en"
    response = post_form(organiser, url, {}, form_url=f"/admin/events/{event.id}")
    assert "The event is full" in organiser.get(response.location + "?lang=en").get_data(as_text=True)
    # A free place the automatic promotion has not filled (e.g. right after a cancellation on the phone).
    db.session.execute(Event.__table__.update().values(capacity=2))
    db.session.commit()
    post_form(organiser, url, {}, form_url=f"/admin/events/{event.id}")
    assert statuses(event) == [RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED,
                               RegistrationStatus.CONFIRMED], "the organiser may skip the queue"


def test_organiser_cancels_a_registration_and_the_first_waiting_gets_the_place(organiser, make_event, register):
    event = make_event(capacity=1)
    for number in range(2):
        register(event, number)
    first = db.session.scalar(select(Registration).order_by(Registration.id))
    second = db.session.scalar(select(Registration).order_by(Registration.id.desc()))
    url = f"/admin/registrations/{first.id}/cancel"
    post_form(organiser, url, {"promoted": str(second.id)})
    assert statuses(event) == [RegistrationStatus.CANCELLED, RegistrationStatus.CONFIRMED]


def test_attendance_is_marked_and_undone(organiser, make_event, register):
    event = make_event()
    register(event)
    registration = db.session.scalar(select(Registration))
    url = f"/admin/registrations/{registration.id}/attendance"
    post_form(organiser, url, {"attended": "1"}, form_url=f"/admin/events/{event.id}")
    db.session.refresh(registration)
    assert registration.attended
    post_form(organiser, url, {"attended": "0"}, form_url=f"/admin/events/{event.id}")
    db.session.refresh(registration)
    assert not registration.attended


def test_actions_without_csrf_change_nothing(organiser, make_event, register):
    event = make_event()
    register(event)
    registration = db.session.scalar(select(Registration))
    attendance = f"/admin/registrations/{registration.id}/attendance"
    assert organiser.post(attendance, data={"attended": "1"}).status_code == 400
    assert organiser.post(f"/admin/events/{event.id}/status/cancelled").status_code == 400
    db.session.refresh(registration)
    db.session.refresh(event)
    assert (registration.attended, event.status) == (False, EventStatus.PUBLISHED)


def test_cancelled_event_cannot_be_published_again(organiser, make_event):
    event = make_event()
    detail = f"/admin/events/{event.id}"
    post_form(organiser, f"{detail}/cancel", {"note": ""})
    response = post_form(organiser, f"{detail}/status/published?lang=en", {}, form_url=detail)
    assert "cannot go from" in organiser.get(response.location + "?lang=en").get_data(as_text=True)
    db.session.refresh(event)
    assert event.status == EventStatus.CANCELLED


def test_event_page_lists_confirmed_and_waiting_in_order(organiser, make_event, register):
    event = make_event(capacity=1)
    for number in range(3):
        register(event, number)
    page = organiser.get(f"/admin/events/{event.id}?lang=en").get_data(as_text=True)
    assert "1 of 1 places taken, 2 on the waiting list" in page
    assert page.index("Partner1 ") < page.index("Partner2 ")
