"""Invitations with one-click unsubscribe, and the organisers' outbox page."""

import re
import uuid
from datetime import timedelta

from sqlalchemy import func, select, update

from speeddate import tokens
from speeddate.extensions import db
from speeddate.mail import worker
from speeddate.models import Gemeente, MailStatus, OutboxMail, Partner, Registration, Sector
from speeddate.models.base import utcnow
from tests.support import post_form, vnu_messages


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
    post_form(organiser, f"/admin/outbox/{failed.id}/send_again", {}, form_url=f"/admin/outbox/{failed.id}")
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


# The organisers' outbox: filters, actions on one mail, some or all, confirmed first.

ACT_FORM = re.compile(r'<form method="post" action="/admin/outbox/act">(.*?)</form>', re.S)
HIDDEN = re.compile(r'<input (?:id="csrf_token" )?(?:type="hidden" )?name="([^"]+)" (?:type="hidden" )?value="([^"]*)"')


def add_mail(status: MailStatus, event=None, recipient: str = "someone@example.org", kind: str = "confirmed",
             **fields) -> int:
    row = OutboxMail(idempotency_key=f"test:{uuid.uuid4().hex}", kind=kind, status=status, recipient=recipient,
                     subject=f"About {kind}", body_text="Hello", event_id=event.id if event else None, **fields)
    db.session.add(row)
    db.session.commit()
    return row.id


def statuses(*ids: int) -> list[MailStatus]:
    db.session.rollback()
    found = dict(db.session.execute(select(OutboxMail.id, OutboxMail.status).where(OutboxMail.id.in_(ids))).all())
    return [found[mail_id] for mail_id in ids]


def matching(page: str) -> int:
    return int(re.search(r"Mails that match: (\d+)\.", page).group(1))


def confirmation_form(page: str) -> dict[str, str]:
    """The hidden fields of the confirmation page's form, as a browser would post them."""
    form = ACT_FORM.search(page)
    assert form, "no confirmation form on the page"
    return dict(HIDDEN.findall(form.group(1)))


def ticked(organiser, query: str) -> list[int]:
    """The mail ids of the checkboxes the outbox list offers for this filter."""
    page = organiser.get(f"/admin/outbox/?{query}").get_data(as_text=True)
    return [int(value) for value in re.findall(r'<input type="checkbox" name="mail" value="(\d+)"', page)]


def test_outbox_filters_by_event_person_kind_and_status_combined_with_counts(organiser, make_event, register):
    oostkamp, beernem = make_event(title="Speeddate Oostkamp"), make_event(title="Platform Beernem")
    register(oostkamp)  # Els Peeters, els.peeters@example.org
    register(beernem, 2)  # Partner2 Peeters, partner2@example.org
    for n in range(3):
        add_mail(MailStatus.FAILED, oostkamp, recipient=f"reject{n}@example.org")
    page = organiser.get("/admin/outbox/?lang=en").get_data(as_text=True)
    assert matching(page) == db.session.scalar(select(func.count()).select_from(OutboxMail))
    assert f'<option value="{oostkamp.id}">Speeddate Oostkamp</option>' in page
    assert '<option value="reminder">reminder</option>' in page

    def count(**wanted) -> int:
        conditions = [getattr(OutboxMail, column) == value for column, value in wanted.items()]
        return db.session.scalar(select(func.count()).select_from(OutboxMail).where(*conditions))

    by_event = organiser.get(f"/admin/outbox/?event={oostkamp.id}").get_data(as_text=True)
    assert matching(by_event) == count(event_id=oostkamp.id) and "partner2@example.org" not in by_event
    by_name = organiser.get("/admin/outbox/?person=partner2+peeters").get_data(as_text=True)
    assert matching(by_name) == count(recipient="partner2@example.org") > 0
    by_address = organiser.get("/admin/outbox/?person=ELS.PEETERS@").get_data(as_text=True)
    assert matching(by_address) == count(recipient="els.peeters@example.org") > 0
    assert matching(organiser.get("/admin/outbox/?person=100%25").get_data(as_text=True)) == 0
    combined = organiser.get(f"/admin/outbox/?event={oostkamp.id}&kind=confirmed&status=failed").get_data(as_text=True)
    assert matching(combined) == 3 and "els.peeters@example.org" not in combined
    waiting = count(event_id=oostkamp.id, kind="confirmed", status=MailStatus.PENDING)
    assert "failed (3)" in combined and f"waiting ({waiting})" in combined
    nonsense = organiser.get("/admin/outbox/?event=x&kind=%3Cscript%3E&status=lost").get_data(as_text=True)
    assert matching(nonsense) == 0, "a kind that names nothing matches nothing"
    assert matching(organiser.get("/admin/outbox/?event=x&status=lost").get_data(as_text=True)) == matching(page)


def test_paging_keeps_the_filters(organiser, make_event):
    event, other = make_event(), make_event(title="Other")
    for n in range(130):
        add_mail(MailStatus.FAILED, event, recipient=f"p{n}@example.org")
    add_mail(MailStatus.FAILED, other)
    first = organiser.get(f"/admin/outbox/?event={event.id}&status=failed&lang=en").get_data(as_text=True)
    assert matching(first) == 130 and first.count('name="mail"') == 100
    older = re.search(r'<a href="(/admin/outbox/\?[^"]+)" rel="next">', first).group(1).replace("&amp;", "&")
    assert f"event={event.id}" in older and "status=failed" in older and "page=2" in older
    second = organiser.get(older).get_data(as_text=True)
    assert second.count('name="mail"') == 30 and "Page 2 of 2" in second


def test_mails_in_doubt_held_and_failed_stand_out_and_say_what_to_do(organiser, make_event):
    event = make_event()
    in_doubt = add_mail(MailStatus.UNCERTAIN, event, last_error="timed out after the data was sent")
    add_mail(MailStatus.HELD, event)
    add_mail(MailStatus.FAILED, event)
    page = organiser.get("/admin/outbox/?lang=en").get_data(as_text=True)
    for status in ("uncertain", "held", "failed"):
        assert f'id="attention-{status}"' in page and f'<tr class="mail-{status}">' in page
    assert "Mails that may have been sent: 1." in page and "gets it twice" in page
    detail = organiser.get(f"/admin/outbox/{in_doubt}").get_data(as_text=True)
    assert "may have been sent" in detail and "they get it twice" in detail
    assert f'/admin/outbox/{in_doubt}/mark_sent"' in detail and f'/admin/outbox/{in_doubt}/send_again"' in detail
    assert f'/admin/outbox/{in_doubt}/withdraw"' not in detail


def test_bulk_send_again_of_twenty_ticked_failed_mails_queues_exactly_those(organiser, make_event, mailbox):
    event = make_event()
    ids = [add_mail(MailStatus.FAILED, event, recipient=f"person{n}@example.org", attempts=8) for n in range(25)]
    chosen = ticked(organiser, "status=failed&lang=en")[:20]
    query = "&".join(f"mail={mail_id}" for mail_id in chosen)
    page = organiser.get(f"/admin/outbox/confirm?status=failed&action=send_again&{query}").get_data(as_text=True)
    assert "Mails: 20." in page and "People who will get a mail: 20." in page
    assert "registration confirmed</td><td class=\"num\">20<" in page
    assert statuses(*ids) == [MailStatus.FAILED] * 25, "the confirmation changes nothing"
    response = organiser.post("/admin/outbox/act", data=confirmation_form(page), follow_redirects=True)
    assert "Queued to be sent again: 20." in response.get_data(as_text=True)
    after = dict(zip(ids, statuses(*ids), strict=True))
    assert {mail_id for mail_id, status in after.items() if status == MailStatus.PENDING} == set(chosen)
    mailbox.deliver()
    sent_to = sorted(m["To"] for m in mailbox.messages)
    assert sent_to == sorted(db.session.scalars(select(OutboxMail.recipient).where(OutboxMail.id.in_(chosen))))


def test_send_again_for_all_that_match_says_how_many_people_and_that_some_may_get_it_twice(organiser, make_event):
    event, other = make_event(), make_event(title="Other")
    for n in range(2):
        add_mail(MailStatus.UNCERTAIN, event, recipient=f"doubt{n}@example.org")
    for _ in range(3):
        add_mail(MailStatus.FAILED, event, recipient="same@example.org", kind="reminder")
    add_mail(MailStatus.SENT, event)
    add_mail(MailStatus.FAILED, other)
    page = organiser.get(f"/admin/outbox/confirm?event={event.id}&all=send_again&lang=en").get_data(as_text=True)
    assert "Mails: 5." in page and "People who will get a mail: 3." in page
    assert "Of these, 2 may have arrived already" in page and "get the mail twice" in page
    assert "reminder</td><td class=\"num\">3<" in page and "registration confirmed</td><td class=\"num\">2<" in page
    assert "Not in a status this action applies to: 1." in page
    assert "failed: 3" in page and "may have been sent: 2" in page
    fields = confirmation_form(page)
    assert fields["event"] == str(event.id)
    response = organiser.post("/admin/outbox/act", data=fields)
    assert response.status_code == 302 and f"event={event.id}" in response.headers["Location"]
    assert db.session.scalar(select(func.count()).select_from(OutboxMail)
                             .where(OutboxMail.status == MailStatus.PENDING)) == 5


def test_a_mail_changed_between_confirmation_and_post_is_skipped_and_counted(organiser, make_event):
    event = make_event()
    ids = [add_mail(MailStatus.PENDING, event, recipient=f"p{n}@example.org") for n in range(3)]
    page = organiser.get(f"/admin/outbox/confirm?event={event.id}&all=withdraw&lang=en").get_data(as_text=True)
    assert "Mails: 3." in page
    # Meanwhile the worker claimed one of them.
    db.session.execute(update(OutboxMail).where(OutboxMail.id == ids[0])
                       .values(status=MailStatus.SENDING, claimed_by="mail:worker"))
    db.session.commit()
    response = organiser.post("/admin/outbox/act", data=confirmation_form(page), follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "Withdrawn, will not be sent: 2." in text and "changed since you confirmed" in text and ": 1." in text
    assert statuses(*ids) == [MailStatus.SENDING, MailStatus.WITHDRAWN, MailStatus.WITHDRAWN]


def test_withdraw_then_put_back_from_the_mails_page_and_too_late_is_refused(organiser, make_event, register, clock):
    event = make_event()
    register(event)
    reminder = db.session.scalar(select(OutboxMail).where(OutboxMail.kind == "reminder"))
    due, mail_id = reminder.due_at, reminder.id
    page = organiser.get(f"/admin/outbox/{mail_id}?lang=en").get_data(as_text=True)
    assert f'/admin/outbox/{mail_id}/withdraw"' in page
    post_form(organiser, f"/admin/outbox/{mail_id}/withdraw", {}, form_url=f"/admin/outbox/{mail_id}")
    assert statuses(mail_id) == [MailStatus.WITHDRAWN]
    page = organiser.get(f"/admin/outbox/{mail_id}").get_data(as_text=True)
    assert f'/admin/outbox/{mail_id}/put_back"' in page
    response = post_form(organiser, f"/admin/outbox/{mail_id}/put_back", {}, form_url=f"/admin/outbox/{mail_id}",
                         follow_redirects=True)
    assert "Put back, will be sent at their time: 1." in response.get_data(as_text=True)
    assert statuses(mail_id) == [MailStatus.PENDING]
    post_form(organiser, f"/admin/outbox/{mail_id}/withdraw", {}, form_url=f"/admin/outbox/{mail_id}")
    clock.set(due + timedelta(hours=1))
    page = organiser.get(f"/admin/outbox/{mail_id}").get_data(as_text=True)
    assert "it can no longer be put back" in page and f'/admin/outbox/{mail_id}/put_back"' not in page
    confirm = organiser.get(f"/admin/outbox/confirm?action=put_back&mail={mail_id}").get_data(as_text=True)
    assert "None of these mails can be acted on this way." in confirm and "cannot be put back" in confirm
    response = post_form(organiser, f"/admin/outbox/{mail_id}/put_back", {}, form_url=f"/admin/outbox/{mail_id}",
                         follow_redirects=True)
    assert "can no longer be acted on): 1." in response.get_data(as_text=True)
    assert statuses(mail_id) == [MailStatus.WITHDRAWN]


def test_held_mails_are_released_per_event_then_all_at_once(organiser, make_event):
    first, second = make_event(), make_event(title="Other")
    held_first = [add_mail(MailStatus.HELD, first) for _ in range(2)]
    held_second = [add_mail(MailStatus.HELD, second) for _ in range(3)]
    page = organiser.get(f"/admin/outbox/confirm?event={first.id}&status=held&all=release&lang=en")
    organiser.post("/admin/outbox/act", data=confirmation_form(page.get_data(as_text=True)))
    assert statuses(*held_first, *held_second) == [MailStatus.PENDING] * 2 + [MailStatus.HELD] * 3
    page = organiser.get("/admin/outbox/confirm?status=held&all=release").get_data(as_text=True)
    assert "Mails: 3." in page
    organiser.post("/admin/outbox/act", data=confirmation_form(page))
    assert statuses(*held_second) == [MailStatus.PENDING] * 3


def test_posts_without_a_csrf_token_or_with_a_damaged_selection_change_nothing(organiser, make_event):
    event = make_event()
    ids = [add_mail(MailStatus.FAILED, event) for _ in range(2)]
    page = organiser.get(f"/admin/outbox/confirm?all=send_again&event={event.id}&lang=en").get_data(as_text=True)
    fields = confirmation_form(page)
    without_token = {name: value for name, value in fields.items() if name != "csrf_token"}
    assert organiser.post("/admin/outbox/act", data=without_token).status_code == 400
    assert organiser.post(f"/admin/outbox/{ids[0]}/send_again").status_code == 400
    damaged = organiser.post("/admin/outbox/act", data={**fields, "ids": f"{ids[0]},x"})
    assert damaged.status_code == 400 and "Nothing was changed" in damaged.get_data(as_text=True)
    assert organiser.post("/admin/outbox/act", data={**fields, "action": "delete"}).status_code == 400
    assert statuses(*ids) == [MailStatus.FAILED] * 2
    assert organiser.get("/admin/outbox/confirm?action=delete&mail=1").status_code == 400
    empty = organiser.get("/admin/outbox/confirm?action=send_again", follow_redirects=True)
    assert "Please tick the mails first" in empty.get_data(as_text=True)


def test_no_outbox_page_shows_a_personal_link_token(organiser, make_event, register):
    event = make_event()
    register(event)
    signed = tokens.sign(db.session.scalar(select(Registration.token)))
    db.session.execute(update(OutboxMail).values(status=MailStatus.UNCERTAIN))
    db.session.commit()
    ids = db.session.scalars(select(OutboxMail.id)).all()
    assert any(signed in row.body_text for row in db.session.scalars(select(OutboxMail)))
    pages = [organiser.get("/admin/outbox/?person=Peeters"), organiser.get(f"/admin/outbox/?event={event.id}"),
             organiser.get(f"/admin/outbox/confirm?all=send_again&event={event.id}")]
    pages += [organiser.get(f"/admin/outbox/{mail_id}") for mail_id in ids]
    for page in pages:
        assert page.status_code == 200 and signed not in page.get_data(as_text=True)
        assert not re.search(r"/[ru]/[A-Za-z0-9_.-]{8,}", page.get_data(as_text=True))


def test_the_outbox_pages_are_valid_html(organiser, make_event, register, tmp_path):
    event = make_event()
    register(event)
    add_mail(MailStatus.UNCERTAIN, event)
    add_mail(MailStatus.HELD, event)
    failed = add_mail(MailStatus.FAILED, event)
    pages = {"list": organiser.get(f"/admin/outbox/?event={event.id}&person=els&lang=en"),
             "confirm": organiser.get(f"/admin/outbox/confirm?all=send_again&event={event.id}"),
             "nothing to confirm": organiser.get(f"/admin/outbox/confirm?action=release&mail={failed}"),
             "detail": organiser.get(f"/admin/outbox/{failed}")}
    for name, page in pages.items():
        assert page.status_code == 200, name
        (tmp_path / f"{name.replace(' ', '-')}.html").write_text(page.get_data(as_text=True))
    assert vnu_messages(tmp_path) == []
    listing = pages["list"].get_data(as_text=True)
    boxes = re.findall(r'<input type="checkbox" name="mail"[^>]*>', listing)
    assert boxes and all('aria-label="Select the mail to ' in box for box in boxes)
    for name in ("event", "person", "kind", "status"):
        assert f'<label for="{name}">' in listing
