"""Directory services: merging two records of one person is one transaction; anonymous answers stay unnamed."""


import pytest
from sqlalchemy import select

from speeddate.directory import services
from speeddate.extensions import db
from speeddate.models import Event, Partner, Registration, RegistrationStatus
from speeddate.surveys.answers import save_evaluation
from tests.support import registered, upcoming_event


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
