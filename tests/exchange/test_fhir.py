"""FHIR FR Core Patient: golden files, the FR Core rules of ins-rules 6.1 (fr_core.problems)
on every identity hypothesis makes, and the INS only for a QUAL identity."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from insterm.exchange import fhir
from insterm.exchange.identity import ExchangeIdentity, ExportRefused, Ins
from tests.exchange.conftest import MATRICULE, NIR_OID, exchange_identity
from tests.exchange.fr_core import problems

GOLDEN = Path(__file__).parent / "golden"


def test_qualified_identity_matches_its_golden_file() -> None:
    produced = fhir.json_document(exchange_identity(), ipp_system="urn:oid:1.2.250.1.999.1")
    assert produced == (GOLDEN / "patient-qual.json").read_bytes()


def test_provisional_identity_with_used_names_and_attributes_matches_its_golden_file() -> None:
    identity = exchange_identity(
        ipp="100000002", birth_name="MARTIN", first_name="JEAN", first_names="JEAN PAUL",
        sex="M", birth_date=date(1980, 2, 1), birth_place="99134", used_name="DURAND",
        used_first_name="JP", status="PROV", ins=None, channel="SM", insi_date=None,
        document_type=None, document_expiry=None, document_date=None,
        attributes=frozenset({"DOUT", "HOMA"}))
    produced = fhir.ndjson([identity])
    assert produced == (GOLDEN / "patient-prov.ndjson").read_bytes()
    assert produced.count(b"\n") == 1


def test_the_golden_files_follow_the_fr_core_rules() -> None:
    for name in ("patient-qual.json", "patient-prov.ndjson"):
        resource = json.loads((GOLDEN / name).read_text(encoding="utf-8"))
        assert problems(resource) == [], name


def test_the_checker_catches_a_broken_resource() -> None:
    """The structural check can fail: an INS with PROV, two given names, a bad gender."""
    resource = fhir.patient(exchange_identity())
    resource["gender"] = "F"
    resource["name"][0]["given"] = ["ZOE", "MARIE"]
    resource["extension"][1]["extension"][0]["valueCoding"]["code"] = "PROV"
    assert set(problems(resource)) >= {"gender 1..1 from the VS", "official given exactly 1",
                                       "fr-core-1: an INS only with VALI"}


@pytest.mark.parametrize(("status", "code"), [("PROV", "PROV"), ("RECUP", "PROV"),
                                              ("VALI", "VALI"), ("QUAL", "VALI")])
def test_status_codes_and_the_ins_only_for_qual(status: str, code: str) -> None:
    identity = exchange_identity(status=status, ins=Ins(MATRICULE, NIR_OID) if status == "QUAL"
                                 else None)
    resource = fhir.patient(identity)
    reliability = resource["extension"][1]["extension"][0]["valueCoding"]
    assert reliability["code"] == code
    text = json.dumps(resource)
    assert (MATRICULE in text) == (status == "QUAL")
    assert problems(resource) == []


def test_an_ins_is_refused_for_any_other_status() -> None:
    for status in ("PROV", "RECUP", "VALI"):
        with pytest.raises(ExportRefused, match="qualifiée"):
            exchange_identity(status=status)


names = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ-' ÉÈ", min_size=1, max_size=30).map(
    str.strip).filter(bool)
identities = st.builds(
    lambda first, others, name, status, attributes, sex, place, used, oid: ExchangeIdentity(
        ipp="100000009", birth_name=name, first_name=first, first_names=" ".join([first, *others]),
        birth_date=date(1990, 1, 2), sex=sex if status != "QUAL" else "F",
        birth_place=place if status != "QUAL" else "63220", used_name=used, used_first_name=None,
        status=status if not attributes & {"DOUT", "FICT"} else "PROV",
        attributes=attributes, ins=Ins(MATRICULE, oid) if status == "QUAL"
        and not attributes & {"DOUT", "FICT"} else None),
    st.from_regex(r"[A-Z]{1,10}", fullmatch=True), st.lists(names, max_size=3), names,
    st.sampled_from(["PROV", "RECUP", "VALI", "QUAL"]),
    st.sampled_from([frozenset(), frozenset({"HOMA"}), frozenset({"DOUT"}),
                     frozenset({"FICT"}), frozenset({"DOUT", "HOMA"})]),
    st.sampled_from("MFI"), st.one_of(st.none(), st.from_regex(r"[0-9]{5}", fullmatch=True)),
    st.one_of(st.none(), names), st.sampled_from(sorted(fhir.INS_SLICES)))


@given(identities)
def test_every_identity_gives_a_resource_that_follows_the_fr_core_rules(
        identity: ExchangeIdentity) -> None:
    line = fhir.ndjson([identity])
    resource = json.loads(line)
    assert problems(resource) == []
    assert resource["name"][0]["family"] == identity.birth_name  # JSON keeps every character
    assert (MATRICULE in line.decode()) == identity.qualified
