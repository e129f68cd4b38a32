"""The organisers' back office for events and their registrations."""

from datetime import date, datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from speeddate.attention import attention
from speeddate.auth.guard import organisers_only
from speeddate.events import services
from speeddate.events.forms import TEXT_NAMES, CancelEventForm, EventForm, InviteForm
from speeddate.events.newsletter import blocks as newsletter_blocks
from speeddate.events.places import waitlist_rank
from speeddate.events.state import availability
from speeddate.events.texts import event_text, written_languages
from speeddate.extensions import db
from speeddate.forms_common import EARLIEST_DATE, LATEST_DATE, ActionForm
from speeddate.i18n import to_local
from speeddate.labels import status_label
from speeddate.mail import invitations
from speeddate.models import Event, EventStatus, EventType, Registration, RegistrationStatus
from speeddate.models.base import utcnow
from speeddate.participation import attendance_known
from speeddate.partners.services import (
    ERASED,
    LINK_RESENT_INTERVAL,
    CannotRestore,
    LinkSentRecently,
    PreviewChanged,
    cancel_by_organiser,
    link_resent_recently,
    promotions_on_cancel,
    register_mail_kinds,
    resend_personal_link,
    restore_outcome,
    restore_registration,
)
from speeddate.urls import registration_url

bp = organisers_only(Blueprint("events", __name__, url_prefix="/admin"))
bp.record_once(lambda _state: register_mail_kinds())
# Every page and mail prints an event's texts in the reader's language (a mail forces its recipient's).
bp.add_app_template_global(event_text, "event_text")
bp.add_app_template_global(written_languages, "written_languages")



@bp.get("/")
def home():
    """The organiser's start page: what needs doing."""
    return render_template("events/attention.html", needs=attention())


@bp.get("/events")
def index():
    past = request.args.get("past") == "1"
    return render_template("events/index.html", events=services.organiser_events(show_past=past), past=past,
                           availability=availability, now=utcnow())


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
            _show_error(form, error)
        else:
            flash(_("The event is saved as a draft. Publish it to show it in the calendar.") if event.elsewhere
                  else _("The event is saved as a draft. Publish it to open registration."), "success")
            return redirect(url_for("events.detail", event_id=event.id))
    return render_template("events/form.html", form=form, event=None), 400 if form.errors else 200


def _fill_type_defaults(form: EventForm, event_type: EventType) -> None:
    defaults = services.TYPE_DEFAULTS[event_type]
    start, end = services.new_event_times(event_type, to_local(utcnow()).replace(tzinfo=None))
    form.type.data = event_type.value
    form.capacity.data = defaults.capacity
    form.catering.data = defaults.catering
    form.starts_at.data, form.ends_at.data = start, end
    form.followup_months.data = defaults.followup_months


def _event_or_404(event_id: int) -> Event:
    return db.session.get(Event, event_id) or abort(404)


@bp.get("/newsletter")
def newsletter():
    """The newsletter block of a month (by default the next one), in each language, to copy and paste."""
    today = to_local(utcnow()).date()
    default = date(today.year + today.month // 12, today.month % 12 + 1, 1)
    asked = request.args.get("month")
    month, status = (_month(asked) if asked else default), 200
    if month is None:
        flash(_("Please choose a month (year and month, such as %(example)s).", example=default.strftime("%Y-%m")),
              "error")
        month, status = default, 400
    events, blocks = newsletter_blocks(month)
    return render_template("events/newsletter.html", month=month, events=events, blocks=blocks), status


def _month(value: str) -> date | None:
    """The first day of a month given as YYYY-MM (what <input type=month> sends), or None."""
    try:
        month = datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        return None
    return month if EARLIEST_DATE <= month <= LATEST_DATE else None


@bp.get("/events/<int:event_id>")
def detail(event_id: int):
    event = _event_or_404(event_id)
    return render_template("events/detail.html", event=event, groups=services.registrations(event),
                           Status=RegistrationStatus, EventStatus=EventStatus, action=ActionForm(),
                           link=registration_url(event), state=availability(event), rank=waitlist_rank,
                           transitions=services.TRANSITIONS[event.status], past=event.ends_at <= utcnow())


@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
def edit(event_id: int):
    event = _event_or_404(event_id)
    form = EventForm(data=_form_values(event)) if request.method == "GET" else EventForm()
    ask_mails = 0
    if form.validate_on_submit():
        try:
            ask_mails = _save_or_ask(event, form)
        except services.EventError as error:
            _show_error(form, error)
        else:
            if not ask_mails:
                return redirect(url_for("events.detail", event_id=event.id))
    form.update_mails.data = str(ask_mails) if ask_mails else ""
    return render_template("events/form.html", form=form, event=event, ask_mails=ask_mails), \
        400 if form.errors else 200


def _save_or_ask(event: Event, form: EventForm) -> int:
    """Save the change; or, when it sends update mails the organiser has not agreed to yet, return their number."""
    data = form.event_data()
    count = services.check_update(event.id, data)
    if count and form.update_mails.data != str(count):
        return count
    promoted = services.update_event(event.id, data, update_mails_expected=count)
    _flash_saved(count, promoted)
    return 0


def _show_error(form: EventForm, error: services.EventError) -> None:
    """Put a refused change next to the field it concerns; a rule about the whole event goes to the top."""
    if error.field is not None:
        form[error.field].errors = [*form[error.field].errors, str(error)]
    else:
        flash(str(error), "error")


def _flash_saved(update_mails: int, promoted: list[Registration]) -> None:
    flash(_("The event is saved."), "success")
    if update_mails:
        flash(_("%(count)d update mails are in the outbox.", count=update_mails), "success")
    if promoted:
        flash(_("%(count)d people moved from the waiting list to a place.", count=len(promoted)), "success")


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
            "evaluation_close_days": event.evaluation_close_days, "followup_months": event.followup_months or 0,
            **{name: getattr(event, name) for name in TEXT_NAMES}}


@bp.post("/events/<int:event_id>/status/<status>")
def change_status(event_id: int, status: str):
    _event_or_404(event_id)
    if not ActionForm().validate_on_submit() or status not in set(EventStatus):
        abort(400)
    if status == EventStatus.CANCELLED:  # mails everyone: it asks first
        return redirect(url_for("events.cancel_event", event_id=event_id))
    try:
        services.change_status(event_id, EventStatus(status))
    except services.EventError as error:
        flash(str(error), "error")
    else:
        flash(_("The event is now %(status)s.", status=status_label(EventStatus(status))), "success")
    return redirect(url_for("events.detail", event_id=event_id))


@bp.route("/events/<int:event_id>/cancel", methods=["GET", "POST"])
def cancel_event(event_id: int):
    event = _event_or_404(event_id)
    form = CancelEventForm()
    try:
        if form.validate_on_submit():
            services.cancel_event(event.id, form.note.data or "")
            flash(_("The event is cancelled. The cancellation mails are in the outbox."), "success")
            return redirect(url_for("events.detail", event_id=event.id))
        services.check_can_cancel(event)
    except services.EventError as error:
        flash(str(error), "error")
        return redirect(url_for("events.detail", event_id=event.id))
    return render_template("events/cancel.html", event=event, form=form, plan=services.cancellation_preview(event)), \
        400 if form.errors else 200


@bp.route("/events/<int:event_id>/reopen", methods=["GET", "POST"])
def reopen_event(event_id: int):
    event = _event_or_404(event_id)
    form = ActionForm()
    try:
        if form.validate_on_submit():
            done = services.reopen_event(event.id)
            flash(_("The event is published again; %(count)d mails are in the outbox.", count=done.mails), "success")
            return redirect(url_for("events.detail", event_id=event.id))
        services.check_can_reopen(event)
    except services.EventError as error:
        flash(str(error), "error")
        return redirect(url_for("events.detail", event_id=event.id))
    return render_template("events/reopen.html", event=event, form=form, plan=services.reopening_preview(event)), \
        400 if form.errors else 200


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


@bp.get("/registrations/<int:registration_id>/promote")
def confirm_promote(registration_id: int):
    registration = _registration_or_404(registration_id)
    try:
        services.check_can_promote(registration)
    except services.EventError as error:
        flash(str(error), "error")
        return _back_to(registration)
    return render_template("events/registration_promote.html", registration=registration, action=ActionForm())


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


def _registration_or_404(registration_id: int) -> Registration:
    return db.session.get(Registration, registration_id) or abort(404)


def _back_to(registration: Registration):
    return redirect(url_for("events.detail", event_id=registration.event_id,
                            _anchor=f"registration-{registration.id}"))


def _ids(text: str | None) -> list[int]:
    return [int(part) for part in (text or "").split(",") if part.isdigit()]


@bp.context_processor
def registration_list_facts() -> dict:
    """What the registration list says after the event: whether it is over, who did not check in."""
    def no_shows(event: Event) -> list[Registration] | None:
        """Confirmed people not checked in; None while nobody is, as then everyone confirmed counts as there."""
        if not attendance_known(event):
            return None
        return [r for r in services.registrations(event)[RegistrationStatus.CONFIRMED] if not r.attended]

    return {"event_over": lambda event: event.ends_at <= utcnow(), "no_shows": no_shows}


@bp.get("/registrations/<int:registration_id>/cancel")
def confirm_cancel(registration_id: int):
    registration = _registration_or_404(registration_id)
    if registration.status == RegistrationStatus.CANCELLED:
        flash(_("This registration is already cancelled."), "error")
        return _back_to(registration)
    return render_template("events/registration_cancel.html", registration=registration, action=ActionForm(),
                           promoted=promotions_on_cancel(registration))


@bp.post("/registrations/<int:registration_id>/cancel")
def cancel(registration_id: int):
    registration = _registration_or_404(registration_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        promoted = cancel_by_organiser(registration.id, _ids(request.form.get("promoted")))
    except PreviewChanged:
        flash(_("The waiting list changed meanwhile: nothing was cancelled. Please check again."), "error")
        return redirect(url_for("events.confirm_cancel", registration_id=registration.id))
    flash(_("The registration of %(name)s is cancelled.", name=registration.partner.full_name), "success")
    for other in promoted:
        flash(_("%(name)s has a place now.", name=other.partner.full_name), "success")
    return _back_to(registration)


@bp.get("/registrations/<int:registration_id>/restore")
def confirm_restore(registration_id: int):
    registration = _registration_or_404(registration_id)
    try:
        rank = restore_outcome(registration)
    except CannotRestore as error:
        flash(str(error), "error")
        return _back_to(registration)
    return render_template("events/registration_restore.html", registration=registration, rank=rank,
                           action=ActionForm())


@bp.post("/registrations/<int:registration_id>/restore")
def restore(registration_id: int):
    registration = _registration_or_404(registration_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    rank = request.form.get("rank", "")
    try:
        restored = restore_registration(registration.id, int(rank) if rank.isdigit() else None)
    except CannotRestore as error:
        flash(str(error), "error")
    except PreviewChanged:
        flash(_("The places changed meanwhile: nothing was undone. Please check again."), "error")
        return redirect(url_for("events.confirm_restore", registration_id=registration.id))
    else:
        name = restored.partner.full_name
        if restored.status == RegistrationStatus.CONFIRMED:
            flash(_("%(name)s has their place back.", name=name), "success")
        else:
            flash(_("The event was full: %(name)s is number %(rank)d on the waiting list.", name=name,
                    rank=waitlist_rank(restored)), "success")
    return _back_to(registration)


@bp.get("/registrations/<int:registration_id>/link")
def confirm_link(registration_id: int):
    registration = _registration_or_404(registration_id)
    if registration.partner.erased_at is not None:
        flash(str(ERASED), "error")
        return _back_to(registration)
    return render_template("events/registration_link.html", registration=registration, action=ActionForm(),
                           recently=link_resent_recently(registration), interval=LINK_RESENT_INTERVAL)


@bp.post("/registrations/<int:registration_id>/link")
def send_link(registration_id: int):
    registration = _registration_or_404(registration_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        resend_personal_link(registration.id)
    except CannotRestore as error:
        flash(str(error), "error")
    except LinkSentRecently:
        flash(_("The personal link of %(name)s was mailed less than an hour ago: nothing was sent.",
                name=registration.partner.full_name), "error")
    else:
        flash(_("%(name)s gets their personal link by mail.", name=registration.partner.full_name), "success")
    return _back_to(registration)


@bp.route("/events/<int:event_id>/invite", methods=["GET", "POST"])
def invite(event_id: int):
    """GET: whom the ticked filters would invite, who is left out and why, and one invitation, before anything is
    sent; POST: the coordinator's yes."""
    event = _event_or_404(event_id)
    if event.elsewhere:
        flash(_("This event is organised elsewhere: partners register with its organiser, so there is nobody to "
                "invite here. It is announced in the calendar and the newsletter block."), "error")
        return redirect(url_for("events.detail", event_id=event.id))
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
