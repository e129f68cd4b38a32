"""The plan view: each circle per round as SVG with its legend and pauses, one person's rounds, the swap preview
against the checker, and fixing a seat or keeping two apart from the view."""

import re
import xml.etree.ElementTree as ET

import pytest

from speeddate import solver
from speeddate.extensions import db
from speeddate.models import SeatingAvoidPair, SeatingFixedSeat, SeatingPlan
from speeddate.partners.services import cancel_registration
from speeddate.seating import constraints, drawing, plans, preview, seats
from tests.security.test_fuzz import BAD_NUMBERS, BAD_TEXTS
from tests.support import assert_valid_html, csrf_token, post_form

SVG = "{http://www.w3.org/2000/svg}"
# Seven people from the seating fixture: Organisatie 0..3, two per organisation but the last; sectors cycle
# Huisartsen, Apothekers, Thuisverpleging, OCMW. Inner seat i meets the outer people who started at i, i-1, i-2:
# with these start seats no colleagues meet, and whoever faces the empty outer seat pauses.
INNER, OUTER = [0, 2, 4, 6], [None, 1, 3, 5]


def page(event) -> str:
    return f"/admin/events/{event.id}/seating/"


def people(event):
    return constraints.confirmed_registrations(event.id)


def stored(event, inner: list[int | None], outer: list[int | None], rounds: int = 3) -> SeatingPlan:
    """A hand-made plan over the event's people by their index (None: an empty seat), stored as a draft."""
    everyone = people(event)

    def key(index):
        return str(everyone[index].id) if index is not None else None

    plan = solver.Plan(rounds, (solver.Circle(1, tuple(map(key, inner)), tuple(map(key, outer))),))
    return plans.store_plan(event.id, plan, sorted(everyone[i].id for i in (*inner, *outer) if i is not None))


@pytest.fixture
def seven(speeddate):
    """The event with seven people and the hand-made plan above."""
    event = speeddate(7)
    return event, stored(event, INNER, OUTER)


def view_of(client, event, row, **query) -> str:
    response = client.get(f"{page(event)}plans/{row.id}/view", query_string={"lang": "en", **query})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def svg_of(html: str) -> ET.Element:
    """The drawing, parsed as the XML it must be."""
    found = re.search(r'<svg class="circle-plan".*?</svg>', html, re.S)
    assert found, "no drawing"
    return ET.fromstring(found.group(0))


def seated(svg: ET.Element, side: str) -> list[str | None]:
    """Who sits on each seat of one side, seat 1 first, by registration id (None: empty)."""
    chairs = [e for e in svg.iter() if f"seat-{side}" in e.get("class", "").split()]
    return [chair.get("data-person") for chair in chairs]


def test_the_drawing_names_everyone_with_sector_labels_marks_the_pause_and_has_a_legend(organiser, seven):
    event, row = seven
    html = view_of(organiser, event, row)
    svg = svg_of(html)
    assert svg.find(f"{SVG}title").text == "Circle 1 in round 1 of 3"
    assert "outer circle moves one seat on" in svg.find(f"{SVG}desc").text
    text = " ".join(svg.itertext())
    for registration in people(event):
        assert registration.partner.full_name in text
        assert registration.partner.organisation.name in text
    legend = {key.short: key.name for key in drawing.plan_view(row, "en").legend}
    assert set(legend) == {"GP", "PHA", "HN", "PSW"}  # General practitioners, Pharmacists, Home nursing, OCMW
    for short, name in legend.items():
        assert re.search(rf'<span class="sector-short">{short}</span> {re.escape(name)}', html)
    # Every chair carries its sector's short label, so the drawing reads in black and white.
    shorts = [e.text for e in svg.iter(f"{SVG}text") if e.get("class") == "short"]
    assert sorted(s for s in shorts if s != "–") == sorted(["GP", "PHA", "HN", "PSW", "GP", "PHA", "HN"])
    empty = [e for e in svg.iter(f"{SVG}g") if "empty" in e.get("class", "")]
    assert len(empty) == 1 and "empty seat: pause" in "".join(empty[0].itertext())
    first = people(event)[0]  # inner seat 1 faces the empty outer seat in round 1
    pausing = [e for e in svg.iter(f"{SVG}a") if "pauses" in e.get("class", "").split()]
    assert [e.get("data-person") for e in pausing] == [str(first.id)]
    assert "(pause)" in "".join(pausing[0].itertext())


def test_each_round_moves_the_outer_circle_one_seat_on_and_the_table_says_the_same(organiser, seven):
    event, row = seven
    ids = [str(r.id) for r in people(event)]
    start = [ids[i] if i is not None else None for i in OUTER]
    for round_no in (1, 2, 3):
        html = view_of(organiser, event, row, round=round_no)
        svg = svg_of(html)
        assert seated(svg, "inner") == [ids[i] for i in INNER]
        assert seated(svg, "outer") == [start[(seat - (round_no - 1)) % 4] for seat in range(4)]
        assert f'aria-current="page">{round_no}</a>' in html
        table = re.search(r'<table class="plan">.*?</table>', html, re.S).group(0)
        rows = re.findall(r"<tr><th scope=\"row\">(\d)</th>(.*?)</tr>", table, re.S)
        by_id = {str(r.id): r.partner.full_name for r in people(event)}
        assert [number for number, _ in rows] == ["1", "2", "3", "4"]
        for (_, cells), inner, outer in zip(rows, seated(svg, "inner"), seated(svg, "outer"), strict=True):
            inner_cell, outer_cell = re.findall(r"<td>(.*?)</td>", cells, re.S)
            assert by_id[inner] in inner_cell
            assert (by_id[outer] in outer_cell) if outer else "empty seat: pause" in outer_cell


def test_a_round_past_the_last_shows_the_last_and_an_unknown_plan_is_not_found(organiser, seven, speeddate):
    event, row = seven
    assert "Circle 1 in round 3 of 3" in view_of(organiser, event, row, round=99)
    assert organiser.get(f"{page(event)}plans/999999/view").status_code == 404
    other = speeddate(2)
    assert organiser.get(f"{page(other)}plans/{row.id}/view").status_code == 404


def test_one_persons_view_lists_whom_they_meet_each_round_and_the_sectors_met(organiser, seven):
    event, row = seven
    everyone = people(event)
    first = everyone[0]
    html = view_of(organiser, event, row, person=first.id)
    section = re.search(r'<section id="person".*?</section>', html, re.S).group(0)
    rounds = re.findall(r'<tr(?: class="current")?><th scope="row"><a [^>]*>(\d)</a></th>(.*?)</tr>', section, re.S)
    assert [r for r, _ in rounds] == ["1", "2", "3"]
    assert "pause" in rounds[0][1]  # faces the empty seat
    assert everyone[5].partner.full_name in rounds[1][1]  # who started on outer seat 4
    assert everyone[3].partner.full_name in rounds[2][1]  # who started on outer seat 3
    assert "Meets 2 other sectors." in section
    assert re.search(r"Sectors met: .*Public social welfare.*Pharmacists|Sectors met: .*Pharmacists.*Public", section)


def test_the_worst_off_are_highlighted_and_the_counts_add_up_to_the_checkers_figures(organiser, seven):
    event, row = seven
    view = drawing.plan_view(row, "en")
    figures = plans.check_stored(row)
    assert sum(p.distinct for p in view.people.values()) == figures.distinct_sectors_total
    assert min(p.distinct for p in view.people.values()) == figures.distinct_sectors_min
    worst = {str(p.id) for p in view.people.values() if p.distinct == figures.distinct_sectors_min}
    assert worst and len(worst) < len(view.people)
    assert {str(p.id) for p in view.worst_off} == worst
    svg = svg_of(view_of(organiser, event, row))
    marked = {e.get("data-person") for e in svg.iter(f"{SVG}a") if "worst" in e.get("class", "").split()}
    assert marked == worst
    html = view_of(organiser, event, row)
    listed = re.search(r'<section aria-labelledby="worst-heading".*?</section>', html, re.S).group(0)
    for person in view.worst_off:
        assert f"★ {person.name}" in listed


def test_nobody_is_marked_worst_off_when_everybody_meets_as_many_sectors(organiser, speeddate):
    event = speeddate(4)
    row = stored(event, [0, 1], [2, 3], rounds=2)
    view = drawing.plan_view(row, "en")
    assert {p.distinct for p in view.people.values()} == {2} and view.worst_off == []
    html = view_of(organiser, event, row)
    assert "worst-heading" not in html and "★" not in html


def test_a_person_shows_the_wishes_of_the_solver_instance_met_or_not(seven, monkeypatch):
    event, row = seven
    view = drawing.plan_view(row, "en")
    first = people(event)[0]
    wanting = [solver.Participant(**{**p.__dict__, "wants": ("Apothekers", "Thuisverpleging")})
               if p.id == str(first.id) else p for p in view.instance.participants]
    view.instance = solver.Instance(tuple(wanting), view.instance.rounds)
    person = view.person_plan(first.id)
    assert person.wishes == ["Pharmacists", "Home nursing"]
    assert person.wishes_met == ["Pharmacists"]


def test_the_view_says_when_registrations_changed_since_the_plan(organiser, seven):
    event, row = seven
    gone = people(event)[2]
    cancel_registration(gone.id)
    html = view_of(organiser, event, row)
    stale = re.search(r'<div class="message error stale".*?</div>', html, re.S).group(0)
    assert "Registrations changed since this plan was made" in stale and gone.partner.full_name in stale


def test_search_finds_people_by_name_or_organisation(organiser, seven):
    event, row = seven
    html = view_of(organiser, event, row, q="partner3 peeters")
    found = re.search(r'<ul class="found".*?</ul>', html, re.S).group(0)
    assert "Partner3 Peeters" in found and "Partner4" not in found
    assert "Nobody found." in view_of(organiser, event, row, q="nobody-by-this-name")


def test_several_circles_are_shown_one_at_a_time_and_a_person_opens_their_own(organiser, speeddate):
    event = speeddate(8)
    ids = [str(r.id) for r in people(event)]
    plan = solver.Plan(2, (solver.Circle(1, (ids[0], ids[2]), (ids[4], ids[6])),
                           solver.Circle(2, (ids[1], ids[3]), (ids[5], ids[7]))))
    row = plans.store_plan(event.id, plan, sorted(map(int, ids)))
    html = view_of(organiser, event, row)
    assert "Circle 1 in round 1 of 2" in html and 'aria-label="Circles"' in html
    assert set(filter(None, seated(svg_of(html), "inner") + seated(svg_of(html), "outer"))) == \
        {ids[0], ids[2], ids[4], ids[6]}
    html = view_of(organiser, event, row, person=ids[7])
    assert "Circle 2 in round 1 of 2" in html


def test_the_swap_preview_gives_the_checkers_figures_and_the_pairs_that_change(organiser, seven):
    event, row = seven
    everyone = people(event)
    a, b = everyone[1], everyone[3]
    view = drawing.plan_view(row, "en")
    found = preview.swap_preview(view, a.id, b.id)
    expected = solver.check(view.instance, preview.swapped(seats.plan_of(row), str(a.id), str(b.id)))
    assert found.before == plans.check_stored(row) and found.after == expected
    # 1 started on outer seat 2 and meets inner seats 2, 3, 4; after the swap it starts on 3: seats 3, 4, 1.
    lost = {(m.first.id, m.second.id) for m in found.lost}
    gained = {(m.first.id, m.second.id) for m in found.gained}
    assert (everyone[1].id, everyone[2].id) in lost and (everyone[0].id, everyone[1].id) in gained
    assert {frozenset(p) for p in lost} .isdisjoint({frozenset(p) for p in gained})
    html = organiser.get(f"{page(event)}plans/{row.id}/swap/preview",
                         query_string={"lang": "en", "first": a.id, "second": b.id}).get_data(as_text=True)
    figures = dict(re.findall(r'<tr class="figure-([a-z-]+)[^"]*"><th scope="row">[^<]*</th><td>\d+</td>'
                              r"<td>(\d+)", html))
    assert figures == {"same-organisation": str(expected.same_organisation),
                       "same-sector": str(expected.same_sector),
                       "distinct-sectors-total": str(expected.distinct_sectors_total),
                       "distinct-sectors-min": str(expected.distinct_sectors_min),
                       "avoided-pairs-met": str(expected.avoided_pairs_met)}
    plans.swap(row.id, a.id, b.id)
    assert plans.check_stored(row) == found.after  # what the preview said is what the swap did


def apply(client, event, row, first, second, version=None, **extra):
    url = f"{page(event)}plans/{row.id}/swap/apply"
    form_url = f"{page(event)}plans/{row.id}/swap/preview?first={first}&second={second}"
    data = {"first": first, "second": second, "version": version or preview.version(row), **extra}
    return client.post(url + "?lang=en", data={**data, "csrf_token": csrf_token(client, form_url)})


def test_a_swap_that_makes_colleagues_meet_names_them_and_needs_a_second_confirmation(organiser, seven):
    event, row = seven
    everyone = people(event)
    a, b = everyone[1], everyone[3]
    html = organiser.get(f"{page(event)}plans/{row.id}/swap/preview",
                         query_string={"lang": "en", "first": a.id, "second": b.id}).get_data(as_text=True)
    warning = re.search(r'<div class="message error colleague-warning".*?</div>', html, re.S).group(0)
    assert "Partner0 Peeters and Partner1 Peeters (both Organisatie 0) in round 3" in warning
    assert "Partner2 Peeters and Partner3 Peeters (both Organisatie 1) in round 1" in warning
    assert 'name="confirmed"' in html
    before = row.plan_json
    refused = apply(organiser, event, row, a.id, b.id)
    assert refused.status_code == 400 and "Tick the box to confirm" in refused.get_data(as_text=True)
    db.session.refresh(row)
    assert row.plan_json == before
    done = apply(organiser, event, row, a.id, b.id, confirmed="y")
    assert done.status_code == 302 and f"plans/{row.id}/view" in done.location
    db.session.refresh(row)
    where = seats.seats(seats.plan_of(row))
    assert (where[str(a.id)].seat, where[str(b.id)].seat) == (3, 2)
    assert row.same_organisation == 2


def test_a_harmless_swap_applies_without_a_second_question(organiser, seven):
    event, row = seven
    everyone = people(event)
    html = organiser.get(f"{page(event)}plans/{row.id}/swap/preview",
                         query_string={"lang": "en", "first": everyone[6].id,
                                       "second": everyone[1].id}).get_data(as_text=True)
    assert "colleague-warning" not in html and 'name="confirmed"' not in html
    assert apply(organiser, event, row, everyone[6].id, everyone[1].id).status_code == 302
    db.session.refresh(row)
    assert seats.seats(seats.plan_of(row))[str(everyone[6].id)] == seats.Seat(1, "outer", 2)


def test_the_preview_page_without_a_choice_asks_for_two_people_and_refuses_one_person_twice(organiser, seven):
    event, row = seven
    url = f"{page(event)}plans/{row.id}/swap/preview"
    empty = organiser.get(url, query_string={"lang": "en"}).get_data(as_text=True)
    assert 'id="first"' in empty and "Choose two different people" not in empty
    one = people(event)[0].id
    twice = organiser.get(url, query_string={"lang": "en", "first": one, "second": one}).get_data(as_text=True)
    assert "Choose two different people from this plan." in twice and "swap/apply" not in twice


def test_a_preview_of_another_version_of_the_plan_swaps_nothing(organiser, seven):
    event, row = seven
    everyone = people(event)
    old = preview.version(row)
    plans.swap(row.id, everyone[0].id, everyone[6].id)
    changed = row.plan_json
    response = apply(organiser, event, row, everyone[0].id, everyone[2].id, version=old)
    assert response.status_code == 302 and "swap/preview" in response.location
    db.session.refresh(row)
    assert row.plan_json == changed
    assert "The plan changed since this preview" in organiser.get(response.location).get_data(as_text=True)


def test_the_swap_service_checks_version_and_confirmation_under_the_plans_lock(seven):
    event, row = seven
    everyone = people(event)
    a, b = everyone[1].id, everyone[3].id  # colleagues would meet
    seen = preview.version(row)
    with pytest.raises(preview.NeedsConfirmation):
        preview.apply_swap(row.id, a, b, seen, confirmed=False)
    with pytest.raises(preview.PreviewOutdated):
        preview.apply_swap(row.id, a, b, "another-version", confirmed=True)
    db.session.refresh(row)
    assert preview.version(row) == seen  # nothing was written
    done = preview.apply_swap(row.id, a, b, seen, confirmed=True)
    db.session.refresh(row)
    assert plans.check_stored(row) == done.after and row.same_organisation == 2
    with pytest.raises(preview.PreviewOutdated):  # the same preview again: the plan has changed since
        preview.apply_swap(row.id, b, a, seen, confirmed=True)


def test_in_swap_mode_search_results_and_chairs_lead_to_the_preview(organiser, seven):
    event, row = seven
    everyone = people(event)
    html = view_of(organiser, event, row, swap=everyone[0].id, q="Partner5")
    found = re.search(r'<ul class="found".*?</ul>', html, re.S).group(0)
    assert f"swap/preview?first={everyone[0].id}&amp;second={everyone[5].id}" in found
    svg = svg_of(html)
    links = {a.get("data-person"): a.get("href") for a in svg.iter(f"{SVG}a")}
    assert links[str(everyone[2].id)].endswith(f"swap/preview?first={everyone[0].id}&second={everyone[2].id}")
    assert "swap/preview" not in links[str(everyone[0].id)]  # oneself: back to one's own rounds


def test_a_fixed_seat_keeps_refusing_in_the_preview_and_on_apply(organiser, seven):
    event, row = seven
    everyone = people(event)
    constraints.set_fixed_seat(event.id, everyone[0].id, "inner", 1)
    html = organiser.get(f"{page(event)}plans/{row.id}/swap/preview",
                         query_string={"lang": "en", "first": everyone[0].id,
                                       "second": everyone[2].id}).get_data(as_text=True)
    assert "Someone with a fixed seat keeps it; remove the fixed seat first." in html
    assert "swap/apply" not in html
    before = row.plan_json
    response = apply(organiser, event, row, everyone[0].id, everyone[2].id)
    assert response.status_code == 302
    assert "Someone with a fixed seat keeps it" in organiser.get(response.location).get_data(as_text=True)
    db.session.refresh(row)
    assert row.plan_json == before


def test_a_swap_in_a_published_plan_ends_on_the_list_of_who_moved_or_the_seating_page(organiser, app, seven):
    event, row = seven
    everyone = people(event)
    plans.publish(row.id)
    html = organiser.get(f"{page(event)}plans/{row.id}/swap/preview",
                         query_string={"lang": "en", "first": everyone[6].id,
                                       "second": everyone[1].id}).get_data(as_text=True)
    assert "This plan is published" in html
    response = apply(organiser, event, row, everyone[6].id, everyone[1].id)
    moved = "seating.moved" in app.view_functions
    assert response.status_code == 302
    assert response.location.endswith(f"plans/{row.id}/moved" if moved else "/seating/#plan")


def test_the_seating_page_links_the_view_and_sends_its_swap_choice_to_the_preview(organiser, seven):
    event, row = seven
    html = organiser.get(page(event) + "?lang=en").get_data(as_text=True)
    assert f'href="{page(event)}plans/{row.id}/view"' in html
    form = re.search(r'<form method="get" action="([^"]+)"[^>]*>\s*(?:<div class="field">.*?)?'
                     r'<select id="swap-first"', html, re.S)
    assert form and form.group(1) == f"{page(event)}plans/{row.id}/swap/preview"
    everyone = people(event)
    response = organiser.get(form.group(1), query_string={"lang": "en", "swap-first": everyone[0].id,
                                                          "swap-second": everyone[6].id})
    assert f"If {everyone[0].partner.full_name} and {everyone[6].partner.full_name} swap seats" in \
        response.get_data(as_text=True)


def test_fixing_a_seat_from_the_view_says_whether_this_plan_already_keeps_it(organiser, seven):
    event, row = seven
    first, second = people(event)[0], people(event)[2]
    url = f"{page(event)}plans/{row.id}/people/{first.id}/fix?lang=en"
    view = f"{page(event)}plans/{row.id}/view?person={first.id}"
    done = post_form(organiser, url, {"fix-side": "inner", "fix-seat": 1, "fix-circle": 1}, form_url=view,
                     follow_redirects=True).get_data(as_text=True)
    assert "has a fixed seat: inner circle, seat 1. This plan already seats them there" in done
    assert db.session.get(SeatingFixedSeat, first.id).seat == 1
    url = f"{page(event)}plans/{row.id}/people/{second.id}/fix?lang=en"
    done = post_form(organiser, url, {"fix-side": "inner", "fix-seat": 4, "fix-circle": 1}, form_url=view,
                     follow_redirects=True).get_data(as_text=True)
    assert "This plan is unchanged: generate the plan again to seat them there." in done
    assert "This plan does not seat them there yet" in done
    taken = post_form(organiser, url, {"fix-side": "inner", "fix-seat": 1, "fix-circle": 1}, form_url=view,
                      follow_redirects=True).get_data(as_text=True)
    assert "That seat is already fixed for Partner0 Peeters." in taken
    assert db.session.get(SeatingFixedSeat, second.id).seat == 4
    unfix = f"{page(event)}plans/{row.id}/people/{second.id}/unfix?lang=en"
    assert f'action="{unfix.removesuffix("?lang=en")}"' in taken
    done = post_form(organiser, unfix, {}, form_url=view, follow_redirects=True).get_data(as_text=True)
    assert "The fixed seat is removed." in done and db.session.get(SeatingFixedSeat, second.id) is None


def test_keeping_two_apart_from_the_view_says_whether_they_meet_in_this_plan(organiser, seven):
    event, row = seven
    everyone = people(event)
    view = f"{page(event)}plans/{row.id}/view?person={everyone[0].id}"
    url = f"{page(event)}plans/{row.id}/people/{everyone[0].id}/apart?lang=en"
    done = post_form(organiser, url, {"apart-second": everyone[5].id}, form_url=view,
                     follow_redirects=True).get_data(as_text=True)
    assert "Partner0 Peeters and Partner5 Peeters still meet in round 2 of this plan" in done
    done = post_form(organiser, url, {"apart-second": everyone[2].id}, form_url=view,
                     follow_redirects=True).get_data(as_text=True)
    assert "do not meet in this plan" in done
    kept = re.search(r'<p class="kept-apart">.*?</p>', done, re.S).group(0)
    assert "Partner2 Peeters" in kept and "Partner5 Peeters" in kept
    assert db.session.get(SeatingAvoidPair, tuple(sorted((everyone[0].id, everyone[2].id)))) is not None


@pytest.mark.parametrize("value", BAD_NUMBERS + BAD_TEXTS + ["", "a" * 3000])
def test_odd_values_in_the_views_parameters_change_nothing_and_never_fail(organiser, seven, value):
    event, row = seven
    names = ("round", "circle", "person", "swap", "q", "first", "second", "swap-first", "swap-second")
    before = row.plan_json
    for path in ("view", "swap/preview"):
        response = organiser.get(f"{page(event)}plans/{row.id}/{path}", query_string=dict.fromkeys(names, value))
        assert response.status_code in (200, 400), (path, value, response.status_code)
    form_url = f"{page(event)}plans/{row.id}/view"
    for path in ("swap/apply", f"people/{people(event)[0].id}/fix", f"people/{people(event)[0].id}/apart"):
        fields = dict.fromkeys(("first", "second", "version", "confirmed", "fix-side", "fix-seat", "fix-circle",
                                "apart-second"), value)
        response = post_form(organiser, f"{page(event)}plans/{row.id}/{path}", fields, form_url=form_url)
        assert response.status_code in (302, 400), (path, value, response.status_code)
    db.session.refresh(row)
    assert row.plan_json == before and db.session.get(SeatingFixedSeat, people(event)[0].id) is None


def test_the_view_and_the_preview_are_valid_html(organiser, seven, tmp_path):
    event, row = seven
    everyone = people(event)
    constraints.set_fixed_seat(event.id, everyone[0].id, "inner", 2)
    constraints.add_avoided_pair(event.id, everyone[0].id, everyone[5].id)
    query = {"first": everyone[1].id, "second": everyone[3].id}
    assert_valid_html({
        "view": view_of(organiser, event, row, round=2),
        "person": view_of(organiser, event, row, person=everyone[0].id, q="Partner"),
        "swap-mode": view_of(organiser, event, row, swap=everyone[0].id),
        "preview": organiser.get(f"{page(event)}plans/{row.id}/swap/preview", query_string=query).get_data(
            as_text=True),
        "refused": apply(organiser, event, row, everyone[1].id, everyone[3].id).get_data(as_text=True),
    }, tmp_path)
