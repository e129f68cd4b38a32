"""The organiser's actions on one registration: cancel after a confirmation, undo, send the personal link again."""

import threading
from datetime import timedelta

from sqlalchemy import func, select

from speeddate import tokens
from speeddate.extensions import db
from speeddate.models import OutboxMail, Registration, RegistrationStatus
from tests.support import post_form

RACERS = 6


def registrations(event) -> list[Registration]:
    db.session.rollback()
    return list(db.session.scalars(select(Registration).where(Registration.event_id == event.id)
                                   .order_by(Registration.id)))


def statuses(event) -> list[RegistrationStatus]:
    return [r.status for r in registrations(event)]


def test_the_cancel_page_says_who_is_mailed_and_who_gets_the_place_and_changes_nothing(organiser, make_event,
                                                                                        register):
    event = make_event(capacity=1)
    register(event, 1)
    register(event, 2)
    first, second = registrations(event)
    page = organiser.get(f"/admin/registrations/{first.id}/cancel")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "partner1@example.org" in text and "Partner2" in text
    assert f'name="promoted" value="{second.id}"' in text
    assert statuses(event) == [RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED]


def test_cancelling_promotes_only_the_people_the_organiser_was_shown(organiser, make_event, register):
    event = make_event(capacity=1)
    register(event, 1)
    register(event, 2)
    first, second = registrations(event)
    url = f"/admin/registrations/{first.id}/cancel"
    stale = post_form(organiser, url, {"promoted": ""})
    assert stale.status_code == 302 and stale.location.endswith(url)
    assert statuses(event) == [RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED], "nothing changed"
    post_form(organiser, url, {"promoted": str(second.id)})
    assert statuses(event) == [RegistrationStatus.CANCELLED, RegistrationStatus.CONFIRMED]


def test_undo_gives_the_place_back_when_it_is_still_free_and_mails_it(organiser, make_event, register, mailbox):
    event = make_event(capacity=2)
    register(event, 1)
    [registration] = registrations(event)
    post_form(organiser, f"/admin/registrations/{registration.id}/cancel", {"promoted": ""})
    page = organiser.get(f"/admin/registrations/{registration.id}/restore").get_data(as_text=True)
    assert 'name="rank" value=""' in page
    assert statuses(event) == [RegistrationStatus.CANCELLED], "the confirmation page changes nothing"
    post_form(organiser, f"/admin/registrations/{registration.id}/restore", {"rank": ""})
    assert statuses(event) == [RegistrationStatus.CONFIRMED]
    assert registrations(event)[0].event.confirmed_count == 1
    mailbox.deliver()
    subjects = [m["Subject"] for m in mailbox.to("partner1@example.org")]
    assert len(subjects) == 3, subjects  # registered, cancelled, back


def test_undo_puts_the_person_on_the_waiting_list_when_the_place_went_to_someone_else(organiser, make_event,
                                                                                      register, mailbox):
    event = make_event(capacity=1)
    register(event, 1)
    register(event, 2)
    first, second = registrations(event)
    post_form(organiser, f"/admin/registrations/{first.id}/cancel", {"promoted": str(second.id)})
    page = organiser.get(f"/admin/registrations/{first.id}/restore").get_data(as_text=True)
    assert 'name="rank" value="1"' in page
    response = post_form(organiser, f"/admin/registrations/{first.id}/restore", {"rank": "1"})
    assert response.status_code == 302
    assert statuses(event) == [RegistrationStatus.WAITLISTED, RegistrationStatus.CONFIRMED]
    mailbox.deliver()
    [back] = [m for m in mailbox.to("partner1@example.org") if "ics" not in str(m.get_content_type())][-1:]
    assert "wachtlijst" in back.get_body(("plain",)).get_content() or "waiting list" in \
        back.get_body(("plain",)).get_content()


def test_undo_is_refused_while_the_outcome_differs_from_the_confirmation(organiser, make_event, register):
    event = make_event(capacity=2)
    register(event, 1)
    [registration] = registrations(event)
    post_form(organiser, f"/admin/registrations/{registration.id}/cancel", {"promoted": ""})
    post_form(organiser, f"/admin/registrations/{registration.id}/restore", {"rank": "1"})
    assert statuses(event) == [RegistrationStatus.CANCELLED]


def test_the_personal_link_is_mailed_again_never_shown_and_not_twice_an_hour(organiser, make_event, register,
                                                                              mailbox):
    event = make_event()
    register(event, 1)
    [registration] = registrations(event)
    url = f"/admin/registrations/{registration.id}/link"
    signed = tokens.sign(registration.token)
    for page in (organiser.get(url), organiser.get(f"/admin/events/{event.id}")):
        assert registration.token not in page.get_data(as_text=True)
        assert signed not in page.get_data(as_text=True)
    mailbox.deliver()
    before = len(mailbox.to("partner1@example.org"))
    for _ in range(3):
        post_form(organiser, url, {})
    mailbox.deliver()
    received = mailbox.to("partner1@example.org")[before:]
    assert len(received) == 1, "one mail, however often the organiser clicks"
    assert signed in received[0].get_body(("plain",)).get_content()
    assert db.session.scalar(select(OutboxMail.kind).order_by(OutboxMail.id.desc())) == "link_resent"


def test_after_an_undo_a_second_cancellation_is_mailed_again(organiser, make_event, register, mailbox):
    event = make_event(capacity=2)
    register(event, 1)
    [registration] = registrations(event)
    cancel, restore = (f"/admin/registrations/{registration.id}/{action}" for action in ("cancel", "restore"))
    post_form(organiser, cancel, {"promoted": ""})
    post_form(organiser, restore, {"rank": ""})
    post_form(organiser, cancel, {"promoted": ""})
    kinds = list(db.session.scalars(select(OutboxMail.kind).where(OutboxMail.registration_id == registration.id)
                                    .order_by(OutboxMail.id)))
    assert kinds.count("cancelled") == 2, kinds


def test_after_an_undo_to_a_place_the_reminder_is_due_again(organiser, make_event, register):
    event = make_event(capacity=2)
    register(event, 1)
    [registration] = registrations(event)
    post_form(organiser, f"/admin/registrations/{registration.id}/cancel", {"promoted": ""})
    post_form(organiser, f"/admin/registrations/{registration.id}/restore", {"rank": ""})
    db.session.rollback()
    pending = set(db.session.scalars(select(OutboxMail.kind).where(
        OutboxMail.registration_id == registration.id, OutboxMail.status == "pending", OutboxMail.kind == "reminder")))
    assert pending == {"reminder"}


def test_simultaneous_requests_for_the_personal_link_send_one_mail(any_app):
    from speeddate.events import services as events
    from speeddate.models import EventType, Sector
    from speeddate.partners import services as partners
    from tests.support import local_now

    start = local_now() + timedelta(days=10)
    event = events.create_event(events.EventData(type=EventType.SPEEDDATE, title="Link", starts_at=start,
                                                 ends_at=start + timedelta(hours=2), capacity=5), publish=True)
    sector = db.session.scalars(select(Sector)).first()
    registration = partners.register(event.id, "els@example.org", partners.PartnerDetails(
        "Els", "Peeters", "Praktijk", sector)).registration
    registration_id = registration.id
    db.session.rollback()
    barrier, outcomes = threading.Barrier(RACERS), []

    def ask() -> None:
        with any_app.app_context():
            barrier.wait()
            try:
                partners.resend_personal_link(registration_id)
                outcomes.append("sent")
            except partners.LinkSentRecently:
                outcomes.append("refused")

    threads = [threading.Thread(target=ask) for _ in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["refused"] * (RACERS - 1) + ["sent"]
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(OutboxMail).where(
        OutboxMail.registration_id == registration_id, OutboxMail.kind == "link_resent")) == 1


def test_after_the_event_the_page_names_who_did_not_check_in_and_what_it_changes(organiser, make_event, register,
                                                                                clock):
    from speeddate.models.base import utcnow

    event = make_event()
    for number in (1, 2):
        register(event, number)
    first, _second = registrations(event)
    post_form(organiser, f"/admin/registrations/{first.id}/attendance", {"attended": "1"},
              form_url=f"/admin/events/{event.id}")
    detail = f"/admin/events/{event.id}"
    assert 'id="no-shows"' not in organiser.get(detail).get_data(as_text=True), "not before the event is over"
    clock.set(utcnow() + timedelta(days=30))
    html = organiser.get(detail).get_data(as_text=True)
    section = html[html.index('id="no-shows"'):html.index("</section>", html.index('id="no-shows"'))]
    assert "Partner2" in section and "Partner1" not in section
    assert "evaluation" in section or "evaluatie" in section


def test_an_erased_persons_registration_is_neither_given_back_nor_mailed_a_link(organiser, make_event, register):
    from speeddate.privacy.services import erase_partner

    event = make_event()
    register(event, 1)
    [registration] = registrations(event)
    erase_partner(registration.partner_id)
    before = db.session.scalar(select(func.count()).select_from(OutboxMail))
    assert "/restore" not in organiser.get(f"/admin/events/{event.id}").get_data(as_text=True)
    post_form(organiser, f"/admin/registrations/{registration.id}/restore", {"rank": ""},
              form_url=f"/admin/events/{event.id}")
    post_form(organiser, f"/admin/registrations/{registration.id}/link", {}, form_url=f"/admin/events/{event.id}")
    assert statuses(event) == [RegistrationStatus.CANCELLED]
    assert db.session.scalar(select(func.count()).select_from(OutboxMail)) == before
