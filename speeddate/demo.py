"""A fictional zone for trying speeddate out: `flask demo`. Loading it twice adds nothing."""

import random
import unicodedata
from datetime import datetime, timedelta

from sqlalchemy import select

from speeddate import solver, tokens
from speeddate.database import write
from speeddate.events import places
from speeddate.extensions import db
from speeddate.i18n import to_local, to_utc
from speeddate.mail import services as mails
from speeddate.models import (
    Answer,
    ContactOutcome,
    EvaluationResponse,
    Event,
    EventStatus,
    EventType,
    FollowupContact,
    FollowupResponse,
    Gemeente,
    Organisation,
    Partner,
    PartnerSurvey,
    PartnerSurveyAnswer,
    PartnerSurveyQuestion,
    PartnerSurveyRecipient,
    PartnerSurveyResponse,
    QuestionKind,
    Registration,
    Role,
    Sector,
    User,
    ZoneSettings,
)
from speeddate.models.base import utcnow
from speeddate.seating import plans, seats
from speeddate.seating.constraints import confirmed_registrations, settings_of
from speeddate.surveys.answers import respondent_key
from speeddate.surveys.partner_survey import respondent_key as survey_respondent_key
from speeddate.surveys.questions import questions_for
from speeddate.zone.settings import forget_zone_settings

ORGANISER_EMAIL = "organisator@demo.speeddate.be"
ORGANISER_PASSWORD = "speeddate-demo"
GEMEENTEN = ("Oostkamp", "Beernem", "Zedelgem", "Jabbeke")
FIRST_NAMES = ("Els", "Katrien", "Fatima", "Dirk", "Veerle", "Jérôme", "Amélie", "Lies", "Yasmine", "Tom",
               "Charlotte", "Pieter", "Hanne", "Riet", "Wim", "An", "Sofie", "Quinten", "Ahmed", "Jan",
               "Marie", "Bart", "Nathalie", "Koen", "Ines", "Lotte", "Mohamed", "Griet", "Stijn", "Eva")
LAST_NAMES = ("Peeters", "Wouters", "Desmet", "Jacobs", "Goossens", "Willems", "Martens", "De Smet", "Aerts",
              "Claes", "Vermeulen", "Dupont", "Mertens", "Van den Broeck", "Maes", "Declercq", "Vandenberghe")
PARTNER_COUNT = 80
# (sector, organisation pattern, how many organisations); organisations send one to three people.
ORGANISATION_KINDS = (
    ("Huisartsen", "Huisartsenpraktijk {g}", 2), ("Thuisverpleging", "Thuisverpleging {g}", 2),
    ("Apothekers", "Apotheek De Linde {g}", 1), ("Kinesitherapeuten", "Kinepraktijk {g}", 1),
    ("Woonzorgcentra", "WZC Ter Vijvers {g}", 1), ("OCMW en sociale dienst", "OCMW {g}", 1),
    ("Gemeentebestuur", "Gemeente {g}", 1), ("Lokale dienstencentra", "LDC De Spil {g}", 1),
    ("CAW", "CAW Noord-West-Vlaanderen", 0), ("Diensten gezinszorg en aanvullende thuiszorg", "Familiehulp", 0),
    ("Geestelijke gezondheidszorg (GGZ)", "CGG Brugge", 0), ("Mantelzorgverenigingen", "Samana {g}", 1),
    ("Patiëntenverenigingen (PZON)", "Diabetes Liga {g}", 1), ("Vroedvrouwen", "Vroedvrouwenpraktijk {g}", 1),
    ("Diensten maatschappelijk werk ziekenfondsen", "CM Midden-Vlaanderen", 0),
    ("Palliatieve zorg", "Palliatief Netwerk Brugge", 0), ("Logo en preventie-organisaties", "Logo Brugge", 0),
    ("Opgroeien en Kind en Gezin", "Huis van het Kind {g}", 1), ("Ziekenhuizen", "AZ Sint-Jan Brugge", 0),
)


def load() -> str:
    """Create whatever part of the demo zone is missing; one commit."""
    with write():
        rng = random.Random(2026)
        _zone_settings()
        gemeenten = _gemeenten()
        _organiser()
        partners = _partners(gemeenten)
        created = _events(rng, gemeenten, partners)
        _partner_survey(partners)
    return f"{len(gemeenten)} gemeenten, {len(partners)} partners, {created} new events"


def _zone_settings() -> None:
    if db.session.scalar(select(ZoneSettings)) is None:
        forget_zone_settings()
        db.session.add(ZoneSettings(name="Eerstelijnszone Houtland (demo)",
                                    contact_email="info@elz-houtland.example", default_language="nl"))


def _gemeenten() -> list[Gemeente]:
    existing = {g.name: g for g in db.session.scalars(select(Gemeente))}
    for name in GEMEENTEN:
        if name not in existing:
            existing[name] = Gemeente(name=name)
            db.session.add(existing[name])
    return [existing[name] for name in GEMEENTEN]


def _organiser() -> None:
    if db.session.scalar(select(User).where(User.email == ORGANISER_EMAIL)) is None:
        user = User(email=ORGANISER_EMAIL, role=Role.ADMIN)
        user.set_password(ORGANISER_PASSWORD)
        db.session.add(user)


def _organisations(gemeenten: list[Gemeente]) -> list[tuple[str, str, Gemeente | None]]:
    """(sector, organisation, the gemeente it is named after, if any)."""
    pairs: list[tuple[str, str, Gemeente | None]] = []
    for sector, pattern, per_gemeente in ORGANISATION_KINDS:
        if per_gemeente == 0:
            pairs.append((sector, pattern, None))
        for gemeente in gemeenten[: per_gemeente * 2]:
            pairs.append((sector, pattern.format(g=gemeente.name), gemeente))
    return pairs


def _partners(gemeenten: list[Gemeente]) -> list[Partner]:
    sectors = {s.name: s for s in db.session.scalars(select(Sector))}
    organisations = _organisations(gemeenten)
    partners = []
    for number in range(PARTNER_COUNT):
        # One generator per partner: a second run finds the same people whatever already exists.
        rng = random.Random(number)
        first, last = FIRST_NAMES[number % len(FIRST_NAMES)], rng.choice(LAST_NAMES)
        # An ASCII local part, as registration demands: Jérôme is jerome@ (mail servers need SMTPUTF8 otherwise).
        ascii_name = unicodedata.normalize("NFKD", f"{first}.{last}").encode("ascii", "ignore").decode()
        email = f"{ascii_name}.{number}@partner.example".lower().replace(" ", "")
        partner = db.session.scalar(select(Partner).where(Partner.email == email))
        if partner is None:
            sector_name, organisation_name, home = organisations[number % len(organisations)]
            partner = _new_partner(rng, email, first, last, sectors[sector_name], organisation_name,
                                   _active_in(rng, home, gemeenten))
        partners.append(partner)
    return partners


def _active_in(rng: random.Random, home: Gemeente | None, gemeenten: list[Gemeente]) -> list[Gemeente]:
    """Where a partner works: the gemeente their organisation is named after (sometimes a neighbour too), or one
    or two gemeenten for a regional organisation."""
    if home is None:
        return rng.sample(gemeenten, rng.randint(1, 2))
    neighbours = [g for g in gemeenten if g is not home]
    return [home] + ([rng.choice(neighbours)] if rng.random() < 0.3 else [])


def _new_partner(rng, email, first, last, sector, organisation_name, gemeenten) -> Partner:
    organisation = db.session.scalar(select(Organisation).where(Organisation.name == organisation_name))
    now = utcnow()
    partner = Partner(
        email=email, first_name=first, last_name=last, sector=sector,
        organisation=organisation or Organisation(name=organisation_name),
        function=rng.choice(("Coördinator", "Maatschappelijk werker", "Verpleegkundige", "Zorgverlener",
                             "Diensthoofd", "Vrijwilliger", "Beleidsmedewerker")),
        phone=f"050 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
        language=rng.choices(("nl", "fr", "en"), weights=(90, 8, 2))[0],
        gemeenten=gemeenten,
        consent_share_contacts_at=now if rng.random() < 0.85 else None,
        consent_followup_at=now if rng.random() < 0.7 else None,
        consent_invitations_at=now if rng.random() < 0.9 else None, email_confirmed_at=now,
    )
    db.session.add(partner)
    return partner


def _events(rng: random.Random, gemeenten: list[Gemeente], partners: list[Partner]) -> int:
    today = to_local(utcnow()).replace(hour=0, minute=0, second=0, microsecond=0)
    plans = (
        ("demo-elp-voorjaar", EventType.ELP, "Eerstelijnsplatform: armoede herkennen", -230, 19, 3, 100, None, 41),
        ("demo-speeddate-zedelgem", EventType.SPEEDDATE, "Speeddate Zedelgem", -180, 12, 2, 30, gemeenten[2], 24),
        ("demo-speeddate-beernem", EventType.SPEEDDATE, "Speeddate Beernem", -110, 12, 2, 30, gemeenten[1], 26),
        ("demo-lunchwebinar-dementie", EventType.LUNCHWEBINAR, "Lunchwebinar: dementievriendelijke gemeente", -45,
         12, 1, 300, None, 18),
        ("demo-elp-najaar", EventType.ELP, "Eerstelijnsplatform: samen rond de kwetsbare oudere", 21, 19, 3, 100,
         None, 34),
        ("demo-lunchwebinar-mantelzorg", EventType.LUNCHWEBINAR, "Lunchwebinar: mantelzorgers ondersteunen", 9,
         12, 1, 300, None, 12),
        ("demo-speeddate-oostkamp", EventType.SPEEDDATE, "Speeddate Oostkamp", 30, 12, 2, 20, gemeenten[0], 26),
        # Third parties' webinars the zone spreads: in the calendar and the report, no registration here.
        ("demo-elders-webinar-valpreventie", EventType.LUNCHWEBINAR, "Webinar: valpreventie bij thuiswonende "
         "ouderen", 16, 12, 1, 300, None, 0),
        ("demo-elders-webinar-armoede", EventType.LUNCHWEBINAR, "Webinar: armoede en gezondheid", -75, 12, 1, 300,
         None, 0),
    )
    created = 0
    for slug, kind, title, days, hour, hours, capacity, gemeente, registrants in plans:
        if db.session.scalar(select(Event).where(Event.slug == slug)) is not None:
            continue
        start = _working_day(today + timedelta(days=days)).replace(hour=hour)
        event = _event(slug, kind, title, start, hours, capacity, gemeente)
        _register(rng, event, partners, registrants, past=days < 0)
        if days < 0 and kind == EventType.SPEEDDATE:
            _seat(event)
        if days < 0:
            _evaluations(rng, event)
        created += 1
    return created


def _seat(event: Event) -> None:
    """A past speeddate's final plan, published, so that who met whom, the who-you-met page and the year's
    network have something to show. A short, seeded search: the demo loads in a few seconds."""
    people = confirmed_registrations(event.id)
    plan = solver.solve(seats.instance_for(event.id, people, settings_of(event)),
                        solver.Options(time_limit=1.0, seed=0, use_cpsat=False))
    plans.publish(plans.store_plan(event.id, plan, [r.id for r in people]).id, remind=False)


# Days a zone holds no event although they are weekdays: the end-of-year holidays (month, day).
NO_EVENT_DAYS = {(12, 24), (12, 25), (12, 26), (12, 31), (1, 1)}


def _working_day(day: datetime) -> datetime:
    """The day itself or the first weekday after it that is no holiday: a zone meets on weekdays."""
    while day.weekday() >= 5 or (day.month, day.day) in NO_EVENT_DAYS:
        day += timedelta(days=1)
    return day


# Some events in French and English too: a French-reading partner of the demo sees them in French. Third parties'
# events name their organiser and link to its registration.
EVENT_EXTRAS: dict[str, dict[str, str]] = {
    "demo-elp-najaar": {
        "title_fr": "Plateforme de première ligne : ensemble autour de la personne âgée fragile",
        "title_en": "Primary care platform: together around the frail older person",
        "description_fr": "Venez faire connaissance avec les partenaires de votre quartier. Lunch sandwichs prévu.",
        "location_fr": "Salle De Schakel, Stationsstraat 1, Brugge",
        "practical_note": "Parking achter het station. Gratis, inschrijven is wel nodig.",
        "practical_note_fr": "Parking derrière la gare. Gratuit, mais l'inscription est nécessaire.",
        "co_organisers": "OCMW Oostkamp, Logo Brugge"},
    "demo-lunchwebinar-mantelzorg": {
        "title_fr": "Webinaire de midi : soutenir les aidants proches",
        "title_en": "Lunch webinar: supporting informal carers",
        "description_fr": "Une demi-heure sur le soutien aux aidants proches, avec du temps pour vos questions.",
        "description_en": "Half an hour on supporting informal carers, with time for questions.",
        "practical_note": "Je krijgt de link een kwartier voor de start. Camera mag uit.",
        "practical_note_fr": "Vous recevez le lien un quart d'heure avant le début. Caméra facultative."},
    "demo-speeddate-oostkamp": {
        "title_fr": "Speed-dating Oostkamp", "title_en": "Speed dating Oostkamp",
        "description_fr": "Rencontrez les partenaires de votre commune en quelques tours de cinq minutes.",
        "co_organisers": "Gemeente Oostkamp"},
    "demo-elders-webinar-valpreventie": {
        "title_fr": "Webinaire : prévention des chutes chez les personnes âgées à domicile",
        "description": "ELZ Brugge nodigt de partners van de regio uit: wat werkt om vallen thuis te voorkomen?",
        "description_fr": "La zone de Bruges invite les partenaires de la région : comment prévenir les chutes ?",
        "external_url": "https://www.elz-brugge.example/webinars/valpreventie", "organised_by": "ELZ Brugge"},
    "demo-elders-webinar-armoede": {
        "description": "Een webinar van het Vlaams Instituut Gezond Leven over gezondheidsverschillen.",
        "external_url": "https://www.gezondleven.example/webinars/armoede",
        "organised_by": "Vlaams Instituut Gezond Leven"},
}


def _event(slug, kind, title, start, hours, capacity, gemeente) -> Event:
    extras = EVENT_EXTRAS.get(slug, {})
    online = kind == EventType.LUNCHWEBINAR and "external_url" not in extras
    event = Event(
        slug=slug, type=kind, title=title, status=EventStatus.PUBLISHED, capacity=capacity,
        starts_at=to_utc(start), ends_at=to_utc(start + timedelta(hours=hours)),
        registration_deadline=to_utc(start - timedelta(days=3)), gemeente=gemeente,
        catering=kind in (EventType.SPEEDDATE, EventType.ELP),
        followup_months=3 if kind == EventType.SPEEDDATE else None,
        location="" if kind == EventType.LUNCHWEBINAR
        else f"Zaal De Schakel, Stationsstraat 1, {gemeente.name if gemeente else 'Brugge'}",
        online_url="https://meet.example/elz-houtland-webinar" if online else "",
        description="Kom kennismaken met de partners uit je buurt. Broodjeslunch voorzien." if not online
        else "Een halfuur over de ondersteuning van mantelzorgers, met tijd voor vragen.",
    )
    for field, text in extras.items():
        setattr(event, field, text)
    db.session.add(event)
    db.session.flush()
    return event


def _register(rng: random.Random, event: Event, partners: list[Partner], count: int, past: bool) -> None:
    local = [p for p in partners if event.gemeente is None or event.gemeente in p.gemeenten]
    for partner in rng.sample(local, min(count, len(local))):
        # Registered a few days to six weeks before the event (never later than now), so that the directory's
        # "last activity" spreads over the year instead of showing the day the demo was loaded.
        registered_at = min(utcnow(), event.starts_at - timedelta(days=rng.randint(3, 42), hours=rng.randint(0, 12)))
        registration = Registration(event=event, partner=partner, token=tokens.new_token(), created_at=registered_at,
                                    dietary=rng.choice(("", "", "", "vegetarisch", "veganistisch", "glutenvrij"))
                                    if event.catering else "")
        db.session.add(registration)
        try:
            places.confirm(registration, event)
            registration.confirmed_at = registered_at
            registration.attended = past and rng.random() < 0.9
        except places.CapacityError:
            places.put_on_waiting_list(registration, event)
        db.session.flush()
        if not past:  # the outbox page shows what the partners would have received
            mails.registration_received(registration, places.waitlist_rank(registration))


# Open answers per shipped open question (by its Dutch text): each answer stands under the question it answers.
# A question an organiser added or reworded gets no demo answers.
OPEN_ANSWERS = {
    "Wat was goed?": ("Heel fijne sfeer en goed georganiseerd.",
                      "Eindelijk de thuisverpleging van mijn gemeente leren kennen.",
                      "Korte rondes, veel gezichten: precies goed.", "Lekkere lunch!"),
    "Wat kan beter?": ("Iets meer tijd per ronde.", "Een lijst met contactgegevens achteraf.",
                       "Meer huisartsen uitnodigen."),
    "Welke thema's wil je een volgende keer?": ("Eenzaamheid bij ouderen.", "Samenwerken rond jonge mantelzorgers.",
                                                 "Doorverwijzen bij armoede."),
}


def _evaluations(rng: random.Random, event: Event) -> None:
    """Answers from most attendees, and follow-up answers months later, so that the results have a shape."""
    attendees = [r for r in db.session.scalars(select(Registration).where(Registration.event_id == event.id))
                 if r.attended]
    for registration in attendees[: len(attendees) * 3 // 4]:
        _evaluation(rng, registration)
        if registration.partner.consent_followup_at is not None and rng.random() < 0.7:
            _followup(rng, registration, attendees)


def _evaluation(rng: random.Random, registration: Registration) -> None:
    response = EvaluationResponse(event_id=registration.event_id, respondent=respondent_key(registration))
    for question in questions_for(registration.event.type):
        if question.kind == QuestionKind.SCALE:
            response.answers.append(Answer(question_id=question.id, number=rng.choices((2, 3, 4, 5),
                                                                                     (1, 3, 8, 6))[0]))
        elif question.kind == QuestionKind.YES_NO:
            response.answers.append(Answer(question_id=question.id, number=int(rng.random() < 0.8)))
        elif question.kind == QuestionKind.TEXT and question.text_nl in OPEN_ANSWERS and rng.random() < 0.4:
            response.answers.append(Answer(question_id=question.id, text=rng.choice(OPEN_ANSWERS[question.text_nl])))
    db.session.add(response)


def _followup(rng: random.Random, registration: Registration, attendees: list[Registration]) -> None:
    met = [other for other in attendees if other.id != registration.id]
    used = rng.random() < 0.6
    outcomes = [rng.choices(list(ContactOutcome), (2, 4, 2, 1))[0] if used else ContactOutcome.NOT_YET
                for _ in range(3)]
    db.session.add(FollowupResponse(
        registration_id=registration.id, event_id=registration.event_id,
        used_contacts=used and any(outcome != ContactOutcome.NOT_YET for outcome in outcomes),
        comment=rng.choice(("", "", "Via de speeddate een patiënt vlot kunnen doorverwijzen naar het CAW.")),
        contacts=[FollowupContact(met_registration_id=other.id, outcome=outcome)
                  for other, outcome in zip(rng.sample(met, 3), outcomes, strict=True)]))


PARTNER_SURVEY_TITLE = "Bevraging van onze partners 2026"
# (kind, Dutch, French, English, options as (nl, fr, en), weights of the answers given)
PARTNER_SURVEY_QUESTIONS = (
    (QuestionKind.SCALE, "Hoe tevreden bent u over de werking van de eerstelijnszone?",
     "Êtes-vous satisfait du fonctionnement de la zone de première ligne ?",
     "How satisfied are you with the primary-care zone?", (), (1, 2, 6, 9, 4)),
    (QuestionKind.SINGLE, "Hoe hoort u het liefst van ons?", "Comment préférez-vous être informé ?",
     "How would you rather hear from us?",
     (("Nieuwsbrief", "Lettre d'information", "Newsletter"), ("Mail", "E-mail", "Email"),
      ("LinkedIn", "LinkedIn", "LinkedIn"), ("Website", "Site web", "Website")), (8, 6, 2, 3)),
    (QuestionKind.MULTIPLE, "Aan welke activiteiten nam u de voorbije twee jaar deel?",
     "À quelles activités avez-vous participé ces deux dernières années ?",
     "Which activities did you take part in over the last two years?",
     (("Speeddate", "Speeddate", "Speed date"), ("Eerstelijnsplatform", "Plateforme de première ligne",
                                                 "Primary-care platform"),
      ("Lunchwebinar", "Webinaire de midi", "Lunch webinar")), (5, 4, 3)),
    (QuestionKind.YES_NO, "Zou u het netwerk van de zone aanraden aan een collega?",
     "Recommanderiez-vous le réseau de la zone à un collègue ?",
     "Would you recommend the zone's network to a colleague?", (), (1, 6)),
    (QuestionKind.TEXT, "Wat mag de zone meer doen?", "Que devrait faire davantage la zone ?",
     "What should the zone do more?", (), ()),
)
PARTNER_SURVEY_TEXTS = ("Meer lokale overlegmomenten per gemeente.", "Een overzicht van wie wat doet in de regio.",
                        "Webinars over de sociale kaart.")


def _partner_survey(partners: list[Partner]) -> None:
    """A closed, anonymous partner survey (the action plan's Actie 22) sent to the partners who agreed to the
    zone's mails, with one reminder round and answers from a little over half of them."""
    if db.session.scalar(select(PartnerSurvey).where(PartnerSurvey.title_nl == PARTNER_SURVEY_TITLE)):
        return
    rng = random.Random(22)
    now = utcnow()
    survey = PartnerSurvey(
        title_nl=PARTNER_SURVEY_TITLE, title_fr="Enquête auprès de nos partenaires 2026",
        title_en="Our partner survey 2026",
        intro_nl="Vijf minuten om ons te vertellen wat de eerstelijnszone voor u betekent en wat beter kan.",
        intro_fr="Cinq minutes pour nous dire ce que la zone de première ligne vous apporte et ce qui peut "
                 "être amélioré.",
        intro_en="Five minutes to tell us what the primary-care zone means to you and what could be better.",
        anonymous=True, closes_at=now - timedelta(days=21), sent_at=now - timedelta(days=50), reminders_sent=1,
        reminded_at=now - timedelta(days=35))
    for position, (kind, nl, fr, en, options, _weights) in enumerate(PARTNER_SURVEY_QUESTIONS):
        survey.questions.append(PartnerSurveyQuestion(
            position=position, kind=kind, text_nl=nl, text_fr=fr, text_en=en, required=kind == QuestionKind.SCALE,
            options=[{"nl": o[0], "fr": o[1], "en": o[2]} for o in options]))
    db.session.add(survey)
    db.session.flush()
    for partner in partners:
        if partner.consent_invitations_at is None or partner.email is None:
            continue
        recipient = PartnerSurveyRecipient(survey=survey, partner=partner, token=tokens.new_token(),
                                           invited_at=survey.sent_at)
        db.session.add(recipient)
        if rng.random() < 0.55:
            day = (now - timedelta(days=rng.randint(22, 49))).replace(hour=0, minute=0, second=0, microsecond=0)
            db.session.add(PartnerSurveyResponse(survey_id=survey.id, respondent=survey_respondent_key(recipient),
                                                 submitted_at=day, updated_at=day,
                                                 answers=_partner_survey_answers(rng, survey)))


def _partner_survey_answers(rng: random.Random, survey: PartnerSurvey) -> list[PartnerSurveyAnswer]:
    answers = []
    for question, (kind, _nl, _fr, _en, options, weights) in zip(survey.questions, PARTNER_SURVEY_QUESTIONS,
                                                                  strict=True):
        if kind == QuestionKind.SCALE:
            numbers = [rng.choices(range(1, 6), weights)[0]]
        elif kind == QuestionKind.YES_NO:
            numbers = [rng.choices((0, 1), weights)[0]]
        elif kind == QuestionKind.SINGLE:
            numbers = [rng.choices(range(len(options)), weights)[0]]
        elif kind == QuestionKind.MULTIPLE:
            numbers = [index for index, weight in enumerate(weights) if rng.random() < weight / 8]
        else:
            if rng.random() < 0.3:
                answers.append(PartnerSurveyAnswer(question=question, text=rng.choice(PARTNER_SURVEY_TEXTS)))
            continue
        answers += [PartnerSurveyAnswer(question=question, number=number) for number in numbers]
    return answers
