"""The built wheel works on its own: datasets are package data, the entry point is installed.

Builds the wheel from this checkout, installs it (with its dependencies) into a fresh venv that
does not see this checkout, and runs the installed `insterm` from a neutral directory.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("wheel")]  # one build, one worker


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("wheel")
    dist = base / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(ROOT)],
        check=True,
    )
    (wheel,) = dist.glob("insterm-*.whl")
    env_dir = base / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    subprocess.run([env_dir / "bin" / "python", "-m", "pip", "install", "-q", str(wheel)], check=True)
    return env_dir


def run_installed(env_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    return subprocess.run(
        [str(env_dir / "bin" / "insterm"), *args],
        capture_output=True, text=True, cwd=env_dir, env=env,
    )


def test_installed_version(installed: Path) -> None:
    done = run_installed(installed, "--version")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("insterm ")


def test_installed_nir_uses_the_packaged_places(installed: Path) -> None:
    done = run_installed(installed, "nir", "180032B02040123")
    assert done.returncode == 0, done.stderr
    assert "Aregno" in done.stdout
    packaged = subprocess.run(
        [str(installed / "bin" / "python"), "-c",
         "from insterm.datasets import data_file; print(data_file('places.tsv'))"],
        capture_output=True, text=True, cwd=installed, check=True,
    ).stdout
    assert "site-packages" in packaged


def test_installed_nir_refuses_a_wrong_key(installed: Path) -> None:
    done = run_installed(installed, "nir", "181036322045660")
    assert done.returncode == 1
    assert "76" in done.stderr
