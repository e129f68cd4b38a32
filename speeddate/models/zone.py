"""The zone itself: its settings, gemeenten, clusters and sectors."""

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from speeddate.extensions import db


class ZoneSettings(db.Model):
    """The single row describing the eerstelijnszone using this installation."""

    __tablename__ = "zone_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    default_language: Mapped[str] = mapped_column(String(2), default="nl")
    # Whether the registration form asks which languages a partner can hold a conversation in (for seating).
    ask_languages: Mapped[bool] = mapped_column(default=False)


class Gemeente(db.Model):
    """A municipality of the zone."""

    __tablename__ = "gemeenten"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)


class Cluster(db.Model):
    """A group of sectors (Zorg, Welzijn, Lokaal bestuur, ...)."""

    __tablename__ = "clusters"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    position: Mapped[int] = mapped_column(default=0)
    sectors: Mapped[list["Sector"]] = relationship(back_populates="cluster", order_by="Sector.position")


class Sector(db.Model):
    """What a partner's organisation does, with its French and English names."""

    __tablename__ = "sectors"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    name_fr: Mapped[str] = mapped_column(String(100), default="")
    name_en: Mapped[str] = mapped_column(String(100), default="")
    position: Mapped[int] = mapped_column(default=0)
    cluster_id: Mapped[int] = mapped_column(ForeignKey("clusters.id", ondelete="RESTRICT"))
    cluster: Mapped[Cluster] = relationship(back_populates="sectors")

    def label(self, language: str) -> str:
        """The sector's name in the given language, Dutch when no translation is known."""
        return {"fr": self.name_fr, "en": self.name_en}.get(language) or self.name
