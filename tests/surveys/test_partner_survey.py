"""A partner survey outside events (the action plan's Actie 22): written by an organiser, sent to a selection of
the directory who agreed to the zone's mails, answered through a personal link until it closes, reminded, and
read as results and exports, named or anonymous."""

import csv
import io
import re
from datetime import date, timedelta
from functools import partial

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from speeddate import tokens
from speeddate.extensions import db
from speeddate.mail.invitations import Audience
from speeddate.models import (
    Gemeente,
    MailStatus,
    OutboxMail,
    Partner,
    PartnerSurvey,
    PartnerSurveyRecipient,
    PartnerSurveyResponse,
    QuestionKind,
    Sector,
)
from speeddate.models.base import utcnow
from speeddate.surveys import partner_survey as surveys
from speeddate.surveys.partner_forms import closing_time
from tests.seating.test_jobs import at_once
from tests.support import csrf_token, local_now, post_form, vnu_messages

SURVEY_LINK = re.compile(r"http://speeddate\.test(/r/[A-Za-z0-9_.-]{8,}/survey)")


def add_partner(number: int, gemeente: str = "Oostkamp", sector: str = "Huisartsen", consents: bool = True,
                confirmed: bool = True, language: str = "nl", email: str | None = "") -> Partner:
    partner = Partner(email=f"survey{number}@example.org" if email == "" else email, first_name=f"S{number}",
                      last_name="Partner", language=language,
                      sector=db.session.scalar(select(Sector).where(Sector.name == sector)),
                      gemeenten=[db.session.scalar(select(Gemeente).where(Gemeente.name == gemeente))],
                      consent_invitations_at=utcnow() if consents else None,
                      email_confirmed_at=utcnow() if confirmed else None)
    db.session.add(partner)
    db.session.commit()
    return partner


def gemeente_id(name: str) -> int:
    return db.session.scalar(select(Gemeente.id).where(Gemeente.name == name))


def make_survey(anonymous: bool = False, days: int = 14, **texts) -> PartnerSurvey:
    """A draft with a required score, a choice of several and an open question."""
    values = {"title_nl": "Bevraging van onze partners", "title_fr": "Enquête auprès de nos partenaires",
              "intro_nl": "Vijf minuten voor een betere zone.", **texts}
    survey = surveys.save_survey(None, surveys.SurveyTexts(
        **values, anonymous=anonymous, closes_at=closing_time(local_now().date() + timedelta(days=days))))
    for kind, text, options, required in (
            (QuestionKind.SCALE, "Hoe tevreden bent u over de zone?", "", True),
            (QuestionKind.MULTIPLE, "Welke activiteiten kent u?", "Speeddate | Speeddate\nWebinar | Webinaire", False),
            (QuestionKind.TEXT, "Wat mag beter?", "", False)):
        surveys.save_question(survey.id, QuestionValues(kind, text, options, required), None)
    return db.session.get_one(PartnerSurvey, survey.id)


class _Field:
    def __init__(self, data):
        self.data = data


class QuestionValues:
    """What a checked question form gives the service."""

    def __init__(self, kind: QuestionKind, text: str, options: str, required: bool):
        self.kind, self.text_nl, self.text_fr, self.text_en = _Field(kind.value), _Field(text), _Field(""), _Field("")
        self.required, self._options = _Field(required), options

    def option_list(self):
        return [{"nl": line.split("|")[0].strip(), "fr": line.split("|")[1].strip(), "en": ""}
                for line in self._options.splitlines()]


def outbox(kind: str = "partner_survey") -> list[OutboxMail]:
    return list(db.session.scalars(select(OutboxMail).where(OutboxMail.kind == kind).order_by(OutboxMail.id)))


def link_of(partner: Partner, kind: str = "partner_survey") -> str:
    row = next(r for r in outbox(kind) if r.partner_id == partner.id)
    match = SURVEY_LINK.search(row.body_text)
    assert match, row.body_text
    return match.group(1)


EVERYONE = Audience(languages=("nl", "fr", "en"))


def sent(survey: PartnerSurvey) -> int:
    """Send the survey to every partner who may get it."""
    return surveys.send(survey.id, EVERYONE)


def answer_ids(survey: PartnerSurvey) -> dict[str, int]:
    scale, multiple, text = surveys.questions_of(survey)
    return {"scale": scale.id, "multiple": multiple.id, "text": text.id}


# The organiser's pages ------------------------------------------------------------------------------------------

def test_an_organiser_writes_a_survey_in_three_languages_and_its_questions(organiser):
    assert "/admin/partner-surveys/" in organiser.get("/admin/partner-surveys/?lang=en").get_data(as_text=True)
    closes = (local_now().date() + timedelta(days=10)).isoformat()
    response = post_form(organiser, "/admin/partner-surveys/new", {
        "title_nl": "Partnerbevraging 2026", "title_fr": "Enquête partenaires 2026", "intro_nl": "Uw mening telt.",
        "closes_on": closes, "anonymous": "y"})
    assert response.status_code == 302
    survey = db.session.scalars(select(PartnerSurvey)).one()
    assert (survey.title_nl, survey.title_fr, survey.title_en, survey.anonymous) == \
        ("Partnerbevraging 2026", "Enquête partenaires 2026", "", True)
    assert survey.sent_at is None and survey.closes_at == closing_time(date.fromisoformat(closes))
    response = post_form(organiser, f"/admin/partner-surveys/{survey.id}/questions/new", {
        "kind": "single", "text_nl": "Hoe vaak werkt u samen?", "options": "Nooit | Jamais\nSoms | Parfois"})
    assert response.status_code == 302
    page = organiser.get(f"/admin/partner-surveys/{survey.id}?lang=en").get_data(as_text=True)
    assert "Hoe vaak werkt u samen?" in page and "Draft: not sent yet." in page
    assert "Partnerbevraging 2026" in organiser.get("/admin/partner-surveys/?lang=en").get_data(as_text=True)


def test_bad_input_is_refused_in_the_users_language_and_changes_nothing(organiser):
    yesterday = (local_now().date() - timedelta(days=1)).isoformat()
    response = post_form(organiser, "/admin/partner-surveys/new?lang=en", {"title_nl": "", "closes_on": yesterday})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Please fill this in." in page and "still to come" in page
    assert db.session.scalar(select(func.count()).select_from(PartnerSurvey)) == 0
    survey = make_survey()
    response = post_form(organiser, f"/admin/partner-surveys/{survey.id}/questions/new?lang=en",
                         {"kind": "single", "text_nl": "Eén optie", "options": "Enige"})
    assert response.status_code == 400 and "at least two options" in response.get_data(as_text=True)
    assert len(surveys.questions_of(survey)) == 3


def test_the_pages_are_valid_html(organiser, tmp_path):
    survey = make_survey()
    add_partner(1)
    oostkamp = gemeente_id("Oostkamp")
    sent(survey)
    respondent = db.session.scalars(select(PartnerSurveyRecipient)).first()
    pages = {
        "list": organiser.get("/admin/partner-surveys/"),
        "new": organiser.get("/admin/partner-surveys/new"),
        "edit": organiser.get(f"/admin/partner-surveys/{survey.id}/edit"),
        "detail": organiser.get(f"/admin/partner-surveys/{survey.id}"),
        "question": organiser.get(f"/admin/partner-surveys/{survey.id}/questions/new"),
        "send": organiser.get(f"/admin/partner-surveys/{survey.id}/send?gemeenten={oostkamp}"),
        "remind": organiser.get(f"/admin/partner-surveys/{survey.id}/remind"),
        "results": organiser.get(f"/admin/partner-surveys/{survey.id}/results"),
        "close": organiser.get(f"/admin/partner-surveys/{survey.id}/close"),
        "answer": organiser.get(f"/r/{surveys.signed_token(respondent)}/survey"),
    }
    for name, page in pages.items():
        assert page.status_code == 200, name
        (tmp_path / f"{name}.html").write_text(page.get_data(as_text=True))
    assert vnu_messages(tmp_path) == []


# Whom it goes to: consent, confirmed addresses, filters; asked first, never twice ---------------------------------

def test_the_send_page_counts_who_gets_it_and_who_is_left_out_and_shows_one_mail_before_sending(organiser):
    survey = make_survey()
    add_partner(1, language="fr")
    add_partner(2, sector="CAW")
    add_partner(3, gemeente="Beernem")
    add_partner(4, consents=False)
    add_partner(5, confirmed=False)
    add_partner(6, email=None)
    erased = add_partner(7)
    erased.erased_at = utcnow()
    db.session.commit()
    url = f"/admin/partner-surveys/{survey.id}/send"
    assert "Nobody is chosen yet." in organiser.get(url + "?lang=en").get_data(as_text=True)
    page = organiser.get(f"{url}?gemeenten={gemeente_id('Oostkamp')}&lang=en").get_data(as_text=True)
    assert "2 partners would get the survey" in page
    assert "Left out: 3." in page and "Did not agree to mails of the zone: 1." in page
    assert "Address not confirmed: 1." in page and "No email address: 1." in page
    assert "Enquête auprès de nos partenaires" in page  # the first partner's language: French
    assert "/r/…/survey" in page and not SURVEY_LINK.search(page)  # the token never shows
    assert outbox() == [] and survey.sent_at is None
    assert post_form(organiser, url, {"gemeenten": [gemeente_id("Oostkamp")]}).status_code == 302
    assert sorted(r.recipient for r in outbox()) == ["survey1@example.org", "survey2@example.org"]
    post_form(organiser, url, {"gemeenten": [gemeente_id("Oostkamp")]})
    assert len(outbox()) == 2  # pressed twice: nobody gets it twice
    page = organiser.get(f"{url}?everyone=y&lang=en").get_data(as_text=True)
    assert "1 partner would get the survey" in page and "Got this survey before: 2." in page


def test_a_post_with_nothing_ticked_sends_nothing(organiser):
    survey = make_survey()
    add_partner(1)
    response = post_form(organiser, f"/admin/partner-surveys/{survey.id}/send?lang=en", {},
                         follow_redirects=True)
    assert "please tick whom to send the survey to first" in response.get_data(as_text=True)
    assert outbox() == []


def test_a_survey_without_questions_or_closed_is_not_sent(organiser, clock):
    empty = surveys.save_survey(None, surveys.SurveyTexts("Leeg", closes_at=closing_time(local_now().date())))
    add_partner(1)
    with pytest.raises(surveys.SurveyClosed):
        surveys.send(empty.id, Audience(languages=("nl",)))
    survey = make_survey(days=1)
    clock.set(survey.closes_at + timedelta(seconds=1))
    with pytest.raises(surveys.SurveyClosed):
        surveys.send(survey.id, Audience(languages=("nl",)))
    assert outbox() == []


def test_each_partner_gets_the_mail_in_their_language_at_the_mail_server(app, mailbox):
    survey = make_survey(title_en="Our partner survey")
    add_partner(1, language="fr")
    add_partner(2, language="en")
    add_partner(3)
    assert sent(survey) == 3
    mailbox.deliver()
    (french,) = mailbox.to("survey1@example.org")
    (english,) = mailbox.to("survey2@example.org")
    (dutch,) = mailbox.to("survey3@example.org")
    assert "Enquête auprès de nos partenaires" in french["Subject"]
    assert "Our partner survey" in english["Subject"]
    assert "Bevraging van onze partners" in dutch["Subject"]
    body = dutch.get_body(("plain",)).get_content()
    assert "Vijf minuten voor een betere zone." in body and "/r/" in body and "/u/" in body
    assert mailbox.deliver() and len(mailbox.messages) == 3  # never sent twice


# The personal link ------------------------------------------------------------------------------------------------

def test_the_survey_is_reached_only_through_the_partners_own_link(client):
    survey = make_survey()
    partner = add_partner(1, language="fr")
    sent(survey)
    link = link_of(partner)
    page = client.get(link)
    assert page.status_code == 200 and "Enquête auprès de nos partenaires" in page.get_data(as_text=True)
    recipient = db.session.scalars(select(PartnerSurveyRecipient)).one()
    assert client.get(f"/r/{recipient.token}/survey").status_code == 404  # unsigned
    assert client.get(f"/r/{tokens.sign(recipient.token)}/survey").status_code == 404  # a registration's signature
    altered = link[:-8] + ("A" if link[-8] != "A" else "B") + "/survey"
    assert client.get(altered).status_code == 404
    partner.erased_at = utcnow()
    db.session.commit()
    assert client.get(link).status_code == 404


# Answers: named and anonymous --------------------------------------------------------------------------------------

def test_named_answers_are_kept_with_the_partner_and_can_be_changed_until_closing(client, organiser):
    survey = make_survey()
    partner = add_partner(1)
    sent(survey)
    link, ids = link_of(partner), answer_ids(survey)
    response = post_form(client, link + "?lang=en", {f"q{ids['multiple']}": ["0"]})
    assert response.status_code == 400 and "Please answer this question." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(PartnerSurveyResponse)) == 0
    assert post_form(client, link, {f"q{ids['scale']}": "2", f"q{ids['multiple']}": ["0", "1"]}).status_code == 302
    assert post_form(client, link, {f"q{ids['scale']}": "4", f"q{ids['text']}": "Meer webinars"}).status_code == 302
    stored = db.session.scalars(select(PartnerSurveyResponse)).one()
    assert stored.partner_id == partner.id
    assert surveys.saved_values(db.session.scalars(select(PartnerSurveyRecipient)).one()) == {
        ids["scale"]: [4], ids["text"]: "Meer webinars"}
    page = organiser.get(f"/admin/partner-surveys/{survey.id}/results?lang=en").get_data(as_text=True)
    assert "1 of 1 partners answered" in page and "Meer webinars" in page and "mean 4.00" in page
    rows = list(csv.DictReader(io.StringIO(organiser.get(
        f"/admin/partner-surveys/{survey.id}/results.csv").get_data().decode("utf-8-sig"))))
    assert rows[0]["name"] == "S1 Partner" and rows[0]["email"] == "survey1@example.org"
    assert rows[0]["Hoe tevreden bent u over de zone?"] == "4" and rows[0]["Wat mag beter?"] == "Meer webinars"


def test_anonymous_answers_name_nobody_not_even_in_the_database(client, organiser, clock):
    survey = make_survey(anonymous=True)
    partners = [add_partner(n) for n in range(4)]
    sent(survey)
    ids = answer_ids(survey)
    clock.set(utcnow().replace(hour=10, minute=17, second=3))
    for score, partner in zip((5, 4, 2), partners, strict=False):
        post_form(client, link_of(partner), {f"q{ids['scale']}": str(score), f"q{ids['text']}": f"Tekst {score}"})
    stored = list(db.session.scalars(select(PartnerSurveyResponse)))
    tokens_given = {r.token for r in db.session.scalars(select(PartnerSurveyRecipient))}
    assert len(stored) == 3 and all(r.partner_id is None for r in stored)
    assert not {r.respondent for r in stored} & tokens_given
    assert all((r.submitted_at.hour, r.submitted_at.minute, r.updated_at.minute) == (0, 0, 0) for r in stored)
    rows = list(csv.DictReader(io.StringIO(organiser.get(
        f"/admin/partner-surveys/{survey.id}/results.csv").get_data().decode("utf-8-sig"))))
    assert len(rows) == 3 and not {"name", "email", "submitted_at"} & set(rows[0])
    assert [row["Hoe tevreden bent u over de zone?"] for row in rows] == ["2", "4", "5"]  # by content, not order
    workbook = load_workbook(io.BytesIO(organiser.get(f"/admin/partner-surveys/{survey.id}/results.xlsx").data))
    assert workbook.active.max_row == 4
    page = organiser.get(f"/admin/partner-surveys/{survey.id}/results?lang=en").get_data(as_text=True)
    assert "3 of 4 partners answered" in page and "mean 3.67" in page


def test_an_anonymous_survey_with_few_answers_shows_counts_only(client, organiser):
    survey = make_survey(anonymous=True)
    partner = add_partner(1)
    sent(survey)
    post_form(client, link_of(partner), {f"q{answer_ids(survey)['scale']}": "1",
                                         f"q{answer_ids(survey)['text']}": "Alleen ik"})
    page = organiser.get(f"/admin/partner-surveys/{survey.id}/results?lang=en").get_data(as_text=True)
    assert "only counts are shown" in page and "Alleen ik" not in page and "mean" not in page
    body = organiser.get(f"/admin/partner-surveys/{survey.id}/results.csv").get_data(as_text=True)
    assert "Alleen ik" not in body and body.splitlines()[0].lstrip("\ufeff") == "question,answers"


def test_anonymity_cannot_change_once_the_survey_is_sent(organiser):
    survey = make_survey(anonymous=True)
    add_partner(1)
    sent(survey)
    post_form(organiser, f"/admin/partner-surveys/{survey.id}/edit", {
        "title_nl": "Nieuwe titel", "closes_on": (local_now().date() + timedelta(days=20)).isoformat()})
    db.session.refresh(survey)
    assert survey.title_nl == "Nieuwe titel" and survey.anonymous is True


def test_a_question_with_answers_keeps_its_kind_and_is_retired_not_deleted(client, organiser):
    survey = make_survey()
    partner = add_partner(1)
    sent(survey)
    ids = answer_ids(survey)
    post_form(client, link_of(partner), {f"q{ids['scale']}": "3"})
    url = f"/admin/partner-surveys/{survey.id}/questions/{ids['scale']}"
    response = post_form(organiser, url + "?lang=en", {"kind": "text", "text_nl": "Anders"})
    assert response.status_code == 400 and "kind cannot change" in response.get_data(as_text=True)
    post_form(organiser, url + "/remove", {}, form_url=f"/admin/partner-surveys/{survey.id}")
    db.session.expire_all()
    question = db.session.get(type(surveys.questions_of(survey, include_retired=True)[0]), ids["scale"])
    assert question is not None and question.active is False
    assert ids["scale"] not in [q.id for q in surveys.questions_of(survey)]


# Closing -----------------------------------------------------------------------------------------------------------

def test_after_the_closing_day_answers_are_refused_with_a_clear_message_and_nothing_changes(client, clock):
    survey = make_survey(days=2)
    partner = add_partner(1)
    sent(survey)
    link, ids = link_of(partner), answer_ids(survey)
    assert post_form(client, link, {f"q{ids['scale']}": "3"}).status_code == 302
    token = csrf_token(client, link)  # the form, fetched while open and sent after the closing time
    clock.set(survey.closes_at + timedelta(minutes=1))
    page = client.get(link + "?lang=en")
    assert page.status_code == 200 and "answers can no longer be given or changed" in page.get_data(as_text=True)
    refused = client.post(link + "?lang=en", data={f"q{ids['scale']}": "5", "csrf_token": token})
    assert refused.status_code == 409 and "can no longer be given" in refused.get_data(as_text=True)
    assert surveys.saved_values(db.session.scalars(select(PartnerSurveyRecipient)).one()) == {ids["scale"]: [3]}
    with pytest.raises(surveys.SurveyClosed):
        surveys.save_answers(db.session.scalars(select(PartnerSurveyRecipient)).one().id, {ids["scale"]: [5]})


# Reminders ---------------------------------------------------------------------------------------------------------

def test_a_named_reminder_asks_first_goes_to_those_who_did_not_answer_and_never_twice(client, organiser):
    survey = make_survey()
    answered, waiting, unsubscribed = add_partner(1), add_partner(2), add_partner(3)
    sent(survey)
    post_form(client, link_of(answered), {f"q{answer_ids(survey)['scale']}": "5"})
    client.post(f"/u/{tokens.unsubscribe_token(unsubscribed.id)}")
    db.session.expire_all()
    assert unsubscribed.consent_invitations_at is None
    url = f"/admin/partner-surveys/{survey.id}/remind"
    page = organiser.get(url + "?lang=en").get_data(as_text=True)
    assert "1 partner would get a reminder" in page and "/r/…/survey" in page
    assert outbox("partner_survey_reminder") == []
    post_form(organiser, url, {"round": "1"})
    assert [r.recipient for r in outbox("partner_survey_reminder")] == [waiting.email]
    response = post_form(organiser, url + "?lang=en", {"round": "1"}, follow_redirects=True)
    assert "sent meanwhile" in response.get_data(as_text=True)
    assert len(outbox("partner_survey_reminder")) == 1
    assert link_of(waiting, "partner_survey_reminder") == link_of(waiting)  # the same personal link
    post_form(client, link_of(waiting), {f"q{answer_ids(survey)['scale']}": "3"})
    db.session.expire_all()
    assert outbox("partner_survey_reminder")[0].status == MailStatus.CANCELLED  # answered before it went


def test_an_anonymous_reminder_goes_to_everyone_who_has_not_opted_out(client, organiser):
    survey = make_survey(anonymous=True)
    answered, waiting, unsubscribed = add_partner(1), add_partner(2), add_partner(3)
    sent(survey)
    post_form(client, link_of(answered), {f"q{answer_ids(survey)['scale']}": "5"})
    unsubscribed.consent_invitations_at = None
    db.session.commit()
    assert surveys.remind(survey.id, 1) == 2
    post_form(client, link_of(waiting), {f"q{answer_ids(survey)['scale']}": "4"})
    db.session.expire_all()
    assert {r.status for r in outbox("partner_survey_reminder")} == {MailStatus.PENDING}  # nothing tells who
    page = organiser.get(f"/admin/partner-surveys/{survey.id}/remind?lang=en").get_data(as_text=True)
    assert "2 partners would get a reminder" in page and "who answered is not known" in page
    rows = outbox("partner_survey_reminder")
    assert sorted(r.recipient for r in rows) == sorted([answered.email, waiting.email])
    assert "Hebt u al" in rows[0].body_text, "the reminder says why it reaches those who answered too"
    assert surveys.remind(survey.id, 2) == 2 and len(outbox("partner_survey_reminder")) == 4  # a round of its own


def test_no_reminder_once_the_survey_is_closed(organiser, clock):
    survey = make_survey(days=1)
    add_partner(1)
    sent(survey)
    clock.set(survey.closes_at + timedelta(seconds=1))
    assert "no reminder can be sent" in organiser.get(
        f"/admin/partner-surveys/{survey.id}/remind?lang=en").get_data(as_text=True)
    with pytest.raises(surveys.SurveyClosed):
        surveys.remind(survey.id, 1)
    assert outbox("partner_survey_reminder") == []


def test_a_draft_is_deleted_only_after_asking_and_a_sent_survey_never(organiser):
    draft_id = make_survey().id
    url = f"/admin/partner-surveys/{draft_id}/delete"
    assert "nobody is told" in organiser.get(url + "?lang=en").get_data(as_text=True)
    assert db.session.get(PartnerSurvey, draft_id) is not None
    post_form(organiser, url, {})
    db.session.expire_all()
    assert db.session.get(PartnerSurvey, draft_id) is None
    survey = make_survey()
    add_partner(1)
    sent(survey)
    assert surveys.delete_draft(survey.id) is False
    post_form(organiser, f"/admin/partner-surveys/{survey.id}/delete", {},
              form_url=f"/admin/partner-surveys/{survey.id}")
    assert db.session.get(PartnerSurvey, survey.id) is not None


def test_the_demo_has_a_closed_partner_survey_with_results(organiser, clock):
    from speeddate import demo

    demo.load()
    demo.load()  # loading twice adds nothing
    survey = db.session.scalars(select(PartnerSurvey)).one()
    assert survey.sent_at is not None and not surveys.is_open(survey) and survey.anonymous
    figures = surveys.results(survey, "fr")
    assert figures.invited > 20 and 0.3 < figures.response_rate < 0.8 and not figures.counts_only
    assert all(r.n for r in figures.questions)
    assert all(r.partner_id is None for r in db.session.scalars(select(PartnerSurveyResponse)))
    page = organiser.get(f"/admin/partner-surveys/{survey.id}/results?lang=fr").get_data(as_text=True)
    assert "Êtes-vous satisfait du fonctionnement de la zone de première ligne ?" in page
    assert "Lettre d&#39;information" in page or "Lettre d'information" in page


def in_own_context(app, action) -> object:
    """One organiser's or partner's press, as the view makes it, in an app context (and session) of its own."""
    with app.app_context():
        try:
            return action()
        except Exception as error:  # noqa: BLE001 - the test reports any other outcome as a failure
            return type(error).__name__
        finally:
            db.session.remove()


@pytest.mark.postgres
def test_pressing_together_on_postgresql_sends_each_mail_once_and_keeps_one_answer(postgres_app):
    assert db.engine.url.get_backend_name() == "postgresql"
    survey = make_survey()
    partners = [add_partner(n) for n in range(4)]
    survey_id, first_id, scale = survey.id, partners[0].id, answer_ids(survey)["scale"]
    db.session.rollback()
    send = partial(in_own_context, postgres_app, lambda: surveys.send(survey_id, EVERYONE))
    assert sorted(at_once(send, send), key=str) == [0, 4]
    remind = partial(in_own_context, postgres_app, lambda: surveys.remind(survey_id, 1))
    assert sorted(at_once(remind, remind), key=str) == [4, "AlreadyDone"]
    db.session.rollback()
    recipient_id = db.session.scalar(select(PartnerSurveyRecipient.id).where(
        PartnerSurveyRecipient.partner_id == first_id))
    answer = partial(in_own_context, postgres_app, lambda: surveys.save_answers(recipient_id, {scale: [4]}).id)
    outcomes = at_once(answer, answer)
    assert all(isinstance(outcome, int) for outcome in outcomes), outcomes
    db.session.rollback()
    assert len(outbox()) == 4 and len(outbox("partner_survey_reminder")) == 4
    assert db.session.scalar(select(func.count()).select_from(PartnerSurveyResponse)) == 1


def test_the_outbox_never_shows_the_personal_link_and_the_mails_unsubscribe_link_works(client, organiser):
    survey = make_survey()
    partner = add_partner(1)
    sent(survey)
    row = outbox()[0]
    for url in (f"/admin/outbox/{row.id}", f"/admin/outbox/{row.id}/html"):
        page = organiser.get(url).get_data(as_text=True)
        assert "/r/…/survey" in page and not SURVEY_LINK.search(page), url
    unsubscribe = re.search(r"http://speeddate\.test(/u/\S+)", row.body_text).group(1)
    post_form(client, unsubscribe, {})
    db.session.expire_all()
    assert partner.consent_invitations_at is None
    assert surveys.reminder_recipients(survey) == []


def test_posts_through_one_personal_link_are_limited_like_every_public_form(app, client):
    app.config["RATE_LIMITS"] = {**app.config["RATE_LIMITS"], "public_link": (3, 3600)}
    survey = make_survey()
    partner = add_partner(1)
    sent(survey)
    link, scale = link_of(partner), answer_ids(survey)["scale"]
    statuses = [post_form(client, link, {f"q{scale}": "4"}).status_code for _ in range(4)]
    assert statuses == [302, 302, 302, 429]


def test_a_closing_day_that_is_no_date_is_refused_with_a_message(organiser):
    response = post_form(organiser, "/admin/partner-surveys/new?lang=en", {"title_nl": "Bevraging",
                                                                          "closes_on": "morgen"})
    assert response.status_code == 400 and "Not a valid date value." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(PartnerSurvey)) == 0


def test_closing_now_asks_first_keeps_the_answers_and_can_be_undone_with_a_later_day(client, organiser):
    survey = make_survey()
    partner = add_partner(1)
    sent(survey)
    link = link_of(partner)
    post_form(client, link, {f"q{answer_ids(survey)['scale']}": "5"})
    url = f"/admin/partner-surveys/{survey.id}/close"
    assert "The 1 answer given stays." in organiser.get(url + "?lang=en").get_data(as_text=True)
    assert surveys.is_open(survey)
    post_form(organiser, url, {})
    db.session.expire_all()
    assert not surveys.is_open(survey) and surveys.respondents(survey) == 1
    assert "can no longer be given" in client.get(link + "?lang=en").get_data(as_text=True)
    post_form(organiser, f"/admin/partner-surveys/{survey.id}/edit", {
        "title_nl": survey.title_nl, "closes_on": (local_now().date() + timedelta(days=3)).isoformat()})
    db.session.expire_all()
    assert surveys.is_open(survey)


def test_the_partners_data_download_lists_their_surveys_and_their_named_answers_only(client):
    from speeddate.privacy.services import personal_data

    named, anonymous = make_survey(), make_survey(anonymous=True)
    partner = add_partner(1)
    sent(named)
    sent(anonymous)
    for survey, text in ((named, "Meer webinars"), (anonymous, "Geheim")):
        ids = answer_ids(survey)
        mail = db.session.scalars(select(OutboxMail).where(
            OutboxMail.idempotency_key == f"partner_survey:{survey.id}:{partner.id}")).one()
        link = SURVEY_LINK.search(mail.body_text).group(1)
        assert post_form(client, link, {f"q{ids['scale']}": "4", f"q{ids['text']}": text}).status_code == 302
    db.session.rollback()
    exported = personal_data(db.session.get(Partner, partner.id))["partner_surveys"]
    assert [entry["anonymous"] for entry in exported] == [False, True]
    assert {"question": "Wat mag beter?", "answer": "Meer webinars"} in exported[0]["answers"]
    assert "answers" not in exported[1] and "Geheim" not in str(exported)
