"""`flask seating ...`: generate a plan, run queued solver jobs, export a plan (`--out FILE` or stdout)."""

import json
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from flask import current_app

from speeddate.extensions import db
from speeddate.forms_common import MAX_ID
from speeddate.models import Event, JobStatus
from speeddate.seating import jobs, seats, sheets
from speeddate.seating.errors import SeatingError


@click.group("seating")
def seating_group() -> None:
    """Seating plans of speeddates."""


@seating_group.command("generate")
@click.argument("event_id", type=click.IntRange(1, MAX_ID))
@click.option("--time-limit", type=click.FloatRange(min=0.5), default=None, help="Seconds for the solver.")
@click.option("--fresh", is_flag=True,
              help="Plan from scratch even when a plan is published (by default people keep their seat).")
def generate_command(event_id: int, time_limit: float | None, fresh: bool) -> None:
    """Seat the event's confirmed registrations now (a draft plan, with its figures); with a published plan,
    everyone keeps their seat unless moving them is worth it."""
    if db.session.get(Event, event_id) is None:
        raise click.ClickException(f"no event with id {event_id}")
    try:
        job = jobs.generate_now(event_id, time_limit, fresh)
    except SeatingError as error:
        raise click.ClickException(str(error)) from None
    if job.status != JobStatus.DONE:
        raise click.ClickException(f"the solver failed, the previous plan stays: {job.error}")
    plan = seats.latest_plan(event_id)
    assert plan is not None
    click.echo(f"plan {plan.id}: colleague meetings {plan.same_organisation}, same-sector meetings "
               f"{plan.same_sector}, distinct sectors {plan.distinct_sectors_total} "
               f"(upper bound {plan.upper_bound}), worst-off {plan.distinct_sectors_min}")
    moving = len(json.loads(plan.moved_ids))
    if seats.published_plan(event_id) is not None:
        click.echo(f"moves {moving} people off the seat they know; publish it, then mail them from the moved page")


@seating_group.command("work")
@click.option("--loop", is_flag=True, help="Keep working; stop with Ctrl+C.")
@click.option("--interval", type=click.FloatRange(min=0.1), default=2.0, show_default=True,
              help="Seconds between looks at the queue with --loop.")
def work_command(loop: bool, interval: float) -> None:
    """Run the queued solver jobs and resume those whose process died (once, or with --loop continuously)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    try:
        with _stop_on_sigterm() as stop:
            done = jobs.work(app, interval, click.echo, loop, stop)
    except KeyboardInterrupt:
        click.echo("Stopped.")
        return
    click.echo(f"{done} job(s) done")


@contextmanager
def _stop_on_sigterm() -> Iterator[threading.Event]:
    """While the block runs, SIGTERM (systemctl stop or restart) sets the event instead of ending the process at
    once: the worker finishes the job at hand rather than spend one of its two runs."""
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda _number, _frame: stop.set())
    try:
        yield stop
    finally:
        signal.signal(signal.SIGTERM, previous)


@seating_group.command("export")
@click.argument("event_id", type=click.IntRange(1, MAX_ID))
@click.option("--format", "file_format", type=click.Choice(["json", "csv", "xlsx"]), default="json")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="File to write (default: stdout).")
def export_command(event_id: int, file_format: str, out: Path | None) -> None:
    """Write the event's current plan to a file or standard output; JSON is the solver's contract."""
    plan = seats.latest_plan(event_id)
    if plan is None:
        raise click.ClickException(f"event {event_id} has no seating plan")
    data = sheets.exported(plan, file_format)
    if out is not None:
        out.write_bytes(data)
        click.echo(f"Wrote {out}", err=True)
    elif file_format == "xlsx" and sys.stdout.isatty():
        raise click.ClickException("XLSX is binary: give --out FILE")
    elif file_format == "xlsx":
        click.get_binary_stream("stdout").write(data)
    else:
        click.echo(data.decode(), nl=False)
