"""Which PC/SC socket insterm says it uses, and pins before its first PC/SC call, as libpcsclite
does (pure logic on the environment; the library's own behaviour is checked end to end in
test_ssh_forward.py). The pinned value of this process is put back after each test."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from insterm.cards import pcsc_socket
from insterm.cards.errors import PcscdNotRunning
from insterm.cards.pcsc_socket import DEFAULT_SOCKET, ENV, MAX_PATH_BYTES, PcscSocket


@pytest.fixture
def unpinned(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(pcsc_socket, "_pinned", None)
    yield


def test_variable_set_unset_or_empty(unpinned: None, monkeypatch: pytest.MonkeyPatch,
                                     tmp_path: Path) -> None:
    monkeypatch.setenv(ENV, str(tmp_path / "far.sock"))
    assert pcsc_socket.current() == PcscSocket(str(tmp_path / "far.sock"), True)
    assert pcsc_socket.current().describe() == f"{tmp_path / 'far.sock'} (PCSCLITE_CSOCK_NAME)"
    monkeypatch.delenv(ENV)
    assert pcsc_socket.current() == PcscSocket(DEFAULT_SOCKET, False)
    assert pcsc_socket.current().describe() == "/run/pcscd/pcscd.comm (défaut de libpcsclite)"
    monkeypatch.setenv(ENV, "")
    assert pcsc_socket.current() == PcscSocket(DEFAULT_SOCKET, False)


def test_pin_drops_an_empty_variable_and_keeps_the_first_value(
        unpinned: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(ENV, "")
    assert pcsc_socket.pin() == PcscSocket(DEFAULT_SOCKET, False)
    assert ENV not in os.environ  # libpcsclite would have connected to ""
    monkeypatch.setenv(ENV, str(tmp_path / "later.sock"))
    assert pcsc_socket.current() == PcscSocket(DEFAULT_SOCKET, False)  # as the library: fixed
    assert pcsc_socket.pin() == PcscSocket(DEFAULT_SOCKET, False)


def test_pin_makes_a_relative_path_absolute(unpinned: None, monkeypatch: pytest.MonkeyPatch,
                                            tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(ENV, "remote.sock")
    assert pcsc_socket.pin() == PcscSocket(str(tmp_path / "remote.sock"), True)
    assert os.environ[ENV] == str(tmp_path / "remote.sock")


def test_a_path_too_long_for_a_unix_socket_is_named() -> None:
    fits = "/" + "a" * (MAX_PATH_BYTES - 1)
    assert PcscSocket(fits, True).problem is None
    too_long = PcscSocket(fits + "é", True)  # two bytes more
    assert too_long.problem is not None and f"fait {MAX_PATH_BYTES + 2} octets" in \
        too_long.problem
    assert too_long.problem in PcscdNotRunning(too_long).message


def test_cartes_refuses_a_path_too_long_and_says_why(tmp_path: Path) -> None:
    path = str(tmp_path / ("x" * 120) / "pcscd.comm")
    done = subprocess.run([sys.executable, "-m", "insterm", "cartes"],
                          env={**os.environ, ENV: path}, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 3, done.stdout + done.stderr
    assert f"Le chemin du socket PC/SC fait {len(path.encode())} octets" in done.stderr


def test_control_characters_in_the_path_are_shown_not_sent() -> None:
    assert PcscSocket("/tmp/a\x1b[2Jb.sock", True).describe() == \
        "/tmp/a\\x1b[2Jb.sock (PCSCLITE_CSOCK_NAME)"
