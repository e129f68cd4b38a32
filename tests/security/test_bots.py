"""Robots: a honeypot field that people never fill, answered like a real registration but storing nothing."""

import re

from sqlalchemy import func, select

from speeddate.extensions import db
from speeddate.models import OutboxMail, Partner, Registration
from tests.support import PARTNER, post_form


def count(model) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_form_has_a_honeypot_that_people_neither_see_nor_reach_nor_get_filled(client, make_event):
    page = client.get(f"/e/{make_event().slug}?website=prefilled&lang=en").get_data(as_text=True)
    hidden = re.search(r'<div class="visually-hidden">(.*?)</div>', page, re.DOTALL).group(1)
    assert "Leave this field empty" in hidden
    field = re.search(r"<input[^>]*name=\"website\"[^>]*>", hidden).group(0)
    assert 'tabindex="-1"' in field and 'autocomplete="off"' in field and 'value=""' in field


def test_a_filled_honeypot_is_answered_like_a_registration_and_stores_nothing(client, make_event):
    event = make_event()
    real = post_form(client, f"/e/{event.slug}", PARTNER)
    mails = count(OutboxMail)
    robot = post_form(client, f"/e/{event.slug}", {**PARTNER, "email": "robot@example.org",
                                                    "website": "https://spam.example"})
    assert robot.status_code == real.status_code == 200
    request_ids = re.compile(r"[0-9a-f]{32}")
    assert request_ids.sub("", robot.get_data(as_text=True)).replace("robot@example.org", PARTNER["email"]) == \
        request_ids.sub("", real.get_data(as_text=True))
    assert count(Registration) == count(Partner) == 1
    assert count(OutboxMail) == mails, "no mail for the robot's address"


def test_an_empty_honeypot_registers_as_usual(client, make_event):
    response = post_form(client, f"/e/{make_event().slug}", {**PARTNER, "website": "  "})
    assert response.status_code == 200 and count(Registration) == 1
