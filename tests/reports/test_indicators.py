"""The year's indicators: a known year of events and every figure checked."""

import json
from datetime import datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from speeddate import tokens
from speeddate.extensions import db
from speeddate.i18n import to_utc
from speeddate.models import (
    Answer,
    ContactOutcome,
    EvaluationResponse,
    Event,
    EventStatus,
    EventType,
    FollowupContact,
    FollowupResponse,
    Gemeente,
    Organisation,
    Partner,
    Registration,
    RegistrationStatus,
    Sector,
)
from speeddate.models.base import utcnow
from speeddate.reports import indicators
from speeddate.surveys.answers import respondent_key
from speeddate.surveys.questions import questions_for

YEAR = utcnow().year - 1


def partner(email: str, sector: str, organisation: str) -> Partner:
    found = db.session.scalar(select(Organisation).where(Organisation.name == organisation))
    person = Partner(email=email, first_name=email[0], last_name="X",
                     sector=db.session.scalar(select(Sector).where(Sector.name == sector)),
                     organisation=found or Organisation(name=organisation))
    db.session.add(person)
    return person


def event(title: str, kind: EventType, when: datetime, gemeente: str | None = None,
          status: EventStatus = EventStatus.CLOSED) -> Event:
    place = db.session.scalar(select(Gemeente).where(Gemeente.name == gemeente)) if gemeente else None
    made = Event(slug=title.lower().replace(" ", "-"), type=kind, status=status, title=title, capacity=10,
                 starts_at=to_utc(when), ends_at=to_utc(when.replace(hour=when.hour + 2)), gemeente=place)
    db.session.add(made)
    return made


def seat(at: Event, who: Partner, status=RegistrationStatus.CONFIRMED, attended=False, position=None):
    db.session.add(Registration(event=at, partner=who, status=status, attended=attended, token=tokens.new_token(),
                                waitlist_position=position))
    if status == RegistrationStatus.CONFIRMED:
        at.confirmed_count += 1


@pytest.fixture
def known_year(app):
    a = partner("a@x.org", "Huisartsen", "Praktijk X")
    b = partner("b@x.org", "Apothekers", "Apotheek Y")
    c = partner("c@x.org", "Huisartsen", "Praktijk X")
    d = partner("d@x.org", "Gemeentebestuur", "Gemeente Z")
    e = partner("e@x.org", "CAW", "CAW")
    speeddate = event("Speeddate Oostkamp", EventType.SPEEDDATE, datetime(YEAR, 3, 10, 12), "Oostkamp")
    webinar = event("Webinar", EventType.LUNCHWEBINAR, datetime(YEAR, 6, 1, 12))
    cancelled = event("ELP", EventType.ELP, datetime(YEAR, 9, 1, 19), "Beernem", EventStatus.CANCELLED)
    draft = event("Concept", EventType.ELP, datetime(YEAR, 10, 1, 19), "Beernem", EventStatus.DRAFT)
    next_year = event("Later", EventType.SPEEDDATE, datetime(YEAR + 1, 1, 1, 12), "Oostkamp")
    db.session.flush()
    seat(speeddate, a, attended=True)
    seat(speeddate, b, attended=True)
    seat(speeddate, c)  # no-show
    seat(speeddate, d, RegistrationStatus.WAITLISTED, position=1)
    seat(speeddate, e, RegistrationStatus.CANCELLED)
    seat(webinar, a)  # attendance not recorded: confirmed people count as participants
    seat(webinar, e)
    for other in (cancelled, draft, next_year):
        seat(other, d, attended=True)
    db.session.commit()
    return indicators.load(indicators.Period.year(YEAR))


def test_events_held_counts_published_started_events_of_the_period_only(known_year):
    assert indicators.events_held(known_year) == 2
    assert indicators.events_by_type(known_year) == {"speeddate": 1, "lunchwebinar": 1}
    assert indicators.events_by_gemeente(known_year) == {"Oostkamp": 1, "—": 1}


def test_registrations_attendance_and_no_show_rate(known_year):
    assert indicators.registrations(known_year) == 5
    assert indicators.waitlisted(known_year) == 1
    assert indicators.attended(known_year) == 2
    assert indicators.no_show_rate(known_year) == pytest.approx(1 / 3, abs=1e-4)


def test_partners_organisations_sectors_and_clusters_reached(known_year):
    assert indicators.unique_partners(known_year) == 3  # a, b, e
    assert indicators.unique_organisations(known_year) == 3
    assert indicators.sectors_reached(known_year) == ["Apothekers", "CAW", "Huisartsen"]
    assert indicators.participants_per_cluster(known_year) == {
        "Zorg": 3, "Welzijn": 1, "Lokaal bestuur": 0, "PZON en mantelzorg": 0, "Overig": 0}
    assert indicators.clusters_reached(known_year) == ["Zorg", "Welzijn"]
    assert indicators.clusters_missing(known_year) == ["Lokaal bestuur", "PZON en mantelzorg", "Overig"]


def test_per_event_and_breakdowns(known_year):
    assert [(r["title"], r["registrations"], r["participants"]) for r in
            indicators.participants_per_event(known_year)] == [("Speeddate Oostkamp", 3, 2), ("Webinar", 2, 2)]
    assert indicators.breakdown(known_year, "type") == [
        {"type": "lunchwebinar", "events": 1, "registrations": 2, "participants": 2, "no_show_rate": None},
        {"type": "speeddate", "events": 1, "registrations": 3, "participants": 2, "no_show_rate": 0.3333}]


def test_evaluation_figures_are_not_available_without_answers(known_year):
    figures = indicators.evaluation_figures(known_year.events)
    assert figures["evaluation_mean"] is None and figures["referrals"] is None
    assert figures["response_rate"] == 0, "four people were asked, nobody answered"


def test_evaluation_figures_pool_the_headline_answers_and_the_follow_up(known_year):
    speeddate = next(e for e in known_year.events if e.title == "Speeddate Oostkamp")
    webinar = next(e for e in known_year.events if e.title == "Webinar")
    attendees = [r for r in speeddate_registrations(speeddate) if r.attended]
    for registration, score in zip(attendees, (5, 2), strict=True):
        answer(registration, score)
    answer(speeddate_registrations(webinar)[0], 4)
    speeddate.followup_months = 3
    a, b = attendees
    a.partner.consent_followup_at = b.partner.consent_followup_at = speeddate.starts_at
    db.session.add(FollowupResponse(registration_id=a.id, event_id=speeddate.id, used_contacts=True, comment="",
                                    contacts=[FollowupContact(met_registration_id=b.id,
                                                              outcome=ContactOutcome.REFERRED)]))
    db.session.commit()
    figures = indicators.evaluation_figures(known_year.events)
    assert figures["evaluation_mean"] == round(11 / 3, 2)
    assert figures["response_rate"] == 0.75, "2 of 2 attendees and 1 of 2 webinar registrants"
    assert figures["evaluation_per_event"] == [], "each event has fewer anonymous answers than the minimum"
    assert (figures["new_contact_share"], figures["referrals"], figures["collaborations"]) == (1.0, 1, 0)


def speeddate_registrations(event) -> list[Registration]:
    return list(db.session.scalars(select(Registration).where(Registration.event_id == event.id,
                                                              Registration.status == RegistrationStatus.CONFIRMED)
                                   .order_by(Registration.id)))


def answer(registration, score: int) -> None:
    headline = next(q for q in questions_for(registration.event.type) if q.headline)
    db.session.add(EvaluationResponse(event_id=registration.event_id, respondent=respondent_key(registration),
                                      answers=[Answer(question_id=headline.id, number=score)]))


def test_report_command_writes_json_with_one_key_per_figure(known_year, runner):
    result = runner.invoke(args=["report", "--year", str(YEAR), "--format", "json"])
    figures = json.loads(result.output)
    assert (figures["events_held"], figures["unique_partners"], figures["evaluation_target"]) == (2, 3, 3.5)


def test_report_command_writes_an_xlsx_with_numbers_as_numbers(known_year, runner, tmp_path):
    out = tmp_path / "report.xlsx"
    assert runner.invoke(args=["report", "--year", str(YEAR), "--format", "xlsx", "--out", str(out),
                               "--language", "en"]).exit_code == 0
    workbook = load_workbook(out)
    assert workbook.sheetnames == ["Summary", "Action plan", "Per event type", "Per gemeente", "Per event",
                                   "Per cluster", "Per sector", "Evaluation", "Network"]
    assert workbook.worksheets[0]["B2"].value == 2


def test_report_page_shows_figures_and_accessible_charts(known_year, organiser):
    page = organiser.get(f"/admin/report?year={YEAR}&lang=en").get_data(as_text=True)
    assert "<svg" in page and "<title id=\"chart-events-title\">" in page and "Speeddate Oostkamp" in page
    assert "Lokaal bestuur" in page
    assert organiser.get(f"/admin/report.json?start={YEAR}-03-01&end={YEAR}-03-31").json["events_held"] == 1


def test_erased_people_still_count_for_the_organisations_sectors_and_clusters_reached(known_year):
    from speeddate.privacy.services import erase_partner

    before = indicators.report(indicators.Period.year(YEAR))
    for person in db.session.scalars(select(Partner).order_by(Partner.id)).all():
        erase_partner(person.id)
    assert db.session.scalars(select(Partner.organisation_id).where(Partner.organisation_id.is_not(None))).all() == []
    assert indicators.report(indicators.Period.year(YEAR)) == before
