"""The plan view in a browser, on a desktop and a phone: round by round, then a swap that would make colleagues
meet, warned about by name and applied only after the second confirmation."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from speeddate import solver
from speeddate.extensions import db
from speeddate.models import SeatingPlan
from speeddate.seating import constraints, plans, seats
from tests.browser.helpers import settle
from tests.support import PARTNER, post_form

pytestmark = pytest.mark.browser
SECTORS = ("Huisartsen", "Apothekers", "Thuisverpleging", "OCMW en sociale dienst")
# Inner seat i meets the outer people who started at i, i-1, i-2: no colleagues meet; one empty outer seat.
INNER, OUTER = [0, 2, 4, 6], [None, 1, 3, 5]


@pytest.fixture
def planned(make_event, client):
    """Seven registered people (two per organisation but the last) and a hand-made draft plan for them."""
    event = make_event(capacity=20)
    for number in range(7):
        response = post_form(client, f"/e/{event.slug}", {
            **PARTNER, "first_name": f"Deelnemer{number}", "email": f"p{number}@example.org",
            "organisation": f"Organisatie {number // 2}", "sector": SECTORS[number % 4]})
        assert response.status_code == 200
    people = [str(r.id) for r in constraints.confirmed_registrations(event.id)]

    def seat(index):
        return people[index] if index is not None else None

    plan = solver.Plan(3, (solver.Circle(1, tuple(map(seat, INNER)), tuple(map(seat, OUTER))),))
    row = plans.store_plan(event.id, plan, sorted(map(int, people)))
    settle()
    return event, row.id, people


def assert_axe_finds_nothing_serious(page: Page) -> None:
    found = Axe().run(page).response["violations"]
    serious = [f"{v['id']}: {v['help']} ({v['nodes'][0]['html'][:120]})" for v in found
               if v["impact"] in ("serious", "critical")]
    assert serious == []


def outer_seats(page: Page) -> list[str | None]:
    return page.locator("svg.circle-plan .seat-outer").evaluate_all(
        "chairs => chairs.map(c => c.getAttribute('data-person'))")


def test_the_organiser_follows_the_outer_circle_round_by_round(site, device, planned):
    event, plan_id, people = planned
    page = site.organiser_page(**device)
    page.goto(f"/admin/events/{event.id}/seating/")
    page.click("a.see-plan")
    drawing = page.locator("svg.circle-plan")
    expect(drawing).to_be_visible()
    box = drawing.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= device["viewport"]["width"]
    start = [people[i] if i is not None else None for i in OUTER]
    assert outer_seats(page) == start
    expect(page.locator(".round-picker [aria-current=page]")).to_have_text("1")
    expect(page.locator("svg.circle-plan .empty")).to_have_count(1)
    for round_no in (2, 3):
        page.locator(".round-picker a[rel=next]").click()
        expect(page.locator(".round-picker [aria-current=page]")).to_have_text(str(round_no))
        assert outer_seats(page) == [start[(seat - (round_no - 1)) % 4] for seat in range(4)]
        # The table under the drawing names the same person on outer seat 1.
        first_outer = outer_seats(page)[0]
        name = f"Deelnemer{people.index(first_outer)}" if first_outer else None
        cell = page.locator("table.plan tbody tr").first.locator("td").nth(1)
        if name:
            expect(cell).to_contain_text(name)
        else:
            expect(cell.locator(".pause-flag")).to_be_visible()
    expect(page.locator(".round-picker a[rel=next]")).to_have_count(0)
    page.locator(".round-picker a.round-link", has_text=re.compile("^1$")).click()
    assert outer_seats(page) == start
    # With scripts, a slider goes where the links go.
    slider = page.locator("input.round-slider")
    expect(slider).to_have_value("1")
    slider.focus()
    page.keyboard.press("ArrowRight")
    expect(page.locator(".round-picker [aria-current=page]")).to_have_text("2")
    expect(page.locator("input.round-slider")).to_have_value("2")
    assert outer_seats(page) == [start[(seat - 1) % 4] for seat in range(4)]
    # On paper: no controls, and the drawing fits an A4 page (24 cm of its 27 printable).
    page.emulate_media(media="print")
    expect(page.locator(".plan-controls")).to_be_hidden()
    assert drawing.bounding_box()["height"] <= 24 / 2.54 * 96 + 1
    assert page.pdf(format="A4")[:4] == b"%PDF"


def test_a_swap_that_makes_colleagues_meet_is_named_and_needs_a_second_confirmation(site, device, planned):
    event, plan_id, people = planned
    page = site.organiser_page(**device)
    page.goto(f"/admin/events/{event.id}/seating/plans/{plan_id}/view?lang=en")
    # Choose Deelnemer1 in the drawing on a desktop; on a phone, in the table under it (the chairs are small).
    if device["viewport"]["width"] > 600:
        page.locator(f"svg.circle-plan a[data-person='{people[1]}'] circle").click()
    else:
        page.locator("table.plan a", has_text="Deelnemer1 ").first.click()
    expect(page.locator("#person-heading")).to_have_text("Deelnemer1 Peeters")
    assert_axe_finds_nothing_serious(page)
    page.get_by_role("link", name="Swap Deelnemer1 Peeters with someone…").click()
    expect(page.locator(".swap-mode")).to_be_visible()
    if device["viewport"]["width"] > 600:
        page.locator(f"svg.circle-plan a[data-person='{people[3]}'] circle").click()
    else:
        page.locator("table.plan a", has_text="Deelnemer3 ").first.click()
    warning = page.locator(".colleague-warning")
    expect(warning).to_contain_text("Deelnemer0 Peeters and Deelnemer1 Peeters (both Organisatie 0) in round 3")
    expect(warning).to_contain_text("Deelnemer2 Peeters and Deelnemer3 Peeters (both Organisatie 1) in round 1")
    expect(page.locator("tr.figure-same-organisation td").nth(1)).to_contain_text("2")
    assert_axe_finds_nothing_serious(page)
    before = db.session.get_one(SeatingPlan, plan_id).plan_json
    settle()
    page.click("form.apply-swap button[type=submit]")
    expect(page.locator("#confirmed-error")).to_be_visible()
    assert db.session.get_one(SeatingPlan, plan_id).plan_json == before
    settle()
    page.check("#confirmed")
    page.click("form.apply-swap button[type=submit]")
    expect(page.locator(".flash, .message").filter(has_text="have swapped seats")).to_be_visible()
    expect(page.locator("dd.colleagues")).to_have_text("2")
    row = db.session.get_one(SeatingPlan, plan_id)
    where = seats.seats(seats.plan_of(row))
    assert (where[people[1]].seat, where[people[3]].seat) == (3, 2)
    settle()
