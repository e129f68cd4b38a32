"""The merge form says that a doubled place goes to the waiting list, with a mail, before anything is merged."""

from sqlalchemy import select

from speeddate.extensions import db
from speeddate.models import Partner


def test_the_merge_form_says_who_may_get_a_mail(organiser, make_event, register):
    register(make_event())
    partner = db.session.scalar(select(Partner))
    text = organiser.get(f"/admin/directory/partners/{partner.id}?lang=en").get_data(as_text=True)
    assert "the spare place goes to the first person on the waiting list, who gets a mail" in text
