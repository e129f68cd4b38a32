"""speeddate: network events, registration, seating and surveys for an eerstelijnszone.

The factory is imported lazily so that `speeddate.solver` (and the `speeddate seat` command) never loads Flask.
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def create_app(test_config: dict[str, object] | None = None) -> "Flask":
    """Build the web application (see speeddate.app)."""
    from speeddate.app import create_app as build

    return build(test_config)
