"""A walk-in may come without an email address: checked in all the same, mailed once an address is added."""

from datetime import timedelta

from sqlalchemy import func, select

from speeddate.extensions import db
from speeddate.models import OutboxMail, Partner
from speeddate.models.base import utcnow
from speeddate.seating import constraints, plans
from tests.seating.test_views import WALK_IN, generate_in_browser_way, page
from tests.support import post_form

NO_ADDRESS = {**WALK_IN, "walkin-email": ""}


def walker(event, first_name: str = "Wim"):
    db.session.rollback()
    return next(r for r in constraints.confirmed_registrations(event.id) if r.partner.first_name == first_name)


def mails_to(registration) -> list[OutboxMail]:
    return list(db.session.scalars(select(OutboxMail).where(OutboxMail.registration_id == registration.id)))


def test_a_walk_in_without_email_is_registered_and_checked_in(organiser, speeddate):
    event = speeddate(4)
    response = post_form(organiser, f"{page(event)}walk-in", NO_ADDRESS, form_url=f"{page(event)}checkin")
    assert response.status_code == 302
    registration = walker(event)
    assert registration.attended and registration.partner.email is None
    assert registration.partner.email_confirmed_at is None
    assert mails_to(registration) == []


def test_two_walk_ins_without_email_are_two_people(organiser, speeddate):
    event = speeddate(4)
    for first_name in ("Wim", "Wanda"):
        post_form(organiser, f"{page(event)}walk-in", {**NO_ADDRESS, "walkin-first_name": first_name},
                  form_url=f"{page(event)}checkin")
    assert walker(event, "Wim").partner_id != walker(event, "Wanda").partner_id
    assert db.session.scalar(select(func.count()).select_from(Partner).where(Partner.email.is_(None))) == 2


def test_the_walk_in_form_says_the_address_is_optional_and_what_that_means(organiser, speeddate):
    event = speeddate(4)
    html = organiser.get(f"{page(event)}checkin?lang=en").get_data(as_text=True)
    assert 'id="walkin-email"' in html and "no mail until" in html
    assert 'id="walkin-email" name="walkin-email" required' not in html


def test_a_wrong_address_is_still_refused(organiser, speeddate):
    event = speeddate(4)
    response = post_form(organiser, f"{page(event)}walk-in", {**WALK_IN, "walkin-email": "wim-at-home"},
                         form_url=f"{page(event)}checkin")
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Partner).where(Partner.first_name == "Wim")) == 0


def test_the_registration_list_offers_no_link_to_someone_without_an_address(organiser, speeddate):
    event = speeddate(2)
    post_form(organiser, f"{page(event)}walk-in", NO_ADDRESS, form_url=f"{page(event)}checkin")
    registration = walker(event)
    html = organiser.get(f"/admin/registrations/{registration.id}/link?lang=en").get_data(as_text=True)
    assert "no email address" in html and 'id="confirm-link"' not in html
    refused = post_form(organiser, f"/admin/registrations/{registration.id}/link", {},
                        form_url=f"/admin/registrations/{registration.id}/link")
    assert refused.status_code == 302
    assert mails_to(walker(event)) == []


def test_the_evaluation_goes_out_once_an_address_is_added_after_the_event(organiser, speeddate, clock, mailbox):
    event = speeddate(4)
    post_form(organiser, f"{page(event)}walk-in", NO_ADDRESS, form_url=f"{page(event)}checkin")
    registration = walker(event)
    clock.set(event.ends_at + timedelta(hours=2))
    assert mails_to(registration) == []
    edit = f"/admin/directory/partners/{registration.partner_id}/edit"
    form = organiser.get(edit).get_data(as_text=True)
    assert 'name="email"' in form
    values = {"email": "Wim@Example.org", "first_name": "Wim", "last_name": "Walker", "organisation": "CAW",
              "sector": str(registration.partner.sector_id), "language": "nl"}
    assert post_form(organiser, edit, values, form_url=edit).status_code == 302
    registration = walker(event)
    assert registration.partner.email == "wim@example.org"
    due = {row.kind: row.due_at for row in mails_to(registration)}
    assert due["evaluation"] <= utcnow() < due["evaluation_reminder"], "the invitation now, its reminder as planned"
    mailbox.deliver()
    [mail] = mailbox.to("wim@example.org")
    assert mail["Subject"] == "Hoe was Speeddate Oostkamp?"


def test_who_you_met_leaves_out_someone_without_an_address_and_says_so(organiser, speeddate, clock):
    event = speeddate(6)
    post_form(organiser, f"{page(event)}walk-in", {**NO_ADDRESS, "walkin-consent_share_contacts": "y"},
              form_url=f"{page(event)}checkin")
    plans.publish(generate_in_browser_way(organiser, event).id)
    for registration in constraints.confirmed_registrations(event.id):
        registration.attended = True
    db.session.commit()
    clock.set(event.ends_at + timedelta(hours=1))
    html = organiser.get(f"{page(event)}who-you-met?lang=en").get_data(as_text=True)
    assert "No email address, so no mail: 1." in html
    post_form(organiser, f"{page(event)}who-you-met", {}, form_url=page(event))
    rows = db.session.scalars(select(OutboxMail).where(OutboxMail.kind == "who_you_met")).all()
    assert len(rows) == 6 and all(row.recipient for row in rows)


def test_merging_a_walk_in_with_their_record_keeps_the_address_and_catches_up(organiser, speeddate, clock, make_event,
                                                                              register):
    other = make_event(title="Lunchwebinar")
    assert register(other, 7, first_name="Wim").status_code == 200
    event = speeddate(4)
    post_form(organiser, f"{page(event)}walk-in", NO_ADDRESS, form_url=f"{page(event)}checkin")
    registration = walker(event)
    clock.set(event.ends_at + timedelta(hours=2))
    partner_page = f"/admin/directory/partners/{registration.partner_id}"
    response = post_form(organiser, f"{partner_page}/merge", {"other_email": "partner7@example.org", "confirm": "y"},
                         form_url=partner_page)
    assert response.status_code == 302
    registration = walker(event)
    assert registration.partner.email == "partner7@example.org"
    assert db.session.scalar(select(func.count()).select_from(Partner).where(Partner.email.is_(None))) == 0
    assert {row.kind for row in mails_to(registration)} >= {"evaluation"}
