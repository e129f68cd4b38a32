"""Charts as inline SVG drawn on the server: no script, a <title> and <desc> for screen readers.

Every chart on a page is followed by a table with the same numbers, which is the accessible version.
"""

from markupsafe import Markup, escape

BAR_HEIGHT = 22
GAP = 6
LABEL_WIDTH = 220
BAR_WIDTH = 300
VALUE_WIDTH = 60


def bar_chart(chart_id: str, title: str, items: list[tuple[str, float]], value_format: str = "{:g}") -> Markup:
    """Horizontal bars, one per (label, value), scaled to the largest value."""
    height = max(len(items), 1) * (BAR_HEIGHT + GAP) + GAP
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    largest = max((value for _, value in items), default=0) or 1
    parts = [
        f'<svg class="indicator-chart" role="img" viewBox="0 0 {width} {height}" width="100%" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape("; ".join(f"{label}: {value_format.format(value)}" for label, value in items))}</desc>',  # noqa: E501
    ]
    for index, (label, value) in enumerate(items):
        y = GAP + index * (BAR_HEIGHT + GAP)
        length = round(BAR_WIDTH * value / largest, 1)
        shown = label if len(label) <= 34 else label[:33] + "…"
        parts += [
            f'<text x="{LABEL_WIDTH - 8}" y="{y + BAR_HEIGHT * 0.7}" text-anchor="end" class="indicator-label">'
            f"{escape(shown)}</text>",
            f'<rect class="indicator-bar" x="{LABEL_WIDTH}" y="{y}" width="{length}" height="{BAR_HEIGHT}"></rect>',
            f'<text x="{LABEL_WIDTH + length + 6}" y="{y + BAR_HEIGHT * 0.7}" class="indicator-label">'
            f"{escape(value_format.format(value))}</text>",
        ]
    parts.append("</svg>")
    return Markup("".join(parts))
