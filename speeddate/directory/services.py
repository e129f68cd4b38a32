"""The directory: find partners and organisations, a partner's history, edit, merge and export."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import selectinload

from speeddate.database import write
from speeddate.events import places
from speeddate.extensions import db
from speeddate.mail import services as mails
from speeddate.models import (
    Event,
    Organisation,
    OutboxMail,
    Partner,
    Registration,
    RegistrationStatus,
    Sector,
    partner_gemeenten,
)
from speeddate.models.base import utcnow
from speeddate.models.partners import normalise_email
from speeddate.partners.services import PartnerDetails, apply_details
from speeddate.seating.after_the_day import queue_who_you_met, who_you_met_sent
from speeddate.surveys import answers

PAGE_SIZE = 50
EXPORT_COLUMNS = ("email", "first_name", "last_name", "organisation", "sector", "gemeenten", "function", "phone",
                  "language")


class DirectoryError(Exception):
    """A change the directory refuses, with a message for the organiser."""


@dataclass(frozen=True)
class PartnerFilter:
    """What the organiser searches for; every part is optional."""

    text: str = ""
    gemeente_id: int | None = None
    sector_id: int | None = None
    cluster_id: int | None = None
    organisation_id: int | None = None
    active_within_days: int | None = None  # active in the last N days
    inactive_for_days: int | None = None  # no activity for N days


def active_since(cutoff: datetime):
    """SQL condition: the partner registered, or took part in an event, or was added, since the cutoff."""
    registered = exists().where(Registration.partner_id == Partner.id, Registration.created_at >= cutoff)
    took_part = (exists().where(Registration.partner_id == Partner.id, Registration.event_id == Event.id,
                                Registration.status != RegistrationStatus.CANCELLED, Event.ends_at >= cutoff))
    return or_(Partner.created_at >= cutoff, registered, took_part)


def _filtered(query: Select, wanted: PartnerFilter) -> Select:
    query = query.where(Partner.erased_at.is_(None))
    if wanted.text:
        pattern = f"%{wanted.text.strip().lower()}%"
        query = query.outerjoin(Organisation, Partner.organisation_id == Organisation.id).where(or_(
            Partner.email.like(pattern), func.lower(Partner.first_name + " " + Partner.last_name).like(pattern),
            func.lower(Organisation.name).like(pattern)))
    if wanted.gemeente_id:
        query = query.where(exists().where(partner_gemeenten.c.partner_id == Partner.id,
                                           partner_gemeenten.c.gemeente_id == wanted.gemeente_id))
    if wanted.sector_id:
        query = query.where(Partner.sector_id == wanted.sector_id)
    if wanted.cluster_id:
        query = query.where(Partner.sector_id.in_(select(Sector.id).where(Sector.cluster_id == wanted.cluster_id)))
    if wanted.organisation_id:
        query = query.where(Partner.organisation_id == wanted.organisation_id)
    if wanted.active_within_days:
        query = query.where(active_since(utcnow() - timedelta(days=wanted.active_within_days)))
    if wanted.inactive_for_days:
        query = query.where(~active_since(utcnow() - timedelta(days=wanted.inactive_for_days)))
    return query


def search_partners(wanted: PartnerFilter, page: int = 1) -> tuple[list[Partner], int]:
    """One page of matching partners by name, and how many match in all."""
    total = db.session.scalar(_filtered(select(func.count(Partner.id)), wanted)) or 0
    query = _filtered(select(Partner), wanted).options(
        selectinload(Partner.gemeenten), selectinload(Partner.organisation), selectinload(Partner.sector))
    partners = db.session.scalars(query.order_by(func.lower(Partner.last_name), func.lower(Partner.first_name),
                                                 Partner.id).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE))
    return list(partners), total


def matching_partners(wanted: PartnerFilter) -> list[Partner]:
    """Every matching partner (for exports), by name."""
    query = _filtered(select(Partner), wanted).options(
        selectinload(Partner.gemeenten), selectinload(Partner.organisation), selectinload(Partner.sector))
    return list(db.session.scalars(query.order_by(func.lower(Partner.last_name), Partner.id)))


def last_activity(partner_ids: list[int]) -> dict[int, datetime]:
    """The latest registration or event taken part in, per partner (absent when there is none)."""
    rows = db.session.execute(
        select(Registration.partner_id, func.max(Registration.created_at), func.max(Event.ends_at))
        .join(Event, Event.id == Registration.event_id)
        .where(Registration.partner_id.in_(partner_ids)).group_by(Registration.partner_id))
    now = utcnow()
    latest = {}
    for partner_id, registered, ended in rows:
        latest[partner_id] = max(moment for moment in (registered, ended) if moment is not None and moment <= now)
    return latest


def history(partner: Partner) -> list[Registration]:
    """The partner's registrations, newest event first."""
    return list(db.session.scalars(
        select(Registration).join(Event).where(Registration.partner_id == partner.id)
        .order_by(Event.starts_at.desc(), Registration.id.desc())))


def evaluations_given(partner: Partner) -> list[str]:
    """Titles of the events whose evaluation the partner answered; never their answers."""
    registrations = list(db.session.scalars(select(Registration).where(Registration.partner_id == partner.id)))
    return [event.title for event in answers.evaluations_given(registrations)]


def organisations() -> list[tuple[Organisation, int, int]]:
    """Every organisation with its number of people and of registrations that were not cancelled."""
    people = func.count(func.distinct(Partner.id))
    registrations = func.count(func.distinct(Registration.id))
    rows = db.session.execute(
        select(Organisation, people, registrations)
        .outerjoin(Partner, (Partner.organisation_id == Organisation.id) & Partner.erased_at.is_(None))
        .outerjoin(Registration, (Registration.partner_id == Partner.id)
                   & (Registration.status != RegistrationStatus.CANCELLED))
        .group_by(Organisation.id).order_by(func.lower(Organisation.name)))
    return [(organisation, count, registered) for organisation, count, registered in rows]


def update_partner(partner_id: int, email: str | None, details: PartnerDetails) -> Partner:
    """Save an organiser's edit of a partner; the email stays unique. A partner who had no address (a walk-in)
    and gets one now gets the mails still worth sending (`_address_added`); an address is never removed here."""
    with write():
        partner = db.session.get_one(Partner, partner_id)
        address = normalise_email(email) if email else None
        if address is None and partner.email is not None:
            raise DirectoryError("address needed")
        if address != partner.email and db.session.scalar(select(Partner.id).where(Partner.email == address)):
            raise DirectoryError(address)
        added = partner.email is None and address is not None
        partner.email = address
        apply_details(partner, details)
        if added:
            _address_added(partner)
    return partner


def _address_added(partner: Partner) -> None:
    """The organiser heard the address from the person (as at the door): it is theirs. Their registrations catch up
    on their mails, and the who-you-met mail follows when the event's have gone out already."""
    partner.email_confirmed_at = partner.email_confirmed_at or utcnow()
    db.session.flush()
    for registration in db.session.scalars(select(Registration).where(
            Registration.partner_id == partner.id, Registration.status == RegistrationStatus.CONFIRMED)):
        mails.catch_up(registration)
        if registration.attended and who_you_met_sent(registration.event_id):
            queue_who_you_met(registration)


def form_values(partner: Partner) -> dict[str, object]:
    """The partner's current details as the edit form shows them."""
    return {
        "email": partner.email, "first_name": partner.first_name, "last_name": partner.last_name,
        "phone": partner.phone, "function": partner.function, "language": partner.language,
        "organisation": partner.organisation.name if partner.organisation else "",
        "sector": str(partner.sector_id or ""), "gemeenten": [str(g.id) for g in partner.gemeenten],
        "consent_share_contacts": partner.consent_share_contacts_at is not None,
        "consent_followup": partner.consent_followup_at is not None,
        "consent_invitations": partner.consent_invitations_at is not None,
    }


def merge_partners(keep_id: int, drop_id: int) -> Partner:
    """Merge two records of one person into `keep`: registrations, mails, missing details and consents move."""
    if keep_id == drop_id:
        raise DirectoryError("same")
    with write():
        keep, drop = db.session.get_one(Partner, keep_id), db.session.get_one(Partner, drop_id)
        for registration in db.session.scalars(select(Registration).where(Registration.partner_id == drop.id)):
            _move_registration(registration, keep)
        db.session.execute(OutboxMail.__table__.update().where(OutboxMail.partner_id == drop.id)
                           .values(partner_id=keep.id))
        _fill_missing(keep, drop)
        address = drop.email if keep.email is None else None
        db.session.delete(drop)
        if address is not None:
            # A walk-in without an address joins their record with one: the address comes along (after the other
            # row is gone, so that the unique address never exists twice), and their mails catch up.
            db.session.flush()
            keep.email, keep.email_confirmed_at = address, drop.email_confirmed_at
            _address_added(keep)
    return keep


def _move_registration(registration: Registration, keep: Partner) -> None:
    twin = db.session.scalar(select(Registration).where(
        Registration.event_id == registration.event_id, Registration.partner_id == keep.id,
        Registration.status != RegistrationStatus.CANCELLED))
    if twin is not None and registration.status != RegistrationStatus.CANCELLED:
        # The same person holds two places or queue spots: keep one, and free the other for the waiting list.
        twin.attended = twin.attended or registration.attended
        for promoted in places.cancel(registration, places.lock_event(registration.event_id)):
            mails.promoted(promoted)
    registration.partner = keep
    db.session.flush()


def _fill_missing(keep: Partner, drop: Partner) -> None:
    for name in ("phone", "function", "organisation", "sector", "consent_share_contacts_at", "consent_followup_at",
                 "consent_invitations_at"):
        if not getattr(keep, name) and getattr(drop, name):
            setattr(keep, name, getattr(drop, name))
    keep.gemeenten = list(dict.fromkeys([*keep.gemeenten, *drop.gemeenten]))
    keep.created_at = min(keep.created_at, drop.created_at)


def export_rows(partners: list[Partner]) -> list[tuple[object, ...]]:
    """Partners as rows in the import's own columns, so that an export imports back without duplicates."""
    return [(p.email, p.first_name, p.last_name, p.organisation.name if p.organisation else "",
             p.sector.name if p.sector else "", "|".join(g.name for g in p.gemeenten), p.function, p.phone,
             p.language) for p in partners]
