"""The patients' information leaflet (`insterm depliant`, and the palette entry of the TUI)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

needs_pdftotext = pytest.mark.skipif(
    shutil.which("pdftotext") is None,
    reason="pdftotext (Debian poppler-utils) absent: scripts/test installs it")


def text_of(pdf: Path) -> str:
    out = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                         check=True).stdout
    return " ".join(out.split())


def depliant(*args: str, cwd: Path, settings: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "insterm", "depliant", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=60,
                          env={**os.environ, "INSTERM_SETTINGS": str(settings),
                               "PYTHONPATH": str(Path(__file__).parents[1])})


@needs_pdftotext
def test_the_leaflet_names_the_practice_and_says_what_the_ins_is(tmp_path: Path) -> None:
    settings = tmp_path / "settings.toml"
    settings.write_text('[practice]\nname = "Cabinet des Lilas <Dr Martin & associés>"\n')
    done = depliant(cwd=tmp_path, settings=settings)
    assert done.returncode == 0, done.stderr
    written = tmp_path / "depliant-information-ins.pdf"
    assert done.stdout == f"Dépliant écrit : {written}\n"
    text = text_of(written)
    assert "Information des patients de Cabinet des Lilas <Dr Martin & associés>" in text
    assert "identifiant national de santé" in text
    assert "Pouvez-vous vous y opposer ? Non" in text

    target = tmp_path / "sous-dossier" / "x.pdf"
    refused = depliant("--sortie", str(target), cwd=tmp_path, settings=settings)
    assert refused.returncode == 2 and "Rien n'a été écrit" in refused.stderr
    assert not target.parent.exists()


@needs_pdftotext
def test_without_a_practice_name_it_says_votre_cabinet(tmp_path: Path) -> None:
    done = depliant("--sortie", str(tmp_path / "d.pdf"), cwd=tmp_path,
                    settings=tmp_path / "absent.toml")
    assert done.returncode == 0, done.stderr
    assert "Information des patients de votre cabinet" in text_of(tmp_path / "d.pdf")
