"""`flask backup` and `flask restore` for the embedded SQLite database."""

from pathlib import Path

import click

from speeddate.ops import backup as backups


@click.command("backup")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write (default: instance/backups/speeddate-YYYYMMDD-HHMMSS.db).")
def backup_command(out: Path | None) -> None:
    """Copy the SQLite database to a file while the service runs (PostgreSQL: use pg_dump)."""
    try:
        written = backups.backup(out or backups.default_backup_path())
    except backups.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Backup written to {written}")


@click.command("restore")
@click.argument("backup_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_command(backup_file: Path, yes: bool) -> None:
    """Replace the SQLite database by a backup; the web and mail workers must be stopped first."""
    if not yes:
        click.confirm("This replaces every row of the current database by the backup's (the current database is "
                      "kept in instance/backups). Mail that is still to be sent will wait for an organiser to "
                      "release it in the outbox. Continue?", abort=True)
    try:
        restored = backups.restore(backup_file)
    except backups.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Restored from {backup_file}; the database it replaced is kept in {restored.kept}.")
    _report_mail(restored)


def _report_mail(restored: backups.Restored) -> None:
    click.echo(f"{restored.marked_sent} mails had gone out after the backup: marked sent, not sent again.")
    click.echo(f"{restored.uncertain} mails may have been sent: check them in the outbox.")
    click.echo(f"{restored.held} mails held: release them in the outbox after checking.")
