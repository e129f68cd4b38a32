"""The `speeddate seat` command: the contract, its errors, reproducibility and round-trips."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from .helpers import REFEREE, run_cli, write_csv

HEADER = "id,name,organisation,sector,fixed_seat\n"


def referee(participants: Path, plan: Path, rounds: int) -> dict[str, int]:
    """Figures from the independent referee script; fails the test when it rejects the plan."""
    done = subprocess.run([sys.executable, str(REFEREE), str(participants), str(plan), str(rounds)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout
    figures: dict[str, int] = json.loads(done.stdout)
    return figures


def test_sample_plan_is_accepted_by_the_referee_with_the_same_figures(sample: Path, tmp_path: Path) -> None:
    done = run_cli("seat", sample, "--rounds", "7", "--format", "json", "--time-limit", "5")
    assert done.returncode == 0, done.stderr
    plan_path = tmp_path / "plan.json"
    plan_path.write_text(done.stdout, encoding="utf-8")
    quality = json.loads(done.stdout)["quality"]
    figures = referee(sample, plan_path, 7)
    for key in ("same_organisation", "same_sector", "distinct_sectors_total", "distinct_sectors_min"):
        assert quality[key] == figures[key]
    assert figures["distinct_sectors_total"] <= quality["upper_bound"] < 36 * 7


def test_json_has_the_contract_keys(sample: Path) -> None:
    plan = json.loads(run_cli("seat", sample, "--rounds", "3", "--time-limit", "2").stdout)
    assert set(plan) >= {"rounds", "circles", "meetings", "quality"}
    assert set(plan["circles"][0]) == {"circle", "pairs", "inner", "outer"}
    assert set(plan["meetings"][0]) == {"round", "circle", "seat", "inner", "outer"}
    assert set(plan["quality"]) >= {"same_organisation", "same_sector", "distinct_sectors_total",
                                    "distinct_sectors_min", "upper_bound", "status", "seconds"}
    assert len(plan["meetings"]) == 3 * 18


def test_same_seed_gives_the_same_plan(sample: Path) -> None:
    first = json.loads(run_cli("seat", sample, "--rounds", "7", "--seed", "7", "--time-limit", "4").stdout)
    second = json.loads(run_cli("seat", sample, "--rounds", "7", "--seed", "7", "--time-limit", "4").stdout)
    assert first["circles"] == second["circles"]
    other = json.loads(run_cli("seat", sample, "--rounds", "7", "--seed", "8", "--time-limit", "4").stdout)
    assert other["circles"] != first["circles"]


def test_semicolons_bom_accents_commas_and_quotes_round_trip(tmp_path: Path) -> None:
    rows = [("a1", 'Jérôme "Jé" Dupont', "Woonzorgcentrum Sint-Jozef, Oostkamp", "Woonzorgcentra"),
            ("a2", "Zoë Müller", "CAW Noord-West-Vlaanderen", "CAW"),
            ("a3", "Anaïs L'Hôte", "Thuisverpleging; Brugge", "Thuisverpleging"),
            ("a4", "Ève", "Huisartsen, Beernem", "Huisartsen")]
    text = io.StringIO()
    writer = csv.writer(text, delimiter=";", lineterminator="\r\n")
    writer.writerow(["id", "name", "organisation", "sector"])
    writer.writerows(rows)
    path = write_csv(tmp_path / "excel.csv", text.getvalue(), "utf-8-sig")
    done = run_cli("seat", path, "--rounds", "2", "--format", "csv", "--time-limit", "2")
    assert done.returncode == 0, done.stderr
    names = {r["inner"]: r["inner_name"] for r in csv.DictReader(io.StringIO(done.stdout))}
    names |= {r["outer"]: r["outer_name"] for r in csv.DictReader(io.StringIO(done.stdout))}
    assert names == {r[0]: r[1] for r in rows}
    text_out = run_cli("seat", path, "--rounds", "2", "--format", "text", "--time-limit", "2").stdout
    assert "Woonzorgcentrum Sint-Jozef, Oostkamp" in text_out


def test_missing_id_column_numbers_the_rows(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "p.csv", "name,organisation,sector\nA,o1,S1\nB,o2,S2\nC,o3,S1\nD,o4,S3\n")
    plan = json.loads(run_cli("seat", path, "--rounds", "2", "--time-limit", "2").stdout)
    seated = {p for c in plan["circles"] for p in c["inner"] + c["outer"]}
    assert seated == {"1", "2", "3", "4"}


def test_out_file_and_odd_count_gives_an_empty_seat(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "p.csv", "name,organisation,sector\nA,o1,S1\nB,o2,S2\nC,o3,S1\n")
    out = tmp_path / "plan.json"
    assert run_cli("seat", path, "--rounds", "2", "--out", out, "--time-limit", "2").returncode == 0
    plan = json.loads(out.read_text(encoding="utf-8"))
    assert None in plan["circles"][0]["inner"] + plan["circles"][0]["outer"]
    referee(path, out, 2)


BAD_INPUTS = [
    ("missing column", "id,name,organisation\np1,A,o1\n", ["row 1", "sector"]),
    ("empty file", "", ["row 1", "empty"]),
    ("duplicate id", HEADER + "p1,A,o1,S1,\np2,B,o2,S2,\np1,C,o3,S3,\n", ["row 4", "column id", "p1"]),
    ("unknown fixed seat", HEADER + "p1,A,o1,S1,front:2\np2,B,o2,S2,\n",
     ["row 2", "column fixed_seat", "front:2"]),
    ("two people on one seat",
     HEADER + "p1,A,o1,S1,inner:1\np2,B,o2,S2,inner:1\np3,C,o3,S3,\np4,D,o4,S4,\n",
     ["row 3", "column fixed_seat"]),
    ("seat beyond the circle", HEADER + "p1,A,o1,S1,outer:9\np2,B,o2,S2,\n", ["row 2", "column fixed_seat"]),
    ("empty sector", HEADER + "p1,A,o1,,\np2,B,o2,S2,\n", ["row 2", "column sector"]),
    ("rounds too large", HEADER + "p1,A,o1,S1,\np2,B,o2,S2,\np3,C,o3,S3,\np4,D,o4,S4,\n",
     ["--rounds 3", "2 pairs"]),
]


@pytest.mark.parametrize(("case", "text", "expected"), BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
def test_bad_input_gives_one_line_and_status_2(tmp_path: Path, case: str, text: str,
                                               expected: list[str]) -> None:
    path = write_csv(tmp_path / "bad.csv", text)
    done = run_cli("seat", path, "--rounds", "3", "--time-limit", "2")
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    for fragment in expected:
        assert fragment in lines[0]


def test_non_utf8_bytes_are_reported_with_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes("id,name,organisation,sector\np1,Jérôme,o1,S1\n".encode("latin-1"))
    done = run_cli("seat", path, "--rounds", "1")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert "row 2, column 2" in done.stderr and "UTF-8" in done.stderr


@pytest.mark.parametrize("args", [["seat"], ["seat", "x.csv"], ["seat", "x.csv", "--rounds", "two"],
                                  ["dance"]])
def test_bad_arguments_give_one_line_and_status_2(args: list[str]) -> None:
    done = run_cli(*args)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr


def test_missing_file_is_bad_input(tmp_path: Path) -> None:
    done = run_cli("seat", tmp_path / "absent.csv", "--rounds", "2")
    assert done.returncode == 2
    assert "cannot read" in done.stderr


def test_replan_from_a_previous_plan_json(sample: Path, tmp_path: Path) -> None:
    previous = tmp_path / "plan.json"
    assert run_cli("seat", sample, "--rounds", "7", "--out", previous, "--time-limit", "3").returncode == 0
    lines = sample.read_text(encoding="utf-8").splitlines()
    present = [*lines[:5], *lines[7:], "w1,Walk In,walk.in@example.org,Elders,CAW"]
    today = write_csv(tmp_path / "today.csv", "\n".join(present) + "\n")
    done = run_cli("seat", today, "--rounds", "7", "--previous", previous, "--time-limit", "3")
    assert done.returncode == 0, done.stderr
    plan_path = tmp_path / "again.json"
    plan_path.write_text(done.stdout, encoding="utf-8")
    referee(today, plan_path, 7)
    assert 0 <= json.loads(done.stdout)["quality"]["moved"] <= 10


def test_time_limit_must_be_positive(sample: Path) -> None:
    done = run_cli("seat", sample, "--rounds", "3", "--time-limit", "0")
    assert done.returncode == 2 and "--time-limit" in done.stderr
