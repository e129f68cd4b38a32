"""The organisers' back office for events and their registrations."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from speeddate.auth.guard import organisers_only
from speeddate.events import services
from speeddate.events.forms import EventForm, InviteForm
from speeddate.events.places import waitlist_rank
from speeddate.events.state import availability
from speeddate.extensions import db
from speeddate.forms_common import ActionForm
from speeddate.i18n import to_local
from speeddate.labels import status_label
from speeddate.mail import invitations
from speeddate.models import Event, EventStatus, EventType, Registration, RegistrationStatus
from speeddate.models.base import utcnow
from speeddate.partners.services import cancel_registration
from speeddate.urls import registration_url

bp = organisers_only(Blueprint("events", __name__, url_prefix="/admin"))



@bp.get("/")
def home():
    return redirect(url_for("events.index"))


@bp.get("/events")
def index():
    past = request.args.get("past") == "1"
    return render_template("events/index.html", events=services.organiser_events(show_past=past), past=past,
                           availability=availability)


@bp.route("/events/new", methods=["GET", "POST"])
def create():
    form = EventForm()
    if request.method == "GET":
        _fill_type_defaults(form, EventType(request.args.get("type", "speeddate")
                                            if request.args.get("type") in set(EventType) else "speeddate"))
    if form.validate_on_submit():
        try:
            event = services.create_event(form.event_data())
        except services.EventError as error:
            flash(str(error), "error")
        else:
            flash(_("The event is saved as a draft. Publish it to open registration."), "success")
            return redirect(url_for("events.detail", event_id=event.id))
    return render_template("events/form.html", form=form, event=None), 400 if form.errors else 200


def _fill_type_defaults(form: EventForm, event_type: EventType) -> None:
    defaults = services.TYPE_DEFAULTS[event_type]
    start, end = services.default_times(event_type, to_local(utcnow()).replace(tzinfo=None))
    form.type.data = event_type.value
    form.capacity.data = defaults.capacity
    form.catering.data = defaults.catering
    form.starts_at.data, form.ends_at.data = start, end
    form.followup_months.data = defaults.followup_months


def _event_or_404(event_id: int) -> Event:
    return db.session.get(Event, event_id) or abort(404)


@bp.get("/events/<int:event_id>")
def detail(event_id: int):
    event = _event_or_404(event_id)
    return render_template("events/detail.html", event=event, groups=services.registrations(event),
                           Status=RegistrationStatus, EventStatus=EventStatus, action=ActionForm(),
                           link=registration_url(event), state=availability(event), rank=waitlist_rank,
                           transitions=services.TRANSITIONS[event.status])


@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
def edit(event_id: int):
    event = _event_or_404(event_id)
    form = EventForm(data=_form_values(event)) if request.method == "GET" else EventForm()
    if form.validate_on_submit():
        try:
            promoted = services.update_event(event.id, form.event_data())
        except services.EventError as error:
            flash(str(error), "error")
        else:
            flash(_("The event is saved."), "success")
            if promoted:
                flash(_("%(count)d people moved from the waiting list to a place.", count=len(promoted)), "success")
            return redirect(url_for("events.detail", event_id=event.id))
    return render_template("events/form.html", form=form, event=event), 400 if form.errors else 200


def _form_values(event: Event) -> dict:
    def local(value):
        return to_local(value).replace(tzinfo=None) if value else None

    return {"type": event.type.value, "title": event.title, "description": event.description,
            "starts_at": local(event.starts_at), "ends_at": local(event.ends_at),
            "registration_deadline": local(event.registration_deadline), "location": event.location,
            "online_url": event.online_url, "gemeente": str(event.gemeente_id or ""),
            "capacity": event.capacity, "catering": event.catering,
            "evaluation_anonymous": event.evaluation_anonymous,
            "evaluation_reminder_days": event.evaluation_reminder_days,
            "evaluation_close_days": event.evaluation_close_days, "followup_months": event.followup_months or 0}


@bp.post("/events/<int:event_id>/status/<status>")
def change_status(event_id: int, status: str):
    _event_or_404(event_id)
    if not ActionForm().validate_on_submit() or status not in set(EventStatus):
        abort(400)
    try:
        services.change_status(event_id, EventStatus(status))
    except services.EventError as error:
        flash(str(error), "error")
    else:
        flash(_("The event is now %(status)s.", status=status_label(EventStatus(status))), "success")
    return redirect(url_for("events.detail", event_id=event_id))


def _registration_action(registration_id: int, action) -> object:
    registration = db.session.get(Registration, registration_id) or abort(404)
    event_id = registration.event_id
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        action(registration)
    except services.EventError as error:
        flash(str(error), "error")
    return redirect(url_for("events.detail", event_id=event_id, _anchor=f"registration-{registration_id}"))


@bp.post("/registrations/<int:registration_id>/promote")
def promote(registration_id: int):
    def run(registration: Registration) -> None:
        services.promote(registration.id)
        flash(_("%(name)s has a place now.", name=registration.partner.full_name), "success")

    return _registration_action(registration_id, run)


@bp.post("/registrations/<int:registration_id>/attendance")
def attendance(registration_id: int):
    attended = request.form.get("attended") == "1"
    return _registration_action(registration_id, lambda r: services.set_attendance(r.id, attended))


@bp.post("/registrations/<int:registration_id>/cancel")
def cancel(registration_id: int):
    def run(registration: Registration) -> None:
        promoted = cancel_registration(registration.id, by_organiser=True)
        flash(_("The registration of %(name)s is cancelled.", name=registration.partner.full_name), "success")
        for other in promoted:
            flash(_("%(name)s has a place now.", name=other.partner.full_name), "success")

    return _registration_action(registration_id, run)


@bp.route("/events/<int:event_id>/invite", methods=["GET", "POST"])
def invite(event_id: int):
    """GET: whom the ticked filters would invite, who is left out and why, and one invitation, before anything is
    sent; POST: the coordinator's yes."""
    event = _event_or_404(event_id)
    if request.method == "GET":
        form = InviteForm(formdata=request.args or None, meta={"csrf": False})
        chosen = form.audience() if request.args and form.validate() else None
        plan = invitations.plan(event, chosen, form.message.data or "") if chosen is not None else None
        return render_template("events/invite.html", event=event, form=form, plan=plan,
                               warnings=invitations.warnings(event)), 400 if form.errors else 200
    form = InviteForm()
    chosen = form.audience() if form.validate() else None
    if form.errors:
        return render_template("events/invite.html", event=event, form=form, plan=None,
                               warnings=invitations.warnings(event)), 400
    if chosen is None:
        flash(_("Nothing was sent: please tick whom to invite first."), "error")
        return redirect(url_for("events.invite", event_id=event.id))
    count = invitations.invite(event.id, chosen, form.message.data or "")
    flash(_("%(count)d invitations are in the outbox.", count=count), "success")
    return redirect(url_for("events.detail", event_id=event.id))
