"""Command line: ``speeddate seat PARTICIPANTS.csv --rounds R [...]`` (DESIGN.md section 4)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from typing import NoReturn

from speeddate.solver.io import (
    describe,
    plan_to_csv,
    plan_to_json,
    plan_to_text,
    read_history,
    read_participants,
    read_previous_plan,
)
from speeddate.solver.model import InputError, Instance, Options, Participant, Plan

EXIT_BAD_INPUT = 2


class OneLineParser(argparse.ArgumentParser):
    """Argument errors as one line and exit status 2, like every other bad input."""

    def error(self, message: str) -> NoReturn:
        """Print one line and exit 2."""
        self.exit(EXIT_BAD_INPUT, f"speeddate: error: {message}\n")


def process_start() -> float:
    """When this process started, on the monotonic clock, so --time-limit includes interpreter start-up."""
    try:
        with open("/proc/self/stat", encoding="ascii") as f:
            ticks = int(f.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime", encoding="ascii") as f:
            uptime = float(f.read().split()[0])
        age = uptime - ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        age = 0.0
    return time.monotonic() - max(0.0, min(age, 5.0))


def build_parser() -> argparse.ArgumentParser:
    """The `speeddate` command and its `seat` subcommand."""
    parser = OneLineParser(prog="speeddate", description="Seating plans for speeddates.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)
    seat = commands.add_parser("seat", help="plan inner/outer circle seating for a speeddate")
    seat.add_argument("participants", help="participants CSV (name, organisation, sector; optional id, ...)")
    seat.add_argument("--rounds", type=int, required=True, help="rounds, at most the seats per circle")
    seat.add_argument("--pairs-per-circle", type=int, default=None, help="most pairs a circle can hold")
    seat.add_argument("--time-limit", type=float, default=10.0, help="wall-clock seconds, start-up included")
    seat.add_argument("--seed", type=int, default=0, help="random seed; the same seed gives the same plan")
    seat.add_argument("--format", choices=("json", "csv", "text"), default="json")
    seat.add_argument("--out", help="write the plan to this file instead of standard output")
    seat.add_argument("--previous", help="re-plan: previous plan JSON; keeps present people on their seats")
    seat.add_argument("--history", help="pairs who met before (CSV with columns first,second: participant ids); "
                      "the plan avoids seating them together again")
    seat.add_argument("-v", "--verbose", action="store_true", help="log search progress to standard error")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; returns the exit status."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(message)s")
    rows: tuple[int, ...] = ()
    if args.time_limit <= 0:
        print("speeddate: error: --time-limit must be more than 0 seconds", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        roster = read_participants(_read(args.participants))
        rows = roster.rows
        met_before = _history(args.history, roster.participants) if args.history else ()
        instance = Instance(roster.participants, args.rounds, args.pairs_per_circle, met_before)
        options = Options(time_limit=args.time_limit, seed=args.seed, started_at=process_start())
        plan = _plan(instance, options, args.previous)
    except InputError as error:
        print(f"speeddate: error: {describe(error, rows)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    return _write(args, plan, instance)


def _history(path: str, people: tuple[Participant, ...]) -> tuple[tuple[str, str], ...]:
    """Pairs who met before; pairs naming someone not in this speeddate are left out with one warning line."""
    try:
        history = read_history(_read(path), [p.id for p in people])
    except InputError as error:
        raise InputError(f"{path}: {error.message}") from None
    if history.ignored:
        print(f"speeddate: warning: {path}: {history.ignored} pair(s) name an unknown participant id and are "
              f"ignored (first on {history.first_ignored})", file=sys.stderr)
    return history.pairs


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as error:
        raise InputError(f"cannot read {path}: {error.strerror}") from None


def _plan(instance: Instance, options: Options, previous: str | None) -> Plan:
    from speeddate.solver.replan import replan
    from speeddate.solver.solve import solve

    if previous is None:
        return solve(instance, options)
    return replan(instance, read_previous_plan(_read(previous)), options)


def _write(args: argparse.Namespace, plan: Plan, instance: Instance) -> int:
    people = instance.participants
    text = {"json": lambda: plan_to_json(plan), "csv": lambda: plan_to_csv(plan, people),
            "text": lambda: plan_to_text(plan, people)}[args.format]()
    if args.out is None:
        sys.stdout.write(text)
        return 0
    try:
        with open(args.out, "w", encoding="utf-8", newline="") as f:
            f.write(text)
    except OSError as error:
        print(f"speeddate: error: cannot write {args.out}: {error.strerror}", file=sys.stderr)
        return EXIT_BAD_INPUT
    return 0


if __name__ == "__main__":
    sys.exit(main())
