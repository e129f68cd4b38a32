"""Back-office blueprints are for logged-in organisers only."""

from flask import Blueprint
from flask_login import login_required


def organisers_only(blueprint: Blueprint) -> Blueprint:
    """Make every page of the blueprint require a logged-in organiser."""

    @blueprint.before_request
    @login_required
    def _require_login() -> None:
        return None

    return blueprint
