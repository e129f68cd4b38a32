"""The printouts as PDF files (fpdf2): the plan per round, seat labels, and a card per person.

The core PDF fonts cover Latin-1, which holds every Dutch and French name; the few typographic characters beyond
it (curly quotes, dashes) are replaced, so that no system font is needed on the server.
"""

from flask_babel import gettext as _
from fpdf import FPDF

from speeddate.i18n import format_when
from speeddate.models import Event, SeatingPlan
from speeddate.seating import sheets

TYPOGRAPHY = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "...", " ": " "})


def _text(value: object) -> str:
    return str(value).translate(TYPOGRAPHY).encode("latin-1", "replace").decode("latin-1")


class Sheet(FPDF):
    """A4 pages with the event in the footer."""

    def __init__(self, event: Event) -> None:
        super().__init__(format="A4")
        self.event_line = _text(f"{event.title} - {format_when(event.starts_at)}")
        self.set_auto_page_break(auto=True, margin=15)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Helvetica", size=8)
        self.cell(0, 6, self.event_line, align="C")


def rounds_pdf(event: Event, row: SeatingPlan) -> bytes:
    """One page per round: circle, seat, who sits inside and outside."""
    pdf = Sheet(event)
    rows, total = sheets.seat_rows(row), sheets.round_count(row)
    for number in range(1, total + 1):
        pdf.add_page()
        pdf.set_font("Helvetica", "B", 16)
        pdf.cell(0, 10, _text(_("Round %(round)d of %(rounds)d", round=number, rounds=total)),
                 new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", size=10)
        with pdf.table(col_widths=(14, 12, 82, 82), text_align="LEFT") as table:
            table.row([_text(_("Circle")), _text(_("Seat")), _text(_("Inner circle")), _text(_("Outer circle"))])
            for seat in (s for s in rows if s.round == number):
                table.row([str(seat.circle), str(seat.seat), _name(seat.inner), _name(seat.outer)])
    return bytes(pdf.output())


def _name(registration) -> str:
    return _text(registration.partner.full_name) if registration else "-"


def labels_pdf(event: Event, row: SeatingPlan) -> bytes:
    """One label per chair, four to a page, in large type."""
    pdf = Sheet(event)
    for index, seat in enumerate(sheets.labels(row)):
        if index % 4 == 0:
            pdf.add_page()
        pdf.set_xy(15, 20 + (index % 4) * 65)
        pdf.set_font("Helvetica", "B", 34)
        pdf.multi_cell(180, 16, _text(seat.label), border=1, align="C")
    return bytes(pdf.output())


def cards_pdf(event: Event, row: SeatingPlan) -> bytes:
    """A card per person: name, organisation, start seat and how to move; six to a page."""
    pdf = Sheet(event)
    for index, (registration, seat) in enumerate(sheets.people_with_seats(row)):
        if index % 6 == 0:
            pdf.add_page()
        x, y = 12 + (index % 2) * 95, 15 + (index % 6 // 2) * 88
        pdf.rect(x, y, 90, 82)
        pdf.set_xy(x + 4, y + 4)
        pdf.set_font("Helvetica", "B", 14)
        pdf.multi_cell(82, 7, _text(registration.partner.full_name))
        pdf.set_x(x + 4)
        pdf.set_font("Helvetica", size=10)
        organisation = registration.partner.organisation
        pdf.multi_cell(82, 5, _text(organisation.name if organisation else ""))
        pdf.set_x(x + 4)
        pdf.set_font("Helvetica", "B", 13)
        pdf.multi_cell(82, 8, _text(f"{_('Start:')} {seat.label}"))
        pdf.set_x(x + 4)
        pdf.set_font("Helvetica", size=9)
        how = (_("You stay on your seat all the time; someone new comes to you every round.") if seat.side == "inner"
               else _("After each round you move one seat on, to the next number (after the last seat comes seat 1)."))
        pdf.multi_cell(82, 4.5, _text(how))
    return bytes(pdf.output())


PARTS = {"rounds": rounds_pdf, "labels": labels_pdf, "cards": cards_pdf}
