"""The health endpoint for monitoring."""

from dataclasses import asdict

from flask import Blueprint, jsonify, request

from speeddate.ops import services

bp = Blueprint("ops", __name__)


@bp.get("/healthz")
def healthz():
    """200 when the database answers, "ok" or "degraded" (with the figures past their limits), 503 when it does not.

    "degraded" stays 200 by default: the site serves, and a load balancer or a restart policy reading the code
    must not take it down for a failed mail; monitors match the status in the body (README, Monitoring), or ask
    with ?strict=1 to get 503 for "degraded" as well.
    """
    health = services.health()
    response = jsonify(status=health.status, **asdict(health))
    response.headers["Cache-Control"] = "no-store"
    failing = health.status == "unavailable" or (health.status == "degraded" and "strict" in request.args)
    return response, 503 if failing else 200
