"""The outbox opens on what needs attention: mails due now or before, latest first, then those scheduled for
later, soonest first; a follow-up due in six months is not on top."""

from datetime import timedelta

from sqlalchemy import select

from speeddate.extensions import db
from speeddate.mail import actions
from speeddate.models import OutboxMail
from speeddate.models.base import utcnow

DUE_IN = {"in six months": timedelta(days=182), "yesterday": timedelta(days=-1), "in two weeks": timedelta(days=14),
          "an hour ago": timedelta(hours=-1), "last month": timedelta(days=-30), "tomorrow": timedelta(days=1)}
EXPECTED = ["an hour ago", "yesterday", "last month", "tomorrow", "in two weeks", "in six months"]


def outbox_with_mails_due_at(make_event, register) -> dict[int, str]:
    """Mails whose due times are the DUE_IN ones (set by hand: their kinds do not matter here); id -> when."""
    event = make_event()
    for number in range(3):
        register(event, number)
    rows = db.session.scalars(select(OutboxMail).order_by(OutboxMail.id)).all()[:len(DUE_IN)]
    assert len(rows) == len(DUE_IN)
    now = utcnow()
    for row, offset in zip(rows, DUE_IN.values(), strict=True):
        row.due_at = row.next_attempt_at = now + offset
    db.session.commit()
    return {row.id: when for row, when in zip(rows, DUE_IN, strict=True)}


def test_the_outbox_lists_mails_due_latest_first_then_the_scheduled_ones_soonest_first(app, make_event, register):
    when = outbox_with_mails_due_at(make_event, register)
    assert [when[row.id] for row in actions.page(actions.MailFilter(), 1, 100) if row.id in when] == EXPECTED


def test_the_outbox_page_shows_the_scheduled_mails_under_their_own_heading(organiser, make_event, register):
    when = outbox_with_mails_due_at(make_event, register)
    page = organiser.get("/admin/outbox/?lang=en").get_data(as_text=True)
    by_id = {mail_id: page.index(f'value="{mail_id}" id="mail-{mail_id}"') for mail_id in when}
    assert sorted(when, key=by_id.get) == [next(i for i, w in when.items() if w == e) for e in EXPECTED]
    heading = page.index("Scheduled for later, soonest first")
    assert by_id[next(i for i, w in when.items() if w == "last month")] < heading
    assert heading < by_id[next(i for i, w in when.items() if w == "tomorrow")]


def test_pages_of_any_size_follow_the_same_order_across_the_turn_to_scheduled_mails(app, make_event, register):
    """The page is read as two queries (due by now, then scheduled): every size of page gives the same order,
    without a mail missing or shown twice at the turn."""
    outbox_with_mails_due_at(make_event, register)
    everything = [row.id for row in actions.page(actions.MailFilter(), 1, 1000)]
    assert len(everything) == len(db.session.scalars(select(OutboxMail.id)).all())
    for size in (1, 2, 3, 4, 5, 7):
        pages = [actions.page(actions.MailFilter(), number, size) for number in range(1, len(everything) // size + 3)]
        assert [row.id for rows in pages for row in rows] == everything, size
        counts = actions.counts_by_status(actions.MailFilter())
        assert actions.total(actions.MailFilter(), counts) == len(everything)
