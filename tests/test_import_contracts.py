"""The import contracts that import-linter cannot state (its contracts are in pyproject.toml):
the domain on the standard library only, SQL only in the store, and what fresh interpreters load.

A fresh `python -c` is the only honest check: inside pytest, textual or zeep may already be
imported by another test.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "insterm"
STDLIB = set(sys.stdlib_module_names)


def loaded_modules(statement: str) -> set[str]:
    code = f"{statement}\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    return set(json.loads(out))


@pytest.mark.parametrize(
    "statement",
    [
        "import insterm",
        "import insterm.cli",
        "from insterm.cli import build_parser; build_parser()",
        "import insterm.domain.nir, insterm.domain.traits, insterm.domain.status",
    ],
)
def test_light_paths_load_neither_textual_nor_zeep(statement: str) -> None:
    modules = loaded_modules(statement)
    heavy = {m for m in modules if m.split(".")[0] in {"textual", "zeep", "rich", "lxml"}}
    assert heavy == set(), f"{statement!r} loaded {sorted(heavy)}"


def test_cli_nir_runs_on_the_standard_library_only() -> None:
    code = (
        "import sys, json\n"
        "from insterm.cli import main\n"
        "main(['nir', '279035121518989'])\n"
        "print(json.dumps(sorted(sys.modules)), file=sys.stderr)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    modules = set(json.loads(done.stderr.strip().splitlines()[-1]))
    # What the interpreter loads before any of our code (site hooks of the venv, .pth files).
    modules -= loaded_modules("pass")
    third_party = {m.split(".")[0] for m in modules} - STDLIB - {"insterm", "__main__"}
    assert third_party == set()


def _imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative import: stays inside its package
                roots.add("insterm.domain." + (node.module or ""))
            elif node.module:
                roots.add(node.module)
    return roots


DOMAIN_FILES = sorted((PACKAGE / "domain").glob("*.py"))


@pytest.mark.parametrize("path", DOMAIN_FILES, ids=lambda p: p.name)
def test_domain_imports_only_the_standard_library(path: Path) -> None:
    for name in _imported_roots(path):
        if name.startswith("insterm."):
            assert name.startswith("insterm.domain"), f"{path.name} imports {name}"
        elif name != "insterm":
            assert name.split(".")[0] in STDLIB, f"{path.name} imports {name}"
        else:
            pytest.fail(f"{path.name} imports the insterm package root")


OUTSIDE_STORE = [p for p in PACKAGE.rglob("*.py") if "store" not in p.relative_to(PACKAGE).parts]
SQL_CALLS = {"execute", "executemany", "executescript"}


@pytest.mark.parametrize("path", OUTSIDE_STORE, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_sql_lives_in_the_store(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    calls = [node.lineno for node in ast.walk(tree)
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
             and node.func.attr in SQL_CALLS]
    assert calls == [], f"{path.name} runs SQL at lines {calls}: it belongs in insterm/store"


def test_opening_the_facade_and_searching_loads_no_insi_use_case(tmp_path: Path) -> None:
    """The INSi use cases (settings, keyring, certificate, client) are imported by the facade's
    INSi methods, not at start (the TUI's start budget): opening the facade and searching
    loads none of them, nor the INSi client."""
    db = tmp_path / "start.db"
    modules = loaded_modules(
        "from insterm.clinic import Clinic\n"
        f"c = Clinic.open({str(db)!r}, create=True)\n"
        "c.find('MARTIN'); c.operators()")
    insi = {m for m in modules
            if m.startswith(("insterm.insi", "insterm.usecases.insi_", "insterm.secrets"))}
    assert insi == set()


@pytest.mark.parametrize(("given", "expected"), [(None, "120"), ("30", "30")])
def test_the_tui_package_raises_textuals_frame_cap_unless_the_user_set_it(
        given: str | None, expected: str) -> None:
    import os

    env = {k: v for k, v in os.environ.items() if k != "TEXTUAL_FPS"}
    if given is not None:
        env["TEXTUAL_FPS"] = given
    out = subprocess.run(
        [sys.executable, "-c", "import insterm.tui, textual.constants as c, os\n"
         "print(os.environ['TEXTUAL_FPS'], c.MAX_FPS)"],
        check=True, capture_output=True, text=True, env=env).stdout.split()
    assert out == [expected, expected]
