"""The surveys' mails: the evaluation invitation and its reminder, and the follow-up survey.

Registered with the mail area when the surveys blueprint is (see views.py), so that the mail area imports nothing
from here: each kind says when it is due and, just before it is sent, whether it is still wanted.
"""

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l

from speeddate import tokens
from speeddate.mail import kinds
from speeddate.mail.kinds import MailKind
from speeddate.models import Registration
from speeddate.surveys.answers import has_responded
from speeddate.surveys.windows import (
    Window,
    evaluation_invitation_at,
    evaluation_reminder_at,
    evaluation_window,
    followup_opens_at,
    followup_window,
)
from speeddate.urls import external_url


class SurveyMail(enum.StrEnum):
    """The kinds of mail the surveys area sends."""

    EVALUATION = "evaluation"
    EVALUATION_REMINDER = "evaluation_reminder"
    FOLLOWUP = "followup"


def _evaluation_wanted(registration: Registration, due_at: datetime) -> bool:
    """Only to people who took part, while the form is open."""
    return evaluation_window(registration, due_at) == Window.OPEN


def _evaluation_reminder_wanted(registration: Registration, due_at: datetime) -> bool:
    """Only to people who took part and, when the evaluation is named, have not answered yet."""
    # An anonymous evaluation's reminder goes to everyone who took part: a reminder withdrawn next to a name in
    # the outbox would tell the organisers who answered.
    return _evaluation_wanted(registration, due_at) and (
        registration.event.evaluation_anonymous or not has_responded(registration))


def _followup_due(registration: Registration) -> datetime | None:
    """When the follow-up goes out; never without the partner's consent to it."""
    opens = followup_opens_at(registration.event)
    return opens if opens and registration.partner.consent_followup_at is not None else None


def _followup_wanted(registration: Registration, due_at: datetime) -> bool:
    """Only while the partner took part and still consents."""
    return followup_window(registration, due_at) != Window.NOT_FOR_YOU


def _evaluation_link(registration: Registration) -> dict[str, object]:
    return {"evaluation_link": external_url("surveys.evaluation", token=tokens.sign(registration.token))}


def _followup_link(registration: Registration) -> dict[str, object]:
    return {"followup_link": external_url("surveys.followup", token=tokens.sign(registration.token))}


KINDS = (
    MailKind(SurveyMail.EVALUATION, _l("How was %(title)s?"), due_at=lambda r: evaluation_invitation_at(r.event),
             still_wanted=_evaluation_wanted, context=_evaluation_link, late=True),
    MailKind(SurveyMail.EVALUATION_REMINDER, _l("Reminder: how was %(title)s?"),
             due_at=lambda r: evaluation_reminder_at(r.event), still_wanted=_evaluation_reminder_wanted,
             context=_evaluation_link),
    MailKind(SurveyMail.FOLLOWUP, _l("Did you use your new contacts from %(title)s?"), due_at=_followup_due,
             still_wanted=_followup_wanted, context=_followup_link, late=True),
)


def register_mail_kinds() -> None:
    """Tell the mail area about the surveys' mails."""
    kinds.register(*KINDS)
