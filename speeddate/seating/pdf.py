"""The printouts as PDF files (fpdf2), laid out from the same sheets as the HTML pages (`sheets.Printout`).

Every text goes out in the shipped Unicode font (`pdf_fonts`): the core PDF fonts hold Latin-1 only, and names
such as "Şükrü Yılmaz" or "Jiří Dvořák" must print as they were registered.
"""

from collections.abc import Callable

from fpdf import FPDF

from speeddate.pdf_fonts import add_fonts
from speeddate.seating.sheets import Printout


class Sheet(FPDF):
    """A4 pages in the Unicode font, with the event in the footer."""

    def __init__(self, event_line: str) -> None:
        super().__init__(format="A4")
        self.family = add_fonts(self)
        self.event_line = event_line
        self.set_auto_page_break(auto=True, margin=15)

    def use(self, size: float, bold: bool = False) -> None:
        """Switch to the Unicode font at this size."""
        self.set_font(self.family, "B" if bold else "", size)

    def fit(self, text: str, width: float, size: float, bold: bool = False) -> None:
        """The font at `size`, or smaller so that `text` fits on one line of `width` (a name is not broken)."""
        self.use(size, bold)
        while size > 7 and self.get_string_width(text) > width:
            size -= 0.5
            self.use(size, bold)

    def footer(self) -> None:
        self.set_y(-12)
        self.use(8)
        self.cell(0, 6, self.event_line, align="C")


def render(printout: Printout) -> bytes:
    """The printout as a PDF document."""
    pdf = Sheet(printout.event_line)
    LAYOUTS[printout.part](pdf, printout)
    return bytes(pdf.output())


def _title(pdf: Sheet, printout: Printout) -> None:
    """The printout's title on the first page, as the HTML page shows it above the sheets."""
    pdf.use(18, bold=True)
    pdf.multi_cell(0, 9, printout.title, new_x="LMARGIN", new_y="NEXT")


def _rounds(pdf: Sheet, printout: Printout) -> None:
    """One page per round: circle, seat, who sits inside and outside; the title and who moved above the first."""
    for number, sheet in enumerate(printout.rounds):
        pdf.add_page()
        if number == 0:
            _title(pdf, printout)
            if printout.moved:
                pdf.use(10)
                pdf.multi_cell(0, 5, f"{printout.moved_heading} {', '.join(printout.moved)}",
                               new_x="LMARGIN", new_y="NEXT")
        pdf.use(16, bold=True)
        pdf.cell(0, 10, sheet.heading, new_x="LMARGIN", new_y="NEXT")
        pdf.use(10)
        with pdf.table(col_widths=(18, 16, 78, 78), text_align="LEFT") as table:
            table.row(list(printout.columns))
            for line in sheet.lines:
                table.row([str(line.circle), str(line.seat), line.inner, line.outer])


def _labels(pdf: Sheet, printout: Printout) -> None:
    """One label per chair, four to a page: the circle when there are several, the side, the seat number."""
    for index, label in enumerate(printout.labels):
        if index % 4 == 0:
            pdf.add_page()
            if index == 0:
                _title(pdf, printout)
        x, y = 15, 22 + (index % 4) * 65
        # Dashed inside, dotted outside, as on the HTML labels: a chair's side shows before its text is read.
        pdf.set_dash_pattern(dash=3, gap=1.5) if label.inner else pdf.set_dash_pattern(dash=0.5, gap=1)
        pdf.rect(x, y, 180, 58)
        pdf.set_dash_pattern()
        pdf.set_xy(x, y + 4)
        pdf.use(14)
        pdf.cell(180, 7, label.circle or "", align="C", new_x="LEFT", new_y="NEXT")
        pdf.use(20)
        pdf.cell(180, 10, label.side, align="C", new_x="LEFT", new_y="NEXT")
        pdf.use(60, bold=True)
        pdf.cell(180, 28, str(label.seat), align="C")


def _cards(pdf: Sheet, printout: Printout) -> None:
    """A card per person: name, organisation, start seat and how to move; six to a page."""
    for index, card in enumerate(printout.cards):
        if index % 6 == 0:
            pdf.add_page()
            if index == 0:
                _title(pdf, printout)
        x, y = 12 + (index % 2) * 95, 22 + (index % 6 // 2) * 86
        pdf.rect(x, y, 90, 80)
        pdf.set_xy(x + 4, y + 4)
        for text, bold, size, height in ((card.name, True, 14, 7), (card.organisation, False, 10, 5),
                                         (card.start, True, 13, 8), (card.how, False, 9, 4.5)):
            pdf.set_x(x + 4)
            if text is card.how:
                pdf.use(size, bold)
            else:
                pdf.fit(text, 82 - 2 * pdf.c_margin, size, bold)
            pdf.multi_cell(82, height, text)


LAYOUTS: dict[str, Callable[[Sheet, Printout], None]] = {"rounds": _rounds, "labels": _labels, "cards": _cards}
