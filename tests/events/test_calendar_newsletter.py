"""The newsletter block: a month's events as HTML and text in each language, to paste into the newsletter tool."""

from datetime import timedelta

import pytest

from speeddate.i18n import to_local
from speeddate.models import EventType
from tests.support import assert_valid_html, local_now

LINK = "https://www.vivel.example/webinars/valpreventie"


@pytest.fixture
def month_events(make_event):
    """Next month: a speeddate with French texts and a third party's webinar; a draft and an event the month after."""
    today = local_now()
    first = (today.replace(day=1) + timedelta(days=32)).replace(day=3, hour=12, minute=0, second=0)
    made = {
        "speeddate": make_event(title="Speeddate Oostkamp", title_fr="Speed-dating Oostkamp",
                                description="Kennismaken <met> collega's", starts_at=first,
                                ends_at=first + timedelta(hours=2), co_organisers="OCMW Oostkamp"),
        "webinar": make_event(type=EventType.LUNCHWEBINAR, title="Webinar valpreventie", external_url=LINK,
                              organised_by="VIVEL", starts_at=first + timedelta(days=7),
                              ends_at=first + timedelta(days=7, hours=1)),
        "draft": make_event(publish=False, title="Nog een ontwerp", starts_at=first,
                            ends_at=first + timedelta(hours=1)),
        "later": make_event(title="Volgende maand", starts_at=first + timedelta(days=40),
                            ends_at=first + timedelta(days=40, hours=1)),
    }
    return first, made


def test_the_block_lists_the_months_events_in_each_language_with_their_links(app, organiser, month_events):
    app.config["PUBLIC_BASE_URL"] = "https://events.elz.example"
    first, made = month_events

    page = organiser.get(f"/admin/newsletter?month={first:%Y-%m}&lang=en").get_data(as_text=True)

    for language in ("nl", "fr", "en"):
        assert f'id="html-{language}"' in page and f'id="text-{language}"' in page
    assert "Speed-dating Oostkamp" in page and "Webinar valpreventie" in page
    assert "Nog een ontwerp" not in page and "Volgende maand" not in page
    assert f"https://events.elz.example/e/{made['speeddate'].slug}" in page and LINK in page
    assert "Organised together with OCMW Oostkamp." in page and "Organised by VIVEL" in page
    # the event's own text is escaped in the HTML to paste (shown escaped once more inside the text area)
    assert "Kennismaken &amp;lt;met&amp;gt;" in page and "<met>" not in page


def test_the_text_block_in_french_has_the_french_title_and_the_date_in_french(organiser, month_events):
    from speeddate.events.newsletter import blocks

    first, made = month_events
    _events, made_blocks = blocks(first.date().replace(day=1))
    french = next(block for block in made_blocks if block.language == "fr")
    dutch = next(block for block in made_blocks if block.language == "nl")

    assert "Speed-dating Oostkamp" in french.text and "Speeddate Oostkamp" not in french.text
    assert "Speeddate Oostkamp" in dutch.text
    start = to_local(made["speeddate"].starts_at)
    assert f"{start.day} " in french.text
    assert french.text.index("Speed-dating Oostkamp") < french.text.index("Webinar valpreventie")


def test_a_month_without_events_says_so(organiser):
    page = organiser.get("/admin/newsletter?month=2031-02&lang=en")

    assert page.status_code == 200 and "0 events this month." in page.get_data(as_text=True)


@pytest.mark.parametrize("month", ["2031-13", "februari", "1999-12", "2031-02-01"])
def test_a_month_that_is_no_month_gets_a_clear_message(organiser, month):
    page = organiser.get(f"/admin/newsletter?month={month}&lang=en")

    assert page.status_code == 400 and "Please choose a month" in page.get_data(as_text=True)


def test_the_newsletter_page_is_for_organisers_only(client):
    assert client.get("/admin/newsletter").status_code in (302, 401, 403)


def test_the_newsletter_page_is_valid_html(organiser, month_events, tmp_path):
    first, _made = month_events
    assert_valid_html({"newsletter": organiser.get(f"/admin/newsletter?month={first:%Y-%m}").get_data(as_text=True),
                       "events": organiser.get("/admin/events").get_data(as_text=True)}, tmp_path)
