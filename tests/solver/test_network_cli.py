"""The command line with languages and a history of pairs who met before, checked by the referee and by ours."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from speeddate.solver.check import check, check_network
from speeddate.solver.io import read_history, read_participants
from speeddate.solver.model import Circle, Instance, Plan

from .helpers import run_cli, write_csv
from .test_cli import referee

LANGUAGES = ["nl"] * 10 + ["fr"] * 4 + ["nl|fr"] * 4


def bilingual_csv(tmp_path: Path) -> Path:
    """Eighteen people over six sectors: ten speak Dutch, four French, four both (a common language is possible)."""
    rows = ["id;name;organisation;sector;languages"]
    rows += [f"p{i:02d};Persoon {i};Org {i};S{i % 6};{lang}" for i, lang in enumerate(LANGUAGES)]
    return write_csv(tmp_path / "people.csv", "\n".join(rows) + "\n")


def plan_from(stdout: str) -> Plan:
    data = json.loads(stdout)
    circles = tuple(Circle(c["circle"], tuple(c["inner"]), tuple(c["outer"])) for c in data["circles"])
    return Plan(data["rounds"], circles)


def test_languages_and_history_end_to_end_through_both_referees(tmp_path: Path) -> None:
    people = bilingual_csv(tmp_path)
    first = run_cli("seat", people, "--rounds", "3", "--time-limit", "3")
    assert first.returncode == 0, first.stderr
    history = tmp_path / "history.csv"
    with history.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["first", "second"])
        for m in json.loads(first.stdout)["meetings"]:
            if m["inner"] and m["outer"]:
                writer.writerow([m["inner"], m["outer"]])
        writer.writerow(["p01", "someone-from-last-year"])
    second = run_cli("seat", people, "--rounds", "3", "--time-limit", "4", "--history", history)
    assert second.returncode == 0, second.stderr
    assert "1 pair(s) name an unknown participant id and are ignored (first on row " in second.stderr
    assert "'someone-from-last-year'" in second.stderr
    (tmp_path / "plan.json").write_text(second.stdout, encoding="utf-8")
    quality = json.loads(second.stdout)["quality"]
    figures = referee(people, tmp_path / "plan.json", 3)
    for key in ("same_organisation", "same_sector", "distinct_sectors_total", "distinct_sectors_min"):
        assert quality[key] == figures[key]
    assert quality["no_common_language"] == 0
    assert quality["met_before"] <= 2  # 27 pairs met in the first plan: hardly any meet again
    roster = read_participants(people.read_bytes())
    pairs = read_history(history.read_bytes(), [p.id for p in roster.participants]).pairs
    plan = plan_from(second.stdout)
    check_network(Instance(roster.participants, 3), plan)
    assert check(Instance(roster.participants, 3, met_before=pairs), plan).met_before == quality["met_before"]


def test_text_format_shows_the_network_figures(tmp_path: Path) -> None:
    done = run_cli("seat", bilingual_csv(tmp_path), "--rounds", "3", "--time-limit", "2", "--format", "text")
    assert done.returncode == 0, done.stderr
    assert "without a common language 0, met before 0" in done.stdout


@pytest.mark.parametrize(("value", "shown"), [("Nederlands", "'nederlands'"), ("nl|f r", "'f r'"), ("nl,fr", None)])
def test_a_bad_language_code_names_the_row(tmp_path: Path, value: str, shown: str | None) -> None:
    text = "id,name,organisation,sector,languages\na,A,X,S1,nl\nb,B,Y,S2,\"" + value + "\"\nc,C,Z,S3,fr\n"
    done = run_cli("seat", write_csv(tmp_path / "p.csv", text), "--rounds", "1")
    assert done.returncode == 2
    assert done.stderr.startswith("speeddate: error: row 3, column languages: unknown language code")
    assert done.stderr.count("\n") == 1
    if shown:
        assert shown in done.stderr


@pytest.mark.parametrize(("text", "message"), [
    ("", "history.csv: row 1: empty file, expected a header row with first, second"),
    ("a,b\n1,2\n", "history.csv: row 1: missing column 'first'"),
    (b"first,second\n\xff,1\n", "history.csv: row 2, column 1: not UTF-8"),
])
def test_a_bad_history_file_gives_one_line_and_status_2(tmp_path: Path, text: str | bytes, message: str) -> None:
    people = write_csv(tmp_path / "p.csv", "id,name,organisation,sector\n1,A,X,S1\n2,B,Y,S2\n")
    history = tmp_path / "history.csv"
    history.write_bytes(text if isinstance(text, bytes) else text.encode())
    done = run_cli("seat", people, "--rounds", "1", "--history", history)
    assert done.returncode == 2
    assert message in done.stderr and done.stderr.count("\n") == 1


def test_history_pairs_of_one_person_or_unknown_people_are_left_out() -> None:
    history = read_history(b"first;second\n1;2\n3;3\n2;9\n\n2;1\n", ["1", "2", "3"])
    assert history.pairs == (("1", "2"), ("2", "1"))
    assert (history.ignored, history.first_ignored) == (2, "row 3: twice '3'")


def test_a_missing_history_file_is_bad_input(tmp_path: Path) -> None:
    people = write_csv(tmp_path / "p.csv", "id,name,organisation,sector\n1,A,X,S1\n2,B,Y,S2\n")
    done = run_cli("seat", people, "--rounds", "1", "--history", tmp_path / "nope.csv")
    assert done.returncode == 2 and "cannot read" in done.stderr
