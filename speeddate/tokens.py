"""Personal and unsubscribe links, and the keys behind them.

Keys are kept apart by purpose. SECRET_KEY is Flask's: it signs session and remember cookies and CSRF tokens, so
rotating it ends every organiser's session. LINK_SECRET_KEY is behind everything that must outlive such a
rotation: personal links in mails, unsubscribe links, the keyed hashes of evaluation respondents and of rate-limit
buckets. Each purpose uses its own key derived from it (an itsdangerous salt, or an HMAC of the purpose), so one
never stands in for another. Unset, LINK_SECRET_KEY is SECRET_KEY, which is what every link was signed with before
the two were separated: links already sent keep working either way.
"""

import hashlib
import hmac
import secrets

from flask import current_app
from itsdangerous import BadSignature, Signer, URLSafeSerializer

from speeddate.extensions import db
from speeddate.models import Partner

_SALT = "speeddate.registration"
_UNSUBSCRIBE_SALT = "speeddate.unsubscribe"


def link_secret() -> str:
    """The master key of links and stored keyed hashes: LINK_SECRET_KEY, else SECRET_KEY."""
    return current_app.config.get("LINK_SECRET_KEY") or current_app.config["SECRET_KEY"]


def purpose_key(purpose: str) -> bytes:
    """A key for one purpose only, derived from the link secret: one purpose's key tells nothing of another's."""
    return hmac.new(link_secret().encode(), f"speeddate.{purpose}".encode(), hashlib.sha256).digest()


def new_token() -> str:
    """A random, unguessable token (192 bits)."""
    return secrets.token_urlsafe(24)


def sign(token: str) -> str:
    """The token as it appears in a personal link."""
    return Signer(link_secret(), salt=_SALT).sign(token).decode()


def unsign(signed: str) -> str | None:
    """The stored token behind a personal link, or None when the link was altered or made up."""
    try:
        return Signer(link_secret(), salt=_SALT).unsign(signed).decode()
    except (BadSignature, UnicodeError):
        return None


def unsubscribe_token(partner_id: int) -> str:
    """A signed token for one partner's one-click unsubscribe link, bound to their email address.

    A partner id alone is not enough: SQLite gives a deleted (merged) partner's id to the next new one, whose
    invitations the old link would then stop. The keyed hash of the address names the person, not the row.
    """
    partner = db.session.get_one(Partner, partner_id)
    return URLSafeSerializer(link_secret(), salt=_UNSUBSCRIBE_SALT).dumps([partner.id, _email_tag(partner.email)])


def partner_for_unsubscribe(token: str) -> Partner | None:
    """The partner an unsubscribe link was made for; None when it was altered, made up or made for someone else."""
    try:
        value = URLSafeSerializer(link_secret(), salt=_UNSUBSCRIBE_SALT).loads(token)
    except BadSignature:
        return None
    if not (isinstance(value, list) and len(value) == 2 and type(value[0]) is int and isinstance(value[1], str)):
        return None  # also the links made before they were bound to an address: they named an id only
    partner = db.session.get(Partner, value[0])
    if partner is None or not hmac.compare_digest(_email_tag(partner.email), value[1]):
        return None
    return partner


def _email_tag(email: str) -> str:
    return hmac.new(purpose_key("unsubscribe"), email.strip().lower().encode(), hashlib.sha256).hexdigest()[:32]
