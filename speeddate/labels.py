"""What statuses and types are called in the interface, in one place for templates, forms, services and mails."""

from flask_babel import lazy_gettext as _l

from speeddate.models import EventStatus, EventType, MailStatus, RegistrationStatus

TYPE_LABELS = {
    EventType.ELP: _l("Eerstelijnsplatform"),
    EventType.LUNCHWEBINAR: _l("Lunchwebinar"),
    EventType.SPEEDDATE: _l("Speeddate"),
    EventType.OTHER: _l("Other event"),
}
STATUS_LABELS = {
    EventStatus.DRAFT: _l("draft"),
    EventStatus.PUBLISHED: _l("published"),
    EventStatus.CLOSED: _l("closed"),
    EventStatus.CANCELLED: _l("cancelled"),
}
REGISTRATION_STATUS_LABELS = {
    RegistrationStatus.CONFIRMED: _l("confirmed"),
    RegistrationStatus.WAITLISTED: _l("on the waiting list"),
    RegistrationStatus.CANCELLED: _l("cancelled"),
}
MAIL_STATUS_LABELS = {
    MailStatus.PENDING: _l("waiting"),
    MailStatus.SENDING: _l("being sent"),
    MailStatus.SENT: _l("sent"),
    MailStatus.FAILED: _l("failed"),
    MailStatus.CANCELLED: _l("no longer needed"),
    MailStatus.UNCERTAIN: _l("may have been sent"),
    MailStatus.HELD: _l("held"),
    MailStatus.WITHDRAWN: _l("withdrawn"),
}

# Keyed by name, not by the areas' enums: this module sits below every area that declares a kind of mail.
MAIL_KIND_LABELS = {
    "confirmed": _l("registration confirmed"),
    "waitlisted": _l("on the waiting list"),
    "promoted": _l("place came free"),
    "link_again": _l("personal link again"),
    "cancelled": _l("registration cancelled"),
    "event_changed": _l("event changed"),
    "event_cancelled": _l("event cancelled"),
    "event_reopened": _l("event re-opened"),
    "reminder": _l("reminder"),
    "webinar_link": _l("webinar link"),
    "invitation": _l("invitation"),
    "evaluation": _l("evaluation"),
    "evaluation_reminder": _l("evaluation reminder"),
    "followup": _l("follow-up"),
    "who_you_met": _l("who you met"),
}


def type_label(kind: EventType | str) -> str:
    """An event type in the interface language."""
    return str(TYPE_LABELS[EventType(kind)])


def status_label(status: EventStatus) -> str:
    """An event's status in the interface language."""
    return str(STATUS_LABELS[status])


def registration_status_label(status: RegistrationStatus) -> str:
    """A registration's status in the interface language."""
    return str(REGISTRATION_STATUS_LABELS[status])


def mail_status_label(status: MailStatus) -> str:
    """A mail's status in the outbox, in the interface language."""
    return str(MAIL_STATUS_LABELS[status])


def mail_kind_label(kind: str) -> str:
    """A kind of mail in the interface language; a kind without a label (a newer area's) shows its name."""
    label = MAIL_KIND_LABELS.get(kind)
    return str(label) if label is not None else kind.replace("_", " ")
