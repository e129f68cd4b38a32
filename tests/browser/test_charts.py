"""Charts keep their text: in Chromium, every label and value of every chart on the evaluation page (with its
follow-up) and on the year report lies inside its drawing, in Dutch, French and English, on a desktop and a phone.

Each text's box (getBBox, in the chart's own units) is measured against the chart's viewBox; a screenshot of each
page is kept in the test's folder for a human look.
"""

from datetime import timedelta

import pytest

from speeddate.database import write
from speeddate.extensions import db
from speeddate.models import ContactOutcome, EventType, FollowupContact, FollowupResponse, Question, QuestionKind
from speeddate.partners.services import PartnerDetails, register
from speeddate.surveys.answers import save_evaluation
from speeddate.zone.services import sectors_by_cluster
from tests.browser.helpers import settle
from tests.reports.test_indicators import YEAR, known_year  # noqa: F401

pytestmark = pytest.mark.browser

LONG_OPTIONS = [{"nl": "Ik heb een nieuw contact opgenomen met iemand die ik daar leerde kennen",
                 "fr": "J'ai pris contact avec une personne rencontrée lors de l'activité",
                 "en": "I got in touch with someone I met there for the first time"},
                {"nl": "Folders", "fr": "Dépliants", "en": "Leaflets"},
                {"nl": "Eerstelijnszonewerking en samenwerkingsverbanden in de regio Oostkamp-Beernem-Zedelgem",
                 "fr": "Fonctionnement de la zone de première ligne et collaborations régionales",
                 "en": "Primary care zone work and partnerships in the Oostkamp-Beernem-Zedelgem region"}]
# Every text of every chart on the page whose box leaves the chart's viewBox (half a unit of slack).
OUTSIDE = """() => [...document.querySelectorAll('svg.chart')].flatMap(svg => {
  const view = svg.viewBox.baseVal;
  return [...svg.querySelectorAll('text')].map(text => ({chart: svg.querySelector('title').textContent,
                                                         text: text.textContent, box: text.getBBox()}))
    .filter(({box}) => box.x < view.x - 0.5 || box.y < view.y - 0.5 || box.x + box.width > view.x + view.width + 0.5
                       || box.y + box.height > view.y + view.height + 0.5)
    .map(({chart, text, box}) => `${chart}: "${text}" at ${box.x.toFixed(1)}..${(box.x + box.width).toFixed(1)}`
                                 + ` of ${view.width}`);
})"""


@pytest.fixture
def evaluated(make_event, clock):
    """A speeddate of twelve that ended, evaluated with long options and followed up months later."""
    event = make_event(title="Speeddate Oostkamp-Beernem-Zedelgem met een heel lange naam", capacity=12,
                       evaluation_anonymous=False)
    sector = sectors_by_cluster()[0].sectors[0]
    people = [register(event.id, f"p{n}@example.org", PartnerDetails(f"P{n}", "X", "Org", sector)).registration
              for n in range(12)]
    with write():
        several = Question(event_type=EventType.SPEEDDATE, kind=QuestionKind.MULTIPLE, position=90,
                           text_nl="Wat nam je mee?", text_fr="Qu'avez-vous retenu ?", text_en="What did you take?",
                           options=LONG_OPTIONS)
        again = Question(event_type=EventType.SPEEDDATE, kind=QuestionKind.YES_NO, position=91,
                         text_nl="Kom je terug?", text_fr="Reviendrez-vous ?", text_en="Will you come again?")
        db.session.add_all([several, again])
    clock.set(event.ends_at + timedelta(hours=1))
    for n, registration in enumerate(people):
        save_evaluation(registration.id, {several.id: [0, 2] if n % 3 else [1], again.id: [int(n % 4 != 0)]})
    outcomes = list(ContactOutcome)
    with write():
        event.followup_months = 3
        for n, registration in enumerate(people[:9]):
            registration.partner.consent_followup_at = event.starts_at
            db.session.add(FollowupResponse(
                registration_id=registration.id, event_id=event.id, used_contacts=n % 2 == 0, comment="",
                contacts=[FollowupContact(met_registration_id=other.id, outcome=outcomes[(n + k) % 4])
                          for k, other in enumerate(people[n + 1:n + 4])]))
    settle()
    return event


@pytest.mark.parametrize("language", ["nl", "fr", "en"])
def test_no_chart_text_runs_out_of_its_chart(site, device, evaluated, known_year, language,  # noqa: F811
                                             tmp_path):
    organiser = site.organiser_page(**device)
    for name, path in (("evaluation", f"/admin/events/{evaluated.id}/evaluation"), ("report", "/admin/report")):
        organiser.goto(f"{path}?lang={language}&year={YEAR}")
        charts = organiser.locator("svg.chart")
        assert charts.count() >= (4 if name == "evaluation" else 3)
        organiser.screenshot(path=tmp_path / f"{name}-{language}.png", full_page=True)
        assert organiser.evaluate(OUTSIDE) == [], f"text outside its chart on the {name} page"
        shortened = organiser.locator("svg.chart text.chart-label title")
        if name == "evaluation":
            assert shortened.count() >= 1, "a label too long for two lines keeps its full text as a tooltip"
            full = shortened.first.text_content()
            assert organiser.locator("table.chart-table th", has_text=full).count() >= 1, "and in the table below"
