"""The simulator's test CA: what it writes, with which modes, names and validity."""

from __future__ import annotations

import datetime as dt
import ipaddress
import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from insterm.insi.simulator import DEMO_EMETTEUR, DEMO_ORGANISATION, TestAuthority


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def subject_value(cert: x509.Certificate, oid: x509.ObjectIdentifier) -> str:
    return cert.subject.get_attributes_for_oid(oid)[0].value


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> tuple[TestAuthority, str]:
    authority = TestAuthority(tmp_path_factory.mktemp("ca") / "state")
    passphrase = authority.ensure()
    assert passphrase is not None
    return authority, passphrase


def test_files_and_modes(made) -> None:
    authority, _ = made
    assert authority.is_ready()
    assert mode(authority.state_dir) == 0o700
    for secret in (authority.ca_key, authority.server_key, authority.client_p12):
        assert mode(secret) == 0o600, secret
    assert mode(authority.ca_cert) == 0o644
    assert not list(authority.state_dir.glob("*.tmp"))


def test_the_passphrase_is_written_nowhere(made) -> None:
    authority, passphrase = made
    for path in authority.state_dir.rglob("*"):
        if path.is_file():
            assert passphrase.encode() not in path.read_bytes(), path


def test_demo_client_certificate(made) -> None:
    authority, passphrase = made
    key, cert, chain = pkcs12.load_key_and_certificates(
        authority.client_p12.read_bytes(), passphrase.encode())
    assert key is not None and cert is not None
    assert subject_value(cert, NameOID.COMMON_NAME) == "INSI-MANU"
    assert subject_value(cert, NameOID.ORGANIZATIONAL_UNIT_NAME) == DEMO_EMETTEUR
    assert subject_value(cert, NameOID.ORGANIZATION_NAME) == DEMO_ORGANISATION
    usage = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(usage) == [ExtendedKeyUsageOID.CLIENT_AUTH]
    ca = x509.load_pem_x509_certificate(authority.ca_cert.read_bytes())
    assert [c.subject for c in chain] == [ca.subject]
    cert.verify_directly_issued_by(ca)
    now = dt.datetime.now(dt.UTC)
    assert cert.not_valid_before_utc < now < cert.not_valid_after_utc
    with pytest.raises(ValueError):
        pkcs12.load_key_and_certificates(authority.client_p12.read_bytes(), b"wrong")


def test_server_certificate_names(made) -> None:
    authority, _ = made
    cert = x509.load_pem_x509_certificate(authority.server_cert.read_bytes())
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.IPAddress) == [ipaddress.ip_address("127.0.0.1")]
    assert names.get_values_for_type(x509.DNSName) == ["localhost"]
    cert.verify_directly_issued_by(
        x509.load_pem_x509_certificate(authority.ca_cert.read_bytes()))


def test_ensure_is_idempotent(made) -> None:
    authority, _ = made
    before = {p.name: p.read_bytes() for p in authority.state_dir.iterdir() if p.is_file()}
    assert authority.ensure() is None
    after = {p.name: p.read_bytes() for p in authority.state_dir.iterdir() if p.is_file()}
    assert after == before


def test_renewal_gives_a_new_passphrase_and_keeps_the_ca(tmp_path: Path) -> None:
    authority = TestAuthority(tmp_path / "s")
    first = authority.ensure()
    ca = authority.ca_cert.read_bytes()
    second = authority.renew_client_p12()
    assert second != first
    assert authority.ca_cert.read_bytes() == ca
    pkcs12.load_key_and_certificates(authority.client_p12.read_bytes(), second.encode())
    authority.client_p12.unlink()
    third = authority.ensure()  # a missing client certificate is made again, CA kept
    assert third is not None and authority.ca_cert.read_bytes() == ca


@pytest.mark.parametrize(
    ("cn", "expired"), [("INSI-TEST", False), ("INSI-MANU", True), ("INSI-AUTO", False)])
def test_test_certificates_on_request(made, cn: str, expired: bool) -> None:
    authority, _ = made
    issued = authority.make_client_p12(cn, expired=expired)
    assert mode(issued.p12_path) == 0o600
    _, cert, _ = pkcs12.load_key_and_certificates(
        issued.p12_path.read_bytes(), issued.passphrase.encode())
    assert subject_value(cert, NameOID.COMMON_NAME) == cn
    now = dt.datetime.now(dt.UTC)
    assert (cert.not_valid_after_utc < now) is expired
    assert issued.cn == cn and issued.not_after == cert.not_valid_after_utc


def test_server_context_verifies_a_client_certificate_when_one_comes(made) -> None:
    """Optional: without one, the request is in CPS card mode (an assertion is then required,
    tests/insi/test_cps_mode.py); a certificate presented is verified against the test CA."""
    import ssl

    authority, _ = made
    context = authority.server_ssl_context()
    assert context.verify_mode == ssl.CERT_OPTIONAL
    assert context.minimum_version >= ssl.TLSVersion.TLSv1_2
