"""Kinds of mail are registered by the areas that send them; the mail area knows none of them beforehand."""

import pytest

from speeddate.mail import kinds
from speeddate.mail.kinds import MailKind
from speeddate.surveys.mails import SurveyMail


@pytest.fixture
def registry(monkeypatch):
    """A copy of the registry, so that a test's kinds do not outlive it."""
    monkeypatch.setattr(kinds, "_registered", dict(kinds._registered))


def test_the_surveys_register_their_scheduled_kinds_with_the_app(app):
    scheduled = {kind.name for kind in kinds.scheduled()}
    assert set(SurveyMail) <= scheduled
    assert all(kinds.kind(name).still_wanted is not None for name in SurveyMail)


def test_registering_the_same_kind_again_changes_nothing_but_a_second_kind_of_that_name_is_refused(registry):
    kind = MailKind("newsletter", "Nieuws")
    kinds.register(kind)
    kinds.register(kind)
    assert kinds.kind("newsletter") is kind
    with pytest.raises(ValueError, match="newsletter"):
        kinds.register(MailKind("newsletter", "Ander nieuws"))


def test_an_unknown_kind_says_which_and_why(registry):
    with pytest.raises(LookupError, match="'nothing'.*blueprint"):
        kinds.kind("nothing")
    assert kinds.find("nothing") is None
