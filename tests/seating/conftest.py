"""Seating fixtures: a speeddate with confirmed people from several sectors and organisations; quick solver runs."""

import pytest

from speeddate.seating import jobs

SECTORS = ("Huisartsen", "Apothekers", "Thuisverpleging", "OCMW en sociale dienst")


@pytest.fixture(autouse=True)
def quick_solver(app):
    """Small time limits keep the suite fast; threads are waited for so no test leaves one running."""
    app.config["SEATING_TIME_LIMIT"] = 1.0
    yield
    jobs.wait_for_threads()


@pytest.fixture
def speeddate(make_event, register):
    """Factory: a published speeddate with `count` confirmed partners (two per organisation)."""

    def make(count: int = 10, **overrides):
        event = make_event(**{"capacity": max(count, 20), **overrides})
        for number in range(count):
            response = register(event, number, organisation=f"Organisatie {number // 2}",
                                sector=SECTORS[number % len(SECTORS)])
            assert response.status_code == 200  # "a mail is on its way": the personal link goes only by mail
        return event

    return make
