"""The outbox page never shows a personal link: an organiser cannot open a partner's page or evaluation from it."""

import re

from sqlalchemy import select

from speeddate import tokens
from speeddate.extensions import db
from speeddate.mail import invitations
from speeddate.models import OutboxMail, Registration
from tests.mail.test_views import add_partner

PERSONAL_LINK = re.compile(r"/[ru]/[A-Za-z0-9_.-]{8,}")


def test_mail_bodies_in_the_back_office_show_no_personal_or_unsubscribe_link(organiser, make_event,  # noqa: F811
                                                                            register, mailbox):
    event = make_event()
    register(event)
    add_partner(1, "Oostkamp", "Huisartsen")
    invitations.invite(event.id, invitations.Audience())
    signed = tokens.sign(db.session.scalar(select(Registration.token)))
    rows = db.session.scalars(select(OutboxMail).order_by(OutboxMail.id)).all()
    assert {"confirmed", "evaluation", "invitation"} <= {row.kind for row in rows}
    assert any(signed in row.body_text for row in rows), "the stored mail keeps the real link for sending"
    for row in rows:
        for page in (organiser.get(f"/admin/outbox/{row.id}"), organiser.get(f"/admin/outbox/{row.id}/html")):
            text = page.get_data(as_text=True)
            assert page.status_code == 200 and not PERSONAL_LINK.search(text), text
        if "/r/" in row.body_text:
            assert "/r/…" in organiser.get(f"/admin/outbox/{row.id}").get_data(as_text=True)
    mailbox.deliver()
    assert any(signed in m.get_body(("plain",)).get_content() for m in mailbox.messages)
