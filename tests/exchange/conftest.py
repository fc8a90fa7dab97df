"""A practice database with identities of each status, made through `Clinic` (real SQLite)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pytest
from duplicate_override import create_anyway

from insterm.clinic import Clinic, DocumentCheck
from insterm.domain.identity import StrictTraits, UsedNames
from insterm.exchange.identity import ExchangeIdentity, Ins
from insterm.insi.results import Attempt, InsiResult, InsRecord, ReturnedTraits, SearchOutcome
from insterm.usecases.authentication import current_os_login

TODAY = date(2025, 6, 1)
PASSPORT = DocumentCheck(codes=["PA"], traits_match=True, expires_on={"PA": date(2030, 1, 1)})
MATRICULE = "275126322074974"
NIR_OID = "1.2.250.1.213.1.4.8"


def traits(**changes: object) -> StrictTraits:
    values: dict = dict(birth_name="ADRUN", first_name="ZOE", first_names="ZOE",
                        birth_date=date(1975, 12, 31), sex="F", birth_place="63220")
    values.update(changes)
    return StrictTraits.build(**values, today=TODAY)


def outcome(matricule: str = "2751263220749", key: str = "74", **returned: str) -> SearchOutcome:
    tiq = dict(birth_name="ADRUN", first_name=None, first_names="ZOE", sex="F",
               birth_date="1975-12-31", birth_place="63220")
    tiq.update(returned)
    result = InsiResult("00", "OK", InsRecord(matricule, key, NIR_OID), (), ReturnedTraits(**tiq))
    attempt = Attempt("rechercherInsAvecTraitsIdentite", "uuid-1", datetime(2025, 6, 1), 0.25,
                      b"<request/>", b"<response/>", 200, result=result, sent_first_names="ZOE")
    return SearchOutcome((attempt,), result=result)


@dataclass
class Practice:
    clinic: Clinic
    qual: str  # IPPs
    prov: str
    recup: str


@pytest.fixture
def clinic(tmp_path: Path) -> Iterator[Clinic]:
    with Clinic.open(tmp_path / "cabinet.db", create=True, today=lambda: TODAY) as opened:
        opened.bootstrap_admin("admin", "Alice Admin", os_login="admin")
        # sophie works from the OS account running the tests: `--operateur sophie` (or nothing)
        # signs her in on the command line without a password
        opened.add_operator("admin", "sophie", "Sophie Secrétaire",
                            os_login=current_os_login())
        yield opened


@pytest.fixture
def practice(clinic: Clinic) -> Practice:
    """ADRUN Zoé QUAL (passport + INSi), MARTIN Jean PROV with a used name, HOUILLES Pierre
    RECUP (INSi without document: holds an INS that must never leave)."""
    record = create_anyway(clinic, "sophie", traits()).record
    vali = clinic.check_document("sophie", record.id, record.version, PASSPORT).record
    qual = clinic.apply_insi_outcome("sophie", vali.id, vali.version, outcome(),
                                     accepted=True).saved.record
    assert qual.status == "QUAL"
    prov = create_anyway(clinic,
        "sophie", traits(birth_name="MARTIN", first_name="JEAN", first_names="JEAN PAUL",
                         sex="M", birth_date=date(1980, 2, 1), birth_place="75056"),
        UsedNames.build(used_name="DURAND", used_first_name="JP")).record
    other = create_anyway(clinic,
        "sophie", traits(birth_name="HOUILLES", first_name="PIERRE", first_names="PIERRE",
                         sex="M", birth_date=date(1963, 4, 5), birth_place="99134")).record
    recup = clinic.apply_insi_outcome(
        "sophie", other.id, other.version,
        outcome("1630499134123", _key("1630499134123"), birth_name="HOUILLES",
                first_names="PIERRE", sex="M", birth_date="1963-04-05", birth_place="99134"),
        accepted=True).saved.record
    assert recup.status == "RECUP" and recup.matricule is not None
    return Practice(clinic, qual.ipp, prov.ipp, recup.ipp)


def _key(nir13: str) -> str:
    return f"{97 - int(nir13) % 97:02d}"


def exchange_identity(**changes: object) -> ExchangeIdentity:
    values: dict = dict(
        ipp="100000001", birth_name="ADRUN", first_name="ZOE", first_names="ZOE",
        birth_date=date(1975, 12, 31), sex="F", birth_place="63220", used_name=None,
        used_first_name=None, status="QUAL", ins=Ins(MATRICULE, NIR_OID), channel="INSI",
        insi_date=date(2025, 6, 1), document_type="PA", document_expiry=date(2030, 1, 1),
        document_date=date(2025, 6, 1))
    values.update(changes)
    return ExchangeIdentity(**values)
