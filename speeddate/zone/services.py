"""Zone settings, gemeenten, clusters and sectors."""

from sqlalchemy import select

from speeddate.extensions import db
from speeddate.models import Cluster, Gemeente, ZoneSettings

DEFAULT_ZONE_NAME = "Eerstelijnszone"


def zone_settings() -> ZoneSettings:
    """The zone's settings; unsaved defaults until an organiser or `flask demo` stores them."""
    settings = db.session.scalar(select(ZoneSettings).limit(1))
    return settings or ZoneSettings(name=DEFAULT_ZONE_NAME, contact_email="", default_language="nl")


def sectors_by_cluster() -> list[Cluster]:
    """Clusters in their order, each with its sectors."""
    return list(db.session.scalars(select(Cluster).order_by(Cluster.position, Cluster.name)))


def all_gemeenten() -> list[Gemeente]:
    """The zone's gemeenten by name."""
    return list(db.session.scalars(select(Gemeente).order_by(Gemeente.name)))

