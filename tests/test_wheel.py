"""The built wheel works on its own: datasets are package data, the entry point is installed.

Builds the wheel from this checkout, installs it into a fresh venv that does not see this
checkout, and runs the installed `insterm` from a neutral directory. The dependencies are this
test run's own, reached through a plain path in a `.pth` file placed after the venv's own
site-packages (so the wheel's copy of insterm comes first, and the checkout's editable finder,
which only a processed `.pth` of that folder would load, is never loaded): installing them
again would only measure the package index's speed.
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
    venv.EnvBuilder(with_pip=False).create(env_dir)
    (site,) = (env_dir / "lib").glob("python3*/site-packages")
    dependencies = [p for p in sys.path if p.endswith("site-packages") and Path(p).is_dir()]
    (site / "zz_test_dependencies.pth").write_text("\n".join(dependencies) + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(env_dir / "bin" / "python"),
                    "install", "--no-deps", "-q", str(wheel)], check=True)
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
    assert packaged.startswith(str(installed)) and "site-packages" in packaged


def test_installed_nir_refuses_a_wrong_key(installed: Path) -> None:
    done = run_installed(installed, "nir", "181036322045660")
    assert done.returncode == 1
    assert "76" in done.stderr
