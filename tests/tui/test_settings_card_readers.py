"""Réglages, "Carte CPS" tab: the PC/SC socket insterm uses (here the test pcscd's, through
PCSCLITE_CSOCK_NAME as after `ssh -R`) and the readers seen through it, with the card in each,
through a real pcscd and a virtual Vitale; Pilot at 80x24.

The PKCS#11 module is set to an absent file: OpenSC's module, found otherwise, would probe the
virtual card while PyKCS11 holds the GIL that the card's thread (in this same process) needs
to answer, and both would wait for ever."""

from __future__ import annotations

import time
from pathlib import Path

from insterm.clinic import Clinic
from insterm.tui.screens.settings_card import reader_lines
from insterm.usecases.vitale_card import ReaderState, reader_states
from tests.cards.fixtures import Pcscd, wait_for
from tests.cards.virtual_card import VirtualCard, VitaleCard

from .test_settings_screen import isolated, make_app, open_settings  # noqa: F401
from .test_vitale_card import FAMILY


def _readers_text(screen) -> str:  # type: ignore[no-untyped-def]
    return str(screen.query_one("#card-readers").render())


async def _until(pilot, condition, timeout: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await pilot.pause(0.01)


async def test_card_tab_shows_the_socket_and_the_readers(clinic: Clinic, practice,  # type: ignore[no-untyped-def]
                                                         pcscd: Pcscd, tmp_path: Path) -> None:
    (tmp_path / "settings.toml").write_text(
        f'[cards]\npkcs11_module = "{tmp_path / "absent-pkcs11.so"}"\n')
    with VirtualCard(VitaleCard(FAMILY), pcscd.ports[0]):
        wait_for(lambda: any(s.name == pcscd.readers[0] and s.atr for s in reader_states()))
        app = make_app(clinic, "sophie")
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_settings(pilot, "card")
            await _until(pilot, lambda: "Lecteurs (2)" in _readers_text(screen))
            lines = _readers_text(screen).splitlines()
    assert lines[0] == f"Socket PC/SC : {pcscd.socket} (PCSCLITE_CSOCK_NAME)."
    assert f"  {pcscd.readers[0]} : carte Vitale 2 (ATR 3B 75 13 00 00 47 09 EA 90 00)" in lines
    assert f"  {pcscd.readers[1]} : vide" in lines


def test_the_tab_lines() -> None:
    socket = "/run/pcscd/pcscd.comm (défaut de libpcsclite)"
    assert reader_lines(socket, None, None) == [
        f"Socket PC/SC : {socket}.", "Lecteurs : recherche…"]
    assert reader_lines(socket, None, "pcscd ne répond pas.") == [
        f"Socket PC/SC : {socket}.", "Lecteurs : pcscd ne répond pas."]
    assert reader_lines(socket, [], None)[1] == "Lecteurs : aucun."
    assert reader_lines(socket, [ReaderState("R1", None), ReaderState("R2", b"")], None) == [
        f"Socket PC/SC : {socket}.", "Lecteurs (2) :", "  R1 : vide",
        "  R2 : carte présente, lecteur occupé par un autre programme"]
    assert reader_lines(socket, [ReaderState("R\x1b]0;x\x07", None)], None)[2] == \
        "  R\\x1b]0;x\\x07 : vide"
