"""Seating pages: settings, generate, publish, printouts, exports, check-in, walk-ins, timer, who-you-met."""

import json
import re
from datetime import timedelta

import pytest

from speeddate.extensions import db
from speeddate.models import OutboxMail
from speeddate.seating import constraints, jobs, plans, seats
from tests.support import post_form


def page(event) -> str:
    return f"/admin/events/{event.id}/seating/"


def generate_in_browser_way(client, event):
    response = post_form(client, page(event) + "generate", {}, form_url=page(event))
    assert response.status_code == 302
    jobs.wait_for_threads()
    db.session.rollback()
    return seats.latest_plan(event.id)


def test_seating_page_needs_an_organiser(client, speeddate):
    assert client.get(page(speeddate(4))).status_code == 302


def test_generate_then_page_shows_quality_and_publish_shows_the_seat_to_the_participant(organiser, speeddate):
    event = speeddate(8)
    plan = generate_in_browser_way(organiser, event)
    html = organiser.get(page(event)).get_data(as_text=True)
    assert "Colleague meetings" in html or "Collega" in html
    assert 'class="matrix"' in html
    post_form(organiser, f"{page(event)}plans/{plan.id}/publish", {}, form_url=page(event))
    person = constraints.confirmed_registrations(event.id)[0]
    from speeddate import tokens
    personal = organiser.get(f"/r/{tokens.sign(person.token)}").get_data(as_text=True)
    assert seats.start_seat(person).label in personal


def test_the_page_says_when_the_last_run_failed_and_keeps_showing_the_plan(organiser, speeddate):
    event = speeddate(6)
    plan = generate_in_browser_way(organiser, event)
    constraints.set_fixed_seat(event.id, constraints.confirmed_registrations(event.id)[0].id, "inner", 99)
    generate_in_browser_way(organiser, event)
    html = organiser.get(page(event) + "?lang=en").get_data(as_text=True)
    assert "The last run failed" in html and "seat 99" in html
    assert f"plans/{plan.id}/publish" in html


def test_settings_are_saved(organiser, speeddate):
    event = speeddate(4)
    post_form(organiser, page(event) + "settings", {"rounds": 2, "minutes_per_round": 6, "switch_minutes": 1,
                                                    "pairs_per_circle": "", "keep_colleagues_apart": "y"},
              form_url=page(event))
    settings = constraints.settings_of(event)
    assert (settings.rounds, settings.minutes_per_round) == (2, 6)


@pytest.mark.parametrize("part", ["rounds", "labels", "cards"])
def test_printouts_are_print_ready_pages(organiser, speeddate, part):
    event = speeddate(6)
    plan = generate_in_browser_way(organiser, event)
    response = organiser.get(f"{page(event)}plans/{plan.id}/print?part={part}")
    assert response.status_code == 200 and "seating.css" in response.get_data(as_text=True)


def test_exports_carry_registration_ids(organiser, speeddate):
    event = speeddate(6)
    plan = generate_in_browser_way(organiser, event)
    data = json.loads(organiser.get(f"{page(event)}plans/{plan.id}/export.json").data)
    ids = {str(r.id) for r in constraints.confirmed_registrations(event.id)}
    assert {p for c in data["circles"] for p in c["inner"] + c["outer"] if p} == ids
    xlsx = organiser.get(f"{page(event)}plans/{plan.id}/export.xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"


def test_checkin_search_works_without_javascript_and_ticks_present(organiser, speeddate):
    event = speeddate(4)
    html = organiser.get(f"{page(event)}checkin?q=partner2").get_data(as_text=True)
    assert "Partner2" in html and "Partner1 " not in html
    person = next(r for r in constraints.confirmed_registrations(event.id) if r.partner.first_name == "Partner2")
    post_form(organiser, f"{page(event)}checkin/{person.id}", {"attended": "1"}, form_url=f"{page(event)}checkin")
    db.session.rollback()
    assert db.session.get(type(person), person.id).attended


def test_walk_in_is_registered_and_checked_in(organiser, speeddate):
    event = speeddate(4)
    response = post_form(organiser, f"{page(event)}walk-in", {
        "walkin-first_name": "Wim", "walkin-last_name": "Walker", "walkin-email": "wim@example.org",
        "walkin-organisation": "CAW", "walkin-sector": "Apothekers", "walkin-language": "nl"},
        form_url=f"{page(event)}checkin")
    assert response.status_code == 302
    walker = next(r for r in constraints.confirmed_registrations(event.id) if r.partner.first_name == "Wim")
    assert walker.attended


WALK_IN = {"walkin-first_name": "Wim", "walkin-last_name": "Walker", "walkin-email": "wim@example.org",
           "walkin-organisation": "CAW", "walkin-sector": "Apothekers", "walkin-language": "nl"}


def test_a_walk_in_error_keeps_the_checkin_list_and_speaks_to_the_coordinator(organiser, speeddate):
    event = speeddate(4)
    response = post_form(organiser, f"{page(event)}walk-in", {**WALK_IN, "walkin-email": "wim-at-home"},
                         form_url=f"{page(event)}checkin")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert html.count('id="person-') == 4 and "0 aanwezig" in html
    [error] = re.findall(r'id="walkin-email-error">([^<]*)<', html)
    assert error, "the error sits next to the field"


def test_a_walk_in_into_a_full_room_asks_before_the_capacity_grows(organiser, speeddate):
    event = speeddate(4, capacity=4)
    url, form_url = f"{page(event)}walk-in", f"{page(event)}checkin"
    assert 'id="room-full"' in organiser.get(form_url).get_data(as_text=True)
    refused = post_form(organiser, url, WALK_IN, form_url=form_url)
    assert refused.status_code == 400 and 'id="person-' in refused.get_data(as_text=True)
    db.session.rollback()
    assert db.session.get(type(event), event.id).capacity == 4
    assert len(constraints.confirmed_registrations(event.id)) == 4
    agreed = post_form(organiser, url, {**WALK_IN, "walkin-over_capacity": "y"}, form_url=form_url)
    assert agreed.status_code == 302
    db.session.rollback()
    assert db.session.get(type(event), event.id).capacity == 5


def test_timer_page_and_state_survive_a_reload(organiser, speeddate):
    event = speeddate(4)
    post_form(organiser, f"{page(event)}timer/start", {}, form_url=f"{page(event)}timer")
    state = organiser.get(f"{page(event)}timer.json").get_json()
    assert state["started"] and state["round"] == 1 and state["phase"] == "talk"
    assert "timer.js" in organiser.get(f"{page(event)}timer").get_data(as_text=True)


@pytest.mark.parametrize("language, refusal", [("nl", "nog niet afgelopen"), ("fr", "pas encore terminée"),
                                               ("en", "not ended yet")])
def test_who_you_met_is_refused_before_the_end_then_goes_to_everyone_checked_in(organiser, speeddate, clock, language,
                                                                                refusal):
    event = speeddate(6)
    plans.publish(generate_in_browser_way(organiser, event).id)
    send = f"{page(event)}who-you-met?lang={language}"
    refused = post_form(organiser, send, {}, form_url=page(event), follow_redirects=True)
    assert refusal in refused.get_data(as_text=True)
    assert db.session.scalars(db.select(OutboxMail).where(OutboxMail.kind == "who_you_met")).all() == []
    for registration in constraints.confirmed_registrations(event.id):
        registration.attended = True
    db.session.commit()
    clock.set(event.ends_at + timedelta(hours=1))
    post_form(organiser, send, {}, form_url=page(event))
    rows = db.session.scalars(db.select(OutboxMail).where(OutboxMail.kind == "who_you_met")).all()
    assert len(rows) == 6


def test_cli_generates_and_exports(runner, speeddate):
    event = speeddate(6)
    result = runner.invoke(args=["seating", "generate", str(event.id), "--time-limit", "1"])
    assert result.exit_code == 0, result.output
    exported = runner.invoke(args=["seating", "export", str(event.id), "--format", "json"])
    assert json.loads(exported.output)["rounds"] >= 1
    csv_out = runner.invoke(args=["seating", "export", str(event.id), "--format", "csv"])
    assert csv_out.output.lstrip("\ufeff").startswith("round,circle,seat")
