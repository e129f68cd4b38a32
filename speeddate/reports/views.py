"""Downloads and the year report for organisers."""

import json
from datetime import date

from flask import Blueprint, abort, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _

from speeddate.auth.guard import organisers_only
from speeddate.exports import download
from speeddate.extensions import db
from speeddate.forms_common import EARLIEST_DATE, LATEST_DATE, parse_id
from speeddate.i18n import to_local
from speeddate.models import Event
from speeddate.models.base import utcnow
from speeddate.reports import charts, indicators, network, services

bp = organisers_only(Blueprint("reports", __name__, url_prefix="/admin"))

@bp.get("/events/<int:event_id>/<any(registrations, catering):what>.<any(csv, xlsx):file_format>")
def event_export(event_id: int, what: str, file_format: str):
    event = db.session.get(Event, event_id) or abort(404)
    return download(services.export(event, what, file_format), f"{event.slug}-{what}.{file_format}")


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
                           this_year=to_local(utcnow()).year)


def _charts(figures: dict) -> dict[str, object]:
    per_event = [(f"{row['date']} {row['title']}", row["participants"]) for row in figures["per_event"]]
    clusters = list(figures["participants_per_cluster"].items())
    evaluations = [(row["title"], row["mean"]) for row in figures["evaluation_per_event"]]
    return {
        "per_event": charts.bar_chart("chart-events", _("Participants per event"), per_event),
        "clusters": charts.bar_chart("chart-clusters", _("Participants per cluster"), clusters),
        "evaluation": charts.bar_chart("chart-evaluation", _("Evaluation per event"), evaluations, "{:.1f}")
        if evaluations else None,
    }


@bp.get("/report.<any(xlsx, json):file_format>")
def year_export(file_format: str):
    period = _period()
    figures = indicators.report(period)
    content = (services.indicators_xlsx(figures) if file_format == "xlsx"
               else json.dumps(figures, ensure_ascii=False, indent=2).encode())
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
