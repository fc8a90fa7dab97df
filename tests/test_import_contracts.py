"""The import contracts of DESIGN.md section 1, checked in fresh interpreters.

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


BELOW_TUI = [p for p in PACKAGE.rglob("*.py") if "tui" not in p.relative_to(PACKAGE).parts]


@pytest.mark.parametrize("path", BELOW_TUI, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_nothing_below_the_tui_imports_textual_or_rich(path: Path) -> None:
    roots = {name.split(".")[0] for name in _imported_roots(path)}
    assert not roots & {"textual", "rich"}, f"{path} imports {roots & {'textual', 'rich'}}"


OUTSIDE_STORE = [p for p in PACKAGE.rglob("*.py") if "store" not in p.relative_to(PACKAGE).parts]
SQL_CALLS = {"execute", "executemany", "executescript"}


@pytest.mark.parametrize("path", OUTSIDE_STORE, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_sql_lives_in_the_store(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    calls = [node.lineno for node in ast.walk(tree)
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
             and node.func.attr in SQL_CALLS]
    assert calls == [], f"{path.name} runs SQL at lines {calls}: it belongs in insterm/store"
