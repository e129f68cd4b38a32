"""Who took part and whom they met: the final seating plan, check-in and consent decide."""

import json

import pytest

from speeddate import participation, solver
from speeddate.database import write
from speeddate.extensions import db
from speeddate.models import PlanStatus, Registration, RegistrationStatus, SeatingPlan
from speeddate.models.base import utcnow
from speeddate.partners.services import PartnerDetails, register
from speeddate.solver.io import plan_to_json
from speeddate.zone.services import sectors_by_cluster


@pytest.fixture
def four(make_event) -> list[Registration]:
    """Four confirmed registrations to one event, all consenting to share their details."""
    event = make_event(capacity=4)
    sector = sectors_by_cluster()[0].sectors[0]
    return [register(event.id, f"p{n}@example.org",
                     PartnerDetails(f"P{n}", "X", f"Org {n}", sector, consent_share_contacts=True)).registration
            for n in range(4)]


def store_plan(people: list[Registration], status: PlanStatus = PlanStatus.PUBLISHED) -> None:
    """One circle, one round: the first faces the third, the second faces the fourth."""
    ids = [str(r.id) for r in people]
    plan = solver.Plan(rounds=1, circles=(solver.Circle(1, (ids[0], ids[1]), (ids[2], ids[3])),))
    with write():
        db.session.add(SeatingPlan(
            event_id=people[0].event_id, status=status, plan_json=plan_to_json(plan),
            registration_ids=json.dumps([r.id for r in people]), same_organisation=0, same_sector=0,
            distinct_sectors_total=0, distinct_sectors_min=0, upper_bound=0, solver_status="FEASIBLE",
            published_at=utcnow() if status == PlanStatus.PUBLISHED else None))


def check_in(*people: Registration) -> None:
    with write():
        for registration in people:
            db.session.get_one(Registration, registration.id).attended = True


def ids(registrations: list[Registration]) -> list[int]:
    return [r.id for r in registrations]


def test_everyone_confirmed_took_part_until_someone_is_checked_in(four):
    assert all(participation.took_part(r) for r in four)
    check_in(four[0])
    assert [participation.took_part(r) for r in four] == [True, False, False, False]


def test_a_cancelled_registration_never_took_part(four):
    with write():
        db.session.get_one(Registration, four[1].id).status = RegistrationStatus.CANCELLED
    assert not participation.took_part(four[1])


def test_contacts_are_shared_only_with_consent_and_never_after_erasure(four):
    partner = four[0].partner
    assert participation.shares_contacts(partner)
    with write():
        partner.erased_at = utcnow()
    assert not participation.shares_contacts(partner)
    with write():
        partner.erased_at, partner.consent_share_contacts_at = None, None
    assert not participation.shares_contacts(partner)


def test_without_a_published_plan_everyone_else_who_took_part_and_consents_was_met(four):
    store_plan(four, PlanStatus.DRAFT)
    assert participation.met_ids(four[0]) is None
    with write():
        four[3].partner.consent_share_contacts_at = None
    assert ids(participation.people_met(four[0])) == ids(four[1:3])


def test_with_a_published_plan_only_the_people_faced_in_it_were_met(four):
    store_plan(four)
    assert participation.met_ids(four[0]) == {four[2].id}
    assert participation.met_ids(four[3]) == {four[1].id}
    assert ids(participation.people_met(four[0])) == [four[2].id]


def test_someone_met_but_absent_on_the_day_is_not_listed(four):
    store_plan(four)
    check_in(four[0], four[1])
    assert participation.people_met(four[0]) == []
    assert ids(participation.people_met(four[3])) == [four[1].id]
