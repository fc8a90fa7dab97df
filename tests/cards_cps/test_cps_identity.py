"""The CPS holder read without the PIN (both certificate DN shapes, the national identifier's
prefix table), the practice situation object (BER, with hypothesis), the PKCS#11 module
candidates; and the public read of a real SoftHSM2 token holding the CPS objects."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from hypothesis import given
from hypothesis import strategies as st

from insterm.cards.cps_identity import (
    CpsActivity,
    CpsDataError,
    encode_activity,
    holder_from_certificate,
    national_id_kind,
    parse_activity,
    specialty_from_info,
)
from insterm.cards.pkcs11_module import CpsModuleError, find_module
from tests.cps_token import make_token, needs_softhsm

KEY = rsa.generate_private_key(public_exponent=65537, key_size=1024)


def certificate(subject: x509.Name) -> bytes:
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(
        x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "TEST AC")]))
        .public_key(KEY.public_key()).serial_number(1)
        .not_valid_before(now).not_valid_after(now + dt.timedelta(days=1))
        .sign(KEY, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.DER)


def test_the_newer_dn_shape_multi_valued_rdn() -> None:
    der = certificate(x509.Name([
        x509.RelativeDistinguishedName([
            x509.NameAttribute(NameOID.GIVEN_NAME, "JEANNE"),
            x509.NameAttribute(NameOID.COMMON_NAME, "810001234567"),
            x509.NameAttribute(NameOID.SURNAME, "DURAND-LEFEBVRE")]),
        x509.RelativeDistinguishedName([x509.NameAttribute(NameOID.TITLE, "Infirmier")]),
        x509.RelativeDistinguishedName([x509.NameAttribute(NameOID.COUNTRY_NAME, "FR")])]))
    holder = holder_from_certificate(der)
    assert (holder.surname, holder.given_name, holder.national_id, holder.profession) == \
        ("DURAND-LEFEBVRE", "JEANNE", "810001234567", "Infirmier")
    assert holder.id_kind == "RPPS" and holder.rpps == "10001234567"
    assert holder.display_name == "DURAND-LEFEBVRE JEANNE"


def test_the_older_dn_shape_cn_name_serialnumber_ou() -> None:
    der = certificate(x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "Masseur-Kinésithérapeute"),
        x509.NameAttribute(NameOID.SERIAL_NUMBER, "0751234567"),
        x509.NameAttribute(NameOID.COMMON_NAME, "MARTIN PAUL")]))
    holder = holder_from_certificate(der)
    assert (holder.surname, holder.given_name, holder.national_id) == \
        ("MARTIN", "PAUL", "0751234567")
    assert holder.profession == "Masseur-Kinésithérapeute"
    assert holder.id_kind == "ADELI" and holder.rpps is None


def test_a_certificate_naming_nobody_is_refused() -> None:
    with pytest.raises(CpsDataError, match="ne nomme pas son porteur"):
        holder_from_certificate(certificate(x509.Name([
            x509.NameAttribute(NameOID.COMMON_NAME, "INSI-MANU")])))
    with pytest.raises(CpsDataError, match="illisible"):
        holder_from_certificate(b"\x30\x03garbage")


@pytest.mark.parametrize(("national_id", "kind"), [
    ("0751234567", "ADELI"), ("1751234567", "ADELI (cabinet)"), ("3123456789", "FINESS"),
    ("4123456789", "SIREN"), ("5123456789", "SIRET"), ("6123", "RPPS (cabinet)"),
    ("810001234567", "RPPS"), ("9", "inconnu"), ("", "inconnu")])
def test_the_prefix_table(national_id: str, kind: str) -> None:
    assert national_id_kind(national_id) == kind


@pytest.mark.parametrize(("data", "specialty"), [
    (b"899999999999MEDECIN TEST DOMINIQUE SM26", "SM26"), (b"8999 DUPONT SM01\x00\x00", "SM01"),
    (b"810001234567 INFIRMIER", None), (b"", None), (b"SMXX", None)])
def test_the_specialty_ending_cps_info(data: bytes, specialty: str | None) -> None:
    assert specialty_from_info(data) == specialty


def test_the_activity_object() -> None:
    data = bytes.fromhex("EE1F") + b"\x84\x09CABINET X" + b"\x85\x0a3123456789" + \
        b"\x86\x04SA05" + b"\x00" * 8
    activity = parse_activity(data)
    assert activity == CpsActivity("CABINET X", "3123456789", "SA05")
    assert activity.billing_id == "123456789"


@pytest.mark.parametrize("data", [b"", b"\x30\x00", bytes.fromhex("EE05") + b"\x84\x01A",
                                  bytes.fromhex("EE03") + b"\x84\x01A",
                                  bytes.fromhex("EE8300"), bytes.fromhex("EE")])
def test_a_broken_activity_object_is_a_french_error(data: bytes) -> None:
    with pytest.raises(CpsDataError):
        parse_activity(data)


names = st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=300)
ids = st.text(st.sampled_from("0123456789ABZ"), min_size=2, max_size=20)


@given(names, ids, st.text(st.sampled_from("SA0123456789"), min_size=1, max_size=6))
def test_activity_round_trip(name: str, structure: str, sector: str) -> None:
    parsed = parse_activity(encode_activity(CpsActivity(name, structure, sector)))
    assert parsed.structure_name == " ".join(name.split())
    assert (parsed.structure_id, parsed.sector) == (structure, sector)


@given(st.binary(max_size=400))
def test_any_bytes_give_an_activity_or_a_french_error(data: bytes) -> None:
    try:
        parse_activity(data)
    except CpsDataError as error:
        assert error.message


def test_module_candidates_in_order(tmp_path: Path) -> None:
    cryptolib, opensc = tmp_path / "libcps3_pkcs11_lux.so", tmp_path / "opensc-pkcs11.so"
    opensc.write_bytes(b"")
    assert find_module(None, [str(cryptolib), str(opensc)]).path == str(opensc)
    cryptolib.write_bytes(b"")
    choice = find_module(None, [str(cryptolib), str(opensc)])
    assert choice.path == str(cryptolib) and not choice.configured
    assert choice.label.startswith("Cryptolib CPS (ANS)")
    configured = find_module(str(opensc), [str(cryptolib)])
    assert configured.configured and "OpenSC" in configured.label
    with pytest.raises(CpsModuleError, match="introuvable"):
        find_module(str(tmp_path / "absent.so"))
    with pytest.raises(CpsModuleError, match="Aucun module PKCS#11"):
        find_module(None, [str(tmp_path / "none.so")])


@needs_softhsm
def test_the_public_read_needs_no_pin(tmp_path: Path, authority,  # type: ignore[no-untyped-def]
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from insterm.cards.pkcs11_signer import CpsPinError, Pkcs11Signer, read_public_card

    token = make_token(tmp_path / "card", authority[0], monkeypatch)
    card = read_public_card(token.module)
    assert card.token_label == "CPS-TEST" and card.serial
    assert card.holder.national_id == "899999999999" and card.holder.profession == "Médecin"
    assert (card.tries_left, card.blocked) == (None, False)
    with pytest.raises(CpsPinError) as wrong:
        Pkcs11Signer(token.module, "246813")
    assert wrong.value.tries_left == 2 and "au plus 2 essais" in wrong.value.message
    assert read_public_card(token.module).tries_left == 2  # the module's flag, no PIN sent
    with Pkcs11Signer(token.module, token.pin) as signer:
        assert signer.activity().sector == "SA05"
        assert signer.holder == card.holder
    assert read_public_card(token.module).tries_left is None  # a right PIN resets the count
