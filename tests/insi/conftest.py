"""Shared fixtures of the INSi client tests: test PKI (generated at test time), a scriptable
HTTPS server with mutual TLS on 127.0.0.1, settings and clients pointing at it."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from .pki import TestPki, build_pki
from .tls_server import Reply, TlsServer

FIXTURES = Path(__file__).resolve().parent / "fixtures"
# The shared research folder next to the repository (only on the development machine).
EXAMPLES = Path(__file__).resolve().parents[3] / "shared" / "insi-contract" / "examples"


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> TestPki:
    return build_pki(tmp_path_factory.mktemp("insi-pki"))


@pytest.fixture
def tls_server(pki: TestPki) -> Iterator[TlsServer]:
    with TlsServer(pki.server_cert_file, pki.server_key_file, pki.ca_file) as server:
        yield server


@pytest.fixture
def make_settings(pki: TestPki):
    from insterm.insi.settings import InsiSettings

    def make(url: str, **overrides: object) -> InsiSettings:
        values: dict[str, object] = {
            "endpoint_url": url,
            "idam": "TESTIDAM0001",
            "installation_id": str(uuid.uuid4()),
            "ca_file": str(pki.ca_file),
            "timeout_seconds": 5.0,
        }
        values.update(overrides)
        return InsiSettings(**values)  # type: ignore[arg-type]  # values of mixed types

    return make


@pytest.fixture
def make_client(pki: TestPki, make_settings):
    from insterm.insi.auth import CertificateAuth
    from insterm.insi.client import InsiClient

    made: list[InsiClient] = []

    def make(url: str, p12: Path | None = None, **overrides: object) -> InsiClient:
        client = InsiClient(
            make_settings(url, **overrides), CertificateAuth(p12 or pki.good_p12, pki.passphrase)
        )
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


ADRTROIS = {
    "birth_name": "ADRTROIS",
    "first_names": "DOMINIQUE",
    "sex": "F",
    "birth_date": dt.date(1997, 2, 26),
    "birth_place": None,
}


def canned(name: str, status: int = 200) -> Reply:
    return Reply(status=status, body=fixture_bytes(name))
