"""`flask report --year YYYY --format xlsx|json|pdf [--out FILE]`: the year's indicators for scripting and for
the board; and the options every export command shares (language, machine form, CSV separator)."""

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from flask_babel import force_locale

from speeddate.exports import LANGUAGES, SEPARATORS, FileStyle
from speeddate.reports import indicators, pdf, services
from speeddate.zone.settings import zone_settings


def style_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add --language, --raw and --separator to an export command, which then receives `style`."""
    @click.option("--language", type=click.Choice(LANGUAGES),
                  help="Language of headings and values (default: the zone's default language).")
    @click.option("--raw", is_flag=True, help="Machine form for scripts: column codes, stored codes as values, "
                                              "ISO dates, decimal points, `,` separated.")
    @click.option("--separator", type=click.Choice(list(SEPARATORS)),
                  help="CSV separator (default: semicolon, as Belgian Excel expects; comma with --raw).")
    @functools.wraps(command)
    def wrapped(*args: Any, language: str | None, raw: bool, separator: str | None, **kwargs: Any) -> Any:
        if raw:
            style = FileStyle.raw(SEPARATORS[separator or "comma"])
        else:
            style = FileStyle(language or zone_settings().default_language, SEPARATORS[separator or "semicolon"])
        return command(*args, style=style, **kwargs)
    return wrapped


def write(content: bytes, out: Path | None, binary: bool) -> None:
    """The file to `out`, or to stdout unless it is binary and stdout a terminal."""
    if out is not None:
        out.write_bytes(content)
        click.echo(f"Wrote {out}", err=True)
    elif binary and sys.stdout.isatty():
        raise click.ClickException("XLSX and PDF are binary: give --out FILE")
    else:
        click.echo(content, nl=False)


@click.command("report")
@click.option("--year", type=click.IntRange(2000, 2100), required=True)
@click.option("--format", "file_format", type=click.Choice(["xlsx", "json", "pdf"]), default="json",
              show_default=True, help="JSON keeps the codes whatever the language.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="File to write (default: stdout).")
@style_options
def report_command(year: int, file_format: str, out: Path | None, style: FileStyle) -> None:
    """Write the year's indicators as JSON (one key per figure), an XLSX workbook or a PDF for the board."""
    period = indicators.Period.year(year)
    figures = indicators.report(period)
    if file_format == "json":
        content = json.dumps(figures, ensure_ascii=False, indent=2).encode() + b"\n"
    elif file_format == "xlsx":
        content = services.indicators_xlsx(figures, style)
    else:
        with force_locale(style.language or "en"):
            content = pdf.report_pdf(figures, period)
    write(content, out, binary=file_format != "json")
