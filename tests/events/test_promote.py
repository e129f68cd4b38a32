"""Giving a waiting person a place by hand mails them, so the organiser is told so first and confirms."""


from sqlalchemy import func, select

from speeddate.extensions import db
from speeddate.models import Event, OutboxMail, Registration, RegistrationStatus
from tests.support import post_form, vnu_messages


def registrations(event) -> list[Registration]:
    db.session.rollback()
    return list(db.session.scalars(select(Registration).where(Registration.event_id == event.id)
                                   .order_by(Registration.id)))


def mails_to(registration: Registration) -> int:
    return db.session.scalar(select(func.count()).select_from(OutboxMail)
                             .where(OutboxMail.registration_id == registration.id)) or 0


def with_a_free_place(event) -> None:
    """A place the automatic promotion has not filled (as after raising the capacity by hand in the database)."""
    db.session.execute(Event.__table__.update().where(Event.id == event.id).values(capacity=event.capacity + 1))
    db.session.commit()


def test_the_event_page_links_to_a_confirmation_instead_of_promoting_in_one_click(organiser, make_event, register):
    event = make_event(capacity=1)
    register(event, 1)
    register(event, 2)
    _, waiting = registrations(event)
    text = organiser.get(f"/admin/events/{event.id}").get_data(as_text=True)
    assert f'href="/admin/registrations/{waiting.id}/promote"' in text
    assert f'action="/admin/registrations/{waiting.id}/promote"' not in text


def test_the_promote_page_says_who_gets_a_mail_and_changes_nothing(organiser, make_event, register):
    event = make_event(capacity=1)
    register(event, 1)
    register(event, 2)
    _, waiting = registrations(event)
    with_a_free_place(event)
    before = mails_to(waiting)
    page = organiser.get(f"/admin/registrations/{waiting.id}/promote?lang=en")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "partner2@example.org" in text and "gets one of the 1 free places and a mail" in text
    assert 'name="csrf_token"' in text
    assert [r.status for r in registrations(event)] == [RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED]
    assert mails_to(waiting) == before

    post_form(organiser, f"/admin/registrations/{waiting.id}/promote", {},
              form_url=f"/admin/registrations/{waiting.id}/promote")
    assert [r.status for r in registrations(event)] == [RegistrationStatus.CONFIRMED] * 2
    assert db.session.scalar(select(func.count()).select_from(OutboxMail).where(
        OutboxMail.registration_id == waiting.id, OutboxMail.kind == "promoted")) == 1


def test_the_promote_page_refuses_when_the_event_is_full_or_the_person_no_longer_waits(organiser, make_event,
                                                                                        register):
    event = make_event(capacity=1)
    register(event, 1)
    register(event, 2)
    confirmed, waiting = registrations(event)
    full = organiser.get(f"/admin/registrations/{waiting.id}/promote?lang=en")
    assert full.status_code == 302
    assert "The event is full" in organiser.get(full.location + "?lang=en").get_data(as_text=True)
    not_waiting = organiser.get(f"/admin/registrations/{confirmed.id}/promote?lang=en")
    assert not_waiting.status_code == 302
    assert "Only people on the waiting list" in organiser.get(not_waiting.location + "?lang=en").get_data(as_text=True)


def test_a_place_taken_between_the_page_and_the_confirmation_is_not_given_twice(organiser, make_event, register):
    event = make_event(capacity=1)
    register(event, 1)
    register(event, 2)
    register(event, 3)
    _, second, third = registrations(event)
    with_a_free_place(event)
    assert organiser.get(f"/admin/registrations/{third.id}/promote").status_code == 200
    form_url = f"/admin/registrations/{second.id}/promote"  # another organiser, on the page of another person
    post_form(organiser, form_url, {})
    response = post_form(organiser, f"/admin/registrations/{third.id}/promote?lang=en", {},
                         form_url=f"/admin/events/{event.id}")
    assert "The event is full" in organiser.get(response.location + "?lang=en").get_data(as_text=True)
    assert [r.status for r in registrations(event)] == [RegistrationStatus.CONFIRMED, RegistrationStatus.CONFIRMED,
                                                        RegistrationStatus.WAITLISTED]
    assert mails_to(third) == 1, "only the waiting-list mail"


def test_the_promote_page_and_the_event_page_linking_to_it_are_valid_html(organiser, make_event, register, tmp_path):
    event = make_event(capacity=1)
    register(event, 1)
    register(event, 2)
    _, waiting = registrations(event)
    with_a_free_place(event)
    pages = {"promote": organiser.get(f"/admin/registrations/{waiting.id}/promote"),
             "event": organiser.get(f"/admin/events/{event.id}"),
             "partner": organiser.get(f"/admin/directory/partners/{waiting.partner_id}")}
    for name, page in pages.items():
        assert page.status_code == 200, name
        (tmp_path / f"{name}.html").write_text(page.get_data(as_text=True))
    assert vnu_messages(tmp_path) == []


def test_the_edit_form_says_that_more_places_mail_the_waiting_list(organiser, make_event, register):
    event = make_event(capacity=1)
    register(event, 1)
    register(event, 2)
    text = organiser.get(f"/admin/events/{event.id}/edit?lang=en").get_data(as_text=True)
    assert "More places go at once to the first people on the waiting list, who each get a mail" in text
    assert 'aria-describedby="capacity-hint"' in text


def test_nobody_is_promoted_at_a_cancelled_event(organiser, make_event, register):
    from speeddate.events import services

    event = make_event(capacity=1)
    register(event, 1)
    register(event, 2)
    services.cancel_event(event.id)
    with_a_free_place(event)
    _, waiting = registrations(event)
    before = mails_to(waiting)
    url = f"/admin/registrations/{waiting.id}/promote"
    post_form(organiser, url, {}, form_url=f"/admin/events/{event.id}")
    _, waiting = registrations(event)
    assert waiting.status == RegistrationStatus.WAITLISTED and mails_to(waiting) == before
