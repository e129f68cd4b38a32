"""Downloads for organisers."""

from flask import Blueprint, Response, abort

from speeddate.auth.guard import organisers_only
from speeddate.extensions import db
from speeddate.models import Event
from speeddate.reports import services

bp = organisers_only(Blueprint("reports", __name__, url_prefix="/admin"))

MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}



@bp.get("/events/<int:event_id>/<any(registrations, catering):what>.<any(csv, xlsx):file_format>")
def event_export(event_id: int, what: str, file_format: str):
    event = db.session.get(Event, event_id) or abort(404)
    filename = f"{event.slug}-{what}.{file_format}"
    return Response(services.export(event, what, file_format), mimetype=MIMETYPES[file_format],
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
