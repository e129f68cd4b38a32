"""The year report as a PDF for the board: the page's figures, tables and charts on A4, in the shipped font.

The bars are drawn with fpdf2's own rectangles rather than from the page's SVG, so that the labels wrap inside
their column in the PDF's font instead of relying on an SVG renderer's text layout.
"""

from flask_babel import format_decimal, format_percent, get_locale
from flask_babel import gettext as _
from fpdf import FPDF
from fpdf.fonts import FontFace

from speeddate.exports import Percent
from speeddate.labels import type_label
from speeddate.pdf_fonts import add_fonts
from speeddate.reports import indicators, services
from speeddate.zone.settings import zone_settings

BRAND = (0, 94, 120)
MUTED = (90, 90, 90)
LABEL_WIDTH = 70  # mm: the label column of a chart
BAR_WIDTH = 85
ROW_HEIGHT = 6


class ReportPdf(FPDF):
    """A4 pages with the zone and the period in the footer, and page numbers."""

    def __init__(self, footer_line: str) -> None:
        super().__init__(format="A4")
        self.family = add_fonts(self)
        self.footer_line = footer_line
        self.set_auto_page_break(auto=True, margin=16)
        self.set_margins(16, 16, 16)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(self.family, size=8)
        self.set_text_color(*MUTED)
        self.cell(0, 6, f"{self.footer_line} · {self.page_no()}/{{nb}}", align="C")


def shown(value: object) -> str:
    """A figure as the page shows it: rates as percentages, decimals in the language's notation."""
    if value is None:
        return _("not available")
    if isinstance(value, Percent):
        return format_percent(value, "#,##0.0%")
    if isinstance(value, float):
        return format_decimal(value, "#,##0.##")
    return str(value)


def report_pdf(figures: dict, period: indicators.Period) -> bytes:
    """The year report in the current language as a PDF document."""
    title = _("Report from %(start)s to %(end)s", start=period.start.isoformat(), end=period.end.isoformat())
    pdf = ReportPdf(f"{zone_settings().name} · {title}")
    pdf.set_title(title)
    pdf.add_page()
    pdf.set_font(pdf.family, "B", 16)
    pdf.multi_cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    labels = services.report_labels()
    _heading(pdf, _("Action plan indicators"))
    _table(pdf, [_("Indicator"), _("Kind"), _("Value"), _("Target"), _("Target met")], [
        (labels["indicators"][row["key"]], labels["levels"][row["level"]],
         shown(services.figure_value(figures, row["key"]) if row["key"] in services.RATES else row["value"]),
         "—" if row["target"] is None else shown(row["target"]),
         "—" if row["met"] is None else (_("yes") if row["met"] else _("no")))
        for row in figures["plan_indicators"]], (60, 22, 32, 32, 32))
    _note(pdf, _("Targets are those of the action plan for a calendar year; for another period they are not "
                 "marked as met or not."))
    _heading(pdf, _("Figures"))
    _table(pdf, [_("Figure"), _("Value"), _("Action plan indicator")], [
        (label, shown(services.figure_value(figures, key)),
         labels["levels"].get(indicators.FIGURE_LEVELS.get(key, ""), "—"))
        for key, label in labels["figures"].items()], (90, 45, 43))
    for key, heading in (("type", _("Per event type")), ("gemeente", _("Per gemeente"))):
        _heading(pdf, heading)
        _table(pdf, [_("Type") if key == "type" else _("Gemeente"), _("Events"), _("Registrations"),
                     _("Participants"), _("No-show rate")],
               [(type_label(row[key]) if key == "type" else row[key], str(row["events"]), str(row["registrations"]),
                 str(row["participants"]),
                 shown(None if row["no_show_rate"] is None else Percent(row["no_show_rate"])))
                for row in figures[f"by_{key}"]], (46, 30, 34, 34, 34))
    for chart_title, items, value_format in services.report_charts(figures).values():
        if items:
            _heading(pdf, chart_title)
            _bars(pdf, [(label, value, _decimal(value_format, value)) for label, value in items])
    _heading(pdf, _("Participants per event"))
    language = str(get_locale())
    _table(pdf, [_("Date"), _("Event"), _("Gemeente"), _("Registrations"), _("Participants")],
           [(row["date"], services.event_title(row, language), row["gemeente"], str(row["registrations"]),
             str(row["participants"])) for row in figures["per_event"]], (24, 70, 34, 25, 25))
    _network(pdf, figures["network"], services.sector_labels(language))
    _heading(pdf, _("How the figures are counted"))
    _note(pdf, _("An event counts as held when it was published and has started. Registrations are the confirmed "
                 "places. Where attendance was recorded, participants are the people marked present and the no-show "
                 "rate compares them with the confirmed places; elsewhere the confirmed people count as "
                 "participants. Partners, organisations, sectors and clusters reached are counted over "
                 "participants."))
    return bytes(pdf.output())


def _network(pdf: ReportPdf, network: dict, sectors: dict[str, str]) -> None:
    """The network a period built, as on its page: who met whom and what came of it, the new bridges, and per
    gemeente the sectors that never came."""
    def name(sector: str) -> str:
        return sectors.get(sector, sector)

    def count(value: int | None) -> str:
        return f"< {network['suppressed_below']}" if value is None else str(value)

    _heading(pdf, _("The network"))
    pairs = network["pairs"]
    if pairs:
        _table(pdf, [_("Between"), _("Meetings"), _("Platforms"), _("Contacts"), _("Referrals"), _("Collaborations")],
               [(f"{name(p['first'])} — {name(p['second'])}", *(count(p[key]) for key in
                 ("meetings", "platforms", "contacts", "referrals", "collaborations"))) for p in pairs],
               (68, 22, 22, 22, 22, 22))
    else:
        _note(pdf, _("No meetings in this period."))
    _heading(pdf, _("New bridges"))
    _note(pdf, "; ".join(f"{name(first)} — {name(second)}" for first, second in network["new_bridges"])
          or _("No new bridges in this period."))
    _heading(pdf, _("Per gemeente: who came, who never came"))
    _table(pdf, [_("Gemeente"), _("Never came")],
           [(row["gemeente"], ", ".join(name(s) for s in row["never_came"]) or "—") for row in network["gemeenten"]],
           (40, 138))


def _decimal(value_format: str, value: float) -> str:
    return format_decimal(value, "0.0") if value_format == "{:.1f}" else format_decimal(value)


def _heading(pdf: ReportPdf, text: str) -> None:
    if pdf.will_page_break(24):
        pdf.add_page()
    pdf.ln(3)
    pdf.set_x(pdf.l_margin)
    pdf.set_font(pdf.family, "B", 12)
    pdf.set_text_color(*BRAND)
    pdf.multi_cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)


def _note(pdf: ReportPdf, text: str) -> None:
    pdf.set_x(pdf.l_margin)
    pdf.set_font(pdf.family, size=8)
    pdf.set_text_color(*MUTED)
    pdf.multi_cell(0, 4, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)


def _table(pdf: ReportPdf, columns: list[str], rows: list[tuple[str, ...]], widths: tuple[int, ...]) -> None:
    pdf.set_font(pdf.family, size=9)
    if not rows:
        _note(pdf, _("No events held in this period."))
        return
    pdf.set_fill_color(255, 255, 255)
    with pdf.table(col_widths=widths, width=sum(widths), align="LEFT", line_height=5, text_align="LEFT",
                   headings_style=FontFace(emphasis="BOLD", fill_color=(230, 238, 241))) as table:
        for row in [columns, *rows]:
            table.row([str(cell) for cell in row])


def _bars(pdf: ReportPdf, items: list[tuple[str, float, str]]) -> None:
    """Horizontal bars: the label wraps in its column, the value stands after the bar."""
    pdf.set_font(pdf.family, size=8)
    largest = max((value for _, value, _ in items), default=0) or 1
    for label, value, text in items:
        lines = pdf.multi_cell(LABEL_WIDTH - 2, 4, label, dry_run=True, output="LINES")
        height = max(ROW_HEIGHT, 4 * len(lines) + 1)
        if pdf.will_page_break(height + 1):
            pdf.add_page()
        x, y = pdf.l_margin, pdf.get_y()
        pdf.set_xy(x, y + (height - 4 * len(lines)) / 2)
        pdf.multi_cell(LABEL_WIDTH - 2, 4, label, align="R")
        length = BAR_WIDTH * max(value, 0) / largest
        pdf.set_fill_color(*BRAND)
        if length:
            pdf.rect(x + LABEL_WIDTH, y + (height - 4.5) / 2, length, 4.5, style="F")
        pdf.set_xy(x + LABEL_WIDTH + length + 1.5, y + (height - 4) / 2)
        pdf.cell(25, 4, text)
        pdf.set_y(y + height + 1)
    pdf.set_fill_color(255, 255, 255)
