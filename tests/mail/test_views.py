"""Invitations with one-click unsubscribe, and the organisers' outbox page."""

from sqlalchemy import select

from speeddate.extensions import db
from speeddate.mail import worker
from speeddate.models import Gemeente, MailStatus, OutboxMail, Partner, Sector
from speeddate.models.base import utcnow
from tests.support import post_form


def add_partner(number: int, gemeente: str, sector: str, consents: bool = True) -> Partner:
    partner = Partner(email=f"directory{number}@example.org", first_name=f"D{number}", last_name="Partner",
                      sector=db.session.scalar(select(Sector).where(Sector.name == sector)),
                      gemeenten=[db.session.scalar(select(Gemeente).where(Gemeente.name == gemeente))],
                      consent_invitations_at=utcnow() if consents else None,
                      email_confirmed_at=utcnow())  # added by an organiser
    db.session.add(partner)
    db.session.commit()
    return partner


def test_invitations_go_to_the_filtered_partners_who_consented_in_one_batch(organiser, make_event, register,
                                                                            mailbox):
    event = make_event()
    add_partner(1, "Oostkamp", "Huisartsen")
    add_partner(2, "Oostkamp", "CAW")
    add_partner(3, "Beernem", "Huisartsen")
    add_partner(4, "Oostkamp", "Huisartsen", consents=False)
    oostkamp = db.session.scalar(select(Gemeente).where(Gemeente.name == "Oostkamp"))
    preview = organiser.get(f"/admin/events/{event.id}/invite?gemeenten={oostkamp.id}&lang=en")
    assert "2 partners would be invited" in preview.get_data(as_text=True)
    post_form(organiser, f"/admin/events/{event.id}/invite", {"gemeenten": [oostkamp.id]},
              form_url=f"/admin/events/{event.id}/invite")
    invited = sorted(r.recipient for r in db.session.scalars(select(OutboxMail).where(OutboxMail.kind == "invitation")))
    assert invited == ["directory1@example.org", "directory2@example.org"]
    post_form(organiser, f"/admin/events/{event.id}/invite", {"gemeenten": [oostkamp.id]},
              form_url=f"/admin/events/{event.id}/invite")
    assert db.session.query(OutboxMail).filter_by(kind="invitation").count() == 2, "nobody is invited twice"
    message = mailbox.deliver().to("directory1@example.org")[0]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["List-Unsubscribe"].startswith("<http://speeddate.test/u/")
    assert f"/e/{event.slug}" in message.get_body(("plain",)).get_content()


def test_one_click_unsubscribe_withdraws_the_consent(client, make_event, mailbox):
    from speeddate.mail.invitations import Audience, invite

    event = make_event()
    partner = add_partner(1, "Oostkamp", "Huisartsen")
    invite(event.id, Audience())
    message = mailbox.deliver().to("directory1@example.org")[0]
    url = message["List-Unsubscribe"].strip("<>").replace("http://speeddate.test", "")
    assert "Stop the invitations" in client.get(url + "?lang=en").get_data(as_text=True)
    response = client.post(url, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    db.session.refresh(partner)
    assert partner.consent_invitations_at is None
    assert client.post(url[:-2] + "xx", data={}).status_code == 404


def test_outbox_page_filters_shows_content_and_retries(organiser, make_event, register, app):
    event = make_event()
    register(event, email="reject@example.org")
    worker.send_due()
    page = organiser.get("/admin/outbox/?status=failed&lang=en").get_data(as_text=True)
    assert "reject@example.org" in page
    failed = db.session.scalar(select(OutboxMail).where(OutboxMail.status == MailStatus.FAILED))
    detail = organiser.get(f"/admin/outbox/{failed.id}?lang=en").get_data(as_text=True)
    assert "550" in detail and "Send again" in detail
    html = organiser.get(f"/admin/outbox/{failed.id}/html")
    assert "sandbox" in html.headers["Content-Security-Policy"]
    post_form(organiser, f"/admin/outbox/{failed.id}/retry", {}, form_url=f"/admin/outbox/{failed.id}")
    db.session.refresh(failed)
    assert (failed.status, failed.attempts) == (MailStatus.PENDING, 0)


def test_outbox_page_is_for_organisers_only(client):
    assert client.get("/admin/outbox/").status_code == 302


def test_worker_without_smtp_server_leaves_mails_waiting(app, make_event, register, runner):
    register(make_event())
    app.config["MAIL_SERVER"] = None
    result = runner.invoke(args=["mail", "send"])
    assert "No MAIL_SERVER configured" in result.output
    assert db.session.scalar(select(OutboxMail).where(OutboxMail.kind == "confirmed")).status == MailStatus.PENDING
