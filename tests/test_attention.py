"""The organiser's start page: each item appears when its condition holds, links to where it is handled, and the
page costs a fixed number of queries however many events need attention."""

from datetime import timedelta

import pytest
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy import select

from speeddate.auth.services import create_user
from speeddate.database import write
from speeddate.extensions import db
from speeddate.models import MailStatus, OutboxMail, Registration
from speeddate.partners.services import cancel_registration
from speeddate.seating import jobs
from tests.seating.test_services import generated
from tests.support import ORGANISER_EMAIL, ORGANISER_PASSWORD, local_now, post_form


def section(organiser, name: str) -> str:
    """The HTML of one item of the start page ("" when it is not shown)."""
    page = organiser.get("/admin/?lang=en")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    start = html.find(f'<li class="card" id="{name}">')
    if start < 0:
        return ""
    end = min(i for i in (html.find('<li class="card"', start + 1), html.find("</main>")) if i >= 0)
    return html[start:end]


def test_the_start_page_is_where_an_organiser_lands_after_login(client):
    create_user(ORGANISER_EMAIL, ORGANISER_PASSWORD)
    response = post_form(client, "/login", {"email": ORGANISER_EMAIL, "password": ORGANISER_PASSWORD})
    assert response.location == "/admin/"
    assert "What needs doing" in client.get("/admin/?lang=en").get_data(as_text=True)


def test_an_empty_zone_has_nothing_that_needs_doing(organiser):
    assert "Nothing needs your attention right now." in organiser.get("/admin/?lang=en").get_data(as_text=True)


def test_waiting_lists_and_full_events_show_with_a_link_to_the_event(organiser, make_event, register):
    event = make_event(title="Speeddate Brugge", capacity=1)
    for number in range(3):
        register(event, number)
    assert f'href="/admin/events/{event.id}">Speeddate Brugge</a>' in section(organiser, "waiting")
    assert "2 on the waiting list" in section(organiser, "waiting")
    assert "1 of 1 places taken" in section(organiser, "full")


def test_an_event_with_free_places_is_neither_full_nor_waiting(organiser, make_event, register):
    register(make_event(capacity=5), 1)
    assert section(organiser, "waiting") == section(organiser, "full") == ""


def test_a_seating_plan_made_before_a_cancellation_and_a_registration_is_stale(organiser, app, make_event,
                                                                               register):
    app.config["SEATING_TIME_LIMIT"] = 1.0
    event = make_event(title="Speeddate Oostkamp", capacity=10)
    for number in range(4):
        register(event, number, organisation=f"Organisatie {number}")
    generated(event, time_limit=0.5)
    jobs.wait_for_threads()
    assert section(organiser, "stale-plans") == "", "a fresh plan is not stale"
    first = db.session.scalars(select(Registration).where(Registration.event_id == event.id)).first()
    cancel_registration(first.id, by_organiser=True)
    register(event, 9)
    stale = section(organiser, "stale-plans")
    assert f'href="/admin/events/{event.id}/seating/"' in stale
    assert "1 cancelled, 1 new since the plan" in stale


def add_mail(status: MailStatus, number: int) -> None:
    with write():
        db.session.add(OutboxMail(idempotency_key=f"test:{status}:{number}", kind="confirmed", status=status,
                                  recipient=f"partner{number}@example.org", subject="s", body_text="b"))


def test_failed_uncertain_and_held_mails_link_to_the_outbox_filtered_by_status(organiser):
    add_mail(MailStatus.FAILED, 1)
    add_mail(MailStatus.FAILED, 2)
    add_mail(MailStatus.UNCERTAIN, 3)
    add_mail(MailStatus.SENT, 4)
    mails = section(organiser, "mails")
    assert 'href="/admin/outbox/?status=failed">failed: 2</a>' in mails
    assert 'href="/admin/outbox/?status=uncertain">may have been sent: 1</a>' in mails
    assert "held" not in mails


def test_an_open_evaluation_shows_its_answers_and_is_marked_when_it_closes_soon(organiser, make_event, clock):
    event = make_event(title="ELP Beernem", evaluation_close_days=21)
    clock.set(event.ends_at + timedelta(days=1))
    evaluations = section(organiser, "evaluations")
    assert f'href="/admin/events/{event.id}/evaluation"' in evaluations
    assert "0 answered" in evaluations and "closes soon" not in evaluations
    clock.set(event.ends_at + timedelta(days=16))
    assert "closes soon" in section(organiser, "evaluations")
    clock.set(event.ends_at + timedelta(days=22))
    assert section(organiser, "evaluations") == "", "closed"


def test_follow_ups_due_this_month_link_to_their_mails_in_the_outbox(organiser, make_event, register, clock):
    event = make_event(title="Speeddate Zedelgem", followup_months=6)
    register(event, 1, consent_followup="y")
    due = db.session.scalar(select(OutboxMail.due_at).where(OutboxMail.kind == "followup"))
    assert section(organiser, "followups") == "", "due in six months, not this month"
    clock.set(due - timedelta(hours=1))
    followups = section(organiser, "followups")
    assert f'href="/admin/outbox/?event={event.id}&amp;kind=followup"' in followups
    assert "1 mails due" in followups


def test_events_this_week_carry_their_check_in_link(organiser, make_event):
    soon = local_now().replace(second=0) + timedelta(days=3)
    speeddate = make_event(title="Speeddate Oostkamp", starts_at=soon, ends_at=soon + timedelta(hours=2))
    later = make_event(title="Speeddate later")
    week = section(organiser, "this-week")
    assert f'href="/admin/events/{speeddate.id}/seating/checkin"' in week
    assert later.title not in week


@pytest.fixture
def statements(app):
    """Count the SQL statements the app runs."""
    counted: list[str] = []
    with app.app_context():
        engine = db.engine

    def count(conn, cursor, statement, *args):
        counted.append(statement)

    sqlalchemy_event.listen(engine, "before_cursor_execute", count)
    yield counted
    sqlalchemy_event.remove(engine, "before_cursor_execute", count)


def test_the_start_page_reads_the_same_number_of_queries_for_one_event_or_many(organiser, make_event, register,
                                                                             statements):
    def queries() -> int:
        statements.clear()
        assert organiser.get("/admin/").status_code == 200
        return len(statements)

    first = make_event(title="Event 0", capacity=1)
    register(first, 0), register(first, 1)
    one = queries()
    for number in range(1, 4):
        event = make_event(title=f"Event {number}", capacity=1)
        register(event, 10 * number), register(event, 10 * number + 1)
    assert queries() == one
