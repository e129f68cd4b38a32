"""Changing a published plan: people keep the seat they know, who moves is recorded, and only they are mailed
their new seat (once per plan version), after the coordinator saw the list and one of the mails."""

import json
import re
from datetime import timedelta
from functools import partial

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from speeddate.extensions import db
from speeddate.mail import services as mails
from speeddate.models import JobStatus, OutboxMail, PlanStatus, Sector
from speeddate.partners.services import PartnerDetails, cancel_registration, register
from speeddate.seating import constraints, jobs, moved, plans, seats
from speeddate.seating.errors import SeatingError
from tests.seating.conftest import SECTORS
from tests.seating.test_jobs import at_once
from tests.seating.test_services import generated
from tests.seating.test_views import generate_in_browser_way, page
from tests.support import assert_valid_html, post_form


def published(organiser, event):
    plan = generate_in_browser_way(organiser, event)
    return plans.publish(plan.id)


def where(row) -> dict[str, seats.Seat]:
    return seats.seats(seats.plan_of(row))


def outbox_rows() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(OutboxMail)) or 0


def moved_mails() -> list[OutboxMail]:
    db.session.rollback()
    return list(db.session.scalars(select(OutboxMail).where(OutboxMail.kind == moved.SEAT_MOVED.name)
                                   .order_by(OutboxMail.id)))


def two_on_other_seats(row):
    """Two people of the plan who sit on different seats (a swap that changes something)."""
    people = sorted(int(person) for person in where(row))
    return people[0], people[1]


def test_a_swap_in_a_published_plan_is_a_new_version_that_records_the_two_who_moved_and_mails_nobody(
        organiser, speeddate):
    event = speeddate(8)
    first = published(organiser, event)
    a, b = two_on_other_seats(first)
    rows_before = outbox_rows()
    second = plans.swap(first.id, a, b)
    db.session.refresh(first)
    assert second.id != first.id and second.status == PlanStatus.PUBLISHED
    assert first.status == PlanStatus.SUPERSEDED
    assert json.loads(second.moved_ids) == sorted([a, b])
    assert where(second)[str(a)] == where(first)[str(b)]
    assert outbox_rows() == rows_before, "a swap adds no mail; the moved page offers one"


def test_regenerating_after_a_cancellation_keeps_everyone_else_on_their_seat(organiser, speeddate):
    event = speeddate(12)
    first = published(organiser, event)
    gone = constraints.confirmed_registrations(event.id)[3]
    cancel_registration(gone.id)
    draft = generate_in_browser_way(organiser, event)
    assert draft.status == PlanStatus.DRAFT and draft.id != first.id
    before, after = where(first), where(draft)
    assert str(gone.id) not in after
    kept = [person for person in after if before.get(person) == after[person]]
    assert len(kept) >= 9, f"only {len(kept)} of 11 kept their seat: a reshuffle"
    assert json.loads(draft.moved_ids) == sorted(int(p) for p in after if before[p] != after[p])


def test_a_fresh_plan_is_there_when_asked_for_and_publishing_it_records_everyone_it_moves(organiser, speeddate):
    event = speeddate(12)
    first = published(organiser, event)
    response = post_form(organiser, page(event) + "generate", {"fresh": "1"}, form_url=page(event))
    assert response.status_code == 302
    jobs.wait_for_threads()
    db.session.rollback()
    assert jobs.current_job(event.id).kind == "fresh" and jobs.current_job(event.id).status == JobStatus.DONE
    draft = seats.latest_plan(event.id)
    publishing = post_form(organiser, f"{page(event)}plans/{draft.id}/publish", {}, form_url=page(event))
    db.session.rollback()
    now = seats.published_plan(event.id)
    before, after = where(first), where(now)
    assert json.loads(now.moved_ids) == sorted(int(p) for p in after if before[p] != after[p])
    if now.moved_ids != "[]":
        assert publishing.location.endswith(f"/plans/{now.id}/moved")


def test_the_moved_page_lists_who_moves_where_and_mails_exactly_them_once(organiser, speeddate, mailbox):
    event = speeddate(8)
    first = published(organiser, event)
    mailbox.deliver()
    mailbox.messages.clear()
    a, b = two_on_other_seats(first)
    response = post_form(organiser, f"{page(event)}plans/{first.id}/swap", {"swap-first": a, "swap-second": b},
                         form_url=page(event))
    db.session.rollback()
    second = seats.published_plan(event.id)
    assert response.location.endswith(f"/plans/{second.id}/moved")
    html = organiser.get(f"{page(event)}plans/{second.id}/moved?lang=en").get_data(as_text=True)
    for person, other in ((a, b), (b, a)):
        name = db.session.get(moved.Registration, person).partner.full_name
        row = html[html.index(f'id="moved-{person}"'):].split("</tr>")[0]
        with force_locale("en"):
            assert name in row and where(first)[str(person)].label in row and where(first)[str(other)].label in row
    assert "Yes, send 2 mails" in html and 'id="preview"' in html
    assert "/r/…" in html and not re.search(r"/r/[A-Za-z0-9_-]{8,}", html), "the preview hides the personal link"
    assert moved_mails() == []
    post_form(organiser, f"{page(event)}plans/{second.id}/moved", {}, form_url=f"{page(event)}plans/{second.id}/moved")
    post_form(organiser, f"{page(event)}plans/{second.id}/moved", {}, form_url=f"{page(event)}plans/{second.id}/moved")
    rows = moved_mails()
    assert sorted(row.registration_id for row in rows) == sorted([a, b])
    mailbox.deliver()
    got = sorted(message["To"] for message in mailbox.messages)
    assert got == sorted(db.session.get(moved.Registration, p).partner.email for p in (a, b))
    for message in mailbox.messages:
        person = a if message["To"] == db.session.get(moved.Registration, a).partner.email else b
        with force_locale("nl"):
            assert where(second)[str(person)].label in message.get_body(("plain",)).get_content()
    again = organiser.get(f"{page(event)}plans/{second.id}/moved?lang=en").get_data(as_text=True)
    assert "Already sent to 2 people before" in again and "Yes, send" not in again


def test_people_moved_but_not_yet_told_stay_on_the_list_and_a_swap_back_takes_them_off(organiser, speeddate):
    event = speeddate(10)
    first = published(organiser, event)
    people = sorted(int(p) for p in where(first))
    a, b, c, d = people[:4]
    second = plans.swap(first.id, a, b)
    third = plans.swap(second.id, c, d)
    assert json.loads(third.moved_ids) == sorted([a, b, c, d])
    assert {m.registration.id: m.before for m in moved.moves(third)}[a] == where(first)[str(a)]
    fourth = plans.swap(third.id, a, b)
    assert json.loads(fourth.moved_ids) == sorted([c, d])


def test_people_told_are_not_moved_again_by_the_next_change(organiser, speeddate):
    event = speeddate(10)
    first = published(organiser, event)
    a, b, c, d = sorted(int(p) for p in where(first))[:4]
    second = plans.swap(first.id, a, b)
    assert moved.send_moved_mails(event.id, second.id).queued == 2
    third = plans.swap(second.id, c, d)
    assert json.loads(third.moved_ids) == sorted([c, d])
    assert moved.send_moved_mails(event.id, third.id).queued == 2
    assert len({row.idempotency_key for row in moved_mails()}) == 4


def test_someone_without_an_address_is_listed_to_tell_in_person_and_not_mailed(organiser, speeddate):
    event = speeddate(8)
    first = published(organiser, event)
    a, b = two_on_other_seats(first)
    second = plans.swap(first.id, a, b)
    db.session.get(moved.Registration, a).partner.email = None
    db.session.commit()
    offer = moved.moved_mails(second)
    assert [m.registration.id for m in offer.unreachable] == [a]
    assert [m.registration.id for m in offer.to_send] == [b]
    assert moved.send_moved_mails(event.id, second.id).queued == 1
    assert [row.registration_id for row in moved_mails()] == [b]


def test_a_draft_and_a_replaced_plan_send_nothing(organiser, speeddate):
    event = speeddate(8)
    first = published(organiser, event)
    a, b = two_on_other_seats(first)
    second = plans.swap(first.id, a, b)
    with pytest.raises(SeatingError):
        moved.send_moved_mails(event.id, first.id)
    old = organiser.get(f"{page(event)}plans/{first.id}/moved")
    assert old.status_code == 302 and old.location.endswith(f"/plans/{second.id}/moved")
    cancel_registration(constraints.confirmed_registrations(event.id)[-1].id)
    draft = generate_in_browser_way(organiser, event)
    with pytest.raises(SeatingError):
        moved.send_moved_mails(event.id, draft.id)
    html = organiser.get(f"{page(event)}plans/{draft.id}/moved?lang=en").get_data(as_text=True)
    assert "publish it first" in html and "Yes, send" not in html
    assert moved_mails() == []


def test_the_mail_goes_in_the_recipients_language(organiser, speeddate):
    event = speeddate(8)
    first = published(organiser, event)
    a, b = two_on_other_seats(first)
    db.session.get(moved.Registration, a).partner.language = "fr"
    db.session.get(moved.Registration, b).partner.language = "en"
    db.session.commit()
    second = plans.swap(first.id, a, b)
    moved.send_moved_mails(event.id, second.id)
    by_person = {row.registration_id: row for row in moved_mails()}
    assert by_person[a].language == "fr" and by_person[b].language == "en"
    assert "siège" in by_person[a].body_text or "chaise" in by_person[a].body_text.lower() or \
        "cercle" in by_person[a].body_text
    assert "Your new start seat" in by_person[b].body_text


def test_the_moved_page_is_valid_html_in_each_language_for_a_draft_and_for_a_published_change(
        organiser, speeddate, tmp_path):
    event = speeddate(8)
    first = published(organiser, event)
    a, b = two_on_other_seats(first)
    second = plans.swap(first.id, a, b)
    cancel_registration(constraints.confirmed_registrations(event.id)[-1].id)
    draft = generate_in_browser_way(organiser, event)
    pages = {f"{name}-{language}": organiser.get(f"{page(event)}plans/{row.id}/moved?lang={language}")
             .get_data(as_text=True)
             for name, row in (("published", second), ("draft", draft)) for language in ("nl", "fr", "en")}
    assert_valid_html(pages, tmp_path)


def send_in_own_context(app, event_id: int, plan_id: int) -> tuple[int, int] | str:
    """One organiser's "yes, send", as the view calls it, in an app context (and session) of its own."""
    with app.app_context():
        try:
            sent = moved.send_moved_mails(event_id, plan_id)
            return sent.queued, sent.already
        except Exception as error:  # noqa: BLE001 - the test reports any other outcome as a failure
            return f"{type(error).__name__}: {error}"
        finally:
            db.session.remove()


@pytest.mark.postgres
def test_two_organisers_mailing_the_moved_people_together_on_postgresql_queue_each_mail_once(
        make_event, postgres_app):
    assert db.engine.url.get_backend_name() == "postgresql"
    event = make_event(capacity=8)
    for number in range(8):
        sector = db.session.scalar(select(Sector).where(Sector.name == SECTORS[number % len(SECTORS)]))
        register(event.id, f"partner{number}@example.org",
                 PartnerDetails(f"Partner{number}", "Peeters", f"Organisatie {number}", sector))
    first = plans.publish(generated(event).id)
    a, b = two_on_other_seats(first)
    second = plans.swap(first.id, a, b)
    db.session.rollback()
    outcomes = at_once(*[partial(send_in_own_context, postgres_app, event.id, second.id)] * 2)
    assert sorted(outcomes, key=str) == [(0, 2), (2, 0)], outcomes
    assert sorted(row.registration_id for row in moved_mails()) == sorted([a, b])


def test_the_cli_keeps_seats_by_default_and_plans_afresh_with_fresh(runner, organiser, speeddate):
    event = speeddate(8)
    published(organiser, event)
    kept = runner.invoke(args=["seating", "generate", str(event.id), "--time-limit", "1"])
    assert kept.exit_code == 0, kept.output
    assert "moves 0 people off the seat they know" in kept.output
    assert jobs.current_job(event.id).kind == "generate"
    fresh = runner.invoke(args=["seating", "generate", str(event.id), "--time-limit", "1", "--fresh"])
    assert fresh.exit_code == 0, fresh.output
    assert jobs.current_job(event.id).kind == "fresh"


def test_versions_published_within_the_same_instant_keep_their_order(organiser, speeddate, clock):
    event = speeddate(10)
    clock.set(event.starts_at - timedelta(days=3))  # frozen: every version gets the same publication time
    first = published(organiser, event)
    a, b, c, d = sorted(int(p) for p in where(first))[:4]
    second = plans.swap(first.id, a, b)
    third = plans.swap(second.id, c, d)
    assert first.published_at == second.published_at == third.published_at
    assert moved.previous_published(third).id == second.id and moved.next_published(first).id == second.id
    assert json.loads(third.moved_ids) == sorted([a, b, c, d])
    old = organiser.get(f"{page(event)}plans/{first.id}/moved")
    assert old.location.endswith(f"/plans/{second.id}/moved")
    assert organiser.get(old.location).location.endswith(f"/plans/{third.id}/moved")


def test_a_new_version_renders_again_the_pending_reminders_of_those_whose_seat_changed(organiser, speeddate):
    event = speeddate(8)
    first = published(organiser, event)
    a, b = two_on_other_seats(first)
    second = plans.swap(first.id, a, b)

    def reminder(person: int) -> str:
        """The reminder as the worker renders it when it is due (scheduled mails are rendered then)."""
        db.session.rollback()
        row = db.session.scalar(select(OutboxMail).where(OutboxMail.idempotency_key == f"reminder:{person}"))
        return mails.preview_due(row).body_text

    with force_locale("nl"):
        assert where(second)[str(a)].label in reminder(a) and where(second)[str(b)].label in reminder(b)
        others = [int(p) for p in where(second) if int(p) not in (a, b)]
        assert all(where(second)[str(p)].label in reminder(p) for p in others)
