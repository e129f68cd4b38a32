"""The partner survey's mails, as outbox rows: the invitation with the partner's personal link, and a reminder
round. Each is rendered in the partner's language when it is queued; its key (survey, partner, and the round of a
reminder) makes a second one impossible. The worker sends them like any other mail."""

import enum

from flask import render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from speeddate import tokens
from speeddate.mail.services import withdraw, without_personal_links
from speeddate.models import MailStatus, OutboxMail, Partner, PartnerSurvey
from speeddate.models.base import utcnow
from speeddate.urls import external_url
from speeddate.zone.settings import zone_settings


class PartnerSurveyMail(enum.StrEnum):
    """The kinds of mail of partner surveys (the outbox's kind column)."""

    INVITATION = "partner_survey"
    REMINDER = "partner_survey_reminder"


SUBJECTS = {
    PartnerSurveyMail.INVITATION: _l("Your opinion, please: %(title)s"),
    PartnerSurveyMail.REMINDER: _l("Reminder: %(title)s"),
}


def invitation(survey: PartnerSurvey, partner: Partner, signed_token: str) -> OutboxMail:
    """The survey's mail to one partner (not added to the session: the caller adds it, or shows it)."""
    return _row(PartnerSurveyMail.INVITATION, f"partner_survey:{survey.id}:{partner.id}", survey, partner,
                signed_token)


def reminder(survey: PartnerSurvey, partner: Partner, signed_token: str, round_number: int) -> OutboxMail:
    """Reminder round `round_number` to one partner."""
    return _row(PartnerSurveyMail.REMINDER, f"partner_survey_reminder:{survey.id}:{partner.id}:{round_number}",
                survey, partner, signed_token)


def withdraw_reminders(survey: PartnerSurvey, partner_id: int) -> None:
    """A named survey's reminders not yet sent to a partner who has just answered (never for an anonymous survey:
    a reminder withdrawn next to a name would tell who answered)."""
    withdraw(OutboxMail.kind == PartnerSurveyMail.REMINDER.value, OutboxMail.partner_id == partner_id,
             OutboxMail.idempotency_key.startswith(f"partner_survey_reminder:{survey.id}:{partner_id}:"))


def shown_to_organisers(body: str) -> str:
    """A mail as organisers may read it: the personal link's token left out (it opens the partner's answers)."""
    return without_personal_links(body)


def _row(kind: PartnerSurveyMail, key: str, survey: PartnerSurvey, partner: Partner, signed_token: str) -> OutboxMail:
    now = utcnow()
    unsubscribe_url = external_url("partners.unsubscribe", token=tokens.unsubscribe_token(partner.id))
    language = partner.language
    with force_locale(language):
        context = {"zone": zone_settings(), "survey": survey, "partner": partner, "language": language,
                   "title": survey.text("title", language), "intro": survey.text("intro", language),
                   "link": external_url("partner_surveys.answer", token=signed_token),
                   "unsubscribe_url": unsubscribe_url}
        subject = str(SUBJECTS[kind]) % {"title": context["title"]}
        text = render_template(f"email/{kind.value}.txt", **context)
        html = render_template(f"email/{kind.value}.html", **context)
    return OutboxMail(idempotency_key=key, kind=kind.value, status=MailStatus.PENDING, attempts=0, last_error="",
                      due_at=now, next_attempt_at=now, recipient=partner.email, language=language,
                      subject=subject[:300], body_text=text, body_html=html, unsubscribe_url=unsubscribe_url,
                      partner_id=partner.id)
