"""Public registration: partners register, see, change and cancel their own registration."""

import enum
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from speeddate import tokens
from speeddate.database import write
from speeddate.events import places
from speeddate.events.state import takes_registrations
from speeddate.extensions import db
from speeddate.mail import kinds
from speeddate.mail import services as mails
from speeddate.mail.kinds import MailKind
from speeddate.models import (
    Event,
    EventStatus,
    Gemeente,
    MailStatus,
    Organisation,
    OutboxMail,
    Partner,
    Registration,
    RegistrationStatus,
    Sector,
)
from speeddate.models.base import utcnow
from speeddate.models.partners import normalise_email
from speeddate.partners.fields import split_languages
from speeddate.security import ratelimit

log = logging.getLogger(__name__)


class Outcome(enum.StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    ALREADY_REGISTERED = "already_registered"


class RegistrationClosed(Exception):
    """The event does not take registrations now."""


class CancellationClosed(Exception):
    """The event has started (or is over): attendance is the organisers' to record now."""


@dataclass(frozen=True)
class PartnerDetails:
    """What a partner tells about themselves on the form; validated by the form before it gets here."""

    first_name: str
    last_name: str
    organisation: str
    sector: Sector
    function: str = ""
    gemeenten: list[Gemeente] = field(default_factory=list)
    phone: str = ""
    language: str = "nl"
    languages: str | None = None  # conversation languages ("nl|fr"); None where the form did not ask
    consent_share_contacts: bool = False
    consent_followup: bool = False
    consent_invitations: bool = False


@dataclass(frozen=True)
class RegistrationResult:
    outcome: Outcome
    registration: Registration | None = None
    waitlist_rank: int | None = None


class TooManyAttempts(Exception):
    """A rate-limit bucket the registration counts in is full; nothing was registered or counted."""

    def __init__(self, wait_seconds: int) -> None:
        super().__init__(wait_seconds)
        self.wait_seconds = wait_seconds


def register(event_id: int, email: str, details: PartnerDetails, dietary: str = "",
             counted_in: Sequence[tuple[str, str]] = ()) -> RegistrationResult:
    """Register a partner: a place if one is free, else the waiting list; never a second registration.

    `counted_in`: rate-limit buckets (security.ratelimit) this attempt counts in, in the same unit of work, so that
    a registration is one commit; raises TooManyAttempts, changing nothing, when one of them is full.
    """
    try:
        with write():
            return _count_then_register(event_id, normalise_email(email), details, dietary, counted_in)
    except IntegrityError:
        # A simultaneous registration with the same email created the partner or registration first.
        with write():
            return _count_then_register(event_id, normalise_email(email), details, dietary, counted_in)


def _count_then_register(event_id: int, email: str, details: PartnerDetails, dietary: str,
                         counted_in: Sequence[tuple[str, str]]) -> RegistrationResult:
    if counted_in and (wait := ratelimit.hit(list(counted_in))) is not None:
        raise TooManyAttempts(wait)
    return _register_once(event_id, email, details, dietary)


def _register_once(event_id: int, email: str, details: PartnerDetails, dietary: str) -> RegistrationResult:
    """The form may be posted by anyone who knows an address, so a known partner's stored details are never
    changed from it and nothing of theirs is shown: the owner of the address learns everything by mail."""
    event = places.lock_event(event_id)
    if not takes_registrations(event):
        raise RegistrationClosed
    partner = _find_partner(email)
    if partner is not None and (existing := active_registration(event, partner)) is not None:
        mails.personal_link_again(existing)
        return RegistrationResult(Outcome.ALREADY_REGISTERED)
    known = partner is not None
    partner = partner or _new_partner(email, details)
    registration = Registration(event=event, partner=partner, token=tokens.new_token(),
                                dietary=dietary if event.catering else "")
    db.session.add(registration)
    try:
        places.confirm(registration, event)
    except places.CapacityError:
        places.put_on_waiting_list(registration, event)
    db.session.flush()
    rank = places.waitlist_rank(registration)
    mails.registration_received(registration, rank, details_kept=known)
    return RegistrationResult(Outcome(registration.status.value), registration, rank)


def _find_partner(email: str) -> Partner | None:
    return db.session.scalar(select(Partner).where(Partner.email == email))


def _new_partner(email: str, details: PartnerDetails) -> Partner:
    partner = Partner(email=email)
    apply_details(partner, details)
    db.session.add(partner)
    return partner


def apply_details(partner: Partner, details: PartnerDetails) -> None:
    """Copy the form's details onto the partner, recording when each consent was given or withdrawn."""
    partner.first_name = details.first_name
    partner.last_name = details.last_name
    partner.organisation = find_or_create_organisation(details.organisation)
    partner.sector = details.sector
    partner.function = details.function
    partner.gemeenten = list(details.gemeenten)
    partner.phone = details.phone
    partner.language = details.language
    if details.languages is not None:
        partner.languages = details.languages
    now = utcnow()
    for name in ("share_contacts", "followup", "invitations"):
        attribute = f"consent_{name}_at"
        given = getattr(details, f"consent_{name}")
        if not given:
            setattr(partner, attribute, None)
        elif getattr(partner, attribute) is None:
            setattr(partner, attribute, now)


def find_or_create_organisation(name: str) -> Organisation:
    """The organisation with this name in any letter case, created when new."""
    name = " ".join(name.split())
    found = db.session.scalar(select(Organisation).where(func.lower(Organisation.name) == name.lower()))
    if found is not None:
        return found
    organisation = Organisation(name=name)
    db.session.add(organisation)
    return organisation


def active_registration(event: Event, partner: Partner) -> Registration | None:
    """The partner's confirmed or waitlisted registration for the event."""
    return db.session.scalar(
        select(Registration).where(
            Registration.event_id == event.id,
            Registration.partner_id == partner.id,
            Registration.status != RegistrationStatus.CANCELLED,
        )
    )


def confirm_address(partner_id: int) -> None:
    """The person opened a link that only their mailbox received: the address is theirs (invitations may go)."""
    with write():
        db.session.execute(update(Partner).where(Partner.id == partner_id, Partner.email_confirmed_at.is_(None))
                           .values(email_confirmed_at=utcnow()).execution_options(synchronize_session=False))


def registration_for_link(signed_token: str) -> Registration | None:
    """The registration behind a personal link; None for a made-up or altered link."""
    token = tokens.unsign(signed_token)
    if token is None:
        return None
    return db.session.scalar(select(Registration).where(Registration.token == token))


def form_values(registration: Registration) -> dict[str, object]:
    """The partner's current details as the personal page's form shows them."""
    partner = registration.partner
    return {
        "first_name": partner.first_name, "last_name": partner.last_name, "phone": partner.phone,
        "function": partner.function, "language": partner.language,
        "languages": split_languages(partner.languages) or [partner.language],
        "organisation": partner.organisation.name if partner.organisation else "",
        "sector": str(partner.sector_id or ""), "gemeenten": [str(g.id) for g in partner.gemeenten],
        "dietary": registration.dietary,
        "consent_share_contacts": partner.consent_share_contacts_at is not None,
        "consent_followup": partner.consent_followup_at is not None,
        "consent_invitations": partner.consent_invitations_at is not None,
    }


def update_details(registration_id: int, details: PartnerDetails, dietary: str) -> None:
    """Save the partner's changed details and the registration's dietary needs."""
    with write():
        registration = db.session.get_one(Registration, registration_id)
        apply_details(registration.partner, details)
        if registration.event.catering:
            registration.dietary = dietary


def can_cancel(registration: Registration) -> bool:
    """A partner may cancel until the event starts; after that, cancelling would rewrite attendance."""
    return registration.event.starts_at > utcnow()


def cancel_registration(registration_id: int, by_organiser: bool = False) -> list[Registration]:
    """Cancel a registration; a freed place goes to the first person waiting at once.

    Partners may cancel until the event starts (CancellationClosed after); organisers at any time.
    """
    with write():
        registration = db.session.get_one(Registration, registration_id)
        event = places.lock_event(registration.event_id)
        db.session.refresh(registration)
        if registration.status == RegistrationStatus.CANCELLED:
            return []
        if not (by_organiser or can_cancel(registration)):
            raise CancellationClosed
        promoted = places.cancel(registration, event)
        mails.cancelled(registration)
        for other in promoted:
            mails.promoted(other)
    return promoted


# The organisers' actions on one registration in the back office: each is previewed on a confirmation page first,
# and carried out only if the preview still holds, so the mails that go are the ones the organiser was shown.

RESTORED = MailKind("restored", _l("Your registration for %(title)s is back"), "REQUEST",
                    context=lambda registration: {"rank": places.waitlist_rank(registration)})
LINK_RESENT = MailKind("link_resent", _l("Your personal link for %(title)s"))
# At most one personal link sent by the organisers per registration in this time, whoever asks.
LINK_RESENT_INTERVAL = timedelta(hours=1)


def register_mail_kinds() -> None:
    """Tell the mail area about the back office's mails (the events blueprint does, when it is registered)."""
    kinds.register(RESTORED, LINK_RESENT)


# An erased person's registrations were given up and their address replaced: nothing may bring either back.
ERASED = _l("This person's details are erased at their request.")
NO_ADDRESS = _l("This person has no email address: add one in the directory first.")


class PreviewChanged(Exception):
    """Who would get a place changed between the confirmation page and the confirmation."""


class CannotRestore(Exception):
    """The registration cannot be given back; the message says why."""


def promotions_on_cancel(registration: Registration) -> list[Registration]:
    """Who would move from the waiting list to a place if this registration were cancelled now, in order."""
    event = registration.event
    if registration.status != RegistrationStatus.CONFIRMED or event.status == EventStatus.CANCELLED \
            or event.ends_at <= utcnow():
        return []
    free = event.capacity - (event.confirmed_count - 1)
    waiting = db.session.scalars(select(Registration).where(
        Registration.event_id == event.id, Registration.status == RegistrationStatus.WAITLISTED)
        .order_by(Registration.waitlist_position).limit(max(free, 0)))
    return list(waiting)


def cancel_by_organiser(registration_id: int, expected_promotions: list[int]) -> list[Registration]:
    """Cancel a registration from the back office, provided the people promoted are those the organiser saw."""
    with write():
        registration = db.session.get_one(Registration, registration_id)
        places.lock_event(registration.event_id)
        db.session.refresh(registration)
        if [r.id for r in promotions_on_cancel(registration)] != expected_promotions:
            raise PreviewChanged
        return cancel_registration(registration_id, by_organiser=True)


def restore_outcome(registration: Registration) -> int | None:
    """What undoing this cancellation would do now: None for a place, else the rank on the waiting list.

    Raises CannotRestore when it cannot be undone."""
    event = registration.event
    if registration.status != RegistrationStatus.CANCELLED:
        raise CannotRestore(_l("This registration is not cancelled."))
    if registration.partner.erased_at is not None:
        raise CannotRestore(ERASED)
    if event.status == EventStatus.CANCELLED or event.ends_at <= utcnow():
        raise CannotRestore(_l("The event is cancelled or over: the registration cannot be given back."))
    if active_registration(event, registration.partner) is not None:
        raise CannotRestore(_l("%(name)s has registered again meanwhile.", name=registration.partner.full_name))
    if event.free_places > 0:
        return None
    waiting = db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.event_id == event.id, Registration.status == RegistrationStatus.WAITLISTED))
    return (waiting or 0) + 1


def restore_registration(registration_id: int, expected_rank: int | None) -> Registration:
    """Undo a cancellation: the place back if one is free, else the end of the waiting list; a mail says which."""
    with write():
        registration = db.session.get_one(Registration, registration_id)
        event = places.lock_event(registration.event_id)
        db.session.refresh(registration)
        if restore_outcome(registration) != expected_rank:
            raise PreviewChanged
        registration.cancelled_at = None
        _free_the_mail_keys(registration)
        try:
            places.confirm(registration, event)
        except places.CapacityError:
            places.put_on_waiting_list(registration, event)
        db.session.flush()
        mails.enqueue(RESTORED.name, registration, key=f"restored:{registration.id}:{uuid.uuid4().hex}")
        if registration.status == RegistrationStatus.CONFIRMED:
            mails.schedule(registration)
    return registration


def _free_the_mail_keys(registration: Registration) -> None:
    """Keep the rows of the mails sent before the cancellation, under keys that no longer stand in the way of the
    same kinds of mail now (the outbox makes one row per key): a second cancellation, a new promotion, and the
    scheduled mails of the place given back, which the cancellation withdrew."""
    once = [f"{name}:{registration.id}" for name in (mails.Kind.CANCELLED, mails.Kind.PROMOTED)]
    scheduled = [f"{kind.name}:{registration.id}" for kind in kinds.scheduled()]
    db.session.execute(update(OutboxMail).where(or_(
        OutboxMail.idempotency_key.in_(once),
        and_(OutboxMail.idempotency_key.in_(scheduled), OutboxMail.status != MailStatus.PENDING)))
        .values(idempotency_key=OutboxMail.idempotency_key + f":before-undo:{uuid.uuid4().hex[:12]}")
        .execution_options(synchronize_session=False))


class LinkSentRecently(Exception):
    """The organisers sent this registration's personal link a short while ago."""


def link_resent_recently(registration: Registration) -> bool:
    """Whether the organisers sent this personal link within LINK_RESENT_INTERVAL."""
    return db.session.scalar(select(OutboxMail.id).where(
        OutboxMail.registration_id == registration.id, OutboxMail.kind == LINK_RESENT.name,
        OutboxMail.created_at > utcnow() - LINK_RESENT_INTERVAL).limit(1)) is not None


def resend_personal_link(registration_id: int) -> None:
    """Mail the partner their personal link, asked for by an organiser; at most once per LINK_RESENT_INTERVAL, so
    that nobody in the back office can flood a partner's mailbox (the organiser never sees the link)."""
    with write():
        registration = db.session.get_one(Registration, registration_id)
        places.lock_event(registration.event_id)  # two clicks at once send one mail
        if registration.status == RegistrationStatus.CANCELLED:
            raise CannotRestore(_l("This registration is cancelled."))
        if registration.partner.erased_at is not None:
            raise CannotRestore(ERASED)
        if registration.partner.email is None:
            raise CannotRestore(NO_ADDRESS)
        if link_resent_recently(registration):
            raise LinkSentRecently
        mails.enqueue(LINK_RESENT.name, registration, key=f"link_resent:{registration.id}:{uuid.uuid4().hex}")
