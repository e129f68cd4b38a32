"""The demo zone looks like a real one: organisations work where they are named after, events fall on working
days, open answers stand under their question, one sector per kind of organisation, activity over the year."""

import re
from datetime import datetime

import pytest
from sqlalchemy import select

from speeddate import demo
from speeddate.directory.services import last_activity
from speeddate.extensions import db
from speeddate.i18n import to_local
from speeddate.models import Answer, Event, Organisation, Partner, Question

# A Saturday (three weeks later is a Saturday too) and the day nine days before Christmas Eve.
TODAYS = [datetime(2026, 12, 5, 9), datetime(2026, 12, 15, 9)]
HOLIDAYS = {(12, 24), (12, 25), (12, 26), (12, 31), (1, 1)}


@pytest.fixture(params=TODAYS, ids=["saturday", "before-christmas"])
def demo_zone(request, app, clock):
    clock.set(request.param)
    demo.load()
    return request.param


def test_demo_events_fall_on_weekdays_outside_the_holidays(demo_zone):
    days = [to_local(e.starts_at) for e in db.session.scalars(select(Event))]
    assert [d for d in days if d.weekday() >= 5 or (d.month, d.day) in HOLIDAYS] == []


def test_organisations_named_after_a_gemeente_are_active_there(demo_zone):
    wrong = []
    for partner in db.session.scalars(select(Partner).join(Organisation)):
        named = re.search(r"(Oostkamp|Beernem|Zedelgem|Jabbeke)$", partner.organisation.name)
        if named and named.group(1) not in {g.name for g in partner.gemeenten}:
            wrong.append((partner.organisation.name, [g.name for g in partner.gemeenten]))
    assert wrong == []


def test_open_answers_stand_under_the_question_they_answer(demo_zone):
    answers = db.session.execute(select(Question.text_nl, Answer.text).join(Question).where(Answer.text != "")).all()
    assert answers
    assert [(q, a) for q, a in answers if a not in demo.OPEN_ANSWERS.get(q, ())] == []


def test_a_logo_is_a_prevention_organisation_not_a_municipal_policy(demo_zone):
    sectors = {p.sector.name for p in db.session.scalars(select(Partner).join(Organisation)
                                                          .where(Organisation.name == "Logo Brugge"))}
    assert sectors == {"Logo en preventie-organisaties"}


def test_last_activity_spreads_over_the_year(demo_zone):
    partner_ids = list(db.session.scalars(select(Partner.id)))
    months = {(moment.year, moment.month) for moment in last_activity(partner_ids).values()}
    assert len(months) >= 4, months


def test_the_past_speeddates_are_seated_so_the_network_shows_who_met_whom(demo_zone):
    from speeddate.models import EventType
    from speeddate.reports import network
    from speeddate.seating import seats

    past = [e for e in db.session.scalars(select(Event).where(Event.type == EventType.SPEEDDATE))
            if e.slug in ("demo-speeddate-zedelgem", "demo-speeddate-beernem")]
    assert len(past) == 2 and all(seats.published_plan(e.id) is not None for e in past)
    found = network.network(min(e.starts_at for e in past), max(e.ends_at for e in past))
    assert sum(link.meetings for link in found.links.values()) > 0
