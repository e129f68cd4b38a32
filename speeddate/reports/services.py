"""Exports of an event's registrations and catering counts, as CSV or XLSX."""

from collections import Counter

from flask_babel import gettext as _
from sqlalchemy import select

from speeddate.events.places import waitlist_rank
from speeddate.exports import Row, export_table, to_xlsx_sheets
from speeddate.extensions import db
from speeddate.i18n import to_local
from speeddate.models import Event, Registration, RegistrationStatus

REGISTRATION_COLUMNS = (
    "id", "status", "waitlist_position", "first_name", "last_name", "email", "phone", "organisation",
    "sector", "cluster", "function", "gemeenten", "language", "dietary", "attended", "registered_at",
    "consent_share_contacts",
)
CATERING_COLUMNS = ("dietary", "count")


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


def export(event: Event, what: str, file_format: str) -> bytes:
    """The registrations or catering list of an event in CSV or XLSX."""
    columns, rows = ((REGISTRATION_COLUMNS, registration_rows(event)) if what == "registrations"
                     else (CATERING_COLUMNS, catering_rows(event)))
    return export_table(columns, rows, what, file_format)


def indicators_xlsx(figures: dict) -> bytes:
    """The year report as a workbook laid out for the annual report: one sheet per part, numbers as numbers."""
    summary = [
        (_("Events held"), figures["events_held"]),
        (_("Events spread from third parties"), figures["events_spread"]),
        (_("Registrations (confirmed)"), figures["registrations"]),
        (_("Still on a waiting list"), figures["waitlisted"]), (_("Attended"), figures["attended"]),
        (_("No-show rate"), figures["no_show_rate"]), (_("Unique partners reached"), figures["unique_partners"]),
        (_("Unique organisations reached"), figures["unique_organisations"]),
        (_("Sectors reached"), len(figures["sectors_reached"])),
        (_("Clusters reached"), len(figures["clusters_reached"])),
        (_("Clusters missing"), ", ".join(figures["clusters_missing"])),
        (_("Evaluation mean"), figures["evaluation_mean"]), (_("Evaluation target"), figures["evaluation_target"]),
        (_("Response rate"), figures["response_rate"]),
        (_("Share who used a new contact"), figures["new_contact_share"]),
        (_("Referrals"), figures["referrals"]), (_("Collaborations"), figures["collaborations"]),
    ]
    part_columns = ("events", "registrations", "participants", "no_show_rate")
    return to_xlsx_sheets([
        (_("Summary"), (_("Figure"), _("Value")), [(str(name), value) for name, value in summary]),
        (_("Per event type"), ("type", *part_columns), [tuple(r.values()) for r in figures["by_type"]]),
        (_("Per gemeente"), ("gemeente", *part_columns), [tuple(r.values()) for r in figures["by_gemeente"]]),
        (_("Per event"), ("date", "title", "type", "gemeente", "registrations", "participants"),
         [tuple(r.values()) for r in figures["per_event"]]),
        (_("Clusters"), ("cluster", "participants"), list(figures["participants_per_cluster"].items())),
        (_("Sectors reached"), ("sector",), [(name,) for name in figures["sectors_reached"]]),
        (_("Evaluation"), ("title", "mean", "responses"),
         [(r["title"], r["mean"], r["responses"]) for r in figures["evaluation_per_event"]]),
    ])
