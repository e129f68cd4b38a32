"""Printouts and exports of a plan: every name as registered in the PDF (read back with pdftotext), the HTML sheet and
the PDF with the same text, the JSON export with the page's figures, `flask seating export --out`."""

import json
import re
import subprocess
from html.parser import HTMLParser

import pytest
from flask_babel import force_locale

from speeddate.extensions import db
from speeddate.seating import plans, seats, sheets
from tests.seating.test_views import generate_in_browser_way, page

# Names of people who work in primary care in Flanders and Brussels, from several alphabets and spellings.
NAMES = (("Şükrü", "Yılmaz"), ("Małgorzata", "Wójcik-Łukasiewicz"), ("Ștefan", "Țurcanu"), ("Ğazi", "El Ḥaddad"),
         ("Mohammed", "Aït Ouali"), ("Γιώργος", "Παπαδόπουλος"), ("Jiří", "Dvořák"))


def pdf_text(data: bytes) -> str:
    """The text of a PDF in content order, as poppler's pdftotext reads it."""
    done = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True,
                          check=True)
    return done.stdout.decode()


class _VisibleText(HTMLParser):
    """The words a printed page shows: the body without its no-print links."""

    def __init__(self) -> None:
        super().__init__()
        self.words: list[str] = []
        self.hidden = 0
        self.in_body = False

    def handle_starttag(self, tag, attrs):
        self.in_body = self.in_body or tag == "body"
        if self.hidden or "no-print" in (dict(attrs).get("class") or "").split() or tag in ("script", "style"):
            self.hidden += 1

    def handle_endtag(self, tag):
        if self.hidden:
            self.hidden -= 1

    def handle_data(self, data):
        if self.in_body and not self.hidden:
            self.words += data.split()


def html_words(html: str) -> list[str]:
    """The words of a page's body as printed."""
    parser = _VisibleText()
    parser.feed(html)
    return parser.words


@pytest.fixture
def world_names(speeddate):
    """A speeddate whose first seven people bear the names above."""
    event = speeddate(9)
    for registration, (first, last) in zip(seats_people(event), NAMES, strict=False):
        registration.partner.first_name, registration.partner.last_name = first, last
    db.session.commit()
    return event


def seats_people(event):
    from speeddate.seating.constraints import confirmed_registrations
    return confirmed_registrations(event.id)


@pytest.mark.parametrize("part", ["rounds", "cards"])
def test_the_pdf_prints_every_name_exactly_as_registered(organiser, world_names, part):
    plan = generate_in_browser_way(organiser, world_names)
    response = organiser.get(f"{page(world_names)}plans/{plan.id}/{part}.pdf?lang=en")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    lines = pdf_text(response.data).splitlines()
    for first, last in NAMES:
        assert f"{first} {last}" in "\n".join(lines)
    assert "?" not in "".join(lines)


@pytest.mark.parametrize("part", sheets.PARTS)
@pytest.mark.parametrize("language", ["nl", "fr", "en"])
def test_the_html_sheet_and_the_pdf_show_the_same_text(organiser, world_names, part, language):
    plan = plans.publish(generate_in_browser_way(organiser, world_names).id)
    first, second = sorted(int(i) for i in seats.seats(seats.plan_of(plan)))[:2]
    plan = plans.swap(plan.id, first, second)  # a new published version: the rounds sheet lists who moved
    assert len(json.loads(plan.moved_ids)) == 2
    html = organiser.get(f"{page(world_names)}plans/{plan.id}/print?part={part}&lang={language}")
    assert html.status_code == 200
    with force_locale(language):
        footer = sheets.printout(world_names, plan, part).event_line.split()
    pdf = pdf_text(organiser.get(f"{page(world_names)}plans/{plan.id}/{part}.pdf?lang={language}").data)
    pdf_words = " ".join(" ".join(pdf.split("\f")).split())
    shown = " ".join(html_words(html.get_data(as_text=True)))
    # The PDF repeats the event line in each page's footer, the HTML page shows it once under the title.
    assert pdf_words.replace(" ".join(footer), "").split() == shown.replace(" ".join(footer), "").split()
    assert len(shown.split()) > 20


@pytest.mark.parametrize("part", sheets.PARTS)
def test_each_pdf_printout_holds_every_person_or_every_chair(organiser, speeddate, part):
    event = speeddate(7)
    plan = generate_in_browser_way(organiser, event)
    text = pdf_text(organiser.get(f"{page(event)}plans/{plan.id}/{part}.pdf?lang=en").data)
    if part == "labels":
        chairs = sheets.labels(plan)
        assert text.count("Inner circle") == text.count("Outer circle") == len(chairs) // 2
    else:
        for registration in seats.plan_registrations(plan):
            assert registration.partner.full_name in text
    if part == "rounds":
        assert f"Round {sheets.round_count(plan)} of {sheets.round_count(plan)}" in text


def shown_figures(html: str) -> dict[str, int]:
    """The figures the seating page shows, read from its quality list."""
    colleagues = re.search(r'class="colleagues">(\d+)<', html)
    same_sector = re.search(r'class="same-sector">(\d+)<', html)
    total = re.search(r'class="distinct">(\d+) \(best possible at most (\d+)', html)
    worst = re.search(r"<dd>at least (\d+), on average", html)
    assert colleagues and same_sector and total and worst
    return {"same_organisation": int(colleagues[1]), "same_sector": int(same_sector[1]),
            "distinct_sectors_total": int(total[1]), "upper_bound": int(total[2]),
            "distinct_sectors_min": int(worst[1])}


def test_the_json_export_carries_the_figures_the_page_shows(organiser, speeddate):
    event = speeddate(12)
    plan = generate_in_browser_way(organiser, event)
    shown = shown_figures(organiser.get(f"{page(event)}?lang=en").get_data(as_text=True))
    quality = json.loads(organiser.get(f"{page(event)}plans/{plan.id}/export.json").data)["quality"]
    assert shown["distinct_sectors_total"] > 0 and shown["distinct_sectors_min"] > 0
    assert {key: quality[key] for key in shown} == shown
    assert quality["seconds"] > 0
    assert quality["status"] == plan.solver_status


def test_the_cli_export_writes_the_file_named_by_out(runner, speeddate, tmp_path):
    event = speeddate(6)
    assert runner.invoke(args=["seating", "generate", str(event.id), "--time-limit", "1"]).exit_code == 0
    for file_format in ("json", "csv", "xlsx"):
        out = tmp_path / f"plan.{file_format}"
        result = runner.invoke(args=["seating", "export", str(event.id), "--format", file_format, "--out", str(out)])
        assert result.exit_code == 0, result.output
        assert out.read_bytes() == sheets.exported(seats.latest_plan(event.id), file_format)
    data = json.loads((tmp_path / "plan.json").read_text())
    assert data["quality"]["distinct_sectors_total"] == seats.latest_plan(event.id).distinct_sectors_total > 0
    assert runner.invoke(args=["seating", "export", str(event.id), "--out", str(tmp_path)]).exit_code != 0
