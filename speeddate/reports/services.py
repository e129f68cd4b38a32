"""Exports of an event's registrations and catering list, and the year report's workbook, as CSV or XLSX.

Each export is written in a `FileStyle`: in the organiser's language (headings and values in words) or in the
machine form for scripts (the column codes below as headings, the stored codes as values).
"""

from collections import defaultdict
from datetime import date

from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from speeddate.exports import FileStyle, Percent, Row, export_table, to_xlsx_sheets
from speeddate.extensions import db
from speeddate.i18n import to_local
from speeddate.labels import registration_status_label, type_label
from speeddate.models import Event, Partner, Registration, RegistrationStatus, Sector
from speeddate.reports import indicators

REGISTRATION_COLUMNS = (
    "id", "status", "waitlist_position", "first_name", "last_name", "email", "phone", "organisation",
    "sector", "cluster", "function", "gemeenten", "language", "dietary", "attended", "registered_at",
    "consent_share_contacts",
)
CATERING_COLUMNS = ("dietary", "count", "names")
HEADINGS = {
    "id": _l("Registration number"), "status": _l("Status"), "waitlist_position": _l("Place on the waiting list"),
    "first_name": _l("First name"), "last_name": _l("Last name"), "email": _l("Email"), "phone": _l("Phone"),
    "organisation": _l("Organisation"), "sector": _l("Sector"), "cluster": _l("Cluster"),
    "function": _l("Function"), "gemeenten": _l("Gemeenten"), "language": _l("Language"),
    "dietary": _l("Dietary needs"), "attended": _l("Attended"), "registered_at": _l("Registered at"),
    "consent_share_contacts": _l("Agrees to share contact details"), "count": _l("Number of people"),
    "names": _l("Names"),
}
LANGUAGE_NAMES = {"nl": "Nederlands", "fr": "Français", "en": "English"}


def headings(columns: tuple[str, ...], style: FileStyle) -> list[str]:
    """The column codes in the machine form, their names in the style's language otherwise."""
    return list(columns) if style.language is None else [str(HEADINGS[column]) for column in columns]


def yes_no(value: bool, style: FileStyle) -> str:
    """'yes'/'no' in the machine form, the words of the style's language otherwise."""
    if style.language is None:
        return "yes" if value else "no"
    return _("yes") if value else _("no")


def registration_rows(event: Event, style: FileStyle | None = None) -> list[Row]:
    """One row per registration: confirmed, then the waiting list in order, then cancelled."""
    style = style or FileStyle.raw()
    order = {RegistrationStatus.CONFIRMED: 0, RegistrationStatus.WAITLISTED: 1, RegistrationStatus.CANCELLED: 2}
    # Everything a row shows, in three queries whatever the number of registrations.
    partner = joinedload(Registration.partner)
    registrations = sorted(
        db.session.scalars(select(Registration).where(Registration.event_id == event.id).options(
            partner.joinedload(Partner.organisation), partner.joinedload(Partner.sector).joinedload(Sector.cluster),
            partner.selectinload(Partner.gemeenten))).unique(),
        key=lambda r: (order[r.status], r.waitlist_position or 0, r.partner.last_name.lower(), r.id))
    # The waiting list comes in its order: a person's rank is their place in it (as waitlist_rank counts).
    ranks = {r.id: rank for rank, r in enumerate(
        (r for r in registrations if r.status == RegistrationStatus.WAITLISTED), start=1)}
    return [_registration_row(registration, style, ranks.get(registration.id)) for registration in registrations]


def _registration_row(registration: Registration, style: FileStyle, rank: int | None) -> Row:
    partner, language = registration.partner, style.language
    words, sector = language is not None, partner.sector
    registered = to_local(registration.created_at)
    return (
        registration.id,
        registration_status_label(registration.status) if words else registration.status.value,
        rank or "", partner.first_name, partner.last_name, partner.email or "",
        partner.phone, partner.organisation.name if partner.organisation else "",
        (sector.label(language) if language else sector.name) if sector else "",
        sector.cluster.name if sector else "", partner.function, "|".join(g.name for g in partner.gemeenten),
        LANGUAGE_NAMES.get(partner.language, partner.language) if words else partner.language,
        registration.dietary, yes_no(registration.attended, style),
        registered.replace(second=0, microsecond=0, tzinfo=None) if words else registered.strftime("%Y-%m-%d %H:%M"),
        yes_no(partner.consent_share_contacts_at is not None, style),
    )


def catering_rows(event: Event, style: FileStyle | None = None) -> list[Row]:
    """Per dietary need (one need in any letter case or spacing counted once): how many confirmed people and who,
    then the total."""
    style = style or FileStyle.raw()
    confirmed = db.session.scalars(select(Registration).where(
        Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED)
        .options(joinedload(Registration.partner)))  # the names, in the same query
    people: dict[str, list[str]] = defaultdict(list)
    spelling: dict[str, str] = {}
    for registration in confirmed:
        need = " ".join(registration.dietary.split())
        spelling.setdefault(need.lower(), need)
        people[need.lower()].append(registration.partner.full_name)
    words = style.language is not None
    none, total = (_("no dietary needs"), _("Total")) if words else ("none", "total")
    # People without a need first: the caterer's main count, then the needs in alphabetical order.
    rows: list[Row] = [(spelling[key] or none, len(names), ", ".join(sorted(names, key=str.lower)))
                       for key, names in sorted(people.items())]
    rows.append((total, sum(len(names) for names in people.values()), ""))
    return rows


def export(event: Event, what: str, file_format: str, style: FileStyle | None = None) -> bytes:
    """The registrations or catering list of an event in CSV or XLSX, in the style (the machine form if none)."""
    style = style or FileStyle.raw()
    with force_locale(style.language or "en"):
        columns, rows = ((REGISTRATION_COLUMNS, registration_rows(event, style)) if what == "registrations"
                         else (CATERING_COLUMNS, catering_rows(event, style)))
        title = _("Registrations") if what == "registrations" else _("Catering")
        return export_table(headings(columns, style), rows, title, file_format, style)


# The year report ----------------------------------------------------------------------------------------------------

LEVEL_LABELS = {"process": _l("Process"), "output": _l("Output"), "impact": _l("Impact")}
INDICATOR_LABELS = {
    "elp_held": _l("Eerstelijnsplatformen held"), "elp_participants": _l("Participants at eerstelijnsplatformen"),
    "speeddates_held": _l("Speeddates held"), "lunchwebinars_held": _l("Lunchwebinars held"),
    "lunchwebinar_participants": _l("Participants at lunchwebinars"), "evaluation_mean": _l("Evaluation mean"),
    "response_rate": _l("Response rate"), "followup_invited": _l("People asked months later"),
    "new_contact_share": _l("Share who used a new contact"), "referrals": _l("Referrals"),
}
# The headline figures of the report, in the order of the page.
FIGURE_LABELS = {
    "events_held": _l("Events held"), "events_spread": _l("Events spread from third parties"),
    "registrations": _l("Registrations (confirmed)"),
    "waitlisted": _l("Still on a waiting list"), "attended": _l("Attended"), "no_show_rate": _l("No-show rate"),
    "unique_partners": _l("Unique partners reached"), "unique_organisations": _l("Unique organisations reached"),
    "sectors_reached": _l("Sectors reached"), "clusters_reached": _l("Clusters reached"),
    "evaluation_mean": _l("Evaluation mean"), "response_rate": _l("Response rate"),
    "new_contact_share": _l("Share who used a new contact"), "referrals": _l("Referrals"),
    "collaborations": _l("Collaborations"),
}
RATES = {"no_show_rate", "response_rate", "new_contact_share"}


def sector_labels(language: str | None) -> dict[str, str]:
    """Each sector's (Dutch) name, as the figures hold it, to its name in the language (Dutch if none known)."""
    return {sector.name: sector.label(language) if language else sector.name
            for sector in db.session.scalars(select(Sector))}


def event_title(row: dict, language: str | None) -> str:
    """An event's title in a row of the report, in the language where the event has one (else Dutch)."""
    return str(row.get(f"title_{language}") or row["title"])


def report_labels() -> dict[str, dict[str, str]]:
    """The words of the year report in the current language: figures, indicators, indicator kinds, sectors."""
    return {"figures": {key: str(label) for key, label in FIGURE_LABELS.items()},
            "indicators": {key: str(label) for key, label in INDICATOR_LABELS.items()},
            "levels": {key: str(label) for key, label in LEVEL_LABELS.items()},
            "sectors": sector_labels(str(get_locale() or "nl"))}


def figure_value(figures: dict, key: str) -> object:
    """A headline figure as a cell: a count of the listed names, a rate as a Percent, None when not available."""
    value = figures.get(key)
    if isinstance(value, list):
        return len(value)
    return Percent(value) if key in RATES and value is not None else value


def report_charts(figures: dict) -> dict[str, tuple[str, list[tuple[str, float]], str]]:
    """The year report's charts: title, (label, value) items and the format of the values."""
    language = str(get_locale() or "nl")
    sectors = sector_labels(language)
    return {
        "events": (_("Participants per event"),
                   [(f"{row['date']} {event_title(row, language)}", row["participants"])
                    for row in figures["per_event"]], "{:g}"),
        "clusters": (_("Participants per cluster"), list(figures["participants_per_cluster"].items()), "{:g}"),
        "sectors": (_("Participants per sector"), [(sectors.get(name, name), count) for name, count
                                                    in figures["participants_per_sector"].items()], "{:g}"),
        "evaluation": (_("Evaluation per event"),
                       [(event_title(row, language), row["mean"]) for row in figures["evaluation_per_event"]],
                       "{:.1f}"),
    }


def _sheet(style: FileStyle, title: str, columns: list[tuple[str, object]], rows: list[Row]) -> tuple:
    return (title, [code if style.language is None else str(label) for code, label in columns], rows)


def _met(value: bool | None, style: FileStyle) -> str:
    return "" if value is None else yes_no(value, style)


def indicators_xlsx(figures: dict, style: FileStyle | None = None) -> bytes:
    """The year report as a workbook laid out for the annual report: one sheet per part, numbers as numbers,
    rates as percentages, dates as dates, in the style's language (the machine form if none)."""
    style = style or FileStyle.raw()
    words = style.language is not None
    with force_locale(style.language or "en"):
        part = [("events", _l("Events")), ("registrations", _l("Registrations")),
                ("participants", _l("Participants")), ("no_show_rate", _l("No-show rate"))]

        def kind(code: str) -> str:
            return type_label(code) if words else code

        def parts(key: str) -> list[Row]:
            return [(kind(row[key]) if key == "type" else row[key], row["events"], row["registrations"],
                     row["participants"], None if row["no_show_rate"] is None else Percent(row["no_show_rate"]))
                    for row in figures[f"by_{key}"]]

        level = (lambda code: str(LEVEL_LABELS[code])) if words else (lambda code: code)
        sectors = sector_labels(style.language)
        return to_xlsx_sheets([
            _sheet(style, _("Summary"), [("figure", _l("Figure")), ("value", _l("Value")),
                                         ("indicator", _l("Action plan indicator"))],
                   [(str(label) if words else key, figure_value(figures, key),
                     level(indicators.FIGURE_LEVELS[key]) if key in indicators.FIGURE_LEVELS else "")
                    for key, label in FIGURE_LABELS.items()]),
            _sheet(style, _("Action plan"), [("indicator", _l("Indicator")), ("level", _l("Kind")),
                                             ("plan", _l("In the action plan")), ("value", _l("Value")),
                                             ("target", _l("Target")), ("met", _l("Target met"))],
                   [(str(INDICATOR_LABELS[row["key"]]) if words else row["key"], level(row["level"]), row["plan"],
                     figure_value(figures, row["key"]) if row["key"] in RATES else row["value"], row["target"],
                     _met(row["met"], style)) for row in figures["plan_indicators"]]),
            _sheet(style, _("Per event type"), [("type", _l("Type")), *part], parts("type")),
            _sheet(style, _("Per gemeente"), [("gemeente", _l("Gemeente")), *part], parts("gemeente")),
            _sheet(style, _("Per event"), [("date", _l("Date")), ("title", _l("Event")), ("type", _l("Type")),
                                           ("gemeente", _l("Gemeente")), ("registrations", _l("Registrations")),
                                           ("participants", _l("Participants"))],
                   [(date.fromisoformat(row["date"]) if words else row["date"], event_title(row, style.language),
                     kind(row["type"]), row["gemeente"], row["registrations"], row["participants"])
                    for row in figures["per_event"]]),
            _sheet(style, _("Per cluster"), [("cluster", _l("Cluster")), ("participants", _l("Participants"))],
                   list(figures["participants_per_cluster"].items())),
            _sheet(style, _("Per sector"), [("sector", _l("Sector")), ("participants", _l("Participants"))],
                   [(sectors.get(name, name), count) for name, count in figures["participants_per_sector"].items()]),
            _sheet(style, _("Evaluation"), [("title", _l("Event")), ("mean", _l("Mean")),
                                            ("responses", _l("Responses"))],
                   [(event_title(r, style.language), r["mean"], r["responses"])
                    for r in figures["evaluation_per_event"]]),
            _sheet(style, _("Network"), [("first", _l("Sector")), ("second", _l("Sector")),
                                         *((name, label) for name, label in NETWORK_COUNTS),
                                         ("new", _l("New bridge"))],
                   [(sectors.get(pair["first"], pair["first"]), sectors.get(pair["second"], pair["second"]),
                     *(network_count(pair[name], figures["network"], words) for name, _label in NETWORK_COUNTS),
                     _met(pair["new"], style)) for pair in figures["network"]["pairs"]]),
        ], style)


# The network's counts, as the report's JSON names them.
NETWORK_COUNTS = (("meetings", _l("Meetings")), ("platforms", _l("Platforms")), ("contacts", _l("Contacts")),
                  ("referrals", _l("Referrals")), ("collaborations", _l("Collaborations")))


def network_count(value: int | None, network: dict, words: bool) -> object:
    """A count of the network as a file shows it: a suppressed (small) one as "< 3" for people, empty for scripts."""
    if value is not None:
        return value
    return f"< {network['suppressed_below']}" if words else None
