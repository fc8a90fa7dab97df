"""`insterm cartes` as a real process through the test's pcscd socket (PCSCLITE_CSOCK_NAME)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from insterm.cards.transport import reader_states
from tests.cards.fixtures import Pcscd, wait_for
from tests.cards.test_vitale_pcscd import FAMILY
from tests.cards.virtual_card import StatusCard, VirtualCard, VitaleCard


def _cartes(*argv: str, socket: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PCSCLITE_CSOCK_NAME": socket}
    return subprocess.run([sys.executable, "-m", "insterm", "cartes", *argv], env=env,
                          capture_output=True, text=True, timeout=60)


def test_lists_readers_and_reads_the_vitale(pcscd: Pcscd) -> None:
    with VirtualCard(VitaleCard(FAMILY), pcscd.ports[0]):
        wait_for(lambda: any(s.atr for s in reader_states()))
        listed = _cartes(socket=pcscd.socket)
        read = _cartes("--vitale", socket=pcscd.socket)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines()[0] == f"Socket PC/SC : {pcscd.socket} (PCSCLITE_CSOCK_NAME)"
    assert f"  {pcscd.readers[0]} : carte Vitale 2 (ATR 3B 75 13" in listed.stdout
    assert f"  {pcscd.readers[1]} : vide" in listed.stdout
    assert read.returncode == 0, read.stderr
    assert "2 bénéficiaire(s)" in read.stdout
    assert "1. DUPONT JEAN, né(e) le 01/01/1970 (assuré)" in read.stdout
    assert "2. DUPONT LÉA, né(e) le 02/02/2010 (ayant droit)" in read.stdout


def test_no_card_and_refused_card_exit_5(pcscd: Pcscd) -> None:
    empty = _cartes("--vitale", socket=pcscd.socket)
    assert empty.returncode == 5 and "Aucune carte" in empty.stderr
    with VirtualCard(StatusCard(0x6982), pcscd.ports[1]):
        wait_for(lambda: any(s.atr for s in reader_states()))
        refused = _cartes("--vitale", "--lecteur", pcscd.readers[1], socket=pcscd.socket)
    assert refused.returncode == 5
    assert "6982" in refused.stderr and "Rien n'a été lu" in refused.stderr


def test_without_pcscd_exit_3_and_say_to_check_the_forwarding(tmp_path: Path) -> None:
    done = _cartes(socket=str(tmp_path / "absent.comm"))
    assert done.returncode == 3
    assert f"(pcscd) ne répond pas sur {tmp_path / 'absent.comm'}" in done.stderr
    assert "vient de PCSCLITE_CSOCK_NAME" in done.stderr and "ssh -R" in done.stderr
    assert done.stdout.startswith(f"Socket PC/SC : {tmp_path / 'absent.comm'} "
                                  "(PCSCLITE_CSOCK_NAME)")
