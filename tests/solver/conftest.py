"""Fixtures for the solver tests; they never start the web app."""

from __future__ import annotations

from pathlib import Path

import pytest

from .helpers import SAMPLE


@pytest.fixture
def sample() -> Path:
    """The shared sample participants file."""
    return SAMPLE
