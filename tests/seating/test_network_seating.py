"""Seating that knows the network, through the app: the seating job passes who met at an earlier speeddate and
which languages people speak; the quality figures show both (issue #18 part B)."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from speeddate import solver
from speeddate.extensions import db
from speeddate.models import Event, EventStatus, JobStatus, Partner, Registration, SeatingPlan
from speeddate.seating import constraints, jobs, network, plans
from speeddate.seating.seats import plan_of
from speeddate.zone import services as zone
from tests.seating.test_services import generated
from tests.support import local_now

SECTORS = ("Huisartsen", "Apothekers", "Thuisverpleging", "OCMW en sociale dienst")


@pytest.fixture(autouse=True)
def many_registrations(app):
    # The rate limits have their own tests; here dozens of people register from one address.
    app.config.update(RATE_LIMIT_ENABLED=False)


def speeddate_on(make_event, register, days: int, numbers: range | list[int], rounds: int,
                 languages: dict[int, list[str]] | None = None) -> Event:
    """A speeddate `days` from now with partners `numbers` (one organisation each), planned over `rounds` rounds."""
    start = local_now().replace(second=0, microsecond=0) + timedelta(days=days)
    event = make_event(capacity=len(numbers), starts_at=start, ends_at=start + timedelta(hours=2))
    for number in numbers:
        extra = {"languages": languages[number]} if languages else {}
        response = register(event, number, sector=SECTORS[number % len(SECTORS)], **extra)
        assert response.status_code == 200, response.get_data(as_text=True)
    constraints.save_settings(event.id, constraints.SettingsData(rounds, 7, 1, None, True))
    return event


def partner_pairs(row: SeatingPlan) -> set[frozenset[int]]:
    """Who faces whom in a stored plan, as partner ids: computed here, not by the code under test."""
    partner_of = {str(r.id): r.partner_id for r in db.session.scalars(
        select(Registration).where(Registration.id.in_(json.loads(row.registration_ids))))}
    return {frozenset((partner_of[m.inner], partner_of[m.outer])) for m in solver.meetings_of(plan_of(row))
            if m.inner and m.outer}


def test_a_second_speeddate_seats_almost_nobody_together_again(make_event, register):
    # Twenty partners in March; in June fourteen of them come back with fourteen newcomers, six rounds each time.
    first = speeddate_on(make_event, register, 10, range(20), 6)
    march = plans.publish(generated(first, 2.0).id)
    second = speeddate_on(make_event, register, 40, [*range(6, 20), *range(20, 34)], 6)
    june = generated(second, 3.0)
    met_in_march = partner_pairs(march)
    assert len(met_in_march) == 60
    again = partner_pairs(june) & met_in_march
    assert len(again) <= 1
    # The organiser's figures count them too, from the plan and the history.
    assert plans.quality(june).figures.met_before == len(again)


def test_met_before_counts_only_earlier_held_events_and_people_who_sat(make_event, register, app):
    earlier = speeddate_on(make_event, register, 5, range(8), 3)
    plans.publish(generated(earlier, 1.0).id)
    later = speeddate_on(make_event, register, 30, range(8), 3)
    plans.publish(generated(later, 1.0).id)
    third = speeddate_on(make_event, register, 20, range(8), 3)
    partners = {r.partner_id for r in constraints.confirmed_registrations(third.id)}
    met = network.partners_met_before(third, partners)
    assert {frozenset(p) for p in met} == partner_pairs(plans_of(earlier))
    # A later speeddate is no history of this one; nor is a cancelled one.
    assert network.partners_met_before(earlier, partners) == set()
    earlier.status = EventStatus.CANCELLED
    db.session.commit()
    assert network.partners_met_before(third, partners) == set()
    # Where check-in was used, only people checked in sat: two of them.
    earlier.status = EventStatus.PUBLISHED
    row = plans_of(earlier)
    sat = list(db.session.scalars(select(Registration).where(Registration.event_id == earlier.id)))
    pair = next(iter(partner_pairs(row)))
    for registration in sat:
        registration.attended = registration.partner_id in pair
    db.session.commit()
    assert {frozenset(p) for p in network.partners_met_before(third, partners)} == {pair}


def plans_of(event: Event) -> SeatingPlan:
    row = db.session.scalar(select(SeatingPlan).where(SeatingPlan.event_id == event.id,
                                                      SeatingPlan.published_at.is_not(None)))
    assert row is not None
    return row


def test_a_bilingual_speeddate_has_no_meeting_without_a_common_language(make_event, register):
    zone.save_settings("ELZ Brussel", "", "nl", ask_languages=True)
    # Twenty-four partners: 14 speak only Dutch, 6 only French, 4 both; three rounds. A plan where everyone shares
    # a language with everyone they meet exists (French in a block fenced by bilinguals), a random one has many.
    spoken = {n: ["nl"] if n < 14 else ["fr"] if n < 20 else ["nl", "fr"] for n in range(24)}
    event = speeddate_on(make_event, register, 10, range(24), 3, spoken)
    languages = {p.email: p.languages for p in db.session.scalars(select(Partner))}
    assert languages["partner0@example.org"] == "nl" and languages["partner22@example.org"] == "nl|fr"
    row = generated(event, 3.0)
    speaks = {str(r.id): set(r.partner.languages.split("|")) for r in constraints.confirmed_registrations(event.id)}
    apart = [m for m in solver.meetings_of(plan_of(row)) if m.inner and m.outer
             and not speaks[m.inner] & speaks[m.outer]]
    assert apart == []
    assert plans.quality(row).figures.no_common_language == 0


def test_quality_figures_show_both_families(make_event, register, organiser):
    first = speeddate_on(make_event, register, 10, range(6), 2)
    plans.publish(generated(first, 1.0).id)
    event = speeddate_on(make_event, register, 30, range(6), 3)
    zone.save_settings("ELZ Brussel", "", "nl", ask_languages=True)
    # Two French speakers among four Dutch speakers, three seats a side: some meetings share no language.
    for partner in db.session.scalars(select(Partner)):
        partner.languages = "fr" if partner.email in ("partner0@example.org", "partner1@example.org") else "nl"
    db.session.commit()
    row = generated(event, 1.0)
    figures = plans.quality(row).figures
    assert figures.no_common_language > 0
    page = organiser.get(f"/admin/events/{event.id}/seating/?lang=en").get_data(as_text=True)
    assert "Meetings without a common language" in page
    assert f'<dd class="no-common-language">{figures.no_common_language}</dd>' in page
    assert f'<dd class="met-before">{figures.met_before}</dd>' in page
    assert figures.met_before == len(partner_pairs(row) & partner_pairs(plans_of(first)))


def test_the_replan_on_the_day_finds_a_common_language_for_every_meeting(make_event, register):
    # Planned before anyone gave their languages; on the day 6 Dutch, 3 French and 5 bilingual speakers are there.
    event = speeddate_on(make_event, register, 10, range(16), 3)
    planned = plans.publish(generated(event, 1.0).id)
    spoken = {n: "nl" if n < 8 else "fr" if n < 11 else "nl|fr" for n in range(16)}
    people = constraints.confirmed_registrations(event.id)
    for registration in people:
        number = int(registration.partner.email.removeprefix("partner").split("@")[0])
        registration.partner.languages = spoken[number]
        registration.attended = number not in (0, 1)
    db.session.commit()
    speaks = {str(r.id): set(r.partner.languages.split("|")) for r in people if r.attended}

    def apart(row: SeatingPlan) -> list[solver.Meeting]:
        return [m for m in solver.meetings_of(plan_of(row)) if m.inner in speaks and m.outer in speaks
                and not speaks[m.inner] & speaks[m.outer]]

    assert apart(planned)  # the plan made without languages seats some of them apart
    job = jobs.run_job(jobs.request_job(event.id, "replan", 2.0, background=False).id)
    assert job.status == JobStatus.DONE, job.error
    final = db.session.get_one(SeatingPlan, job.plan_id)
    assert apart(final) == []
    assert final.replanned_from_id is not None
