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
@click.argument("backup_file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--after-pg-restore", is_flag=True,
              help="PostgreSQL: after pg_restore, hold the restored database's pending mail (copies no file).")
@click.option("--sent-from", metavar="DATABASE",
              help="With --after-pg-restore: a copy of the database as it was before pg_restore, on the same "
                   "server; the mails it had sent are marked sent instead of held.")
def restore_command(backup_file: Path | None, yes: bool, after_pg_restore: bool, sent_from: str | None) -> None:
    """Replace the SQLite database by a backup, or settle the mail of a PostgreSQL database after pg_restore; the
    service must be stopped first."""
    if after_pg_restore == (backup_file is not None) or (sent_from and not after_pg_restore):
        raise click.UsageError("give a BACKUP_FILE (SQLite), or --after-pg-restore [--sent-from DATABASE]")
    if not yes:
        click.confirm(CONFIRM_PG if after_pg_restore else CONFIRM_SQLITE, abort=True)
    try:
        if backup_file is None:
            restored = backups.after_pg_restore(sent_from)
        else:
            restored = backups.restore(backup_file)
            click.echo(f"Restored from {backup_file}; the database it replaced is kept in {restored.kept}.")
    except backups.BackupError as error:
        raise click.ClickException(str(error)) from None
    _report_mail(restored)


CONFIRM_SQLITE = ("This replaces every row of the current database by the backup's (the current database is kept "
                  "in instance/backups). Mail that is still to be sent will wait for an organiser to release it in "
                  "the outbox. Continue?")
CONFIRM_PG = ("Mail of the restored database that is still to be sent will wait for an organiser to release it "
              "in the outbox. Continue?")


def _report_mail(restored: backups.Restored) -> None:
    click.echo(f"{restored.marked_sent} mails had gone out after the backup: marked sent, not sent again.")
    click.echo(f"{restored.uncertain} mails may have been sent: check them in the outbox.")
    click.echo(f"{restored.held} mails held: release them in the outbox after checking.")
