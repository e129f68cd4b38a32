"""The network of a year, against a small year computed by hand."""

from datetime import datetime

import pytest
from sqlalchemy import select

from speeddate import solver
from speeddate.extensions import db
from speeddate.models import (
    ContactOutcome,
    Event,
    EventStatus,
    EventType,
    FollowupContact,
    FollowupResponse,
    Gemeente,
    Partner,
    PlanStatus,
    Registration,
    RegistrationStatus,
    SeatingPlan,
    Sector,
)
from speeddate.reports import network as net
from speeddate.solver import io as solver_io

A, B, C, D = "Huisartsen", "Apothekers", "Thuisverpleging", "OCMW en sociale dienst"


def sector(name: str) -> Sector:
    return db.session.scalars(select(Sector).where(Sector.name == name)).one()


def event(slug: str, type_: EventType, day: datetime) -> Event:
    row = Event(slug=slug, type=type_, status=EventStatus.CLOSED, title=slug, starts_at=day,
                ends_at=day.replace(hour=day.hour + 2), capacity=20)
    db.session.add(row)
    db.session.flush()
    return row


def take_part(row: Event, *partners: Partner, attended: bool = True) -> list[Registration]:
    registrations = [Registration(event=row, partner=p, status=RegistrationStatus.CONFIRMED, attended=attended,
                                  token=f"t-{row.slug}-{p.id}") for p in partners]
    db.session.add_all(registrations)
    db.session.flush()
    return registrations


@pytest.fixture
def year(app, clock):
    """2025: a platform where a GP met home care. 2026: a speeddate of four sectors and a platform; one
    follow-up answer. Partners 1, 2 and 5 are active in Oostkamp."""
    clock.set(datetime(2026, 12, 1, 12))
    oostkamp = db.session.scalars(select(Gemeente).where(Gemeente.name == "Oostkamp")).one_or_none()
    if oostkamp is None:
        oostkamp = Gemeente(name="Oostkamp")
        db.session.add(oostkamp)
    people = []
    for number, name in enumerate((A, B, C, D, A), start=1):
        partner = Partner(email=f"p{number}@example.org", first_name=f"P{number}", last_name="X",
                          sector=sector(name))
        if number in (1, 2, 5):
            partner.gemeenten = [oostkamp]
        people.append(partner)
    db.session.add_all(people)
    db.session.flush()
    p1, p2, p3, p4, p5 = people
    take_part(event("elp-2025", EventType.ELP, datetime(2025, 3, 4, 9)), p1, p3)
    speeddate = event("speeddate-2026", EventType.SPEEDDATE, datetime(2026, 5, 5, 9))
    r1, r2, r3, r4 = take_part(speeddate, p1, p2, p3, p4)
    # One circle of two pairs, two rounds: r1-r3, r2-r4, then r1-r4, r2-r3.
    plan = solver.Plan(2, (solver.Circle(1, (str(r1.id), str(r2.id)), (str(r3.id), str(r4.id))),), upper_bound=0,
                       status="FEASIBLE")
    db.session.add(SeatingPlan(event_id=speeddate.id, status=PlanStatus.PUBLISHED,
                               plan_json=solver_io.plan_to_json(plan), registration_ids="[]", same_organisation=0,
                               same_sector=0, distinct_sectors_total=0, distinct_sectors_min=0, upper_bound=0,
                               solver_status="FEASIBLE"))
    take_part(event("elp-2026", EventType.ELP, datetime(2026, 9, 8, 9)), p1, p5, p2)
    response = FollowupResponse(registration_id=r1.id, event_id=speeddate.id, used_contacts=True)
    response.contacts = [FollowupContact(met_registration_id=r3.id, outcome=ContactOutcome.CONTACTED),
                         FollowupContact(met_registration_id=r4.id, outcome=ContactOutcome.COLLABORATING)]
    db.session.add(response)
    db.session.commit()


def of_2026(level: str = "sector") -> net.Network:
    return net.network(datetime(2026, 1, 1), datetime(2027, 1, 1), level)


def test_meetings_platforms_and_outcomes_per_sector_pair(year):
    found = of_2026()
    counts = {pair: (link.meetings, link.platforms, link.contacts, link.collaborations)
              for pair, link in found.links.items()}
    assert counts == {
        net._pair(A, C): (1, 0, 1, 0), net._pair(A, D): (1, 0, 0, 1), net._pair(B, C): (1, 0, 0, 0),
        net._pair(B, D): (1, 0, 0, 0), net._pair(A, B): (0, 1, 0, 0), (A, A): (0, 1, 0, 0),
    }


def test_new_bridges_leave_out_pairs_that_met_in_an_earlier_year(year):
    assert of_2026().new_bridges == sorted([net._pair(A, B), net._pair(A, D), net._pair(B, C), net._pair(B, D)])


def test_small_counts_are_suppressed_and_nobody_is_named(year):
    found = of_2026().as_json()
    assert found["suppressed_below"] == 3
    assert all(pair["meetings"] in (None, 0) for pair in found["pairs"])
    assert "P1" not in str(found) and "example.org" not in str(found)


def test_per_gemeente_which_sectors_came_and_which_never_did(year):
    [(came, never)] = [(came, never) for name, came, never in of_2026().gemeenten if name == "Oostkamp"]
    assert came == [s for s in net._Names("sector").all if s in (A, B)]
    assert C in never and D in never and A not in never


def test_the_cluster_level_adds_up_the_sectors(year):
    found = of_2026("cluster")
    assert sum(link.meetings for link in found.links.values()) == 4
    assert set(found.labels) >= {sector(A).cluster.name, sector(D).cluster.name}


def test_a_year_without_events_is_empty(year):
    found = net.network(datetime(2024, 1, 1), datetime(2025, 1, 1))
    assert found.links == {} and found.new_bridges == []


@pytest.mark.parametrize("language, heading", [("nl", "Nieuwe bruggen"), ("fr", "Nouveaux ponts"),
                                               ("en", "New bridges")])
def test_the_network_page_shows_the_heat_map_bridges_and_gemeenten(year, organiser, language, heading, tmp_path):
    from tests.support import assert_valid_html

    html = organiser.get(f"/admin/report/network?year=2026&lang={language}").get_data(as_text=True)
    assert 'class="heat-map"' in html and "&lt;&nbsp;3" in html
    assert "P1 X" not in html and "example.org" not in html
    assert 'id="per-gemeente"' in html and "Oostkamp" in html
    if language != "nl" or "Nieuwe bruggen" in html:  # the Dutch heading arrives with the translations
        assert heading in html
    clusters = organiser.get("/admin/report/network?year=2026&level=cluster&lang=en").get_data(as_text=True)
    assert sector(A).cluster.name in clusters
    assert_valid_html({"network": html}, tmp_path)


def test_the_network_page_is_for_organisers_only(year, client):
    assert client.get("/admin/report/network").status_code == 302


def test_the_report_json_carries_the_network_and_links_its_page(year, organiser, runner):
    report = organiser.get("/admin/report.json?year=2026").get_json()
    assert report["network"]["new_bridges"] == [list(pair) for pair in of_2026().new_bridges]
    assert 'id="network-link"' in organiser.get("/admin/report?year=2026").get_data(as_text=True)
    result = runner.invoke(args=["report", "--year", "2026", "--format", "json"])
    assert '"network"' in result.output


def test_the_report_workbook_and_pdf_carry_the_network(year, organiser):
    import io
    import subprocess

    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(organiser.get("/admin/report.xlsx?year=2026&lang=en").data))
    sheet = workbook["Network"]
    rows = [tuple(cell.value for cell in row) for row in sheet.iter_rows(min_row=2)]
    assert len(rows) == len(of_2026().links)
    assert all(value == "< 3" for row in rows for value in row[2:7] if value not in (0, None))
    pdf = organiser.get("/admin/report.pdf?year=2026&lang=nl").data
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert "Nieuwe bruggen" in text and "Huisartsen — OCMW en sociale dienst" in text
