"""After a speeddate: the who-you-met mail keeps to what people consented to, and to who was there;
erasing someone withdraws every pending mail that names them."""

import re
from datetime import timedelta
from functools import partial

import pytest
from sqlalchemy import select

from speeddate.extensions import db
from speeddate.models import MailStatus, OutboxMail, Registration, Sector
from speeddate.participation import people_met
from speeddate.partners.services import PartnerDetails, register
from speeddate.privacy.services import erase_partner, purge
from speeddate.seating import after_the_day, plans, seats
from speeddate.seating.errors import SeatingError
from tests.seating.conftest import SECTORS
from tests.seating.test_jobs import at_once
from tests.seating.test_services import confirmed, generated
from tests.support import assert_valid_html, post_form


@pytest.fixture
def held(make_event, clock):
    """A speeddate of 8 with a published plan, everyone checked in, each with their own organisation, function
    and phone, the second person without consent to share; the clock an hour after the end."""
    def make(count: int = 8) -> list[Registration]:
        event = make_event(capacity=count)
        for number in range(count):
            sector = db.session.scalar(select(Sector).where(Sector.name == SECTORS[number % len(SECTORS)]))
            register(event.id, f"partner{number}@example.org", PartnerDetails(
                f"Partner{number}", "Peeters", f"Organisatie {number}", sector, function=f"Coördinator {number}",
                phone=f"0470 00 00 {number:02d}", consent_share_contacts=number != 1))
        plans.publish(generated(event).id)
        people = confirmed(event)
        for registration in people:
            registration.attended = True
        db.session.commit()
        clock.set(event.ends_at + timedelta(hours=1))
        return people

    return make


def who_you_met(registration: Registration, status: MailStatus = MailStatus.PENDING) -> list[OutboxMail]:
    return list(db.session.scalars(select(OutboxMail).where(
        OutboxMail.registration_id == registration.id, OutboxMail.kind == "who_you_met", OutboxMail.status == status)))


def someone_who_met(people: list[Registration], other: Registration) -> Registration:
    return next(r for r in people if r.id != other.id and other.id in seats.met_ids(r))


def test_who_you_met_lists_only_consenting_people_and_only_name_organisation_and_email(held, mailbox):
    people = held()
    shy = people[1]
    me = someone_who_met(people, shy)
    assert after_the_day.send_who_you_met(me.event_id).queued == len(people)
    body = mailbox.deliver().to(me.partner.email)[-1].get_body(("plain",)).get_content()
    for registration in people:
        partner = registration.partner
        assert partner.phone not in body and partner.function not in body
        if registration.id == shy.id:
            assert partner.full_name not in body and partner.email not in body
        elif registration.id in seats.met_ids(me):
            assert partner.full_name in body and partner.email in body and partner.organisation.name in body


def test_the_follow_up_form_lists_only_people_who_consented_to_be_shown(held):
    people = held()
    shy = people[1]
    me = someone_who_met(people, shy)
    listed = {r.id for r in people_met(me)}
    assert listed == seats.met_ids(me) - {shy.id}


def test_who_you_met_is_refused_before_the_event_has_ended(held, clock):
    people = held()
    event = people[0].event
    clock.set(event.ends_at - timedelta(minutes=1))
    with pytest.raises(SeatingError) as refused:
        after_the_day.send_who_you_met(event.id)
    assert "nog niet afgelopen" in str(refused.value), "in Dutch, the default language"
    assert db.session.scalars(select(OutboxMail).where(OutboxMail.kind == "who_you_met")).all() == []


def test_who_you_met_goes_only_to_people_checked_in(held):
    people = held()
    absent = people[2:4]
    for registration in absent:
        registration.attended = False
    db.session.commit()
    assert after_the_day.send_who_you_met(people[0].event_id).queued == len(people) - len(absent)
    assert [who_you_met(r) for r in absent] == [[], []]


def test_who_you_met_is_refused_when_nobody_was_checked_in(held):
    people = held()
    for registration in people:
        registration.attended = False
    db.session.commit()
    with pytest.raises(SeatingError):
        after_the_day.send_who_you_met(people[0].event_id)


def test_erasing_someone_withdraws_the_who_you_met_mails_naming_them_and_queues_them_again_without(held, mailbox):
    people = held()
    erased = people[2]
    me = someone_who_met(people, erased)
    stranger = next(r for r in people if r.id != erased.id and erased.id not in seats.met_ids(r))
    name, email = erased.partner.full_name, erased.partner.email
    after_the_day.send_who_you_met(me.event_id)
    untouched = who_you_met(stranger)
    erase_partner(erased.partner_id)
    db.session.expire_all()
    withdrawn = who_you_met(me, MailStatus.CANCELLED)
    assert len(withdrawn) == 1
    fresh = who_you_met(me)
    assert len(fresh) == 1 and name not in fresh[0].body_text and email not in fresh[0].body_html
    assert who_you_met(stranger) == untouched
    assert who_you_met(erased) == []
    body = mailbox.deliver().to(me.partner.email)[-1].get_body(("plain",)).get_content()
    assert name not in body and email not in body
    assert not any(email in m["To"] for m in mailbox.messages)


def test_erasing_someone_leaves_no_trace_of_them_in_who_you_met_mails_already_sent(held, mailbox):
    people = held()
    erased = people[2]
    me = someone_who_met(people, erased)
    name, email = erased.partner.full_name, erased.partner.email
    after_the_day.send_who_you_met(me.event_id)
    mailbox.deliver()
    erase_partner(erased.partner_id)
    db.session.expire_all()
    sent = who_you_met(me, MailStatus.SENT)
    assert len(sent) == 1 and sent[0].subject and who_you_met(me) == [], "the record stays; nothing is sent again"
    bodies = db.session.scalars(select(OutboxMail.body_text)).all() + db.session.scalars(
        select(OutboxMail.body_html)).all()
    assert not any(name in body or email in body for body in bodies)


def test_the_retention_purge_withdraws_who_you_met_mails_as_an_erasure_does(held, clock):
    people = held()
    after_the_day.send_who_you_met(people[0].event_id)
    clock.set(people[0].event.ends_at + timedelta(days=4 * 365))
    assert len(purge(timedelta(days=3 * 365))) == len(people)
    db.session.expire_all()
    rows = db.session.scalars(select(OutboxMail).where(OutboxMail.kind == "who_you_met")).all()
    assert rows and {row.status for row in rows} == {MailStatus.CANCELLED}
    assert {row.body_text for row in rows} == {""}


def test_the_plan_counts_the_mails_and_previews_one_as_its_recipient_gets_it_without_writing(held):
    people = held()
    people[3].attended = False
    db.session.commit()
    plan = after_the_day.who_you_met_plan(people[0].event_id)
    assert (plan.refusal, plan.to_send, plan.already, plan.absent) == (None, len(people) - 1, 0, 1)
    assert plan.preview is not None and plan.preview.kind == "who_you_met"
    assert plan.preview.recipient in {r.partner.email for r in people if r.attended}
    assert "/r/" in plan.preview.body_text and "Partner" in plan.preview.body_text
    assert db.session.scalars(select(OutboxMail).where(OutboxMail.kind == "who_you_met")).all() == []


def test_the_plan_before_the_end_gives_the_refusal_and_no_preview(held, clock):
    people = held()
    clock.set(people[0].event.starts_at - timedelta(days=90))
    plan = after_the_day.who_you_met_plan(people[0].event_id)
    assert plan.refusal and "nog niet afgelopen" in plan.refusal and plan.preview is None


def test_a_second_send_queues_nothing_twice_and_counts_those_already_sent(held):
    people = held()
    first = after_the_day.send_who_you_met(people[0].event_id)
    second = after_the_day.send_who_you_met(people[0].event_id)
    assert (first.queued, first.already) == (len(people), 0)
    assert (second.queued, second.already) == (0, len(people))
    plan = after_the_day.who_you_met_plan(people[0].event_id)
    assert (plan.to_send, plan.already, plan.preview) == (0, len(people), None)
    assert len(db.session.scalars(select(OutboxMail).where(OutboxMail.kind == "who_you_met")).all()) == len(people)


def test_the_confirmation_page_asks_first_with_the_count_and_a_preview_without_the_link_token(held, organiser,
                                                                                          tmp_path):
    people = held()
    confirm = f"/admin/events/{people[0].event_id}/seating/who-you-met?lang=en"
    page = organiser.get(confirm).get_data(as_text=True)
    assert_valid_html({"page": page}, tmp_path)
    assert f"{len(people)} participants who were present get a mail" in page
    assert "/r/…" in page and not re.search(r"/r/[A-Za-z0-9_.-]{8,}", page)
    assert db.session.scalars(select(OutboxMail).where(OutboxMail.kind == "who_you_met")).all() == [], "asked only"
    post_form(organiser, confirm, {})
    again = post_form(organiser, confirm, {}, follow_redirects=True).get_data(as_text=True)
    assert f"Already sent to {len(people)} people before: not sent again." in again
    assert "who-you-met mails are in the outbox" not in again
    assert len(db.session.scalars(select(OutboxMail).where(OutboxMail.kind == "who_you_met")).all()) == len(people)
    assert "no who-you-met mail left to send" in organiser.get(confirm).get_data(as_text=True)


def test_the_confirmation_page_months_before_the_event_says_why_and_offers_no_button(held, organiser, clock):
    people = held()
    clock.set(people[0].event.starts_at - timedelta(days=90))
    page = organiser.get(f"/admin/events/{people[0].event_id}/seating/who-you-met?lang=en").get_data(as_text=True)
    assert "not ended yet" in page and "Yes, send" not in page


def send_in_own_context(app, event_id: int) -> tuple[int, int] | str:
    """One organiser's "yes, send", as the view calls it, in an app context (and session) of its own."""
    with app.app_context():
        try:
            sent = after_the_day.send_who_you_met(event_id)
            return sent.queued, sent.already
        except Exception as error:  # noqa: BLE001 - the test reports any other outcome as a failure
            return f"{type(error).__name__}: {error}"
        finally:
            db.session.remove()


@pytest.mark.postgres
def test_two_organisers_sending_together_on_postgresql_queue_each_mail_once(held, postgres_app):
    people = held()
    assert db.engine.url.get_backend_name() == "postgresql"
    event_id = people[0].event_id
    db.session.rollback()
    outcomes = at_once(*[partial(send_in_own_context, postgres_app, event_id)] * 2)
    assert sorted(outcomes, key=str) == [(0, len(people)), (len(people), 0)], outcomes
    rows = db.session.scalars(select(OutboxMail).where(OutboxMail.kind == "who_you_met")).all()
    assert len(rows) == len(people)
