"""Zone settings, gemeenten, clusters and sectors: reference data that organisers maintain."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from speeddate.database import write
from speeddate.extensions import db
from speeddate.models import Cluster, Event, Gemeente, Partner, Sector, ZoneSettings, partner_gemeenten
from speeddate.zone.settings import forget_zone_settings


class ZoneError(Exception):
    """A change to the reference data that would break something; the message says what."""


def save_settings(name: str, contact_email: str, default_language: str, ask_languages: bool = False) -> None:
    """Store the zone's name, contact address, default language and whether partners are asked their languages."""
    with write():
        settings = db.session.scalar(select(ZoneSettings).limit(1))
        if settings is None:
            settings = ZoneSettings()
            db.session.add(settings)
        settings.name, settings.contact_email, settings.default_language = name, contact_email, default_language
        settings.ask_languages = ask_languages
    forget_zone_settings()


def sectors_by_cluster() -> list[Cluster]:
    """Clusters in their order, each with its sectors."""
    return list(db.session.scalars(select(Cluster).order_by(Cluster.position, Cluster.name)))


def all_gemeenten() -> list[Gemeente]:
    """The zone's gemeenten by name."""
    return list(db.session.scalars(select(Gemeente).order_by(Gemeente.name)))


def _name_taken(model, name: str, exclude_id: int | None = None) -> bool:
    statement = select(model.id).where(func.lower(model.name) == name.lower())
    if exclude_id is not None:
        statement = statement.where(model.id != exclude_id)
    return db.session.scalar(statement) is not None


def save_gemeente(name: str, gemeente_id: int | None = None) -> Gemeente:
    """Add a gemeente, or rename one; names are unique in any letter case."""
    with write():
        if _name_taken(Gemeente, name, gemeente_id):
            raise ZoneError(_l("%(name)s exists already.", name=name))
        gemeente = db.session.get_one(Gemeente, gemeente_id) if gemeente_id else Gemeente()
        gemeente.name = name
        db.session.add(gemeente)
    return gemeente


def delete_gemeente(gemeente_id: int) -> None:
    """Remove a gemeente that no event and no partner refers to."""
    with write():
        used = (db.session.scalar(select(func.count()).select_from(Event).where(Event.gemeente_id == gemeente_id))
                or db.session.scalar(select(func.count()).select_from(partner_gemeenten)
                                     .where(partner_gemeenten.c.gemeente_id == gemeente_id)))
        if used:
            raise ZoneError(_l("This gemeente is used by events or partners; rename it instead."))
        db.session.delete(db.session.get_one(Gemeente, gemeente_id))


def save_cluster(name: str) -> Cluster:
    """Add a cluster at the end of the list."""
    with write():
        if _name_taken(Cluster, name):
            raise ZoneError(_l("%(name)s exists already.", name=name))
        position = (db.session.scalar(select(func.max(Cluster.position))) or 0) + 1
        cluster = Cluster(name=name, position=position)
        db.session.add(cluster)
    return cluster


def save_sector(cluster_id: int, name: str, name_fr: str, name_en: str, sector_id: int | None = None) -> Sector:
    """Add a sector to a cluster, or change one (names, cluster)."""
    with write():
        if _name_taken(Sector, name, sector_id):
            raise ZoneError(_l("%(name)s exists already.", name=name))
        sector = db.session.get_one(Sector, sector_id) if sector_id else Sector(
            position=(db.session.scalar(select(func.max(Sector.position))) or 0) + 1)
        sector.cluster = db.session.get_one(Cluster, cluster_id)
        sector.name, sector.name_fr, sector.name_en = name, name_fr, name_en
        db.session.add(sector)
    return sector


def delete_sector(sector_id: int) -> None:
    """Remove a sector no partner belongs to."""
    with write():
        if db.session.scalar(select(func.count()).select_from(Partner).where(Partner.sector_id == sector_id)):
            raise ZoneError(_l("Partners belong to this sector; rename it instead."))
        db.session.delete(db.session.get_one(Sector, sector_id))
