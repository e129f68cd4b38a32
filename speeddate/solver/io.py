"""Participants CSV in; plan JSON, CSV and text out; previous plan JSON back in.

CSV input: UTF-8 with or without BOM, comma or semicolon separated, a header row. Columns (case-insensitive):
``name``, ``organisation``, ``sector`` required; ``id`` optional (the data row number when absent or empty);
optional ``email``; ``fixed_seat`` as ``inner:3`` or ``outer:3``, in circle 1, or ``inner:3@2`` for seat 3 of
circle 2; ``wants``: sectors separated by ``|``; ``avoid``: ids of people not to meet, separated by ``|``;
``languages``: codes of the languages someone can hold a conversation in, separated by ``|`` (``nl|fr``;
empty means any). Other columns are ignored. Row numbers in messages count the header as row 1.

History CSV (``--history``): columns ``first,second``, the ids of two participants who met before.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from speeddate.solver.model import INNER, OUTER, Circle, FixedSeat, InputError, Participant, Plan, meetings_of
from speeddate.spreadsheet import neutralise_formulas

REQUIRED = ("name", "organisation", "sector")
FIXED_SEAT = re.compile(r"^(inner|outer)\s*:\s*(\d+)\s*(?:@\s*(\d+))?$", re.IGNORECASE)
LANGUAGE_CODE = re.compile(r"^[a-z]{2}$")  # ISO 639-1: nl, fr, de, en
HISTORY_COLUMNS = ("first", "second")


@dataclass(frozen=True)
class Roster:
    """Participants read from a CSV, with the file row of each (for error messages)."""

    participants: tuple[Participant, ...]
    rows: tuple[int, ...]


@dataclass(frozen=True)
class History:
    """Pairs who met before, read from a CSV, and the pairs left out because they name an unknown id."""

    pairs: tuple[tuple[str, str], ...]
    ignored: int = 0
    first_ignored: str = ""  # where the first ignored pair is, for the warning


def read_participants(data: bytes) -> Roster:
    """Parse a participants CSV; raises InputError naming the row and column of the first problem."""
    people: list[Participant] = []
    rows: list[int] = []
    for line_num, record in _records(data, REQUIRED, "name, organisation, sector"):
        people.append(_participant(record, len(people) + 1, line_num))
        rows.append(line_num)
    if not people:
        raise InputError("row 2: no participants after the header row")
    roster = Roster(tuple(people), tuple(rows))
    _check_ids(roster)
    return roster


def read_history(data: bytes, ids: Sequence[str]) -> History:
    """Parse a history CSV of pairs who met before; pairs naming an id not in `ids` are left out and counted."""
    known = set(ids)
    pairs: list[tuple[str, str]] = []
    ignored, first_ignored = 0, ""
    for line_num, record in _records(data, HISTORY_COLUMNS, "first, second"):
        first, second = record["first"], record["second"]
        if first in known and second in known and first != second:
            pairs.append((first, second))
            continue
        ignored += 1
        if not first_ignored:
            unknown = first if first not in known else second if second not in known else first
            first_ignored = f"row {line_num}: {unknown!r}" if first != second else f"row {line_num}: twice {first!r}"
    return History(tuple(pairs), ignored, first_ignored)


def _records(data: bytes, required: Sequence[str], expected: str) -> list[tuple[int, dict[str, str]]]:
    """Non-empty data rows as (file row, column -> stripped value), after checking the header."""
    text = _decode(data)
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise InputError(f"row 1: empty file, expected a header row with {expected}")
    delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [h.strip().lower() for h in next(reader)]
    missing = [c for c in required if c not in header]
    if missing:
        raise InputError(f"row 1: missing column '{missing[0]}' (header has: {', '.join(header)})")
    records = []
    for row in reader:
        if row:
            records.append((reader.line_num, {h: (row[i].strip() if i < len(row) else "")
                                              for i, h in enumerate(header)}))
    return records


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line_start = data.rfind(b"\n", 0, error.start) + 1
        row = data.count(b"\n", 0, error.start) + 1
        column = data[line_start:error.start].count(b",") + data[line_start:error.start].count(b";") + 1
        raise InputError(f"row {row}, column {column}: not UTF-8 (byte 0x{data[error.start]:02x}); "
                         "save the file as CSV UTF-8") from None


def _participant(record: dict[str, str], index: int, row: int) -> Participant:
    for column in REQUIRED:
        if not record[column]:
            raise InputError(f"row {row}, column {column}: empty")
    return Participant(
        id=record.get("id") or str(index),
        name=record["name"],
        organisation=record["organisation"],
        sector=record["sector"],
        email=record.get("email", ""),
        fixed_seat=_fixed_seat(record.get("fixed_seat", ""), row),
        wants=_split(record.get("wants", "")),
        avoid=_split(record.get("avoid", "")),
        languages=_languages(record.get("languages", ""), row),
    )


def _languages(value: str, row: int) -> tuple[str, ...]:
    codes = tuple(dict.fromkeys(code.lower() for code in _split(value)))
    for code in codes:
        if not LANGUAGE_CODE.match(code):
            raise InputError(f"row {row}, column languages: unknown language code {code!r}; "
                             "expected two-letter codes separated by | (nl|fr)")
    return codes


def _split(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split("|") if part.strip())


def _fixed_seat(value: str, row: int) -> FixedSeat | None:
    if not value:
        return None
    match = FIXED_SEAT.match(value)
    if not match:
        raise InputError(f"row {row}, column fixed_seat: unknown seat {value!r}; "
                         "expected inner:N or outer:N, optionally @CIRCLE (inner:3@2)")
    side, seat, circle = match.groups()
    return FixedSeat(side.lower(), int(seat), int(circle or 1))


def _check_ids(roster: Roster) -> None:
    first: dict[str, int] = {}
    for person, row in zip(roster.participants, roster.rows, strict=True):
        if person.id in first:
            raise InputError(f"row {row}, column id: duplicate id {person.id!r} "
                             f"(first on row {first[person.id]})")
        first[person.id] = row
    for person, row in zip(roster.participants, roster.rows, strict=True):
        for other in person.avoid:
            if other not in first or other == person.id:
                raise InputError(f"row {row}, column avoid: unknown participant id {other!r}")


def describe(error: InputError, rows: Sequence[int]) -> str:
    """One line for the user: row and column when the error is about one participant."""
    if error.index is None:
        return error.message
    return f"row {rows[error.index]}, column {error.column}: {error.message}"


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    """The JSON contract of DESIGN.md section 4, plus a few extra quality keys."""
    figures = plan.figures
    quality: dict[str, Any] = {
        "same_organisation": figures.same_organisation,
        "same_sector": figures.same_sector,
        "distinct_sectors_total": figures.distinct_sectors_total,
        "distinct_sectors_min": figures.distinct_sectors_min,
        "upper_bound": plan.upper_bound,
        "status": plan.status,
        "seconds": round(plan.seconds, 2),
        "optimal": plan.optimal,
        "wishes_met": figures.wishes_met,
        "avoided_pairs_met": figures.avoided_pairs_met,
        "no_common_language": figures.no_common_language,
        "met_before": figures.met_before,
        "notes": [note.text for note in plan.notes],
    }
    if plan.moved is not None:
        quality["moved"] = plan.moved
    return {
        "rounds": plan.rounds,
        "circles": [{"circle": c.circle, "pairs": c.pairs, "inner": list(c.inner), "outer": list(c.outer)}
                    for c in plan.circles],
        "meetings": [{"round": m.round, "circle": m.circle, "seat": m.seat,
                      "inner": m.inner, "outer": m.outer} for m in meetings_of(plan)],
        "quality": quality,
    }


def plan_to_json(plan: Plan) -> str:
    """Plan as JSON text, accents kept as they are."""
    return json.dumps(plan_to_dict(plan), ensure_ascii=False, indent=1) + "\n"


def plan_to_csv(plan: Plan, people: Sequence[Participant]) -> str:
    """One row per seat per round, with names."""
    names = {p.id: p.name for p in people}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["round", "circle", "seat", "inner", "inner_name", "outer", "outer_name"])
    for m in meetings_of(plan):
        row = [m.round, m.circle, m.seat, m.inner or "", names.get(m.inner or "", ""), m.outer or "",
               names.get(m.outer or "", "")]
        writer.writerow([neutralise_formulas(value) for value in row])
    return out.getvalue()


def plan_to_text(plan: Plan, people: Sequence[Participant]) -> str:
    """A readable summary: quality, then the start seats of every circle."""
    f = plan.figures
    lines = [f"{plan.rounds} rounds, {len(people)} participants, {len(plan.circles)} circle(s); "
             f"status {plan.status}",
             f"colleague meetings {f.same_organisation}, without a common language {f.no_common_language}, "
             f"met before {f.met_before}, same-sector meetings {f.same_sector}, "
             f"distinct sectors {f.distinct_sectors_total} (upper bound {plan.upper_bound}), "
             f"worst-off {f.distinct_sectors_min}, {plan.seconds:.1f} s"]
    lines += [f"note: {note.text}" for note in plan.notes]
    names = {p.id: f"{p.name} ({p.organisation}, {p.sector})" for p in people}
    for circle in plan.circles:
        lines.append(f"\ncircle {circle.circle}, start seats")
        for seat, (inner, outer) in enumerate(zip(circle.inner, circle.outer, strict=True), start=1):
            lines.append(f"  {seat:3d}  inner: {names.get(inner or '', '(empty)')}")
            lines.append(f"       outer: {names.get(outer or '', '(empty)')}")
    return "\n".join(lines) + "\n"


def read_previous_plan(data: bytes) -> tuple[Circle, ...]:
    """Round-1 circles of a plan JSON written by plan_to_json."""
    try:
        raw = json.loads(data.decode("utf-8-sig"))
        return tuple(Circle(int(c["circle"]), tuple(c[INNER]), tuple(c[OUTER])) for c in raw["circles"])
    except (UnicodeDecodeError, ValueError, KeyError, TypeError) as error:
        raise InputError(f"previous plan: not a seating plan JSON ({error})") from None
