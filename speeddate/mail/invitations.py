"""Invitations to partners who agreed to receive them, and the one-click way out."""

from dataclasses import dataclass

from sqlalchemy import Select, exists, select

from speeddate import tokens
from speeddate.database import write
from speeddate.extensions import db
from speeddate.mail import services as mails
from speeddate.models import Event, OutboxMail, Partner, Registration, RegistrationStatus, Sector, partner_gemeenten
from speeddate.urls import external_url


@dataclass(frozen=True)
class Audience:
    """Which partners to invite; empty lists mean no filter on that dimension."""

    gemeente_ids: tuple[int, ...] = ()
    sector_ids: tuple[int, ...] = ()
    cluster_ids: tuple[int, ...] = ()


def _audience_query(event: Event, audience: Audience) -> Select:
    already = exists().where(Registration.partner_id == Partner.id, Registration.event_id == event.id,
                             Registration.status != RegistrationStatus.CANCELLED)
    invited = exists().where(OutboxMail.partner_id == Partner.id, OutboxMail.event_id == event.id,
                             OutboxMail.kind == "invitation")
    # Only a confirmed address: a consent typed on the public form for someone else's address invites no one.
    query = select(Partner).where(Partner.consent_invitations_at.is_not(None), Partner.email_confirmed_at.is_not(None),
                                  ~already, ~invited)
    if audience.gemeente_ids:
        query = query.where(exists().where(partner_gemeenten.c.partner_id == Partner.id,
                                           partner_gemeenten.c.gemeente_id.in_(audience.gemeente_ids)))
    if audience.sector_ids:
        query = query.where(Partner.sector_id.in_(audience.sector_ids))
    if audience.cluster_ids:
        query = query.where(Partner.sector_id.in_(select(Sector.id).where(Sector.cluster_id.in_(audience.cluster_ids))))
    return query.order_by(Partner.id)


def audience(event: Event, chosen: Audience) -> list[Partner]:
    """Partners who consented to invitations, match the filters, are not registered and were not invited yet."""
    return list(db.session.scalars(_audience_query(event, chosen)))


def invite(event_id: int, chosen: Audience) -> int:
    """Write one invitation per partner in the audience to the outbox, in one transaction; returns how many."""
    with write():
        event = db.session.get_one(Event, event_id)
        created = 0
        for partner in audience(event, chosen):
            unsubscribe_url = external_url("partners.unsubscribe", token=tokens.unsubscribe_token(partner.id))
            mails.invite(event, partner, unsubscribe_url)
            created += 1
    return created


def unsubscribe(token: str) -> Partner | None:
    """Withdraw the partner's consent to invitations; None for a link altered or made for someone else."""
    with write():
        partner = tokens.partner_for_unsubscribe(token)
        if partner is not None:
            partner.consent_invitations_at = None
    return partner
