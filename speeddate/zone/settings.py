"""The zone's settings as every part of the service reads them: the locale selector, mails, calendars, pages.

A module of its own, below every area, because the infrastructure (i18n) and several areas read the settings
while only the zone area changes them.
"""

from flask import g
from sqlalchemy import select

from speeddate.extensions import db
from speeddate.models import ZoneSettings

DEFAULT_ZONE_NAME = "Eerstelijnszone"


def zone_settings() -> ZoneSettings:
    """The zone's settings (read once per app context); unsaved defaults until someone stores them."""
    if "zone_settings" not in g:
        settings = db.session.scalar(select(ZoneSettings).limit(1))
        g.zone_settings = settings or ZoneSettings(name=DEFAULT_ZONE_NAME, contact_email="", default_language="nl")
    return g.zone_settings


def forget_zone_settings() -> None:
    """Read the settings again next time (after they changed in this app context)."""
    g.pop("zone_settings", None)
