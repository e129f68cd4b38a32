"""The follow-up survey months later: did the contacts made at the event lead anywhere."""

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select

from speeddate.database import lock_one, write
from speeddate.extensions import db
from speeddate.models import ContactOutcome, Event, FollowupContact, FollowupResponse, Registration
from speeddate.models.base import utcnow
from speeddate.participation import people_met, took_part


def followup_of(registration: Registration) -> FollowupResponse | None:
    """The registration's follow-up answer, if any."""
    return db.session.scalar(select(FollowupResponse).where(FollowupResponse.registration_id == registration.id))


def save_followup(registration_id: int, used_contacts: bool, outcomes: dict[int, ContactOutcome],
                  comment: str) -> FollowupResponse:
    """Store (or replace) the follow-up answer; outcomes only for people actually met."""
    with write():
        registration = lock_one(Registration, registration_id)  # a double submission waits, then replaces
        met = {other.id for other in people_met(registration)}
        response = followup_of(registration) or FollowupResponse(registration_id=registration.id,
                                                                 event_id=registration.event_id)
        db.session.add(response)
        response.used_contacts, response.comment, response.updated_at = used_contacts, comment, utcnow()
        response.contacts = [FollowupContact(met_registration_id=other, outcome=outcome)
                             for other, outcome in outcomes.items() if other in met]
    return response


@dataclass
class FollowupResults:
    """Follow-up figures: who was asked, who answered, and what came of the contacts."""

    invited: int
    responded: int
    used_contacts: int
    contacted: int
    referrals: int
    collaborations: int
    quotes: list[str]

    @property
    def share_used(self) -> float | None:
        return self.used_contacts / self.responded if self.responded else None


def followup_results(events: list[Event]) -> FollowupResults:
    """Follow-up outcomes over one or more events."""
    ids = [event.id for event in events]
    responses = list(db.session.scalars(select(FollowupResponse).where(FollowupResponse.event_id.in_(ids))))
    outcomes = Counter(contact.outcome for response in responses for contact in response.contacts)
    invited = sum(1 for event in events if event.followup_months
                  for r in db.session.scalars(select(Registration).where(Registration.event_id == event.id))
                  if took_part(r) and r.partner.consent_followup_at is not None)
    return FollowupResults(
        invited=invited, responded=len(responses), used_contacts=sum(r.used_contacts for r in responses),
        contacted=outcomes[ContactOutcome.CONTACTED], referrals=outcomes[ContactOutcome.REFERRED],
        collaborations=outcomes[ContactOutcome.COLLABORATING], quotes=[r.comment for r in responses if r.comment])
