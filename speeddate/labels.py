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
