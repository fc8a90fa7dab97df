"""`insterm insi search`: French output and exit codes 0 (00), 1 (01/02), 2 (errors), over real
mutual TLS to the scriptable server, the passphrase from an in-memory keyring backend."""

from __future__ import annotations

import argparse
import uuid

import keyring
import pytest
from keyring.backend import KeyringBackend

from insterm import secrets
from insterm.commands import insi_search

from .conftest import canned
from .tls_server import Reply


class MemoryKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]  # keyring declares a class property

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.store.pop((service, username), None)


@pytest.fixture
def keyring_with_passphrase(pki):
    previous_keyring = keyring.get_keyring()
    backend = MemoryKeyring()
    secrets.use_backend(backend)
    secrets.set_secret(secrets.INSI_CERT_PASSPHRASE, pki.passphrase)
    yield backend
    secrets.reset_backend()
    keyring.set_keyring(previous_keyring)


@pytest.fixture
def insi_env(monkeypatch, tls_server, pki):
    monkeypatch.setenv("INSTERM_INSI_ENDPOINT", tls_server.url)
    monkeypatch.setenv("INSTERM_INSI_IDAM", "TESTIDAM0001")
    monkeypatch.setenv("INSTERM_INSI_INSTALLATION_ID", str(uuid.uuid4()))
    monkeypatch.setenv("INSTERM_INSI_CA_FILE", str(pki.ca_file))
    monkeypatch.setenv("INSTERM_INSI_TIMEOUT", "5")
    monkeypatch.setenv("INSTERM_INSI_P12", str(pki.good_p12))
    return tls_server


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="insterm insi")
    insi_search.configure(parser)
    return insi_search.run(parser.parse_args(argv))


ARGS = ["search", "--nom", "ADRTROIS", "--prenoms", "DOMINIQUE", "--sexe", "F",
        "--naissance", "1997-02-26"]


def test_found_prints_the_ins_and_exits_0(insi_env, keyring_with_passphrase, capsys) -> None:
    insi_env.state.answer = lambda body: canned("padoa/RESP_CR00_ADRTROIS_DOMINIQUE.xml")
    assert run([*ARGS, "--lieu", "2A020"]) == 0
    out = capsys.readouterr().out
    assert "Compte rendu 00" in out and "297022A02077878" in out and "INS-NIR" in out
    assert "Lieu de naissance : 2A020" in out
    assert b"<insi_recsans_ins:LieuNaissance>2A020<" in insi_env.state.received[0].body


@pytest.mark.parametrize(
    ("fixture", "code", "expected"),
    [("padoa/REP_CR01.xml", "01", "Aucune identité"),
     ("padoa/RESP_CR02_DE_VINCI_LEONARDO.xml", "02", "Plusieurs identités")],
)
def test_none_or_several_exit_1(insi_env, keyring_with_passphrase, capsys, fixture, code, expected) -> None:
    insi_env.state.answer = lambda body: canned(fixture)
    assert run(["search", "--nom", "HOUILLES", "--prenoms", "PIERRE PAUL", "--sexe", "M",
                "--naissance", "1993-01-27"]) == 1
    out = capsys.readouterr().out
    assert f"Compte rendu {code}" in out and expected in out
    assert out.count("Tentative") == 3


def test_a_fault_exits_2_with_the_service_text(insi_env, keyring_with_passphrase, capsys) -> None:
    insi_env.state.answer = lambda body: canned("padoa/FAULT_siram_40_insi_102_technical_error.xml", 500)
    assert run(ARGS) == 2
    err = capsys.readouterr().err
    assert "siram_40/insi_102" in err and "temporairement inaccessible" in err


def test_a_transport_error_exits_2(insi_env, keyring_with_passphrase, capsys) -> None:
    insi_env.state.answer = lambda body: Reply(status=503, body=b"busy", content_type="text/plain")
    assert run(ARGS) == 2
    assert "503" in capsys.readouterr().err


def test_refused_traits_exit_2_before_any_setting_or_network(monkeypatch, capsys) -> None:
    for name in ("INSTERM_INSI_ENDPOINT", "INSTERM_INSI_P12"):
        monkeypatch.delenv(name, raising=False)
    assert run(["search", "--nom", "D\u2019\u00c6ION", "--prenoms", "C\u0152UR", "--sexe", "M",
                "--naissance", "1987-01-01", "--lieu", "2B020"]) == 2
    err = capsys.readouterr().err
    assert "non envoyée" in err
    # JJ/MM/AAAA is a date as on the screens (the search then stops at the missing database);
    # what is no date is refused by the option itself, in French.
    assert run([*ARGS[:-1], "26/02/1997"]) == 2
    assert "Base de données introuvable" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        run([*ARGS[:-1], "1997-02-30"])
    assert "le 30/02/1997 n'existe pas dans le calendrier" in capsys.readouterr().err


def test_missing_settings_are_named(monkeypatch, capsys) -> None:
    monkeypatch.delenv("INSTERM_INSI_ENDPOINT", raising=False)
    assert run(ARGS) == 2
    assert "INSTERM_INSI_ENDPOINT" in capsys.readouterr().err


def test_missing_passphrase_exits_2(insi_env, keyring_with_passphrase, capsys) -> None:
    secrets.delete_secret(secrets.INSI_CERT_PASSPHRASE)
    assert run(ARGS) == 2
    assert "phrase de passe" in capsys.readouterr().err
    assert insi_env.state.received == []


def test_wrong_certificate_exits_2_and_sends_nothing(insi_env, keyring_with_passphrase, pki,
                                                      monkeypatch, capsys) -> None:
    monkeypatch.setenv("INSTERM_INSI_P12", str(pki.wrong_cn_p12))
    assert run(ARGS) == 2
    assert "INSI-MANU ou INSI-AUTO" in capsys.readouterr().err
    assert insi_env.state.received == []
