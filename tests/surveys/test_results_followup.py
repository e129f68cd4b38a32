"""Follow-up results in lines that add up: people counted over people, contacts over contacts."""

from datetime import timedelta

import pytest

from speeddate.database import write
from speeddate.extensions import db
from speeddate.models import ContactOutcome, FollowupContact, FollowupResponse
from speeddate.partners.services import PartnerDetails, register
from speeddate.surveys.results import followup_figures
from speeddate.zone.services import sectors_by_cluster

CONTACTED, REFERRED, WORKING, NOT_YET = (ContactOutcome.CONTACTED, ContactOutcome.REFERRED,
                                         ContactOutcome.COLLABORATING, ContactOutcome.NOT_YET)


@pytest.fixture
def answered(make_event, clock):
    """Four people asked; three answered about six contacts; the fourth did not answer."""
    event = make_event(title="Speeddate Beernem", capacity=4)
    sector = sectors_by_cluster()[0].sectors[0]
    a, b, c, _ = people = [register(event.id, f"p{n}@example.org", PartnerDetails(f"P{n}", "X", "Org", sector))
                           .registration for n in range(4)]
    clock.set(event.ends_at + timedelta(days=100))
    with write():
        event.followup_months = 3
        for registration in people:
            registration.partner.consent_followup_at = event.starts_at
        for who, used, outcomes in ((a, True, [(b, CONTACTED), (c, REFERRED), (people[3], CONTACTED)]),
                                    (b, True, [(a, WORKING), (c, NOT_YET)]), (c, False, [(a, NOT_YET)])):
            db.session.add(FollowupResponse(
                registration_id=who.id, event_id=event.id, used_contacts=used, comment="",
                contacts=[FollowupContact(met_registration_id=other.id, outcome=o) for other, o in outcomes]))
    return event


def test_people_lines_count_people_over_who_answered_and_contact_lines_add_up_to_the_contacts(answered):
    figures = followup_figures([answered])
    assert (figures.asked, figures.responded, figures.reported) == (4, 3, 6)
    people = {line.key: (line.count, line.total, line.base) for line in figures.people}
    assert people == {"answered": (3, 4, "asked"), "used_contacts": (2, 3, "answered"),
                      "people_contacted": (1, 3, "answered"), "people_referred": (1, 3, "answered"),
                      "people_collaborating": (1, 3, "answered")}
    contacts = {line.key: line.count for line in figures.contacts}
    assert contacts == {"contacts_contacted": 2, "contacts_referred": 1, "contacts_collaborating": 1,
                        "contacts_not_yet": 2}
    assert {line.total for line in figures.contacts} == {6}
    assert sum(contacts.values()) == 6 and sum(line.share for line in figures.contacts) == pytest.approx(1)


def test_the_page_says_per_line_what_is_counted_and_over_what_total(answered, organiser):
    page = organiser.get(f"/admin/events/{answered.id}/evaluation?lang=en").get_data(as_text=True)
    section = page[page.index("Follow-up months later"):]
    assert "3 of 4 people asked answered" in section
    assert "67% of them used at least one new contact" in section
    assert "3 people who answered" in section and "6 contacts reported on" in section
    # Contacts got in touch with: 2 of the 6 contacts (33 %), never 2 of the 3 people who answered (67 %).
    row = section[section.index("Contacts got in touch with</th>"):]
    row = row[:row.index("</tr>")]
    assert ">2<" in row and "6 contacts reported on" in row and "33%" in row
