"""Evaluations after the event and the follow-up survey months later, with the clock moved by the tests."""

import csv
import io
import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from speeddate.events import services as events
from speeddate.extensions import db
from speeddate.i18n import to_local
from speeddate.mail import worker
from speeddate.models import (
    Answer,
    EvaluationResponse,
    FollowupResponse,
    MailStatus,
    OutboxMail,
    Question,
    Registration,
)
from speeddate.surveys.answers import has_responded
from speeddate.surveys.followup import followup_results
from speeddate.surveys.questions import questions_for
from speeddate.surveys.results import evaluation_results
from speeddate.surveys.windows import evaluation_closes_at, evaluation_reminder_at, followup_opens_at
from tests.support import csrf_token, post_form


@pytest.fixture
def finished(register_link, make_event, register, clock):
    """A speeddate with three registrants, the clock set an hour after its end; returns (event, links)."""
    event = make_event(title="Speeddate Jabbeke", capacity=3)
    links = [register_link(event, number, consent_followup="y") for number in range(3)]
    db.session.refresh(event)
    clock.set(event.ends_at + timedelta(hours=1))
    return event, links


def questions(event) -> list[Question]:
    return questions_for(event.type)


def answers_for(event, score: int = 4) -> dict:
    values = {}
    for question in questions(event):
        values[f"q{question.id}"] = {"scale": str(score), "yes_no": "1", "text": "Fijne gesprekken"}.get(
            question.kind.value, "0")
    return values


def count(model) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


def test_evaluation_mail_leads_to_the_form_and_the_answers_reach_the_results(client, finished, mailbox):
    event, links = finished
    mail = [m for m in mailbox.deliver().to("partner0@example.org") if "Speeddate Jabbeke" in m["Subject"]
            and ("Hoe was" in m["Subject"])]
    assert len(mail) == 1
    link = next(line for line in mail[0].get_body(("plain",)).get_content().splitlines() if "/evaluation" in line)
    path = link.strip().replace("http://speeddate.test", "")
    assert path == f"{links[0]}/evaluation"
    response = post_form(client, path, answers_for(event, 5))
    assert response.status_code == 302
    post_form(client, f"{links[1]}/evaluation", answers_for(event, 2))
    post_form(client, f"{links[2]}/evaluation", answers_for(event, 5))
    results = evaluation_results(event, "nl")
    assert (results.invited, results.responded) == (3, 3)
    assert results.headline.mean == 4 and results.meets_target
    assert ("5", 2) in results.headline.distribution and ("2", 1) in results.headline.distribution


def test_the_form_opens_after_the_end_and_closes_after_the_set_days(client, finished, clock):
    event, links = finished
    clock.set(event.starts_at)
    assert "opens after the event" in client.get(f"{links[0]}/evaluation?lang=en").get_data(as_text=True)
    clock.set(evaluation_closes_at(event) - timedelta(minutes=1))
    assert 'name="q' in client.get(f"{links[0]}/evaluation").get_data(as_text=True)
    clock.set(evaluation_closes_at(event))
    page = client.get(f"{links[0]}/evaluation?lang=en").get_data(as_text=True)
    assert "closed" in page and 'name="q' not in page
    assert post_form(client, f"{links[0]}/evaluation", answers_for(event), form_url="/login").status_code == 200
    assert count(EvaluationResponse) == 0


def test_once_attendance_is_taken_only_attendees_are_asked(client, finished, mailbox):
    event, links = finished
    first = db.session.scalar(select(Registration).order_by(Registration.id))
    events.set_attendance(first.id, True)
    report = worker.send_due()
    assert report.withdrawn == 2
    assert [m["To"] for m in mailbox.deliver().messages if "Hoe was" in m["Subject"]] == ["partner0@example.org"]
    assert "took part" in client.get(f"{links[1]}/evaluation?lang=en").get_data(as_text=True)


def test_one_response_per_registration_also_under_double_submission(app, finished, live_server):
    import urllib.parse
    import urllib.request

    event, links = finished
    client = app.test_client()
    token = csrf_token(client, f"{links[0]}/evaluation")
    cookie = client.get_cookie("session").value
    body = urllib.parse.urlencode({**answers_for(event, 3), "csrf_token": token}).encode()
    barrier = threading.Barrier(4)

    def submit() -> None:
        request = urllib.request.Request(f"{live_server.url}{links[0]}/evaluation", data=body,
                                         headers={"Cookie": f"session={cookie}"})
        barrier.wait()
        urllib.request.urlopen(request, timeout=60).read()

    db.session.rollback()
    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert count(EvaluationResponse) == 1
    assert count(Answer) == len(questions(event))


BAD_ANSWERS = [
    ("score above the scale", lambda q: {"scale": "7"}),
    ("score below the scale", lambda q: {"scale": "0"}),
    ("not a number", lambda q: {"scale": "vijf"}),
    ("two scores", lambda q: {"scale": ["4", "5"]}),
    ("missing required headline", lambda q: {"scale": ""}),
    ("oversized text", lambda q: {"text": "x" * 5000}),
]


@pytest.mark.parametrize("label, bad", BAD_ANSWERS, ids=[case[0] for case in BAD_ANSWERS])
def test_bad_answers_get_a_clear_message_and_store_nothing(client, finished, label, bad):
    event, links = finished
    values = answers_for(event)
    for question in questions(event):
        replacement = bad(question).get(question.kind.value)
        if replacement is not None and (question.headline or question.kind.value == "text"):
            values[f"q{question.id}"] = replacement
    response = post_form(client, f"{links[0]}/evaluation?lang=en", values)
    assert response.status_code == 400
    assert 'class="error-summary"' in response.get_data(as_text=True)
    assert count(EvaluationResponse) == 0 and count(Answer) == 0


def test_answers_can_be_changed_until_the_form_closes(client, finished):
    event, links = finished
    client.application.config["EVALUATION_MIN_RESPONDENTS"] = 1  # to read the one answer back
    post_form(client, f"{links[0]}/evaluation", answers_for(event, 2))
    post_form(client, f"{links[0]}/evaluation", answers_for(event, 5))
    assert count(EvaluationResponse) == 1
    assert evaluation_results(event, "nl").headline.mean == 5
    assert 'value="5"\n               checked' in client.get(f"{links[0]}/evaluation").get_data(as_text=True)


@pytest.mark.parametrize("path", ["/r/made-up/evaluation", "/r/made-up/followup"])
def test_a_made_up_token_gets_nothing(client, finished, path):
    assert client.get(path).status_code == 404
    assert client.post(path, data={}).status_code in (400, 404)


def test_tampered_token_gets_nothing(client, finished):
    event, links = finished
    assert client.get(f"{links[0][:-2]}xx/evaluation").status_code == 404


def test_a_named_evaluations_reminder_goes_only_to_those_who_did_not_answer(client, finished, clock, mailbox):
    event, links = finished
    event.evaluation_anonymous = False
    db.session.commit()
    mailbox.deliver()
    post_form(client, f"{links[0]}/evaluation", answers_for(event))
    clock.set(evaluation_reminder_at(event) + timedelta(minutes=1))
    reminders = [m["To"] for m in mailbox.deliver().messages if "Herinnering: hoe was" in m["Subject"]]
    assert sorted(reminders) == ["partner1@example.org", "partner2@example.org"]


def test_an_anonymous_evaluations_reminder_goes_to_everyone_so_the_outbox_tells_no_one_who_answered(
        client, finished, clock, mailbox):
    event, links = finished
    mailbox.deliver()
    post_form(client, f"{links[0]}/evaluation", answers_for(event))
    clock.set(evaluation_reminder_at(event) + timedelta(minutes=1))
    reminders = [m for m in mailbox.deliver().messages if "Herinnering: hoe was" in m["Subject"]]
    assert sorted(m["To"] for m in reminders) == [f"partner{n}@example.org" for n in range(3)]
    assert "al geantwoord" in reminders[0].get_body(("plain",)).get_content()
    statuses = db.session.scalars(select(OutboxMail.status).where(OutboxMail.kind == "evaluation_reminder"))
    assert set(statuses) == {MailStatus.SENT}, "no reminder withdrawn next to the name of someone who answered"


def test_reminder_keeps_the_brussels_time_across_daylight_saving(make_event, register):
    start = datetime(2027, 3, 27, 9, 0)  # a Saturday in winter time; Sunday the clocks go forward
    event = make_event(starts_at=start, ends_at=start + timedelta(hours=2), capacity=5)
    event.evaluation_reminder_days = 1
    db.session.commit()
    reminder = evaluation_reminder_at(event)
    assert to_local(reminder).strftime("%Y-%m-%d %H:%M") == "2027-03-28 11:00"
    assert reminder - event.ends_at == timedelta(hours=23), "the night is an hour shorter"


def test_anonymous_results_and_exports_carry_no_identities(client, finished, runner):
    event, links = finished
    for link in links:
        post_form(client, f"{link}/evaluation", answers_for(event))
    assert db.session.scalar(select(EvaluationResponse)).registration_id is None
    output = runner.invoke(args=["evaluations", "export", str(event.id), "--format", "csv", "--raw"]).stdout_bytes
    rows = list(csv.DictReader(io.StringIO(output.decode("utf-8-sig"))))
    assert len(rows) == 3 and "email" not in rows[0] and "partner0" not in output.decode()
    assert has_responded(db.session.get(Registration, db.session.scalar(
        select(Registration.id).order_by(Registration.id)))), "the system still knows who answered"


def test_named_evaluation_export_shows_who_answered(client, finished, runner):
    event, links = finished
    event.evaluation_anonymous = False
    db.session.commit()
    post_form(client, f"{links[1]}/evaluation", answers_for(event))
    output = runner.invoke(args=["evaluations", "export", str(event.id)]).stdout_bytes.decode("utf-8-sig")
    assert "partner1@example.org" in output


def test_followup_months_later_asks_about_each_person_met(client, finished, clock, mailbox):
    event, links = finished
    opens = followup_opens_at(event)
    assert to_local(opens).month == (to_local(event.ends_at).month + 2) % 12 + 1
    assert "opens after the event" in client.get(f"{links[0]}/followup?lang=en").get_data(as_text=True)
    clock.set(opens + timedelta(minutes=5))
    followups = [m for m in mailbox.deliver().messages if "nieuwe contacten" in m["Subject"]]
    assert len(followups) == 3
    page = client.get(f"{links[0]}/followup").get_data(as_text=True)
    met = db.session.scalars(select(Registration).order_by(Registration.id)).all()[1:]
    for person in met:
        assert f'name="met{person.id}"' in page
    post_form(client, f"{links[0]}/followup", {"used_contacts": "1", f"met{met[0].id}": "referred",
                                                f"met{met[1].id}": "collaborating", "comment": "Top"})
    post_form(client, f"{links[1]}/followup", {"used_contacts": "0", "comment": ""})
    results = followup_results([event])
    assert (results.responded, results.used_contacts, results.referrals, results.collaborations) == (2, 1, 1, 1)
    assert results.share_used == 0.5 and results.quotes == ["Top"]
    assert count(FollowupResponse) == 2


def test_followup_refuses_bad_answers(client, finished, clock):
    event, links = finished
    clock.set(followup_opens_at(event) + timedelta(minutes=5))
    for data in ({"used_contacts": "maybe"}, {"used_contacts": "1", "comment": "x" * 5000}, {}):
        assert post_form(client, f"{links[0]}/followup", data).status_code == 400
    assert count(FollowupResponse) == 0


def test_organiser_sees_the_results_with_a_chart_and_exports(client, organiser, finished):
    event, links = finished
    for link in links:
        post_form(client, f"{link}/evaluation", answers_for(event, 3))
    page = client.get(f"/admin/events/{event.id}/evaluation?lang=en").get_data(as_text=True)
    assert "3 of 3 people answered" in page and "below the target" in page and "<svg" in page
    assert "Fijne gesprekken" in page
    assert client.get(f"/admin/events/{event.id}/evaluation.xlsx").status_code == 200


def test_organisers_edit_the_question_set(client, organiser, finished):
    event, links = finished
    new = {"kind": "single", "text_nl": "Hoe hoorde je ervan?", "text_fr": "", "text_en": "How did you hear?",
           "options": "Nieuwsbrief | Newsletter | Newsletter\nCollega | Collègue | Colleague"}
    assert post_form(client, "/admin/questions/new?type=speeddate", new).status_code == 302
    added = db.session.scalar(select(Question).where(Question.text_nl == "Hoe hoorde je ervan?"))
    assert added.option_labels("en") == ["Newsletter", "Colleague"]
    assert "Hoe hoorde je ervan?" in client.get(f"{links[0]}/evaluation").get_data(as_text=True)
    post_form(client, f"/admin/questions/{added.id}/up", {}, form_url="/admin/questions")
    db.session.refresh(added)
    assert [q.id for q in questions(event)][-2] == added.id
    post_form(client, f"{links[0]}/evaluation", {**answers_for(event), f"q{added.id}": "1"})
    headline = next(q for q in questions(event) if q.headline)
    post_form(client, f"/admin/questions/{headline.id}/remove", {}, form_url="/admin/questions")
    post_form(client, f"/admin/questions/{added.id}/remove", {}, form_url="/admin/questions")
    db.session.rollback()
    assert db.session.get(Question, headline.id).active is False, "answered: retired, not deleted"
    assert db.session.get(Question, added.id).active is False
    bad = post_form(client, "/admin/questions/new?type=speeddate", {**new, "options": "Alleen één"})
    assert bad.status_code == 400


def test_scheduled_evaluation_mails_exist_for_each_confirmed_registration(finished):
    event, _ = finished
    kinds = db.session.scalars(select(OutboxMail.kind).where(OutboxMail.status == MailStatus.PENDING)).all()
    assert kinds.count("evaluation") == 3 and kinds.count("evaluation_reminder") == 3 and kinds.count("followup") == 3


def test_partner_page_links_to_the_open_evaluation(client, finished):
    event, links = finished
    assert f"{links[0]}/evaluation" in client.get(links[0]).get_data(as_text=True)


def test_directory_history_names_the_evaluations_given_but_not_the_answers(client, organiser, finished):
    event, links = finished
    event.evaluation_anonymous = False  # an anonymous one is never listed
    db.session.commit()
    post_form(client, f"{links[0]}/evaluation", answers_for(event))
    registration = db.session.scalar(select(Registration).order_by(Registration.id))
    page = client.get(f"/admin/directory/partners/{registration.partner_id}?lang=en").get_data(as_text=True)
    given = page[page.index("Evaluations given"):]
    assert "Speeddate Jabbeke" in given[:400] and "Fijne gesprekken" not in page
