"""The partner survey in a real browser: the organiser writes it, chooses partners and sends it after seeing who
gets it; a French-speaking partner answers through the link in their mail; the organiser reads the results."""

import pytest
from sqlalchemy import select

from speeddate.extensions import db
from speeddate.models import Gemeente, PartnerSurvey
from tests.browser.helpers import DEVICES, settle
from tests.support import local_now
from tests.surveys.test_partner_survey import add_partner

pytestmark = pytest.mark.browser


def test_create_choose_partners_send_answer_and_read_the_results(site, device, mailbox):
    add_partner(1, language="fr")
    add_partner(2, gemeente="Beernem")
    oostkamp = db.session.scalar(select(Gemeente.id).where(Gemeente.name == "Oostkamp"))
    settle()
    organiser = site.organiser_page()
    organiser.goto("/admin/")
    organiser.click("nav.backoffice a[href='/admin/partner-surveys/']")
    organiser.click("a.button.primary")
    organiser.fill("#title_nl", "Partnerbevraging")
    organiser.fill("#title_fr", "Enquête partenaires")
    organiser.fill("#intro_fr", "Cinq minutes pour une meilleure zone.")
    organiser.fill("#closes_on", (local_now().date().replace(day=1).replace(year=local_now().year + 1)).isoformat())
    organiser.uncheck("#anonymous")  # named: one answer shows in full
    organiser.click("form.form button[type=submit]")
    organiser.wait_for_selector("#no-questions")
    organiser.click("a[href$='/questions/new']")
    organiser.select_option("#kind", "scale")
    organiser.fill("#text_nl", "Hoe tevreden bent u?")
    organiser.fill("#text_fr", "Êtes-vous satisfait ?")
    organiser.check("#required")
    organiser.click("form.form button[type=submit]")
    organiser.click("a[href$='/send']")
    organiser.check(f"#gemeenten-{oostkamp}")
    organiser.click("#audience button[type=submit]")
    assert "1" in organiser.locator("#summary").inner_text()
    assert "Enquête partenaires" in organiser.locator("#preview").inner_text()
    organiser.click("#confirm-send")
    organiser.wait_for_selector(".message.success")
    settle()
    survey = db.session.scalars(select(PartnerSurvey)).one()
    assert survey.sent_at is not None
    (mail,) = mailbox.deliver().messages
    assert mail["To"] == "survey1@example.org" and "Enquête partenaires" in mail["Subject"]
    link = next(line.strip() for line in mail.get_body(("plain",)).get_content().splitlines() if "/survey" in line)
    assert link.startswith(site.url)
    partner = site.new_page(**device)
    partner.goto(link)
    assert partner.locator("html").get_attribute("lang") == "fr"
    assert "Cinq minutes pour une meilleure zone." in partner.locator("main").inner_text()
    partner.click("button[type=submit]")  # nothing chosen: the required question says so
    partner.wait_for_selector(".error-summary")
    partner.locator("fieldset label").last.click()
    partner.click("button[type=submit]")
    partner.wait_for_selector(".message.success")
    organiser.goto(f"/admin/partner-surveys/{survey.id}/results")
    assert organiser.locator("svg.chart").first.is_visible()
    results = organiser.locator("main").inner_text()
    assert "n = 1" in results and "5\t1\t100" in results, "the one answer, a 5, in the chart's table"


def test_the_survey_pages_pass_axe_and_fit_a_phone(app, site, mailbox):
    from axe_playwright_python.sync_playwright import Axe

    from speeddate.models import PartnerSurveyRecipient
    from speeddate.surveys import partner_survey as surveys
    from tests.surveys.test_partner_survey import make_survey, sent

    survey = make_survey(anonymous=False)
    add_partner(1)
    sent(survey)
    link = f"/r/{surveys.signed_token(db.session.scalars(select(PartnerSurveyRecipient)).one())}/survey"
    base = f"/admin/partner-surveys/{survey.id}"
    settle()
    axe, violations = Axe(), {}
    organiser, partner = site.organiser_page(**DEVICES["phone"]), site.new_page(**DEVICES["phone"])
    organiser_paths = ("/admin/partner-surveys/", "/admin/partner-surveys/new", base, f"{base}/edit",
                       f"{base}/questions/new", f"{base}/send?everyone=y", f"{base}/remind", f"{base}/results",
                       f"{base}/close")
    for page, path in [(organiser, p) for p in organiser_paths] + [(partner, link)]:
        page.goto(path)
        serious = [v["id"] for v in axe.run(page).response["violations"] if v["impact"] in ("serious", "critical")]
        if serious:
            violations[path] = serious
    assert violations == {}
