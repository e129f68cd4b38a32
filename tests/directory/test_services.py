"""Directory services: merging two records of one person is one transaction; anonymous answers stay unnamed."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from speeddate.directory import services
from speeddate.events import services as events
from speeddate.extensions import db
from speeddate.models import Event, Partner, Registration, RegistrationStatus
from speeddate.partners.services import PartnerDetails, register
from speeddate.surveys.answers import save_evaluation
from speeddate.zone.services import sectors_by_cluster
from tests.support import local_now


def upcoming_event(title: str) -> int:
    start = local_now().replace(second=0) + timedelta(days=10)
    return events.create_event(events.EventData(type=events.EventType.ELP, title=title, starts_at=start,
                                                ends_at=start + timedelta(hours=2), capacity=5), publish=True).id


def registered(email: str, *event_ids: int) -> int:
    details = PartnerDetails("Els", "Peeters", "Praktijk", sectors_by_cluster()[0].sectors[0])
    return [register(event_id, email, details).registration.partner_id for event_id in event_ids][0]


def test_a_merge_that_fails_half_way_changes_nothing(any_app, monkeypatch):
    first, second = upcoming_event("Platform 1"), upcoming_event("Platform 2")
    keep = registered("els@example.org", first, second)
    drop = registered("els.peeters@example.org", first, second)

    def fail(*_args) -> None:
        raise RuntimeError("a later step fails")

    # Both events hold a place twice: the merge frees one of each, locking each event in turn.
    monkeypatch.setattr(services, "_fill_missing", fail)
    with pytest.raises(RuntimeError):
        services.merge_partners(keep, drop)
    db.session.rollback()
    dropped = db.session.scalars(select(Registration).where(Registration.partner_id == drop)).all()
    assert [r.status for r in dropped] == [RegistrationStatus.CONFIRMED] * 2


def test_the_partner_page_lists_evaluations_given_only_for_events_that_are_not_anonymous(app):
    anonymous, named = upcoming_event("Anoniem"), upcoming_event("Met naam")
    db.session.get_one(Event, named).evaluation_anonymous = False
    db.session.commit()
    partner_id = registered("els@example.org", anonymous, named)
    for registration in db.session.scalars(select(Registration).where(Registration.partner_id == partner_id)).all():
        save_evaluation(registration.id, {})
    assert services.evaluations_given(db.session.get_one(Partner, partner_id)) == ["Met naam"]
