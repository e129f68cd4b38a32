"""`flask report --year YYYY --format xlsx|json [--out FILE]`: the year's indicators for scripting."""

import json
import sys
from pathlib import Path

import click

from speeddate.reports import indicators, services


@click.command("report")
@click.option("--year", type=click.IntRange(2000, 2100), required=True)
@click.option("--format", "file_format", type=click.Choice(["xlsx", "json"]), default="json", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="File to write (default: stdout).")
def report_command(year: int, file_format: str, out: Path | None) -> None:
    """Write the year's indicators as JSON (one key per figure) or as an XLSX workbook."""
    figures = indicators.report(indicators.Period.year(year))
    content = (services.indicators_xlsx(figures) if file_format == "xlsx"
               else json.dumps(figures, ensure_ascii=False, indent=2).encode() + b"\n")
    if out is not None:
        out.write_bytes(content)
        click.echo(f"Wrote {out}", err=True)
    elif file_format == "xlsx" and sys.stdout.isatty():
        raise click.ClickException("XLSX is binary: give --out FILE")
    else:
        click.echo(content, nl=False)
