"""Flask CLI commands: demo data, organiser accounts, events for scripting."""

import json
from datetime import datetime
from pathlib import Path

import click
from flask import Flask, current_app
from sqlalchemy import func, select

from speeddate import demo
from speeddate.auth import services as accounts
from speeddate.directory.cli import partners_group
from speeddate.events import services as events
from speeddate.exports import FileStyle, export_table
from speeddate.extensions import db
from speeddate.forms_common import MAX_ID
from speeddate.mail import outbox, worker
from speeddate.models import Event, EventType, Gemeente
from speeddate.ops.cli import backup_command, restore_command
from speeddate.privacy.cli import privacy_group
from speeddate.reports import services as reports
from speeddate.reports.cli import report_command, style_options, write
from speeddate.seating.cli import seating_group
from speeddate.surveys.results import evaluation_rows
from speeddate.urls import registration_url
from speeddate.workers import Beat


def init_app(app: Flask) -> None:
    """Register the command groups."""
    app.cli.add_command(demo_command)
    app.cli.add_command(users)
    app.cli.add_command(events_group)
    app.cli.add_command(mail_group)
    app.cli.add_command(partners_group)
    app.cli.add_command(report_command)
    app.cli.add_command(privacy_group)
    app.cli.add_command(evaluations_group)
    app.cli.add_command(seating_group)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Only load when the database has no events yet.")
def demo_command(if_empty: bool) -> None:
    """Load a fictional zone with partners and events; running it twice adds nothing."""
    if if_empty and db.session.scalar(select(func.count()).select_from(Event)):
        click.echo("The database has events already; demo data not loaded.")
    else:
        summary = demo.load()
        click.echo(f"Demo zone loaded: {summary}")
    click.echo(f"Demo organiser login: {demo.ORGANISER_EMAIL} / {demo.ORGANISER_PASSWORD}")


@click.group("users")
def users() -> None:
    """Organiser accounts."""


@users.command("create")
@click.argument("email")
@click.option("--admin", is_flag=True, help="Give the account the admin role.")
@click.password_option(help="The password (asked when not given).")
def create_user(email: str, admin: bool, password: str) -> None:
    """Create an organiser account."""
    try:
        user = accounts.create_user(email, password, admin=admin)
    except accounts.AccountError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Created {user.role.value} {user.email}")


@users.command("disable")
@click.argument("email")
def disable_user(email: str) -> None:
    """Refuse an organiser's logins and end their sessions."""
    try:
        user = accounts.disable_user(email)
    except accounts.AccountError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Disabled {user.email}; their sessions have ended")


@users.command("password")
@click.argument("email")
@click.password_option(help="The new password (asked when not given).")
def change_password(email: str, password: str) -> None:
    """Set an organiser's password and end their sessions."""
    try:
        user = accounts.change_password(email, password)
    except accounts.AccountError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"New password set for {user.email}; their sessions have ended")


@click.group("events")
def events_group() -> None:
    """Events, for scripting and operations."""


def _parse_time(value: str) -> datetime:
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"not an ISO date and time: {value!r}") from None


@events_group.command("create")
@click.option("--title", required=True)
@click.option("--type", "event_type", type=click.Choice([t.value for t in EventType]), required=True)
@click.option("--start", required=True, help="ISO time; without an offset it is Brussels time.")
@click.option("--end", required=True, help="ISO time; without an offset it is Brussels time.")
@click.option("--capacity", type=click.IntRange(1, 10_000), help="Required, except for an event elsewhere.")
@click.option("--gemeente", help="Name of the gemeente.")
@click.option("--location", default="")
@click.option("--deadline", help="Registration deadline, ISO time.")
@click.option("--catering/--no-catering", default=None, help="Default: the event type's default.")
@click.option("--title-fr", default="", help="The title in French (default: the Dutch one).")
@click.option("--title-en", default="", help="The title in English (default: the Dutch one).")
@click.option("--description-nl", default="", help="The description in Dutch.")
@click.option("--description-fr", default="", help="The description in French (default: the Dutch one).")
@click.option("--description-en", default="", help="The description in English (default: the Dutch one).")
@click.option("--elsewhere", "external_url", default="", metavar="URL",
              help="A third party's event with its own registration link: in the calendar, no registration here.")
@click.option("--organised-by", default="", help="Who organises the event elsewhere (required with --elsewhere).")
@click.option("--publish", is_flag=True, help="Open registration at once (an event elsewhere: show it).")
@click.option("--json", "as_json", is_flag=True, help="Print id, slug and registration_url as JSON.")
def create_event(title, event_type, start, end, capacity, gemeente, location, deadline, catering, title_fr, title_en,
                 description_nl, description_fr, description_en, external_url, organised_by, publish,
                 as_json) -> None:
    """Create an event: the title (--title) in Dutch, translations optional."""
    found = None
    if gemeente:
        found = db.session.scalar(select(Gemeente).where(func.lower(Gemeente.name) == gemeente.strip().lower()))
        if found is None:
            raise click.BadParameter(f"unknown gemeente {gemeente!r}", param_hint="--gemeente")
    kind = EventType(event_type)
    if capacity is None and not external_url:
        raise click.BadParameter("give the number of places", param_hint="--capacity")
    data = events.EventData(
        type=kind, title=title, starts_at=_parse_time(start), ends_at=_parse_time(end),
        capacity=capacity or events.TYPE_DEFAULTS[kind].capacity,
        gemeente=found, location=location, registration_deadline=_parse_time(deadline) if deadline else None,
        catering=events.TYPE_DEFAULTS[kind].catering if catering is None else catering,
        title_fr=title_fr, title_en=title_en, description=description_nl, description_fr=description_fr,
        description_en=description_en, external_url=external_url, organised_by=organised_by)
    try:
        event = events.create_event(data, publish=publish)
    except events.EventError as error:
        raise click.ClickException(str(error)) from None
    result = {"id": event.id, "slug": event.slug, "registration_url": event.external_url or registration_url(event)}
    click.echo(json.dumps(result) if as_json else f"Created event {event.id}: {result['registration_url']}")


@events_group.command("export")
@click.argument("event_id", type=click.IntRange(1, MAX_ID))
@click.option("--format", "file_format", type=click.Choice(["csv", "xlsx"]), default="csv")
@click.option("--what", type=click.Choice(["registrations", "catering"]), default="registrations")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="File to write (default: stdout).")
@style_options
def export_event(event_id: int, file_format: str, what: str, out: Path | None, style: FileStyle) -> None:
    """Write an event's registrations (or catering list) as CSV or XLSX, by default in the zone's language."""
    event = db.session.get(Event, event_id)
    if event is None:
        raise click.ClickException(f"no event with id {event_id}")
    write(reports.export(event, what, file_format, style), out, binary=file_format == "xlsx")


@click.group("mail")
def mail_group() -> None:
    """The outbox."""


@mail_group.command("send")
@click.option("--loop", is_flag=True, help="Keep sending; stop with Ctrl+C.")
@click.option("--interval", type=click.FloatRange(min=0.1), default=30.0, show_default=True,
              help="Seconds between rounds with --loop.")
def send_mail(loop: bool, interval: float) -> None:
    """Send every due mail in the outbox (once, or with --loop continuously)."""
    if not current_app.config.get("MAIL_SERVER"):
        click.echo(f"No MAIL_SERVER configured: {outbox.backlog()} due mails wait in the outbox.")
        return
    # The beat tells other workers this one is alive, so that nobody takes the mail it is sending.
    with Beat(current_app._get_current_object(), "mail") as beat:  # type: ignore[attr-defined]
        if not loop:
            click.echo(str(worker.send_due(beat.name)))
            return
        try:
            worker.run_forever(interval, click.echo, beat.name)
        except KeyboardInterrupt:
            click.echo("Stopped.")


@click.group("evaluations")
def evaluations_group() -> None:
    """Evaluation results."""


@evaluations_group.command("export")
@click.argument("event_id", type=click.IntRange(1, MAX_ID))
@click.option("--format", "file_format", type=click.Choice(["csv", "xlsx"]), default="csv")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="File to write (default: stdout).")
@style_options
def export_evaluations(event_id: int, file_format: str, out: Path | None, style: FileStyle) -> None:
    """One row per response, one column per question; no identities when the evaluation is anonymous."""
    event = db.session.get(Event, event_id)
    if event is None:
        raise click.ClickException(f"no event with id {event_id}")
    # The questions are worded in the chosen language; the machine form keeps the Dutch wording.
    columns, rows = evaluation_rows(event, style.language or "nl", style)
    write(export_table(columns, rows, "evaluation", file_format, style), out, binary=file_format == "xlsx")
