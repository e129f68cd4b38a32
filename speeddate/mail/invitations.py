"""Invitations to partners who agreed to receive them, and the one-click way out."""

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, exists, select

from speeddate import tokens
from speeddate.database import write
from speeddate.events.places import lock_event
from speeddate.events.state import Availability, availability
from speeddate.extensions import db
from speeddate.mail import services as mails
from speeddate.models import Event, OutboxMail, Partner, Registration, RegistrationStatus, Sector, partner_gemeenten
from speeddate.urls import external_url

# What an invitation to an event in each state would lead to; an open event needs no word.
WARNINGS = {
    Availability.FULL: _l("The event is full: partners who register now go onto the waiting list."),
    Availability.DEADLINE_PASSED: _l("The registration deadline has passed: invited partners can no longer "
                                     "register."),
    Availability.CLOSED: _l("Registrations are closed: invited partners cannot register."),
    Availability.DRAFT: _l("The event is not published yet: invited partners cannot register until it is."),
    Availability.PAST: _l("The event is over."),
    Availability.CANCELLED: _l("The event is cancelled."),
}


@dataclass(frozen=True)
class Audience:
    """Which partners to invite; empty lists mean no filter on that dimension."""

    gemeente_ids: tuple[int, ...] = ()
    sector_ids: tuple[int, ...] = ()
    cluster_ids: tuple[int, ...] = ()
    languages: tuple[str, ...] = ()


@dataclass(frozen=True)
class Skipped:
    """Partners who match the filters but get no invitation, by the first reason that applies."""

    registered: int = 0
    invited: int = 0
    no_consent: int = 0
    unconfirmed: int = 0

    @property
    def total(self) -> int:
        """All partners left out."""
        return self.registered + self.invited + self.no_consent + self.unconfirmed


@dataclass(frozen=True)
class InvitationPlan:
    """What sending the invitations would do, for the page that says so before anything is sent."""

    partners: list[Partner]
    skipped: Skipped
    preview: OutboxMail | None = None
    # The preview's text with the unsubscribe link's token left out, as the outbox shows mails to organisers.
    preview_text: str = ""
    warnings: list[str] = field(default_factory=list)


def matching(query: Select, audience: Audience) -> Select:
    """The query narrowed to the partners the audience's filters name (gemeente, sector, cluster, language); the
    one definition of a chosen audience, for invitations and partner surveys alike."""
    if audience.gemeente_ids:
        query = query.where(exists().where(partner_gemeenten.c.partner_id == Partner.id,
                                           partner_gemeenten.c.gemeente_id.in_(audience.gemeente_ids)))
    if audience.sector_ids:
        query = query.where(Partner.sector_id.in_(audience.sector_ids))
    if audience.cluster_ids:
        query = query.where(Partner.sector_id.in_(select(Sector.id).where(Sector.cluster_id.in_(audience.cluster_ids))))
    if audience.languages:
        query = query.where(Partner.language.in_(audience.languages))
    return query


def reachable() -> tuple[ColumnElement[bool], ...]:
    """Who may get the zone's mails unasked: consent to them, on an address the partner confirmed, never erased.
    A consent typed on the public form for someone else's address reaches no one (SECURITY.md)."""
    return (Partner.consent_invitations_at.is_not(None), Partner.email_confirmed_at.is_not(None),
            Partner.email.is_not(None), Partner.erased_at.is_(None))


def _registered(event: Event):
    return exists().where(Registration.partner_id == Partner.id, Registration.event_id == event.id,
                          Registration.status != RegistrationStatus.CANCELLED)


def _invited(event: Event):
    # One list of the event's invited partners for all partners: a correlated EXISTS walked the event's mails once
    # per partner (1.2 s for 5,000 partners and an event with 700 mails).
    return Partner.id.in_(select(OutboxMail.partner_id).where(
        OutboxMail.event_id == event.id, OutboxMail.kind == "invitation", OutboxMail.partner_id.is_not(None)))


def _audience_query(event: Event, audience: Audience) -> Select:
    query = select(Partner).where(*reachable(), ~_registered(event), ~_invited(event))
    return matching(query, audience).order_by(Partner.id)


def audience(event: Event, chosen: Audience) -> list[Partner]:
    """Partners who consented to invitations, match the filters, are not registered and were not invited yet."""
    return list(db.session.scalars(_audience_query(event, chosen)))


def skipped(event: Event, chosen: Audience) -> Skipped:
    """How many partners who match the filters are left out, and why (erased partners are nobody to count)."""
    query = matching(select(Partner.consent_invitations_at.is_not(None), Partner.email_confirmed_at.is_not(None),
                             _registered(event), _invited(event)).where(Partner.erased_at.is_(None)), chosen)
    counts = {"registered": 0, "invited": 0, "no_consent": 0, "unconfirmed": 0}
    for consented, confirmed, registered, invited in db.session.execute(query):
        reason = ("registered" if registered else "invited" if invited else "no_consent" if not consented
                  else "unconfirmed" if not confirmed else None)
        if reason is not None:
            counts[reason] += 1
    return Skipped(**counts)


def warnings(event: Event) -> list[str]:
    """What the coordinator should know before inviting anyone to this event (full, deadline passed...)."""
    warning = WARNINGS.get(availability(event))
    return [] if warning is None else [str(warning)]


def _unsubscribe_url(partner: Partner) -> str:
    return external_url("partners.unsubscribe", token=tokens.unsubscribe_token(partner.id))


def plan(event: Event, chosen: Audience, message: str = "") -> InvitationPlan:
    """Who would be invited, who is left out and why, and the first invitation as its partner would get it;
    writes nothing."""
    partners = audience(event, chosen)
    preview = mails.invitation_preview(event, partners[0], _unsubscribe_url(partners[0]), message) if partners else None
    text = mails.without_personal_links(preview.body_text) if preview is not None else ""
    return InvitationPlan(partners, skipped(event, chosen), preview, text, warnings(event))


def invite(event_id: int, chosen: Audience, message: str = "") -> int:
    """Write one invitation per partner in the audience to the outbox, with the coordinator's own message if any,
    in one transaction; returns how many."""
    with write():
        # A second press at the same moment waits here, then finds the first one's invitations and adds none.
        event = lock_event(event_id)
        created = 0
        for partner in audience(event, chosen):
            mails.invite(event, partner, _unsubscribe_url(partner), message)
            created += 1
    return created


def unsubscribe(token: str) -> Partner | None:
    """Withdraw the partner's consent to invitations; None for a link altered or made for someone else."""
    with write():
        partner = tokens.partner_for_unsubscribe(token)
        if partner is not None:
            partner.consent_invitations_at = None
    return partner
