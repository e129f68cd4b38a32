"""Seating pages for organisers: settings, generate, quality, swap, publish, printouts, check-in, re-plan, timer."""

import json

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from speeddate.auth.guard import organisers_only
from speeddate.events.services import EventError, set_attendance
from speeddate.exports import download
from speeddate.extensions import db
from speeddate.forms_common import ActionForm
from speeddate.models import Event, JobStatus, Registration, SeatingPlan
from speeddate.seating import pdf, seats, services
from speeddate.seating.forms import FixedSeatForm, PairForm, SettingsForm, WalkInForm

bp = organisers_only(Blueprint("seating", __name__, url_prefix="/admin/events/<int:event_id>/seating"))
EXPORT_FORMATS = ("json", "csv", "xlsx")


def _event(event_id: int) -> Event:
    return db.session.get(Event, event_id) or abort(404)


def _plan(event_id: int, plan_id: int) -> SeatingPlan:
    row = db.session.get(SeatingPlan, plan_id)
    if row is None or row.event_id != event_id:
        abort(404)
    return row


def _back(event_id: int, anchor: str | None = None):
    return redirect(url_for("seating.index", event_id=event_id, _anchor=anchor))


def _attempt(action, success: str, event_id: int, anchor: str | None = None):
    """Run a service call from a posted form: flash its outcome, then back to the seating page."""
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        action()
    except (services.SeatingError, EventError) as error:
        flash(str(error), "error")
    else:
        flash(success, "success")
    return _back(event_id, anchor)


@bp.get("/")
def index(event_id: int):
    event = _event(event_id)
    settings = services.settings_of(event)
    people = services.confirmed_registrations(event.id)
    plan = seats.latest_plan(event.id)
    return render_template(
        "seating/index.html", event=event, settings=settings, people=people, plan=plan,
        published=seats.published_plan(event.id), job=services.current_job(event.id), JobStatus=JobStatus,
        stuck=services.is_stuck, quality=services.quality(plan, str(get_locale())) if plan else None,
        stale=services.staleness(plan) if plan else None, moved=_moved(plan),
        settings_form=SettingsForm(obj=settings), fixed_form=FixedSeatForm(people), pair_form=PairForm(people),
        swap_form=PairForm(people if plan is None else seats.plan_registrations(plan), prefix="swap"),
        fixed=services.fixed_seats(event.id), avoided=services.avoided_pairs(event.id), action=ActionForm(),
        max_rounds=seats.max_rounds(len(people), settings.pairs_per_circle),
        suggested=services.suggested_rounds(event, settings.minutes_per_round, settings.switch_minutes))


def _moved(plan: SeatingPlan | None) -> list[Registration]:
    if plan is None:
        return []
    ids = json.loads(plan.moved_ids)
    return [r for r in seats.plan_registrations(plan) if r.id in ids]


@bp.post("/settings")
def settings(event_id: int):
    _event(event_id)
    form = SettingsForm()
    if not form.validate_on_submit():
        flash(_("Please check the seating settings: %(errors)s",
                errors="; ".join(f"{form[k].label.text}: {' '.join(v)}" for k, v in form.errors.items())), "error")
        return _back(event_id, "settings")
    services.save_settings(event_id, form.settings_data())
    flash(_("The seating settings are saved."), "success")
    return _back(event_id, "settings")


@bp.post("/fixed")
def add_fixed(event_id: int):
    form = FixedSeatForm(services.confirmed_registrations(_event(event_id).id))
    if not form.validate_on_submit():
        abort(400)
    return _attempt(lambda: services.set_fixed_seat(event_id, form.registration.data, form.side.data,
                                                    form.seat.data, form.circle.data),
                    _("The fixed seat is saved."), event_id, "constraints")


@bp.post("/fixed/<int:registration_id>/delete")
def remove_fixed(event_id: int, registration_id: int):
    return _attempt(lambda: services.remove_fixed_seat(event_id, registration_id),
                    _("The fixed seat is removed."), event_id, "constraints")


@bp.post("/apart")
def add_apart(event_id: int):
    form = PairForm(services.confirmed_registrations(_event(event_id).id))
    if not form.validate_on_submit():
        abort(400)
    return _attempt(lambda: services.add_avoided_pair(event_id, form.first.data, form.second.data),
                    _("These two will not meet."), event_id, "constraints")


@bp.post("/apart/<int:first_id>/<int:second_id>/delete")
def remove_apart(event_id: int, first_id: int, second_id: int):
    return _attempt(lambda: services.remove_avoided_pair(event_id, first_id, second_id),
                    _("These two may meet again."), event_id, "constraints")


@bp.post("/generate")
def generate(event_id: int):
    _event(event_id)
    return _attempt(lambda: services.request_job(event_id, "generate"),
                    _("The solver is working on the seating. Reload the page to see the result."), event_id, "plan")


@bp.post("/replan")
def replan(event_id: int):
    _event(event_id)
    return _attempt(lambda: services.request_job(event_id, "replan"),
                    _("The solver is re-planning for the people present. Reload the page to see who moves."),
                    event_id, "plan")


@bp.post("/plans/<int:plan_id>/swap")
def swap(event_id: int, plan_id: int):
    row = _plan(event_id, plan_id)
    form = PairForm(seats.plan_registrations(row), prefix="swap")
    if not form.validate_on_submit():
        abort(400)
    return _attempt(lambda: services.swap(row.id, form.first.data, form.second.data),
                    _("The two seats are swapped; the figures are updated."), event_id, "plan")


@bp.post("/plans/<int:plan_id>/publish")
def publish(event_id: int, plan_id: int):
    row = _plan(event_id, plan_id)
    return _attempt(lambda: services.publish(row.id),
                    _("The plan is published: participants see their start seat."), event_id, "plan")


@bp.post("/who-you-met")
def who_you_met(event_id: int):
    _event(event_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        count = services.send_who_you_met(event_id)
    except services.SeatingError as error:
        flash(str(error), "error")
    else:
        flash(_("%(count)d who-you-met mails are in the outbox.", count=count), "success")
    return _back(event_id, "after")


@bp.get("/plans/<int:plan_id>/print")
def printout(event_id: int, plan_id: int):
    event, row = _event(event_id), _plan(event_id, plan_id)
    part = request.args.get("part", "rounds")
    if part not in ("rounds", "labels", "cards"):
        abort(404)
    settings = services.settings_of(event)
    return render_template(f"seating/print_{part}.html", event=event, plan=row, settings=settings,
                           rows=services.seat_rows(row), labels=services.labels(row),
                           people=services.people_with_seats(row), rounds=services.round_count(row),
                           moved=_moved(row))


@bp.get("/plans/<int:plan_id>/<any(rounds, labels, cards):part>.pdf")
def printout_pdf(event_id: int, plan_id: int, part: str):
    event, row = _event(event_id), _plan(event_id, plan_id)
    return download(pdf.PARTS[part](event, row), f"seating-{event.slug}-{part}.pdf")


@bp.get("/plans/<int:plan_id>/export.<file_format>")
def export(event_id: int, plan_id: int, file_format: str):
    event, row = _event(event_id), _plan(event_id, plan_id)
    if file_format not in EXPORT_FORMATS:
        abort(404)
    return download(services.exported(row, file_format), f"seating-{event.slug}.{file_format}")


@bp.get("/checkin")
def checkin(event_id: int):
    event = _event(event_id)
    query = request.args.get("q", "").strip()[:100]
    people = services.checkin_list(event.id, query)
    plan = seats.published_plan(event.id)
    where = seats.seats(seats.plan_of(plan)) if plan else {}
    return render_template("seating/checkin.html", event=event, people=people, query=query, where=where,
                           present=sum(1 for r in services.confirmed_registrations(event.id) if r.attended),
                           action=ActionForm(), walk_in=WalkInForm(prefix="walkin"))


@bp.post("/checkin/<int:registration_id>")
def tick(event_id: int, registration_id: int):
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.event_id != event_id or not ActionForm().validate_on_submit():
        abort(404 if registration is None else 400)
    try:
        set_attendance(registration_id, request.form.get("attended") == "1")
    except EventError as error:
        flash(str(error), "error")
    return redirect(url_for("seating.checkin", event_id=event_id, q=request.form.get("q") or None,
                            _anchor=f"person-{registration_id}"))


@bp.post("/walk-in")
def walk_in(event_id: int):
    event = _event(event_id)
    form = WalkInForm(prefix="walkin")
    if not form.validate_on_submit():
        return render_template("seating/checkin.html", event=event, people=[], query="", where={}, present=None,
                               action=ActionForm(), walk_in=form), 400
    registration = services.add_walk_in(event.id, form.email.data, form.details())
    flash(_("%(name)s is registered and checked in.", name=registration.partner.full_name), "success")
    return redirect(url_for("seating.checkin", event_id=event_id))


@bp.get("/timer")
def timer(event_id: int):
    event = _event(event_id)
    return render_template("seating/timer.html", event=event, state=services.timer_state(services.settings_of(event)),
                           action=ActionForm())


@bp.get("/timer.json")
def timer_json(event_id: int):
    state = services.timer_state(services.settings_of(_event(event_id)))
    return jsonify(state.__dict__)


@bp.post("/timer/<action>")
def timer_action(event_id: int, action: str):
    _event(event_id)
    if action not in ("start", "pause", "resume", "reset") or not ActionForm().validate_on_submit():
        abort(400)
    services.timer_action(event_id, action)
    return redirect(url_for("seating.timer", event_id=event_id))
