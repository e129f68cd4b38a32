"""Partners (people, no account) and their organisations."""

from datetime import datetime

from sqlalchemy import Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from speeddate.extensions import db
from speeddate.models.base import utcnow
from speeddate.models.zone import Gemeente, Sector

partner_gemeenten = Table(
    "partner_gemeenten",
    db.metadata,
    Column("partner_id", ForeignKey("partners.id", ondelete="CASCADE"), primary_key=True),
    Column("gemeente_id", ForeignKey("gemeenten.id", ondelete="CASCADE"), primary_key=True),
)


def normalise_email(email: str) -> str:
    """The form in which emails are stored and compared: stripped and lower-cased."""
    return email.strip().lower()


class Organisation(db.Model):
    """A partner organisation; suggested to people registering."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)


class Partner(db.Model):
    """A professional or volunteer who registers for events; known by a unique, lower-case email."""

    __tablename__ = "partners"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored stripped and lower-cased, so that the unique constraint is case-insensitive on every database.
    # None only for a walk-in who gave no address at the door: nobody can mail them or reach them by link.
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(40), default="")
    function: Mapped[str] = mapped_column(String(150), default="")
    language: Mapped[str] = mapped_column(String(2), default="nl")
    # Languages the partner can hold a conversation in, codes joined by "|" ("nl|fr"); empty means any.
    languages: Mapped[str] = mapped_column(String(20), default="")
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"))
    sector_id: Mapped[int | None] = mapped_column(ForeignKey("sectors.id", ondelete="SET NULL"))
    consent_share_contacts_at: Mapped[datetime | None]
    consent_followup_at: Mapped[datetime | None]
    consent_invitations_at: Mapped[datetime | None]
    # When the address was shown to be the person's own: they opened a personal link from a mail, or an organiser
    # added them. Anyone can type an address on the public form, so invitations wait for it (SECURITY.md).
    email_confirmed_at: Mapped[datetime | None]
    # Set when the person is erased (on request or by retention): the row stays, anonymous, so that every
    # statistic still counts them; names, email and phone are replaced.
    erased_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    organisation: Mapped[Organisation | None] = relationship()
    sector: Mapped[Sector | None] = relationship()
    gemeenten: Mapped[list[Gemeente]] = relationship(secondary=partner_gemeenten, order_by=Gemeente.name)

    @property
    def full_name(self) -> str:
        """First and last name, as people write them."""
        return f"{self.first_name} {self.last_name}"
