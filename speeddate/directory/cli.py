"""`flask partners import FILE [--dry-run]`: the directory import from the command line."""

import sys
from pathlib import Path

import click

from speeddate.directory import import_file, imports


@click.group("partners")
def partners_group() -> None:
    """The partner directory."""


@partners_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Show what would happen; write nothing.")
def import_partners(path: Path, dry_run: bool) -> None:
    """Import partners from CSV or XLSX; exit status 2 and nothing written when a row is bad."""
    try:
        rows = import_file.read_rows(path.read_bytes()[: import_file.MAX_BYTES + 1], path.name)
        plan = imports.plan_import(rows) if dry_run else imports.apply_import(rows)
    except import_file.ImportFileError as error:
        raise click.ClickException(str(error)) from None
    except imports.ImportBlocked as blocked:
        plan = blocked.plan
    for row in plan.rows:
        click.echo(f"row {row.line}\t{row.action.value}\t{row.email}\t{'; '.join(row.reasons)}")
    counts = plan.counts
    verb = "would be" if dry_run else "were"
    click.echo(f"{counts[imports.Action.CREATE]} created, {counts[imports.Action.UPDATE]} updated, "
               f"{counts[imports.Action.SKIP]} skipped, {counts[imports.Action.ERROR]} bad rows")
    if plan.blocked:
        click.echo("Nothing was imported: fix the bad rows first.", err=True)
        sys.exit(2)
    click.echo(f"(dry run: nothing {verb} written)" if dry_run else "Imported.")
