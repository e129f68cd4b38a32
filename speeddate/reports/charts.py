"""Charts as inline SVG drawn on the server: no script, a <title> and <desc> for screen readers.

Every chart on a page is followed by a table with the same numbers and the full labels, which is the accessible
version. Text never runs out of the chart: its width is estimated from the metrics of DejaVu Sans (the font we ship
for PDFs, and one of the widest sans-serif faces, so other fonts take less room), a label too long for its column
wraps onto a second line and is shortened with "…" past that, with the full label as a tooltip (<title>), and the
column beside the bars is as wide as the widest value.
"""

from dataclasses import dataclass
from functools import lru_cache

from fontTools.ttLib import TTFont
from markupsafe import Markup, escape

from speeddate.pdf_fonts import FONT_DIR

FONT_SIZE = 13
LINE_HEIGHT = 16
BAR_HEIGHT = 22
GAP = 8
LABEL_WIDTH = 210
BAR_WIDTH = 260
PADDING = 8
MAX_LINES = 2
# Room for the difference between DejaVu Sans and the browser's own sans-serif face and its hinting.
SAFETY = 1.06


@dataclass(frozen=True)
class Bar:
    """One bar: its label, its length, and the text beside it (the value, perhaps with a share)."""

    label: str
    value: float
    shown: str


@lru_cache(maxsize=1)
def _advances() -> tuple[dict[int, int], int, float]:
    with TTFont(FONT_DIR / "DejaVuSans.ttf") as font:
        metrics, glyphs = font["hmtx"].metrics, font.getBestCmap()
        widths = {code: metrics[name][0] for code, name in glyphs.items()}
        return widths, max(widths.values()), font["head"].unitsPerEm


def text_width(text: str, size: float = FONT_SIZE) -> float:
    """The width of the text in user units at the font size, on the safe side."""
    widths, widest, units = _advances()
    return sum(widths.get(ord(char), widest) for char in text) * size / units * SAFETY


def fit_lines(text: str, width: float, max_lines: int = MAX_LINES, size: float = FONT_SIZE) -> list[str]:
    """The text in at most `max_lines` lines no wider than `width`, broken between words where it can be, the
    last line shortened with "…" when the rest does not fit."""
    lines: list[str] = []
    rest = " ".join(text.split())
    while rest and len(lines) < max_lines:
        if text_width(rest, size) <= width:
            lines.append(rest)
            return lines
        cut = _longest_fit(rest, width, size)
        if len(lines) == max_lines - 1:
            lines.append(_shortened(rest, width, size))
            return lines
        space = rest.rfind(" ", 0, cut + 1)
        cut = space if space > 0 else cut
        lines.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    return lines


def _longest_fit(text: str, width: float, size: float) -> int:
    end = 1
    while end < len(text) and text_width(text[:end + 1], size) <= width:
        end += 1
    return end


def _shortened(text: str, width: float, size: float) -> str:
    return text[:max(_longest_fit(text + "…", width, size) - 1, 1)].rstrip() + "…"


def bar_chart(chart_id: str, title: str, items: list[tuple[str, float]] | list[Bar],
              value_format: str = "{:g}") -> Markup:
    """Horizontal bars, one per item, scaled to the largest value, every text inside the drawing."""
    bars = [item if isinstance(item, Bar) else Bar(item[0], item[1], value_format.format(item[1])) for item in items]
    value_width = max((text_width(bar.shown) for bar in bars), default=0) + 2 * PADDING
    width = round(LABEL_WIDTH + BAR_WIDTH + value_width)
    largest = max((bar.value for bar in bars), default=0) or 1
    rows, y = [], GAP
    for bar in bars:
        lines = fit_lines(bar.label, LABEL_WIDTH - PADDING)
        height = max(BAR_HEIGHT, len(lines) * LINE_HEIGHT + 6)
        rows.append(_bar(bar, lines, y, height, round(BAR_WIDTH * max(bar.value, 0) / largest, 1)))
        y += height + GAP
    description = "; ".join(f"{bar.label}: {bar.shown}" for bar in bars)
    return Markup(
        f'<svg class="chart" role="img" viewBox="0 0 {width} {max(y, 2 * GAP)}" width="100%" '
        f'font-size="{FONT_SIZE}" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'xmlns="http://www.w3.org/2000/svg"><title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>{"".join(rows)}</svg>')


def _bar(bar: Bar, lines: list[str], y: float, height: float, length: float) -> str:
    middle = y + height / 2
    first = middle - (len(lines) - 1) * LINE_HEIGHT / 2 + FONT_SIZE * 0.35
    # A shortened label keeps its full text as a tooltip; the table below the chart has it too.
    tooltip = f"<title>{escape(bar.label)}</title>" if " ".join(lines) != " ".join(bar.label.split()) else ""
    spans = "".join(f'<tspan x="{LABEL_WIDTH - PADDING}" y="{first + index * LINE_HEIGHT:.1f}">{escape(line)}</tspan>'
                    for index, line in enumerate(lines))
    return (f'<g class="chart-row"><text class="chart-label" text-anchor="end">{tooltip}{spans}</text>'
            f'<rect class="chart-bar" x="{LABEL_WIDTH}" y="{middle - BAR_HEIGHT / 2:.1f}" width="{length}" '
            f'height="{BAR_HEIGHT}"></rect>'
            f'<text class="chart-count" x="{LABEL_WIDTH + length + PADDING}" y="{middle + FONT_SIZE * 0.35:.1f}">'
            f"{escape(bar.shown)}</text></g>")
