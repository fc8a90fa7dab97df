"""The INSi "assertion PS" (CPS mode): built and signed by insterm.insi.assertion, verified by
the simulator with signxml (an independent implementation); signed through PyKCS11 by a real
SoftHSM2 token holding the CPS objects, as the card would."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from lxml import etree

from insterm.insi.assertion import SAML, Professional, build_assertion, security_header
from insterm.insi.simulator.assertion_check import (
    BAD_SIGNATURE,
    NO_ASSERTION,
    NO_HOLDER,
    STALE,
    UNKNOWN_CERTIFICATE,
    AssertionRefused,
    check_assertion,
)
from insterm.insi.simulator.authority import TestAuthority

SOAP = "http://www.w3.org/2003/05/soap-envelope"
NOW = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)


class SoftwareSigner:
    """The card's key as a software key (pure logic tests; the token test below is real)."""

    def __init__(self, key: rsa.RSAPrivateKey, der: bytes) -> None:
        self.key, self.certificate_der = key, der

    def sign_rsa_sha256(self, data: bytes) -> bytes:
        return self.key.sign(data, padding.PKCS1v15(), hashes.SHA256())


@pytest.fixture(scope="module")
def card(authority: tuple[TestAuthority, str]):  # type: ignore[no-untyped-def]
    ca = authority[0]
    key, cert = ca.make_cps_certificate()
    return ca, key, cert


def professional(cert) -> Professional:  # type: ignore[no-untyped-def]
    return Professional(issuer=cert.subject.rfc4514_string(), national_id="899999999999",
                        billing_id="123456789", sector="SA05", specialty="SM26")


def in_header(assertion: etree._Element) -> etree._Element:
    header = etree.Element(f"{{{SOAP}}}Header", nsmap={"soap": SOAP})
    header.append(security_header(assertion))
    # The service reads the header from the serialised envelope, not from our objects.
    return etree.fromstring(etree.tostring(header))


def signed(card) -> etree._Element:  # type: ignore[no-untyped-def]
    _, key, cert = card
    signer = SoftwareSigner(key, cert.public_bytes(serialization.Encoding.DER))
    return build_assertion(professional(cert), signer, now=NOW)


def test_a_signed_assertion_is_accepted_with_the_holder_it_names(card) -> None:  # type: ignore[no-untyped-def]
    ca = card[0]
    assertion = signed(card)
    children = [etree.QName(child).localname for child in assertion]
    assert children == ["Issuer", "Signature", "Subject", "AttributeStatement"]
    assert assertion.get("ID").startswith("_") and assertion.get("Version") == "2.0"
    assert assertion.get("IssueInstant") == "2026-12-04T10:00:00.000Z"
    checked = check_assertion(in_header(assertion), ca.ca_cert, now=NOW + timedelta(minutes=5))
    assert checked.national_id == "899999999999"
    assert checked.attributes == {"identifiantFacturation": "123456789",
                                  "secteurActivite": "SA05", "codeSpecialite": "SM26"}
    assert "CN=899999999999" in checked.issuer


def refusal(header: etree._Element, ca_pem: Path, now: datetime = NOW) -> str:
    with pytest.raises(AssertionRefused) as refused:
        check_assertion(header, ca_pem, now=now)
    return refused.value.fault.error_code


def test_altered_content_wrong_ca_and_missing_parts_are_refused(card, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ca = card[0]
    header = in_header(signed(card))
    name_id = header.find(f".//{{{SAML}}}NameID")
    name_id.text = "810000000001"  # another professional, after signing
    assert refusal(header, ca.ca_cert) == BAD_SIGNATURE.error_code

    other = TestAuthority(tmp_path / "other-ca")
    other.ensure()
    assert refusal(in_header(signed(card)), other.ca_cert) == UNKNOWN_CERTIFICATE.error_code

    assert refusal(etree.Element(f"{{{SOAP}}}Header"), ca.ca_cert) == NO_ASSERTION.error_code


def test_stale_or_future_assertions_are_refused(card) -> None:  # type: ignore[no-untyped-def]
    ca = card[0]
    header = in_header(signed(card))
    assert refusal(header, ca.ca_cert, NOW + timedelta(hours=1, seconds=1)) == STALE.error_code
    assert refusal(header, ca.ca_cert, NOW - timedelta(minutes=6)) == STALE.error_code


def test_an_expired_card_certificate_is_refused(card) -> None:  # type: ignore[no-untyped-def]
    ca = card[0]
    key, cert = ca.make_cps_certificate(expired=True)
    signer = SoftwareSigner(key, cert.public_bytes(serialization.Encoding.DER))
    header = in_header(build_assertion(professional(cert), signer, now=datetime.now(UTC)))
    assert refusal(header, ca.ca_cert, datetime.now(UTC)) == UNKNOWN_CERTIFICATE.error_code


def test_an_assertion_without_a_cps_holder_is_refused(card) -> None:  # type: ignore[no-untyped-def]
    ca, key, cert = card
    signer = SoftwareSigner(key, cert.public_bytes(serialization.Encoding.DER))
    unnamed = Professional(issuer="CN=x", national_id=" ", billing_id="1", sector="SA05")
    assert refusal(in_header(build_assertion(unnamed, signer, now=NOW)), ca.ca_cert) == \
        NO_HOLDER.error_code


# ------------------------------------------------------------------ a real PKCS#11 token

SOFTHSM = Path("/usr/lib/softhsm/libsofthsm2.so")
needs_softhsm = pytest.mark.skipif(
    not SOFTHSM.exists() or shutil.which("softhsm2-util") is None
    or shutil.which("pkcs11-tool") is None,
    reason="SoftHSM2 and OpenSC's pkcs11-tool (Debian softhsm2, opensc) absent: scripts/test "
           "installs them when run as root")


@pytest.fixture
def token(card, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """A SoftHSM2 token labelled CPS-TEST (user PIN 1234) holding the CPS objects."""
    _, key, cert = card
    (tmp_path / "tokens").mkdir()
    conf = tmp_path / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tmp_path / 'tokens'}\nobjectstore.backend = file\n")
    monkeypatch.setenv("SOFTHSM2_CONF", str(conf))
    run = lambda *args: subprocess.run(args, check=True, capture_output=True, timeout=60)  # noqa: E731
    run("softhsm2-util", "--init-token", "--free", "--label", "CPS-TEST", "--pin", "1234",
        "--so-pin", "12345678")
    (tmp_path / "key.der").write_bytes(key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    (tmp_path / "cert.der").write_bytes(cert.public_bytes(serialization.Encoding.DER))
    tool = ("pkcs11-tool", "--module", str(SOFTHSM), "--token-label", "CPS-TEST", "--login",
            "--pin", "1234")
    run(*tool, "--write-object", str(tmp_path / "key.der"), "--type", "privkey", "--id", "20",
        "--label", "CPS_PRIV_AUT")
    run(*tool, "--write-object", str(tmp_path / "cert.der"), "--type", "cert", "--id", "20",
        "--label", "Certificat d'Authentification CPS")
    return str(SOFTHSM)


@needs_softhsm
def test_the_token_signs_an_assertion_the_simulator_accepts(card, token: str) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("PyKCS11", reason="PyKCS11 (the cards extra) is not installed")
    from insterm.cards.pkcs11_signer import Pkcs11Signer

    ca, _, cert = card
    with Pkcs11Signer(token, "1234", token_label="CPS-TEST") as signer:
        assert signer.certificate_der == cert.public_bytes(serialization.Encoding.DER)
        assertion = build_assertion(professional(cert), signer, now=datetime.now(UTC))
    checked = check_assertion(in_header(assertion), ca.ca_cert)
    assert checked.national_id == "899999999999"


@needs_softhsm
def test_a_wrong_pin_is_said_and_never_retried(card, token: str) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("PyKCS11", reason="PyKCS11 (the cards extra) is not installed")
    from insterm.cards.pkcs11_signer import CpsError, CpsPinError, Pkcs11Signer

    with pytest.raises(CpsPinError, match="Code de la carte CPS incorrect") as wrong:
        Pkcs11Signer(token, "0000", token_label="CPS-TEST")
    assert "1234" not in wrong.value.message and "0000" not in wrong.value.message
    with pytest.raises(CpsError, match="Aucune carte CPS"):
        Pkcs11Signer(token, "1234", token_label="ABSENT")
    with Pkcs11Signer(token, "1234", token_label="CPS-TEST") as signer:  # still usable
        assert signer.certificate_der
