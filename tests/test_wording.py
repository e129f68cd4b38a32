"""One word per thing: logging in is not checking in, registering is not logging in, and a partner is spoken to
in one form of address, in words a partner understands."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import select

from speeddate.extensions import db
from speeddate.models import OutboxMail
from tests.support import post_form

CATALOGUES = Path(__file__).resolve().parent.parent / "speeddate" / "translations"


def catalogue(language: str) -> dict[str, str]:
    """msgid -> msgstr of the singular messages of a catalogue."""
    with open(CATALOGUES / language / "LC_MESSAGES" / "messages.po", "rb") as f:
        return {m.id: m.string for m in read_po(f) if isinstance(m.id, str) and m.id}


def test_dutch_never_says_aanmelden_or_afmelden():
    """"Aanmelden" meant both logging in and checking in, and "afmelden" (logging out) sat next to "inchecken"."""
    ambiguous = {msgid: text for msgid, text in catalogue("nl").items() if re.search(r"(aan|af)ge?meld", text, re.I)}
    assert ambiguous == {}


@pytest.mark.parametrize(("language", "session", "checking_in"), [
    ("nl", r"\b(inloggen|uitloggen|ingelogd|uitgelogd)\b", r"incheck|ingecheckt"),
    ("fr", r"connect|connexion", r"arrivée"),
])
def test_logging_in_and_checking_in_have_one_word_each(language, session, checking_in):
    messages = catalogue(language)
    about_session = {i: s for i, s in messages.items() if re.search(r"\blog(ged)? ?(in|out)\b", i, re.I)}
    about_arrival = {i: s for i, s in messages.items() if re.search(r"\bcheck(ed)?[ -]in\b", i, re.I)}
    assert about_session and about_arrival
    assert {i: s for i, s in about_session.items() if not re.search(session, s, re.I)} == {}
    assert {i: s for i, s in about_arrival.items() if not re.search(checking_in, s, re.I)} == {}


def test_dutch_speaks_to_people_with_je_throughout():
    assert {i: s for i, s in catalogue("nl").items() if re.search(r"\bjouw\b", s, re.I)} == {}


@pytest.mark.parametrize("language", ["nl", "fr", "en"])
def test_the_personal_page_has_distinct_headings_and_says_what_the_data_file_is(client, register_link, make_event,
                                                                                 language):
    page = client.get(register_link(make_event(), language=language) + f"?lang={language}").get_data(as_text=True)
    headings = re.findall(r"<h2[^>]*>(.*?)</h2>", page)
    assert len(headings) == len(set(headings)), headings
    assert "(JSON)" not in page


def test_the_mail_about_a_cancelled_registration_offers_no_link_to_cancel(client, register_link, make_event):
    link = register_link(make_event(), language="en")
    assert post_form(client, f"{link}/cancel", {}).status_code in (200, 302)
    mail = db.session.scalar(select(OutboxMail).where(OutboxMail.kind == "cancelled"))
    assert mail is not None
    assert "cancel your registration" not in mail.body_text
    assert "cancel your registration" not in mail.body_html
    assert "Your personal link, to see your registration and your data:" in mail.body_text


def test_a_statement_is_answered_on_an_agreement_scale_and_a_question_on_a_rating_scale(client, register_link,
                                                                                         make_event, clock):
    event = make_event(title="Speeddate Jabbeke")
    link = register_link(event, 1, language="en")
    clock.set(event.ends_at + timedelta(hours=1))
    page = client.get(f"{link}/evaluation?lang=en").get_data(as_text=True)
    fieldsets = dict(re.findall(r"<legend>(.*?)</legend>(.*?)</fieldset>", page, re.S))
    statement = next(body for legend, body in fieldsets.items() if legend.startswith("I now know the offer"))
    question = next(body for legend, body in fieldsets.items() if legend.startswith("Overall, how satisfied"))
    assert "strongly agree" in statement and "excellent" not in statement
    assert "excellent" in question and "agree" not in question
