"""Exports of an event's registrations and catering counts, as CSV or XLSX."""

import csv
import io
from collections import Counter
from collections.abc import Iterable, Sequence

from openpyxl import Workbook
from sqlalchemy import select

from speeddate.events.places import waitlist_rank
from speeddate.extensions import db
from speeddate.i18n import to_local
from speeddate.models import Event, Registration, RegistrationStatus

REGISTRATION_COLUMNS = (
    "id", "status", "waitlist_position", "first_name", "last_name", "email", "phone", "organisation",
    "sector", "cluster", "function", "gemeenten", "language", "dietary", "attended", "registered_at",
    "consent_share_contacts",
)
CATERING_COLUMNS = ("dietary", "count")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Row = Sequence[object]


def registration_rows(event: Event) -> list[Row]:
    """One row per registration: confirmed, then the waiting list in order, then cancelled."""
    order = {RegistrationStatus.CONFIRMED: 0, RegistrationStatus.WAITLISTED: 1, RegistrationStatus.CANCELLED: 2}
    registrations = sorted(
        db.session.scalars(select(Registration).where(Registration.event_id == event.id)),
        key=lambda r: (order[r.status], r.waitlist_position or 0, r.partner.last_name.lower(), r.id))
    return [_registration_row(registration) for registration in registrations]


def _registration_row(registration: Registration) -> Row:
    partner = registration.partner
    return (
        registration.id, registration.status.value, waitlist_rank(registration) or "", partner.first_name,
        partner.last_name, partner.email, partner.phone, partner.organisation.name if partner.organisation else "",
        partner.sector.name if partner.sector else "", partner.sector.cluster.name if partner.sector else "",
        partner.function, "|".join(g.name for g in partner.gemeenten), partner.language, registration.dietary,
        "yes" if registration.attended else "no",
        to_local(registration.created_at).strftime("%Y-%m-%d %H:%M"),
        "yes" if partner.consent_share_contacts_at else "no",
    )


def catering_rows(event: Event) -> list[Row]:
    """Confirmed people per dietary need (same need in any letter case counted together), and the total."""
    confirmed = db.session.scalars(select(Registration.dietary).where(
        Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED))
    counts: Counter[str] = Counter()
    spelling: dict[str, str] = {}
    for dietary in confirmed:
        key = " ".join(dietary.split()).lower()
        spelling.setdefault(key, " ".join(dietary.split()))
        counts[key] += 1
    rows: list[Row] = [(spelling[key] or "none", count) for key, count in sorted(counts.items(), key=lambda kv: kv[0])]
    rows.append(("total", sum(counts.values())))
    return rows


def _safe(value: object) -> object:
    """Defuse spreadsheet formulas in text that came from a public form."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(columns: Sequence[str], rows: Iterable[Row]) -> bytes:
    """UTF-8 CSV with a BOM (so that Excel shows accents) and a header row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    writer.writerows([_safe(value) for value in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(columns: Sequence[str], rows: Iterable[Row], title: str) -> bytes:
    """An XLSX workbook with one sheet; text is always stored as text, never as a formula."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append(list(columns))
    for row in rows:
        sheet.append(list(row))
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export(event: Event, what: str, file_format: str) -> bytes:
    """The registrations or catering list of an event in CSV or XLSX."""
    columns, rows = ((REGISTRATION_COLUMNS, registration_rows(event)) if what == "registrations"
                     else (CATERING_COLUMNS, catering_rows(event)))
    if file_format == "xlsx":
        return to_xlsx(columns, rows, what)
    return to_csv(columns, rows)
