"""Seating pages for organisers: settings, generate, quality, swap, publish, printouts, check-in, re-plan, timer."""

from dataclasses import dataclass

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _

from speeddate.auth.guard import organisers_only
from speeddate.events.services import EventError, set_attendance
from speeddate.exports import download
from speeddate.extensions import db
from speeddate.forms_common import ActionForm, parse_id
from speeddate.mail.services import without_personal_links
from speeddate.models import (
    Event,
    JobStatus,
    Registration,
    SeatingAvoidPair,
    SeatingFixedSeat,
    SeatingJob,
    SeatingPlan,
    SeatingSettings,
)
from speeddate.seating import (
    after_the_day,
    constraints,
    drawing,
    jobs,
    moved,
    on_the_day,
    pdf,
    plans,
    preview,
    seats,
    sheets,
)
from speeddate.seating.errors import SeatingError
from speeddate.seating.forms import FixedSeatForm, PairForm, SettingsForm, SwapForm, WalkInForm

bp = organisers_only(Blueprint("seating", __name__, url_prefix="/admin/events/<int:event_id>/seating"))
bp.record_once(lambda _state: after_the_day.register_mail_kinds())
bp.record_once(lambda _state: moved.register_mail_kinds())
EXPORT_FORMATS = ("json", "csv", "xlsx")
TIMER_ACTIONS = ("start", "restart", "pause", "resume", "next", "reset")


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
    except (SeatingError, EventError) as error:
        flash(str(error), "error")
    else:
        flash(success, "success")
    return _back(event_id, anchor)


@dataclass(frozen=True)
class SeatingPage:
    """What the seating page shows of one event: settings, constraints, the solver's job, the plan and its forms."""

    event: Event
    settings: SeatingSettings
    people: list[Registration]
    suggested_rounds: int
    max_rounds: int
    fixed: list[SeatingFixedSeat]
    avoided: list[SeatingAvoidPair]
    job: SeatingJob | None
    job_dead: bool
    job_waits: bool
    plan: SeatingPlan | None
    published: SeatingPlan | None
    quality: plans.Quality | None
    stale: plans.Staleness | None
    moved: list[Registration]
    settings_form: SettingsForm
    fixed_form: FixedSeatForm
    pair_form: PairForm
    swap_form: PairForm

    @property
    def solving(self) -> bool:
        """The solver has a job queued or running for this event."""
        return self.job is not None and self.job.status in (JobStatus.QUEUED, JobStatus.RUNNING)

    @property
    def job_failed(self) -> bool:
        """The last run failed (the plan before it stays)."""
        return self.job is not None and self.job.status == JobStatus.FAILED


def seating_page(event: Event) -> SeatingPage:
    """The seating page of an event, in the request's language."""
    settings = constraints.settings_of(event)
    people = constraints.confirmed_registrations(event.id)
    plan, job = seats.latest_plan(event.id), jobs.current_job(event.id)
    return SeatingPage(
        event=event, settings=settings, people=people,
        suggested_rounds=constraints.suggested_rounds(event, settings.minutes_per_round, settings.switch_minutes),
        max_rounds=seats.max_rounds(len(people), settings.pairs_per_circle),
        fixed=constraints.fixed_seats(event.id), avoided=constraints.avoided_pairs(event.id),
        job=job, job_dead=job is not None and jobs.is_dead(job),
        job_waits=job is not None and jobs.waits_for_worker(job),
        plan=plan, published=seats.published_plan(event.id),
        quality=plans.quality(plan, str(get_locale())) if plan else None,
        stale=plans.staleness(plan) if plan else None, moved=seats.moved_people(plan) if plan else [],
        settings_form=SettingsForm(obj=settings), fixed_form=FixedSeatForm(people), pair_form=PairForm(people),
        swap_form=PairForm(people if plan is None else seats.plan_registrations(plan), prefix="swap"))


@bp.get("/")
def index(event_id: int):
    return render_template("seating/index.html", page=seating_page(_event(event_id)))


@bp.post("/settings")
def settings(event_id: int):
    _event(event_id)
    form = SettingsForm()
    if not form.validate_on_submit():
        flash(_("Please check the seating settings: %(errors)s",
                errors="; ".join(f"{form[k].label.text}: {' '.join(v)}" for k, v in form.errors.items())), "error")
        return _back(event_id, "settings")
    constraints.save_settings(event_id, form.settings_data())
    flash(_("The seating settings are saved."), "success")
    return _back(event_id, "settings")


@bp.post("/fixed")
def add_fixed(event_id: int):
    form = FixedSeatForm(constraints.confirmed_registrations(_event(event_id).id))
    if not form.validate_on_submit():
        abort(400)
    return _attempt(lambda: constraints.set_fixed_seat(event_id, form.registration.data, form.side.data,
                                                    form.seat.data, form.circle.data),
                    _("The fixed seat is saved."), event_id, "constraints")


@bp.post("/fixed/<int:registration_id>/delete")
def remove_fixed(event_id: int, registration_id: int):
    return _attempt(lambda: constraints.remove_fixed_seat(event_id, registration_id),
                    _("The fixed seat is removed."), event_id, "constraints")


@bp.post("/apart")
def add_apart(event_id: int):
    form = PairForm(constraints.confirmed_registrations(_event(event_id).id))
    if not form.validate_on_submit():
        abort(400)
    return _attempt(lambda: constraints.add_avoided_pair(event_id, form.first.data, form.second.data),
                    _("These two will not meet."), event_id, "constraints")


@bp.post("/apart/<int:first_id>/<int:second_id>/delete")
def remove_apart(event_id: int, first_id: int, second_id: int):
    return _attempt(lambda: constraints.remove_avoided_pair(event_id, first_id, second_id),
                    _("These two may meet again."), event_id, "constraints")


@bp.post("/generate")
def generate(event_id: int):
    _event(event_id)
    fresh = request.form.get("fresh") == "1"
    kept = not fresh and seats.published_plan(event_id) is not None
    return _attempt(lambda: jobs.request_job(event_id, "fresh" if fresh else "generate"),
                    _("The solver is working on the seating; everyone keeps the seat they know unless moving them "
                      "is worth it. Reload the page to see who would move.") if kept
                    else _("The solver is working on the seating. Reload the page to see the result."),
                    event_id, "plan")


@bp.post("/replan")
def replan(event_id: int):
    _event(event_id)
    return _attempt(lambda: jobs.request_job(event_id, "replan"),
                    _("The solver is re-planning for the people present. Reload the page to see who moves."),
                    event_id, "plan")


@bp.post("/plans/<int:plan_id>/swap")
def swap(event_id: int, plan_id: int):
    row = _plan(event_id, plan_id)
    form = PairForm(seats.plan_registrations(row), prefix="swap")
    if not form.validate_on_submit():
        abort(400)
    try:
        changed = plans.swap(row.id, form.first.data, form.second.data)
    except SeatingError as error:
        flash(str(error), "error")
        return _back(event_id, "plan")
    flash(_("The two seats are swapped; the figures are updated."), "success")
    return _after_change(event_id, changed)


def _after_change(event_id: int, row: SeatingPlan):
    """A published plan that moved people goes on to the page that lists them and offers to mail them."""
    if row.status.value == "published" and row.moved_ids != "[]":
        return redirect(url_for("seating.moved", event_id=event_id, plan_id=row.id))
    return _back(event_id, "plan")


@bp.post("/plans/<int:plan_id>/publish")
def publish(event_id: int, plan_id: int):
    row = _plan(event_id, plan_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        published = plans.publish(row.id)
    except SeatingError as error:
        flash(str(error), "error")
        return _back(event_id, "plan")
    flash(_("The plan is published: participants see their start seat."), "success")
    return _after_change(event_id, published)


@bp.get("/plans/<int:plan_id>/moved", endpoint="moved")
def moved_page(event_id: int, plan_id: int):
    """Who a change of the published plan moves, from which seat to which, and the mail to them, before it goes."""
    event, row = _event(event_id), _plan(event_id, plan_id)
    newer = moved.next_published(row)
    if newer is not None and request.args.get("stay") is None:
        return redirect(url_for("seating.moved", event_id=event_id, plan_id=newer.id))
    offer = moved.moved_mails(row)
    body = without_personal_links(offer.preview.body_text) if offer.preview is not None else ""
    return render_template("seating/moved.html", event=event, row=row, moves=moved.moves(row), offer=offer,
                           body=body)


@bp.post("/plans/<int:plan_id>/moved", endpoint="send_moved")
def moved_send(event_id: int, plan_id: int):
    _plan(event_id, plan_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        sent = moved.send_moved_mails(event_id, plan_id)
    except SeatingError as error:
        flash(str(error), "error")
        return redirect(url_for("seating.moved", event_id=event_id, plan_id=plan_id))
    if sent.queued or not sent.already:
        flash(ngettext("%(num)d mail with the new seat is in the outbox.",
                       "%(num)d mails with the new seat are in the outbox.", sent.queued), "success")
    if sent.already:
        flash(_("Already sent to %(count)d people before: not sent again.", count=sent.already), "success")
    return redirect(url_for("seating.moved", event_id=event_id, plan_id=plan_id))


@bp.get("/who-you-met")
def who_you_met_confirm(event_id: int):
    """What sending the who-you-met mails would do, with one of them, before anything is sent."""
    event = _event(event_id)
    plan = after_the_day.who_you_met_plan(event_id)
    body = without_personal_links(plan.preview.body_text) if plan.preview is not None else ""
    return render_template("seating/who_you_met.html", event=event, plan=plan, body=body)


@bp.post("/who-you-met")
def who_you_met(event_id: int):
    _event(event_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        sent = after_the_day.send_who_you_met(event_id)
    except SeatingError as error:
        flash(str(error), "error")
        return redirect(url_for("seating.who_you_met_confirm", event_id=event_id))
    if sent.queued or not sent.already:
        flash(_("%(count)d who-you-met mails are in the outbox.", count=sent.queued), "success")
    if sent.already:
        flash(_("Already sent to %(count)d people before: not sent again.", count=sent.already), "success")
    return _back(event_id, "after")


@bp.get("/plans/<int:plan_id>/print")
def printout(event_id: int, plan_id: int):
    event, row = _event(event_id), _plan(event_id, plan_id)
    part = request.args.get("part", "rounds")
    if part not in sheets.PARTS:
        abort(404)
    return render_template(f"seating/print_{part}.html", event=event, printout=sheets.printout(event, row, part))


@bp.get("/plans/<int:plan_id>/<any(rounds, labels, cards):part>.pdf")
def printout_pdf(event_id: int, plan_id: int, part: str):
    event, row = _event(event_id), _plan(event_id, plan_id)
    return download(pdf.render(sheets.printout(event, row, part)), f"seating-{event.slug}-{part}.pdf")


@bp.get("/plans/<int:plan_id>/export.<file_format>")
def export(event_id: int, plan_id: int, file_format: str):
    event, row = _event(event_id), _plan(event_id, plan_id)
    if file_format not in EXPORT_FORMATS:
        abort(404)
    return download(sheets.exported(row, file_format), f"seating-{event.slug}.{file_format}")


def _checkin_page(event: Event, walk_in: WalkInForm, query: str = ""):
    people = on_the_day.checkin_list(event.id, query)
    plan = seats.published_plan(event.id)
    where = seats.seats(seats.plan_of(plan)) if plan else {}
    return render_template("seating/checkin.html", event=event, people=people, query=query, where=where,
                           present=sum(1 for r in constraints.confirmed_registrations(event.id) if r.attended),
                           action=ActionForm(), walk_in=walk_in)


@bp.get("/checkin")
def checkin(event_id: int):
    return _checkin_page(_event(event_id), WalkInForm(prefix="walkin"), request.args.get("q", "").strip()[:100])


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
        return _checkin_page(event, form), 400
    capacity = event.capacity
    try:
        registration = on_the_day.add_walk_in(event.id, form.email.data, form.details(), form.over_capacity.data)
    except on_the_day.RoomFull:
        form.over_capacity.errors = [_("Every place is taken: tick the box to let one more in, or check the "
                                       "number of places first.")]
        return _checkin_page(event, form), 400
    flash(_("%(name)s is registered and checked in.", name=registration.partner.full_name), "success")
    if registration.event.capacity > capacity:
        flash(_("The event now has %(count)d places.", count=registration.event.capacity), "success")
    return redirect(url_for("seating.checkin", event_id=event_id))


@bp.get("/timer")
def timer(event_id: int):
    event = _event(event_id)
    state = on_the_day.timer_state(constraints.settings_of(event))
    return render_template("seating/timer.html", event=event, state=state, action=ActionForm())


@bp.get("/timer.json")
def timer_json(event_id: int):
    state = on_the_day.timer_state(constraints.settings_of(_event(event_id)))
    return jsonify({**state.__dict__, "controls": state.controls()})


@bp.post("/timer/<action>")
def timer_action(event_id: int, action: str):
    _event(event_id)
    if action not in TIMER_ACTIONS or not ActionForm().validate_on_submit():
        abort(400)
    on_the_day.timer_action(event_id, action)
    return redirect(url_for("seating.timer", event_id=event_id))


def _view_args(view: drawing.PlanView) -> dict:
    """The view's state from the query string: round, circle, the person shown, the first of a swap, a search."""
    person = request.args.get("person", type=parse_id)
    chosen = view.people.get(str(person)) if person else None
    swap_from = request.args.get("swap", type=parse_id)
    circle = request.args.get("circle", type=int) or (chosen.seat.circle if chosen else 1)
    return {"round": min(max(request.args.get("round", 1, type=int), 1), view.rounds),
            "circle": circle if circle in view.circles else view.circles[0],
            "person": chosen, "swap": view.people.get(str(swap_from)) if swap_from else None,
            "query": request.args.get("q", "").strip()[:100]}


@bp.get("/plans/<int:plan_id>/view")
def plan_view(event_id: int, plan_id: int):
    event, row = _event(event_id), _plan(event_id, plan_id)
    view = drawing.plan_view(row, str(get_locale()))
    state = _view_args(view)
    person = view.person_plan(state["person"].id) if state["person"] else None
    fix_form = apart_form = None
    if person is not None:
        seat = person.fixed_seat or person.person.seat
        fix_form = FixedSeatForm([], prefix="fix", formdata=None,
                                 data={"side": seat.side, "seat": seat.seat, "circle": seat.circle})
        apart_form = PairForm([r for r in view.registrations if r.id != person.person.id], prefix="apart",
                              formdata=None)
    return render_template("seating/plan_view.html", event=event, view=view, state=state, person=person,
                           drawing=view.drawing(state["circle"], state["round"]), fix_form=fix_form,
                           apart_form=apart_form, found=view.search(state["query"]), stale=plans.staleness(row))


def _swap_preview_page(event: Event, row: SeatingPlan, first: int | None, second: int | None,
                       form: SwapForm | None = None):
    view = drawing.plan_view(row, str(get_locale()))
    found = preview.swap_preview(view, first, second) if first and second else None
    if form is None and found is not None:
        form = SwapForm(formdata=None, data={"first": first, "second": second, "version": found.version})
    return render_template("seating/swap_preview.html", event=event, row=row, view=view, preview=found, form=form,
                           chosen=(first, second), published_next=_after_published_swap_text(row))


def _after_published_swap_text(row: SeatingPlan) -> str:
    return _("This plan is published: after the swap you see who moved and can mail them their new seat.")


@bp.get("/plans/<int:plan_id>/swap/preview")
def swap_preview(event_id: int, plan_id: int):
    event, row = _event(event_id), _plan(event_id, plan_id)
    # The seating page's drop-downs send swap-first and swap-second; the plan view sends first and second.
    first = request.args.get("first", type=parse_id) or request.args.get("swap-first", type=parse_id)
    second = request.args.get("second", type=parse_id) or request.args.get("swap-second", type=parse_id)
    return _swap_preview_page(event, row, first, second)


@bp.post("/plans/<int:plan_id>/swap/apply")
def apply_swap(event_id: int, plan_id: int):
    event, row = _event(event_id), _plan(event_id, plan_id)
    form = SwapForm()
    if not form.validate_on_submit():
        abort(400)
    first, second = form.first.data, form.second.data
    try:
        done = preview.apply_swap(row.id, first, second, form.version.data, form.confirmed.data, str(get_locale()))
    except preview.NeedsConfirmation as error:
        form.confirmed.errors = [str(error)]
        return _swap_preview_page(event, row, first, second, form), 400
    except SeatingError as error:
        flash(str(error), "error")
        return redirect(url_for("seating.swap_preview", event_id=event_id, plan_id=plan_id, first=first,
                                second=second))
    flash(_("%(first)s and %(second)s have swapped seats; the figures are updated.", first=done.first.name,
            second=done.second.name), "success")
    if done.published:
        # The swap made a new published version; the moved page of this one leads to it.
        return redirect(url_for("seating.moved", event_id=event_id, plan_id=plan_id))
    return redirect(url_for("seating.plan_view", event_id=event_id, plan_id=plan_id, person=first))


def _view_of(event_id: int, plan_id: int, registration_id: int):
    return redirect(url_for("seating.plan_view", event_id=event_id, plan_id=plan_id, person=registration_id,
                            _anchor="person"))


@bp.post("/plans/<int:plan_id>/people/<int:registration_id>/fix")
def fix_from_view(event_id: int, plan_id: int, registration_id: int):
    row = _plan(event_id, plan_id)
    form = FixedSeatForm(seats.plan_registrations(row), prefix="fix")
    form.registration.data = registration_id
    if not form.validate_on_submit():
        abort(400)
    try:
        constraints.set_fixed_seat(event_id, registration_id, form.side.data, form.seat.data, form.circle.data)
    except SeatingError as error:
        flash(str(error), "error")
    else:
        flash(drawing.fixed_seat_outcome(row, registration_id), "success")
    return _view_of(event_id, plan_id, registration_id)


@bp.post("/plans/<int:plan_id>/people/<int:registration_id>/unfix")
def unfix_from_view(event_id: int, plan_id: int, registration_id: int):
    _plan(event_id, plan_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    constraints.remove_fixed_seat(event_id, registration_id)
    flash(_("The fixed seat is removed."), "success")
    return _view_of(event_id, plan_id, registration_id)


@bp.post("/plans/<int:plan_id>/people/<int:registration_id>/apart")
def apart_from_view(event_id: int, plan_id: int, registration_id: int):
    row = _plan(event_id, plan_id)
    form = PairForm(seats.plan_registrations(row), prefix="apart")
    form.first.data = registration_id
    if not form.validate_on_submit():
        abort(400)
    try:
        constraints.add_avoided_pair(event_id, registration_id, form.second.data)
    except SeatingError as error:
        flash(str(error), "error")
    else:
        flash(drawing.apart_outcome(row, registration_id, form.second.data), "success")
    return _view_of(event_id, plan_id, registration_id)
