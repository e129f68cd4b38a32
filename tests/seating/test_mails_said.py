"""Forms on the day say who gets a mail before they are sent, and the sentence stays true."""

from sqlalchemy import func, select

from speeddate.extensions import db
from speeddate.models import OutboxMail
from speeddate.models.base import utcnow
from speeddate.seating import constraints
from tests.seating.test_views import WALK_IN, generate_in_browser_way, page
from tests.support import post_form


def due_now() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(OutboxMail).where(OutboxMail.due_at <= utcnow())) or 0


def test_the_walk_in_form_says_no_mail_goes_out_and_none_does(organiser, speeddate):
    event = speeddate(4)
    form_url = f"{page(event)}checkin"
    assert "gets no mail now" in organiser.get(form_url + "?lang=en").get_data(as_text=True)
    post_form(organiser, f"{page(event)}walk-in", WALK_IN, form_url=form_url)
    db.session.rollback()
    walker = next(r for r in constraints.confirmed_registrations(event.id) if r.partner.first_name == "Wim")
    # Nothing now; like anyone registered, the evaluation is planned for after the event.
    assert db.session.scalar(select(func.count()).select_from(OutboxMail).where(
        OutboxMail.registration_id == walker.id, OutboxMail.due_at <= utcnow())) == 0
    assert db.session.scalar(select(OutboxMail.due_at).where(
        OutboxMail.registration_id == walker.id, OutboxMail.kind == "evaluation")) >= event.ends_at


def test_the_publish_button_says_no_mail_goes_out_now_and_none_does(organiser, speeddate):
    event = speeddate(4)
    plan = generate_in_browser_way(organiser, event)
    assert "Publishing sends no mail now" in organiser.get(page(event) + "?lang=en").get_data(as_text=True)
    before = due_now()
    post_form(organiser, f"{page(event)}plans/{plan.id}/publish", {}, form_url=page(event))
    assert due_now() == before

