"""Public pages for partners (no account): event list, registration, personal page."""

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from speeddate import tokens
from speeddate.events import services as events
from speeddate.events.places import waitlist_rank
from speeddate.events.state import Availability, availability
from speeddate.exports import download
from speeddate.extensions import csrf
from speeddate.mail import calendar, invitations
from speeddate.models import RegistrationStatus
from speeddate.partners import services
from speeddate.partners.forms import CancelForm, PartnerDetailsForm, RegistrationForm
from speeddate.partners.links import registration_or_404
from speeddate.seating.seats import start_seat
from speeddate.security.hooks import post_counted, registration_keys, too_many_requests
from speeddate.surveys import windows
from speeddate.urls import personal_url
from speeddate.zone.settings import zone_settings

bp = Blueprint("partners", __name__)


@bp.get("/")
def index():
    return render_template("partners/index.html", events=events.upcoming_public_events())


# A link may prefill who someone is, never what they consent to: consent is given by ticking the box oneself.
NOT_PREFILLED = frozenset({"consent_share_contacts", "consent_followup", "consent_invitations", "csrf_token"})


@bp.route("/e/<slug>", methods=["GET", "POST"])
def event(slug: str):
    event = events.event_by_slug(slug) or abort(404)
    state = availability(event)
    if state not in (Availability.OPEN, Availability.FULL):
        return render_template("partners/unavailable.html", event=event, state=state)
    form = RegistrationForm(formdata=request.form if request.method == "POST" else _prefill(),
                            ask_languages=bool(zone_settings().ask_languages))
    if request.method == "POST" and form.validate():
        try:
            if not form.filled_by_robot():  # a robot gets the same answer as anyone, and nothing is stored
                services.register(event.id, form.email.data, form.details(), form.dietary.data or "",
                                  counted_in=registration_keys(event.id, form.email.data))
                post_counted()
        except services.TooManyAttempts as refused:
            post_counted()
            return too_many_requests(refused.wait_seconds)
        except services.RegistrationClosed:
            return render_template("partners/unavailable.html", event=event, state=availability(event))
        # The same page for a new, a known and an already registered address: the personal link goes only to
        # the mailbox, so typing someone's address shows nothing of theirs and not even whether it is known.
        return render_template("partners/registration_received.html", event=event, email=form.email.data)
    status = 400 if request.method == "POST" else 200
    return render_template("partners/register.html", event=event, form=form, state=state,
                           organisations=events.known_organisation_names()), status


def _prefill() -> MultiDict[str, str] | None:
    """The GET parameters with which the zone's website may prefill the form, consents left out."""
    values = MultiDict([(key, value) for key, value in request.args.items(multi=True) if key not in NOT_PREFILLED])
    return values or None


@bp.route("/r/<token>", methods=["GET", "POST"])
def personal(token: str):
    registration = registration_or_404(token)
    form = PartnerDetailsForm(**services.form_values(registration), ask_languages=bool(zone_settings().ask_languages))
    if form.validate_on_submit():
        services.update_details(registration.id, form.details(), form.dietary.data or "")
        flash(_("Your details are saved."), "success")
        return redirect(url_for("partners.personal", token=token, lang=request.args.get("lang")))
    return render_template("partners/personal.html", registration=registration, form=form,
                           can_cancel=services.can_cancel(registration),
                           rank=waitlist_rank(registration), link=personal_url(registration),
                           token=token, Status=RegistrationStatus, seat=start_seat(registration),
                           evaluation_open=windows.evaluation_window(registration) == windows.Window.OPEN,
                           followup_open=windows.followup_window(registration) == windows.Window.OPEN), \
        400 if form.errors else 200


@bp.route("/r/<token>/cancel", methods=["GET", "POST"])
def cancel(token: str):
    registration = registration_or_404(token)
    form = CancelForm()
    if form.validate_on_submit():
        try:
            services.cancel_registration(registration.id)
        except services.CancellationClosed:
            flash(_("The event has started, so the registration can no longer be cancelled here. "
                    "Please contact the organisers."), "error")
        else:
            flash(_("Your registration is cancelled. You can register again as long as the event is open."),
                  "success")
        return redirect(url_for("partners.personal", token=token))
    return render_template("partners/cancel.html", registration=registration, form=form, token=token,
                           can_cancel=services.can_cancel(registration))


@bp.get("/r/<token>/event.ics")
def registration_calendar(token: str):
    registration = registration_or_404(token)
    if registration.status != RegistrationStatus.CONFIRMED:
        abort(404)
    return download(calendar.registration_ics(registration), f"{registration.event.slug}.ics")


@bp.get("/events.ics")
def calendar_feed():
    gemeente = request.args.get("gemeente")
    return Response(calendar.feed_ics(events.calendar_events(gemeente)), mimetype="text/calendar",
                    headers={"Cache-Control": "public, max-age=600"})


@bp.route("/u/<token>", methods=["GET", "POST"])
@csrf.exempt  # mail clients post RFC 8058 one-click unsubscribes without a form; the signed token authorises
def unsubscribe(token: str):
    if tokens.partner_for_unsubscribe(token) is None:
        abort(404)
    if request.method == "POST":
        invitations.unsubscribe(token)
        return render_template("partners/unsubscribed.html")
    return render_template("partners/unsubscribe.html", token=token)
