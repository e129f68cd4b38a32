"""Downloads and the year report for organisers."""

import json
from datetime import date

from flask import Blueprint, abort, render_template, request
from flask_babel import format_decimal, format_percent, get_locale

from speeddate.auth.guard import organisers_only
from speeddate.exports import download, requested_style
from speeddate.extensions import db
from speeddate.forms_common import EARLIEST_DATE, LATEST_DATE, parse_id
from speeddate.i18n import to_local
from speeddate.models import Event
from speeddate.models.base import utcnow
from speeddate.reports import charts, indicators, network, pdf, services

bp = organisers_only(Blueprint("reports", __name__, url_prefix="/admin"))


@bp.app_template_global()
def share_chart(chart_id: str, title: str, rows: list[tuple[str, int]], total: int) -> object:
    """Bars of counts, each shown with its share of `total` (the survey results and the follow-up use it)."""
    return charts.bar_chart(chart_id, title, [
        charts.Bar(label, count, f"{count} ({format_percent(count / total)})" if total else str(count))
        for label, count in rows])


@bp.app_template_filter()
def format_share(share: float) -> str:
    """A share between 0 and 1 as a whole percentage in the page's language ("71 %" in French, "71%" in Dutch)."""
    return format_percent(share)


@bp.app_template_filter()
def format_figure(value: float, decimals: int = 2) -> str:
    """A mean or a target in the page's language ("3,67" in Dutch and French), to a fixed number of decimals."""
    return format_decimal(value, "#,##0." + "0" * decimals if decimals else "#,##0")


@bp.app_template_filter()
def format_rate(share: float) -> str:
    """A rate between 0 and 1 as a percentage with one decimal ("33,3 %" in French)."""
    return format_percent(share, "#,##0.0%")


@bp.get("/events/<int:event_id>/<any(registrations, catering):what>.<any(csv, xlsx):file_format>")
def event_export(event_id: int, what: str, file_format: str):
    event = db.session.get(Event, event_id) or abort(404)
    return download(services.export(event, what, file_format, requested_style()),
                    f"{event.slug}-{what}.{file_format}")


def _period() -> indicators.Period:
    """The period asked for: ?start=&end= (ISO dates), else ?year=, else this calendar year."""
    try:
        start, end = date.fromisoformat(request.args["start"]), date.fromisoformat(request.args["end"])
        if start < EARLIEST_DATE or end > LATEST_DATE:
            raise ValueError("outside the calendar the service keeps")
    except (KeyError, ValueError):
        year = request.args.get("year", type=parse_id)
        in_range = year and EARLIEST_DATE.year <= year <= LATEST_DATE.year
        return indicators.Period.year(year if in_range else to_local(utcnow()).year)
    if end < start or (end - start).days > 3660:
        abort(400)
    return indicators.Period(start, end)


@bp.get("/report")
def year():
    period = _period()
    figures = indicators.report(period)
    return render_template("reports/year.html", figures=figures, period=period, charts=_charts(figures),
                           this_year=to_local(utcnow()).year, labels=services.report_labels(),
                           levels=indicators.FIGURE_LEVELS)


def _charts(figures: dict) -> dict[str, object]:
    return {key: charts.bar_chart(f"chart-{key}", title, [
        charts.Bar(label, value, format_figure(value, 1 if value_format == "{:.1f}" else 0)) for label, value in items])
        for key, (title, items, value_format) in services.report_charts(figures).items() if items}


@bp.get("/report.<any(xlsx, json, pdf):file_format>")
def year_export(file_format: str):
    period = _period()
    figures = indicators.report(period)
    if file_format == "pdf":
        content = pdf.report_pdf(figures, period)
    elif file_format == "xlsx":
        content = services.indicators_xlsx(figures, requested_style())
    else:
        content = json.dumps(figures, ensure_ascii=False, indent=2).encode()
    return download(content, f"report-{period.start.isoformat()}-{period.end.isoformat()}.{file_format}")


@bp.get("/report/network")
def network_page():
    period = _period()
    level = request.args.get("level", "sector")
    if level not in network.LEVELS:
        level = "sector"
    found = network.network(*period.bounds(), level=level, language=str(get_locale() or "nl"))
    return render_template("reports/network.html", network=found, period=period, level=level,
                           small=network.SMALL, this_year=to_local(utcnow()).year)
