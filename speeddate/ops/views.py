"""The health endpoint for monitoring."""

from dataclasses import asdict

from flask import Blueprint, jsonify

from speeddate.ops import services

bp = Blueprint("ops", __name__)


@bp.get("/healthz")
def healthz():
    """200 with the figures when the database answers, 503 when it does not."""
    health = services.health()
    response = jsonify(status="ok" if health.healthy else "unavailable", **asdict(health))
    response.headers["Cache-Control"] = "no-store"
    return response, 200 if health.healthy else 503
