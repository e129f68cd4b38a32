"""`flask privacy purge --older-than 3y [--dry-run]`: the retention rule."""

import re
from datetime import timedelta

import click

from speeddate.privacy import services

UNITS = {"d": 1, "m": 30, "y": 365}
LONGEST_DAYS = 100 * 365  # longer is a typing error, and far beyond the calendar's end


def parse_age(value: str) -> timedelta:
    """'3y', '18m' or '400d' as a duration."""
    match = re.fullmatch(r"([0-9]{1,6})([dmy])", value.strip().lower())
    if not match or not 0 < int(match.group(1)) * UNITS[match.group(2)] <= LONGEST_DAYS:
        raise click.BadParameter("give a number of days, months or years up to 100y, such as 3y, 18m or 400d")
    return timedelta(days=int(match.group(1)) * UNITS[match.group(2)])


@click.group("privacy")
def privacy_group() -> None:
    """Personal data and retention."""


@privacy_group.command("purge")
@click.option("--older-than", "older_than", required=True, help="Inactivity, such as 3y, 18m or 400d.")
@click.option("--dry-run", is_flag=True, help="Only show whom it would anonymise.")
def purge_command(older_than: str, dry_run: bool) -> None:
    """Anonymise partners without activity for that long; every statistic stays intact."""
    ids = services.purge(parse_age(older_than), dry_run=dry_run)
    for partner_id in ids:
        click.echo(f"partner {partner_id}")
    click.echo(f"{len(ids)} partners {'would be' if dry_run else 'were'} anonymised.")
