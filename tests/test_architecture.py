"""The import rules of .importlinter hold, and every module of the package has its place in them."""

import re
from pathlib import Path

import grimp
from importlinter import api
from importlinter.cli import EXIT_STATUS_SUCCESS, lint_imports

CONFIG = Path(__file__).resolve().parent.parent / ".importlinter"


def test_every_module_imports_downwards_only_and_the_solver_stays_pure():
    assert lint_imports(config_filename=str(CONFIG), no_cache=True, no_logo=True) == EXIT_STATUS_SUCCESS, \
        "a contract is broken: the report above names the import; docs/architecture.md gives the rule"


def test_every_module_has_a_row_in_the_layers():
    [layers] = [c for c in api.read_configuration(str(CONFIG))["contracts_options"] if c["id"] == "layers"]
    placed = {name.strip("() ") for row in layers["layers"] for name in re.split(r"[|:]", row)}
    modules = grimp.build_graph("speeddate", cache_dir=None).modules

    def has_a_place(module: str) -> bool:
        within_a_row = any(module == name or module.startswith(f"{name}.") for name in placed)
        holds_rows = any(name.startswith(f"{module}.") for name in placed)  # a package such as speeddate.events
        return within_a_row or holds_rows

    assert sorted(m for m in modules if not has_a_place(m)) == [], "add these to a row of the layers in .importlinter"
