"""The partner form's sector and gemeente choices, built once per process and read from memory on each request.

Every registration form shows every sector in the reader's language and every gemeente; rebuilding them took
about a fifth of a registration's time. The built choices carry the version stamp of the zone's reference data
(models.cache); each request reads that stamp (one small query) and rebuilds only when it changed. A change to a
sector, cluster or gemeente through any process bumps the stamp in the same transaction, so each gunicorn worker
sees it on its next request.
"""

import threading
from dataclasses import dataclass

from sqlalchemy import event, select, update
from sqlalchemy.orm import Session
from wtforms import SelectChoice

from speeddate.extensions import db
from speeddate.forms_common import parse_id
from speeddate.models import CacheVersion, Cluster, Gemeente, Sector
from speeddate.partners.fields import LANGUAGES

REFERENCE = "reference"
REFERENCE_MODELS = (Sector, Cluster, Gemeente)


@dataclass(frozen=True)
class Choices:
    """What the form offers and accepts, at one version of the reference data."""

    version: int
    sectors: dict[str, tuple[SelectChoice, ...]]  # per language, in cluster then sector order
    gemeenten: tuple[SelectChoice, ...]
    # A sector or gemeente as the form may name it: its id, or its name in any language and letter case.
    sector_ids: dict[str, int]
    gemeente_ids: dict[str, int]

    def sector_id(self, value: str) -> int | None:
        return self.sector_ids.get(_key(value))

    def gemeente_id(self, value: str) -> int | None:
        return self.gemeente_ids.get(_key(value))


_built: Choices | None = None
_building = threading.Lock()


def current() -> Choices:
    """The choices at the database's current version of the reference data."""
    global _built
    version = db.session.scalar(select(CacheVersion.version).where(CacheVersion.name == REFERENCE)) or 0
    built = _built
    if built is None or built.version != version:
        with _building:
            built = _built = _build(version)
    return built


def _build(version: int) -> Choices:
    """Two queries: the sectors with their clusters, and the gemeenten."""
    rows = db.session.execute(select(Sector, Cluster.name).join(Cluster, Sector.cluster_id == Cluster.id)
                              .order_by(Cluster.position, Cluster.name, Sector.position, Sector.name)).all()
    gemeenten = db.session.execute(select(Gemeente.id, Gemeente.name).order_by(Gemeente.name)).all()
    sectors = {language: (SelectChoice("", "—"),) + tuple(
        SelectChoice(str(sector.id), sector.label(language), optgroup=cluster) for sector, cluster in rows)
        for language in LANGUAGES}
    sector_ids: dict[str, int] = {}
    for sector, _cluster in rows:
        for name in (sector.name, sector.name_fr, sector.name_en):
            if name:
                sector_ids.setdefault(_key(name), sector.id)
    gemeente_ids = {_key(name): number for number, name in gemeenten}
    # Ids last: a number always means an id, as the form's values are ids.
    sector_ids.update({str(sector.id): sector.id for sector, _cluster in rows})
    gemeente_ids.update({str(number): number for number, _name in gemeenten})
    return Choices(version, sectors, tuple(SelectChoice(str(number), name) for number, name in gemeenten),
                   sector_ids, gemeente_ids)


def _key(value: str) -> str:
    number = parse_id(value or "")
    return str(number) if number else (value or "").strip().lower()


@event.listens_for(Session, "before_flush")
def _bump_when_reference_data_changes(session: Session, _context: object, _instances: object) -> None:
    """A sector, cluster or gemeente added, changed or removed: bump the stamp in the same transaction (so a
    rolled-back change bumps nothing) and forget this process's copy at once."""
    global _built
    changed = [*session.new, *session.deleted, *(instance for instance in session.dirty
                                                  if isinstance(instance, REFERENCE_MODELS)
                                                  and session.is_modified(instance, include_collections=False))]
    if not any(isinstance(instance, REFERENCE_MODELS) for instance in changed):
        return
    _built = None
    bumped = session.execute(update(CacheVersion).where(CacheVersion.name == REFERENCE)
                             .values(version=CacheVersion.version + 1).execution_options(synchronize_session=False))
    if not bumped.rowcount:  # type: ignore[attr-defined]
        session.add(CacheVersion(name=REFERENCE, version=1))
