"""The printouts as PDF files (fpdf2), laid out from the same sheets as the HTML pages (`sheets.Printout`).

The core PDF fonts cover Latin-1, which holds every Dutch and French name; the few typographic characters beyond
it (curly quotes, dashes) are replaced, so that no system font is needed on the server.
"""

from collections.abc import Callable

from fpdf import FPDF

from speeddate.seating.sheets import Printout

TYPOGRAPHY = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "...", " ": " "})


def _text(value: object) -> str:
    return str(value).translate(TYPOGRAPHY).encode("latin-1", "replace").decode("latin-1")


class Sheet(FPDF):
    """A4 pages with the event in the footer."""

    def __init__(self, event_line: str) -> None:
        super().__init__(format="A4")
        self.event_line = _text(event_line)
        self.set_auto_page_break(auto=True, margin=15)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Helvetica", size=8)
        self.cell(0, 6, self.event_line, align="C")


def render(printout: Printout) -> bytes:
    """The printout as a PDF document."""
    pdf = Sheet(printout.event_line)
    LAYOUTS[printout.part](pdf, printout)
    return bytes(pdf.output())


def _rounds(pdf: Sheet, printout: Printout) -> None:
    """One page per round: circle, seat, who sits inside and outside; who moved, above the first."""
    for number, sheet in enumerate(printout.rounds):
        pdf.add_page()
        if number == 0 and printout.moved:
            pdf.set_font("Helvetica", size=10)
            pdf.multi_cell(0, 5, _text(f"{printout.moved_heading} {', '.join(printout.moved)}"),
                           new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "B", 16)
        pdf.cell(0, 10, _text(sheet.heading), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", size=10)
        with pdf.table(col_widths=(14, 12, 82, 82), text_align="LEFT") as table:
            table.row([_text(column) for column in printout.columns])
            for line in sheet.lines:
                table.row([str(line.circle), str(line.seat), _text(line.inner), _text(line.outer)])


def _labels(pdf: Sheet, printout: Printout) -> None:
    """One label per chair, four to a page: the circle when there are several, the side, the seat number."""
    for index, label in enumerate(printout.labels):
        if index % 4 == 0:
            pdf.add_page()
        x, y = 15, 20 + (index % 4) * 65
        # Dashed inside, dotted outside, as on the HTML labels: a chair's side shows before its text is read.
        pdf.set_dash_pattern(dash=3, gap=1.5) if label.inner else pdf.set_dash_pattern(dash=0.5, gap=1)
        pdf.rect(x, y, 180, 58)
        pdf.set_dash_pattern()
        pdf.set_xy(x, y + 4)
        pdf.set_font("Helvetica", size=14)
        pdf.cell(180, 7, _text(label.circle or ""), align="C", new_x="LEFT", new_y="NEXT")
        pdf.set_font("Helvetica", size=20)
        pdf.cell(180, 10, _text(label.side), align="C", new_x="LEFT", new_y="NEXT")
        pdf.set_font("Helvetica", "B", 60)
        pdf.cell(180, 28, str(label.seat), align="C")


def _cards(pdf: Sheet, printout: Printout) -> None:
    """A card per person: name, organisation, start seat and how to move; six to a page."""
    for index, card in enumerate(printout.cards):
        if index % 6 == 0:
            pdf.add_page()
        x, y = 12 + (index % 2) * 95, 15 + (index % 6 // 2) * 88
        pdf.rect(x, y, 90, 82)
        pdf.set_xy(x + 4, y + 4)
        for text, style, size, height in ((card.name, "B", 14, 7), (card.organisation, "", 10, 5),
                                          (card.start, "B", 13, 8), (card.how, "", 9, 4.5)):
            pdf.set_x(x + 4)
            pdf.set_font("Helvetica", style, size)
            pdf.multi_cell(82, height, _text(text))


LAYOUTS: dict[str, Callable[[Sheet, Printout], None]] = {"rounds": _rounds, "labels": _labels, "cards": _cards}
