"""Invitations ask first: nobody is chosen until the coordinator ticks whom to invite; the page says who is left
out and why, warns when registering is no longer possible, and shows one invitation with the coordinator's own
message, which arrives at the mail server."""

import re
from datetime import timedelta
from functools import partial

import pytest
from sqlalchemy import select

from speeddate.extensions import db
from speeddate.mail import invitations
from speeddate.models import Gemeente, OutboxMail
from speeddate.models.base import utcnow
from tests.mail.test_views import add_partner
from tests.seating.test_jobs import at_once
from tests.support import post_form, vnu_messages

UNSUBSCRIBE_TOKEN = re.compile(r"/u/[A-Za-z0-9_.-]{8,}")


def invite_page(event) -> str:
    return f"/admin/events/{event.id}/invite"


def invitations_in_outbox() -> list[OutboxMail]:
    return list(db.session.scalars(select(OutboxMail).where(OutboxMail.kind == "invitation")))


def gemeente_id(name: str) -> int:
    return db.session.scalar(select(Gemeente.id).where(Gemeente.name == name))


def test_the_invite_page_starts_with_nobody_chosen_and_nothing_to_send(organiser, make_event):
    event = make_event()
    for number in range(3):
        add_partner(number, "Oostkamp", "Huisartsen")
    page = organiser.get(invite_page(event) + "?lang=en").get_data(as_text=True)
    assert "Nobody is chosen yet." in page and "partners would be invited" not in page and "Yes, send" not in page
    assert not re.search(r"<select[^>]*multiple", page), "filters are checkboxes, not Ctrl-click lists"
    assert 'type="checkbox" name="gemeenten"' in page


def test_everyone_is_a_choice_of_its_own(organiser, make_event):
    event = make_event()
    for number in range(3):
        add_partner(number, "Oostkamp", "Huisartsen")
    page = organiser.get(invite_page(event) + "?everyone=y&lang=en").get_data(as_text=True)
    assert "3 partners would be invited" in page and "Yes, send 3 invitations" in page


def test_a_post_with_nothing_ticked_sends_nothing(organiser, make_event):
    event = make_event()
    add_partner(1, "Oostkamp", "Huisartsen")
    response = post_form(organiser, invite_page(event) + "?lang=en", {}, form_url=invite_page(event),
                         follow_redirects=True)
    assert "please tick whom to invite first" in response.get_data(as_text=True)
    assert invitations_in_outbox() == []


def test_the_language_filter_and_the_gemeente_filter_combine(organiser, make_event):
    event = make_event()
    add_partner(1, "Oostkamp", "Huisartsen")
    french = add_partner(2, "Oostkamp", "Huisartsen")
    french.language = "fr"
    add_partner(3, "Beernem", "Huisartsen").language = "fr"
    db.session.commit()
    query = f"?gemeenten={gemeente_id('Oostkamp')}&languages=fr&lang=en"
    page = organiser.get(invite_page(event) + query).get_data(as_text=True)
    assert "1 partner would be invited" in page and "directory2@example.org" in page
    post_form(organiser, invite_page(event), {"gemeenten": [gemeente_id("Oostkamp")], "languages": ["fr"]},
              form_url=invite_page(event) + query)
    assert [row.recipient for row in invitations_in_outbox()] == ["directory2@example.org"]


def test_the_page_says_how_many_are_left_out_and_why(organiser, make_event, register):
    event = make_event()
    add_partner(1, "Oostkamp", "Huisartsen")
    add_partner(2, "Oostkamp", "Huisartsen", consents=False)
    add_partner(3, "Oostkamp", "Huisartsen").email_confirmed_at = None
    db.session.commit()
    invited = add_partner(4, "Oostkamp", "Huisartsen")
    invitations.invite(event.id, invitations.Audience(), "")
    assert [row.recipient for row in invitations_in_outbox()] == ["directory1@example.org", invited.email]
    add_partner(5, "Oostkamp", "Huisartsen")
    register(event, email="directory5@example.org")
    add_partner(6, "Oostkamp", "Huisartsen")
    skipped = invitations.skipped(event, invitations.Audience())
    assert (skipped.registered, skipped.invited, skipped.no_consent, skipped.unconfirmed) == (1, 2, 1, 1)
    page = organiser.get(invite_page(event) + "?everyone=y&lang=en").get_data(as_text=True)
    assert "1 partner would be invited" in page and "Left out: 5." in page
    for line in ("Already registered: 1.", "Invited to this event before: 2.", "Did not agree to invitations: 1.",
                 "Address not confirmed: 1."):
        assert line in page


@pytest.mark.parametrize("overrides, warning", [
    ({"capacity": 1}, "The event is full"),
    ({"registration_deadline": "past"}, "The registration deadline has passed"),
])
def test_the_page_warns_when_the_event_is_full_or_the_deadline_has_passed(organiser, make_event, register, clock,
                                                                         overrides, warning):
    deadline = overrides.get("registration_deadline")
    event = make_event(**{**overrides, **({"registration_deadline": None} if deadline else {})})
    if deadline:
        event.registration_deadline = utcnow() + timedelta(days=1)
        db.session.commit()
        clock.set(utcnow() + timedelta(days=2))
    else:
        register(event)
    assert warning in organiser.get(invite_page(event) + "?lang=en").get_data(as_text=True)


def test_an_open_event_gets_no_warning(organiser, make_event):
    page = organiser.get(invite_page(make_event()) + "?lang=en").get_data(as_text=True)
    assert 'class="notice warning"' not in page


def test_the_preview_shows_one_invitation_with_the_message_and_hides_the_unsubscribe_token(organiser, make_event):
    event = make_event()
    add_partner(1, "Oostkamp", "Huisartsen")
    page = organiser.get(invite_page(event) + "?everyone=y&message=Nieuw+dit+jaar%3A+de+apothekers&lang=en")
    text = page.get_data(as_text=True)
    assert "Nieuw dit jaar: de apothekers" in text.split('id="preview"')[1]
    assert "/u/…" in text and not UNSUBSCRIBE_TOKEN.search(text)
    assert invitations_in_outbox() == [], "a preview writes nothing"


def test_the_coordinators_message_arrives_at_the_mail_server(organiser, make_event, mailbox):
    event = make_event()
    add_partner(1, "Oostkamp", "Huisartsen")
    message = "Dit jaar met de apothekers erbij.\nWelkom vanaf 19 uur."
    post_form(organiser, invite_page(event), {"everyone": "y", "message": message},
              form_url=invite_page(event) + "?everyone=y")
    delivered = mailbox.deliver().to("directory1@example.org")[0]
    assert message in delivered.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert "Welkom vanaf 19 uur." in delivered.get_body(("html",)).get_content()


def test_a_message_too_long_is_refused_in_the_users_language_and_sends_nothing(organiser, make_event):
    event = make_event()
    add_partner(1, "Oostkamp", "Huisartsen")
    page = organiser.get(invite_page(event) + "?everyone=y&message=" + "x" * 2001)
    assert page.status_code == 400 and "Gebruik maximaal 2000 tekens" in page.get_data(as_text=True)
    assert invitations_in_outbox() == []


def test_the_invite_pages_are_valid_html(organiser, make_event, tmp_path):
    event = make_event(capacity=1)
    add_partner(1, "Oostkamp", "Huisartsen")
    pages = {"nobody": organiser.get(invite_page(event)),
             "chosen": organiser.get(invite_page(event) + f"?gemeenten={gemeente_id('Oostkamp')}&message=Welkom%0D%0A")}
    for name, page in pages.items():
        assert page.status_code == 200, name
        (tmp_path / f"{name}.html").write_text(page.get_data(as_text=True))
    assert vnu_messages(tmp_path) == []


def test_a_posted_message_too_long_shows_the_error_and_sends_nothing(organiser, make_event):
    event = make_event()
    add_partner(1, "Oostkamp", "Huisartsen")
    response = post_form(organiser, invite_page(event) + "?lang=en", {"everyone": "y", "message": "x" * 2001},
                         form_url=invite_page(event))
    assert response.status_code == 400 and "Please use at most 2000 characters." in response.get_data(as_text=True)
    assert invitations_in_outbox() == []


def invite_in_own_context(app, event_id: int) -> int | str:
    """One organiser's "yes, send", as the view calls it, in an app context (and session) of its own."""
    with app.app_context():
        try:
            return invitations.invite(event_id, invitations.Audience(), "")
        except Exception as error:  # noqa: BLE001 - the test reports any other outcome as a failure
            return f"{type(error).__name__}: {error}"
        finally:
            db.session.remove()


@pytest.mark.postgres
def test_two_organisers_inviting_together_on_postgresql_invite_each_partner_once(make_event, postgres_app):
    event_id = make_event().id
    assert db.engine.url.get_backend_name() == "postgresql"
    for number in range(5):
        add_partner(number, "Oostkamp", "Huisartsen")
    db.session.rollback()
    outcomes = at_once(*[partial(invite_in_own_context, postgres_app, event_id)] * 2)
    assert sorted(outcomes, key=str) == [0, 5], outcomes
    assert len(invitations_in_outbox()) == 5


def test_an_invitation_whose_partner_is_gone_leaves_out_nobody_else(app, make_event):
    """The partners already invited are read as one list of ids; a mail whose partner was deleted (its id NULL)
    must not make that list exclude everyone."""
    event = make_event()
    first, second = add_partner(1, "Oostkamp", "Huisartsen"), add_partner(2, "Oostkamp", "Huisartsen")
    invitations.invite(event.id, invitations.Audience(), "")
    db.session.execute(OutboxMail.__table__.update().where(OutboxMail.partner_id == first.id)
                       .values(partner_id=None))
    db.session.commit()
    third = add_partner(3, "Oostkamp", "Huisartsen")
    plan = invitations.plan(event, invitations.Audience())
    assert [p.id for p in plan.partners] == [first.id, third.id], "the first one's invitation no longer names them"
    assert plan.skipped.invited == 1 and second.id not in [p.id for p in plan.partners]
