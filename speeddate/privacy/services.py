"""A partner's own data: download it, erase it; and the retention rule that anonymises inactive people.

Erasing keeps the partner row and its registrations, stripped of everything that identifies the person, so that
every count (registrations, attendance, organisations, sectors, gemeenten reached) stays right.
"""

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select, update

from speeddate import tokens
from speeddate.database import write
from speeddate.directory.services import active_since
from speeddate.events import places
from speeddate.extensions import db
from speeddate.i18n import to_local
from speeddate.mail import services as mails
from speeddate.models import (
    Event,
    MailStatus,
    OutboxMail,
    Partner,
    PartnerSurveyRecipient,
    PartnerSurveyResponse,
    Registration,
    RegistrationStatus,
)
from speeddate.models.base import utcnow
from speeddate.seating import after_the_day, seats

# An erased partner's mails that would still go out (or could be sent again by an organiser) are cancelled.
ERASED_UNSENT = (*mails.UNSENT, MailStatus.FAILED, MailStatus.UNCERTAIN)


def personal_data(partner: Partner) -> dict[str, object]:
    """Everything the zone keeps about the person, as a JSON-ready dict."""
    def when(moment: datetime | None) -> str | None:
        return to_local(moment).isoformat() if moment else None

    registrations = db.session.scalars(select(Registration).where(Registration.partner_id == partner.id)
                                       .order_by(Registration.created_at))
    return {
        "email": partner.email, "first_name": partner.first_name, "last_name": partner.last_name,
        "phone": partner.phone, "function": partner.function, "language": partner.language,
        "organisation": partner.organisation.name if partner.organisation else None,
        "sector": partner.sector.name if partner.sector else None,
        "gemeenten": [g.name for g in partner.gemeenten],
        "consents": {"share_contacts": when(partner.consent_share_contacts_at),
                     "followup": when(partner.consent_followup_at),
                     "invitations": when(partner.consent_invitations_at)},
        "created_at": when(partner.created_at), "updated_at": when(partner.updated_at),
        "registrations": [{"event": r.event.title, "starts_at": when(r.event.starts_at), "status": r.status.value,
                           "attended": r.attended, "dietary": r.dietary, "registered_at": when(r.created_at)}
                          for r in registrations],
        "mails": [{"subject": m.subject, "status": m.status.value, "created_at": when(m.created_at)}
                  for m in db.session.scalars(select(OutboxMail).where(OutboxMail.partner_id == partner.id)
                                              .order_by(OutboxMail.created_at))],
        "partner_surveys": _partner_surveys(partner, when),
    }


def _partner_surveys(partner: Partner, when: Callable[[datetime | None], str | None]) -> list[dict[str, object]]:
    """The partner surveys the person was sent, with their answers to the named ones. An anonymous survey's answers
    are tied to nobody, so they cannot be found, nor shown here (the export says so)."""
    named = {response.survey_id: response for response in db.session.scalars(
        select(PartnerSurveyResponse).where(PartnerSurveyResponse.partner_id == partner.id))}
    result = []
    for recipient in db.session.scalars(select(PartnerSurveyRecipient).where(
            PartnerSurveyRecipient.partner_id == partner.id).order_by(PartnerSurveyRecipient.invited_at)):
        survey, response = recipient.survey, named.get(recipient.survey_id)
        entry: dict[str, object] = {"survey": survey.title_nl, "sent_at": when(recipient.invited_at),
                                    "anonymous": survey.anonymous}
        if response is not None:
            entry["answered_at"] = when(response.submitted_at)
            entry["answers"] = [{"question": answer.question.text(partner.language),
                                 "answer": answer.text if answer.number is None else answer.number}
                                for answer in response.answers]
        result.append(entry)
    return result


def erase_partner(partner_id: int) -> None:
    """Erase one person at their request: upcoming places are given up, then the record is anonymised."""
    with write():
        partner = db.session.get_one(Partner, partner_id)
        if partner.erased_at is None:
            _give_up_upcoming_places(partner)
            _anonymise(partner)


def _give_up_upcoming_places(partner: Partner) -> None:
    upcoming = db.session.scalars(select(Registration).where(
        Registration.partner_id == partner.id, Registration.status != RegistrationStatus.CANCELLED,
        Registration.event.has(Event.starts_at > utcnow())))
    for registration in list(upcoming):
        for promoted in places.cancel(registration, places.lock_event(registration.event_id)):
            mails.promoted(promoted)


def _anonymise(partner: Partner) -> None:
    # Old personal links stop working, and nothing personal stays in the registrations or mails; each
    # registration keeps the organisation and sector for the figures, which the partner row no longer says
    # (an organisation, a sector and a function together can name one person).
    for registration in db.session.scalars(select(Registration).where(Registration.partner_id == partner.id)):
        registration.token = tokens.new_token()
        registration.dietary = ""
        registration.counted_organisation_id = registration.counted_organisation_id or partner.organisation_id
        registration.counted_sector_id = registration.counted_sector_id or partner.sector_id
    partner.email = f"erased-{partner.id}@erased.invalid"
    partner.first_name = partner.last_name = ""
    partner.phone = partner.function = ""
    partner.organisation = partner.sector = None
    partner.consent_share_contacts_at = partner.consent_followup_at = partner.consent_invitations_at = None
    partner.erased_at = utcnow()
    db.session.execute(update(OutboxMail).where(OutboxMail.partner_id == partner.id, OutboxMail.status.in_(
        ERASED_UNSENT)).values(status=MailStatus.CANCELLED)
        .execution_options(synchronize_session=False))
    db.session.execute(update(OutboxMail).where(OutboxMail.partner_id == partner.id).values(
        recipient=partner.email, subject="", body_text="", body_html="", ics=None, unsubscribe_url=None,
        last_error="")
        .execution_options(synchronize_session=False))
    _withdraw_who_you_met_naming(partner)


def _withdraw_who_you_met_naming(partner: Partner) -> None:
    """Who-you-met mails are rendered when queued, so every one to another person that lists this person loses
    its text; a pending or failed one is withdrawn and queued again without them (unless nobody is left to list),
    a sent one keeps only the record that it was sent. Call once their consent is gone."""
    mine = set(db.session.scalars(select(Registration.id).where(Registration.partner_id == partner.id)))
    rows = db.session.scalars(select(OutboxMail).where(
        OutboxMail.kind == after_the_day.WHO_YOU_MET.name, OutboxMail.partner_id != partner.id,
        OutboxMail.event_id.in_(select(Registration.event_id).where(Registration.partner_id == partner.id))))
    for row in list(rows):
        if row.registration is None or not mine & (seats.met_ids(row.registration) or set()):
            continue
        row.body_text = row.body_html = ""
        if row.status in ERASED_UNSENT:
            row.status = MailStatus.CANCELLED
            after_the_day.queue_who_you_met(row.registration, key=f"who_you_met:{row.registration_id}:after:{row.id}")


def inactive_partners(older_than: timedelta) -> list[Partner]:
    """People not yet erased without any activity for that long."""
    return list(db.session.scalars(select(Partner).where(
        Partner.erased_at.is_(None), ~active_since(utcnow() - older_than)).order_by(Partner.id)))


def purge(older_than: timedelta, dry_run: bool = False) -> list[int]:
    """Anonymise everyone inactive for that long, in one transaction; returns their ids."""
    if dry_run:
        return [partner.id for partner in inactive_partners(older_than)]
    with write():
        erased = inactive_partners(older_than)
        for partner in erased:
            _anonymise(partner)
    return [partner.id for partner in erased]
