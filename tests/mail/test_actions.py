"""The organisers' actions on outbox mails: each applies to some statuses only, runs as one unit of work, and skips
(and counts) a mail that changed since the organiser confirmed."""

import threading
import time
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select, text, update

from speeddate.events import services as events
from speeddate.extensions import db
from speeddate.i18n import to_local
from speeddate.mail import actions
from speeddate.mail.actions import Action, Refusal
from speeddate.models import MailStatus, OutboxMail
from speeddate.privacy.services import erase_partner


def add_mail(status: MailStatus, recipient: str = "someone@example.org", kind: str = "confirmed", **fields) -> int:
    row = OutboxMail(idempotency_key=f"test:{uuid.uuid4().hex}", kind=kind, status=status, recipient=recipient,
                     subject="Subject", body_text=fields.pop("body_text", "Hello"), **fields)
    db.session.add(row)
    db.session.commit()
    return row.id


def status_of(mail_id: int) -> MailStatus:
    db.session.rollback()
    return db.session.scalar(select(OutboxMail.status).where(OutboxMail.id == mail_id))


def mail_of(kind: str) -> OutboxMail:
    return db.session.scalars(select(OutboxMail).where(OutboxMail.kind == kind)).one()


def test_each_action_applies_to_its_statuses_only(app):
    ids = {status: add_mail(status, attempts=3) for status in MailStatus}
    expected = {
        Action.SEND_AGAIN: {MailStatus.FAILED, MailStatus.UNCERTAIN, MailStatus.CANCELLED, MailStatus.WITHDRAWN},
        Action.MARK_SENT: {MailStatus.UNCERTAIN},
        Action.WITHDRAW: {MailStatus.PENDING, MailStatus.HELD, MailStatus.FAILED},
        Action.RELEASE: {MailStatus.HELD},
    }
    for action, statuses in expected.items():
        planned = actions.plan(action, ids.values())
        assert {status for status, mail_id in ids.items() if mail_id in planned.ids} == statuses, action
        assert planned.left_alone == {Refusal.STATUS: len(MailStatus) - len(statuses)}


def test_send_again_queues_the_mail_as_new_and_the_worker_sends_it_once(app, mailbox):
    failed = add_mail(MailStatus.FAILED, attempts=8, last_error="550 no such user")
    in_doubt = add_mail(MailStatus.UNCERTAIN, recipient="other@example.org", attempts=1)
    assert actions.apply(Action.SEND_AGAIN, [failed, in_doubt]) == actions.Outcome(done=2, skipped=0)
    rows = db.session.scalars(select(OutboxMail).order_by(OutboxMail.id)).all()
    assert [(row.status, row.attempts) for row in rows] == [(MailStatus.PENDING, 0)] * 2
    mailbox.deliver()
    assert sorted(m["To"] for m in mailbox.messages) == ["other@example.org", "someone@example.org"]


def test_a_mail_that_changed_after_the_confirmation_is_skipped_and_counted(app):
    ids = [add_mail(MailStatus.FAILED, recipient=f"p{n}@example.org") for n in range(3)]
    planned = actions.plan(Action.SEND_AGAIN, ids)
    assert planned.ids == ids and planned.people == 3
    # Meanwhile another organiser sent the second one again, and the worker already sent it.
    db.session.execute(update(OutboxMail).where(OutboxMail.id == ids[1]).values(status=MailStatus.SENT))
    db.session.commit()
    assert actions.apply(Action.SEND_AGAIN, planned.ids) == actions.Outcome(done=2, skipped=1)
    assert [status_of(mail_id) for mail_id in ids] == [MailStatus.PENDING, MailStatus.SENT, MailStatus.PENDING]


def test_an_action_is_all_or_nothing(app, monkeypatch):
    ids = [add_mail(MailStatus.FAILED) for _ in range(3)]
    done = []

    def send_again_then_fail(row, now):
        row.status = MailStatus.PENDING
        done.append(row.id)
        if len(done) == 2:
            raise RuntimeError("the database went away")

    monkeypatch.setitem(actions.ACT, Action.SEND_AGAIN, send_again_then_fail)
    with pytest.raises(RuntimeError):
        actions.apply(Action.SEND_AGAIN, ids)
    assert [status_of(mail_id) for mail_id in ids] == [MailStatus.FAILED] * 3


def test_a_withdrawn_mail_is_never_sent_and_put_back_goes_once(make_event, register, mailbox):
    register(make_event())
    confirmation = mail_of("confirmed").id
    assert actions.apply(Action.WITHDRAW, [confirmation]).done == 1
    mailbox.deliver()
    assert mailbox.messages == [] and status_of(confirmation) == MailStatus.WITHDRAWN
    assert actions.apply(Action.PUT_BACK, [confirmation]).done == 1
    mailbox.deliver().deliver()
    assert len(mailbox.messages) == 1 and status_of(confirmation) == MailStatus.SENT


def test_a_reminder_put_back_follows_the_event_that_moved_while_it_was_withdrawn(make_event, register):
    event = make_event()
    register(event)
    reminder = mail_of("reminder")
    old_due = reminder.due_at
    actions.apply(Action.WITHDRAW, [reminder.id])
    moved = to_local(event.starts_at).replace(tzinfo=None) + timedelta(days=7)
    events.update_event(event.id, events.EventData(type=event.type, title=event.title, capacity=event.capacity,
                                                   starts_at=moved, ends_at=moved + timedelta(hours=2)))
    assert status_of(reminder.id) == MailStatus.WITHDRAWN and mail_of("reminder").due_at == old_due
    assert actions.apply(Action.PUT_BACK, [reminder.id]).done == 1
    reminder = mail_of("reminder")
    assert reminder.status == MailStatus.PENDING
    assert reminder.due_at == reminder.next_attempt_at == old_due + timedelta(days=7)


def test_put_back_is_refused_once_the_mails_time_has_passed(make_event, register, clock):
    event = make_event()
    register(event)
    reminder, confirmation = mail_of("reminder"), mail_of("confirmed")
    actions.apply(Action.WITHDRAW, [reminder.id, confirmation.id])
    clock.set(reminder.due_at + timedelta(minutes=1))
    planned = actions.plan(Action.PUT_BACK, [reminder.id, confirmation.id])
    assert planned.ids == [confirmation.id] and planned.left_alone == {Refusal.PAST: 1}
    assert actions.apply(Action.PUT_BACK, [reminder.id]) == actions.Outcome(done=0, skipped=1)
    assert status_of(reminder.id) == MailStatus.WITHDRAWN
    clock.set(event.starts_at + timedelta(minutes=1))  # a confirmation after its event started: too late too
    assert actions.plan(Action.PUT_BACK, [confirmation.id]).left_alone == {Refusal.PAST: 1}


def test_release_lets_held_mails_go_and_mark_as_sent_closes_a_mail_in_doubt(app, mailbox):
    held = add_mail(MailStatus.HELD, recipient="held@example.org")
    in_doubt = add_mail(MailStatus.UNCERTAIN, recipient="doubt@example.org")
    assert actions.apply(Action.RELEASE, [held, in_doubt]) == actions.Outcome(done=1, skipped=1)
    assert actions.apply(Action.MARK_SENT, [held, in_doubt]) == actions.Outcome(done=1, skipped=1)
    mailbox.deliver().deliver()
    assert [m["To"] for m in mailbox.messages] == ["held@example.org"]
    assert status_of(in_doubt) == MailStatus.SENT


def test_a_mail_an_erasure_emptied_is_never_sent_again_by_any_action(client, make_event, register, mailbox):
    register(make_event())
    erase_partner(db.session.scalar(select(OutboxMail.partner_id).limit(1)))
    emptied = db.session.scalars(select(OutboxMail.id)).all()
    assert emptied and all(row.body_text == "" for row in db.session.scalars(select(OutboxMail)))
    db.session.execute(update(OutboxMail).where(OutboxMail.id == emptied[0]).values(status=MailStatus.HELD))
    db.session.execute(update(OutboxMail).where(OutboxMail.id == emptied[1]).values(status=MailStatus.WITHDRAWN))
    db.session.commit()
    for action in (Action.SEND_AGAIN, Action.PUT_BACK, Action.RELEASE):
        planned = actions.plan(action, emptied)
        assert planned.ids == [] and planned.left_alone[Refusal.EMPTIED] >= 1
        assert actions.apply(action, emptied).done == 0
    mailbox.deliver()
    assert mailbox.messages == []


@pytest.mark.postgres
def test_withdraw_waits_for_a_claim_in_progress_and_leaves_the_claimed_mail_alone(postgres_app):
    mail_id = add_mail(MailStatus.PENDING)
    other = db.engine.connect()
    # A worker claims the mail; its transaction is still open when the organiser withdraws.
    other.execute(update(OutboxMail).where(OutboxMail.id == mail_id).values(status=MailStatus.SENDING,
                                                                            claimed_by="mail:worker"))
    outcome = []

    def withdraw() -> None:
        with postgres_app.app_context():
            outcome.append(actions.apply(Action.WITHDRAW, [mail_id]))
            db.session.remove()

    organiser = threading.Thread(target=withdraw)
    organiser.start()
    deadline = time.monotonic() + 30
    while not db.session.scalar(text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")):
        db.session.rollback()
        assert time.monotonic() < deadline, "the withdrawal never waited for the claim's lock"
        time.sleep(0.02)
    other.commit()
    other.close()
    organiser.join(timeout=30)
    assert outcome == [actions.Outcome(done=0, skipped=1)]
    assert status_of(mail_id) == MailStatus.SENDING
