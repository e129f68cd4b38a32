"""The registration behind a personal link, for every blueprint that serves pages under /r/<token>."""

from flask import abort, g

from speeddate.models import Registration
from speeddate.partners.services import confirm_address, registration_for_link


def registration_or_404(token: str) -> Registration:
    """The link's registration (404 for a made-up, altered or erased one); its pages speak the partner's language."""
    registration = registration_for_link(token)
    if registration is None or registration.partner.erased_at is not None:
        abort(404)
    if registration.partner.email_confirmed_at is None:
        confirm_address(registration.partner_id)
    g.partner_language = registration.partner.language
    return registration
