"""Tampering outside the audit table (issue 9.3): every event that changes an identity records
the digest of its rows, and `audit verify` names each identity whose rows no longer match,
saying what changed. Real database files, changed behind the application's back with a raw
sqlite3 connection (triggers dropped where they would refuse)."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, datetime
from pathlib import Path

import pytest
from duplicate_override import create_anyway
from tampering import recompute_chain, tamper

from insterm.clinic import Clinic, DocumentCheck
from insterm.domain.identity import StrictTraits
from insterm.insi.results import Attempt, InsiResult, InsRecord, ReturnedTraits, SearchOutcome
from insterm.store import audit
from insterm.store.migrations import CURRENT_VERSION, migrate

TODAY = date(2025, 6, 1)
PASSPORT = DocumentCheck(codes=["PA"], traits_match=True, expires_on={"PA": date(2030, 1, 1)})


def traits(**changes: object) -> StrictTraits:
    values: dict = dict(birth_name="ADRUN", first_name="ZOE", first_names="ZOE",
                        birth_date=date(1975, 12, 31), sex="F", birth_place="63220")
    values.update(changes)
    return StrictTraits.build(**values, today=TODAY)


def outcome() -> SearchOutcome:
    result = InsiResult("00", "OK", InsRecord("2751263220749", "74", "1.2.250.1.213.1.4.8"), (),
                        ReturnedTraits(birth_name="ADRUN", first_name=None, first_names="ZOE",
                                       sex="F", birth_date="1975-12-31", birth_place="63220"))
    attempt = Attempt("rechercherInsAvecTraitsIdentite", "uuid-1", datetime(2025, 6, 1), 0.25,
                      b"<request/>", b"<response/>", 200, result=result, sent_first_names="ZOE")
    return SearchOutcome((attempt,), result=result)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "c.db"


@pytest.fixture
def practice(db: Path) -> dict[str, int]:
    """ADRUN Zoé QUAL (document check, INSi: INS history); MARTIN Paul PROV with HOMA; DURAND
    Léa absorbed into MARTIN Léo (merge)."""
    with Clinic.open(db, create=True, today=lambda: TODAY) as clinic:
        clinic.bootstrap_admin("admin", "Alice Admin", os_login="admin")
        clinic.add_operator("admin", "sophie", "Sophie Secrétaire")
        zoe = create_anyway(clinic, "sophie", traits()).record
        zoe = clinic.check_document("sophie", zoe.id, zoe.version, PASSPORT).record
        zoe = clinic.apply_insi_outcome("sophie", zoe.id, zoe.version, outcome(),
                                        accepted=True).saved.record
        paul = create_anyway(clinic, "sophie", traits(
            birth_name="MARTIN", first_name="PAUL", first_names="PAUL", sex="M",
            birth_date=date(1980, 2, 1))).record
        paul = clinic.set_attribute("sophie", paul.id, paul.version, "HOMA").record
        leo = create_anyway(clinic, "sophie", traits(
            birth_name="MARTIN", first_name="LEO", first_names="LEO", sex="M",
            birth_date=date(1990, 5, 5))).record
        lea = create_anyway(clinic, "sophie", traits(
            birth_name="MARTIN", first_name="LEO", first_names="LEO", sex="M",
            birth_date=date(1990, 5, 6))).record
        clinic.merge("admin", leo.id, leo.version, lea.id, lea.version)
        assert clinic.verify_audit().ok
        return {"zoe": zoe.id, "paul": paul.id, "leo": leo.id, "lea": lea.id}


def verify(db: Path) -> audit.AuditReport:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return audit.verify(conn)
    finally:
        conn.close()


def test_a_clean_database_is_intact_and_every_identity_is_covered(db: Path,
                                                                   practice: dict[str, int]
                                                                   ) -> None:
    report = verify(db)
    assert report.ok and report.identities == 4 and report.uncovered == 0
    assert "Journal d'audit intact" in report.message
    assert "4 dossier(s) conformes à leur dernier événement" in report.message
    # Every identity-changing event recorded the state of what it wrote, merge: both records.
    conn = sqlite3.connect(db)
    merged = conn.execute("SELECT id FROM audit WHERE action = 'identities_merged'").fetchone()[0]
    assert {r[0] for r in conn.execute("SELECT identity_id FROM identity_state WHERE "
                                       "audit_id = ?", (merged,))} == {practice["lea"]}
    # The event's `state` is part of its hash: the chain covers the digests.
    row = conn.execute("SELECT id, at, operator, action, identity_id, details, prev_hash, hash,"
                       " state FROM audit WHERE id = ?", (merged,)).fetchone()
    conn.close()
    event = {"id": row[0], "at": row[1], "operator": row[2], "action": row[3],
             "identity_id": row[4], "details": json.loads(row[5]), "state": row[8]}
    assert row[8] is not None and audit.event_hash(row[6], event) == row[7]


# (statement, triggers to drop, who, what the message must name)
EDITS = [
    ("UPDATE identity SET birth_name = 'ADRUM' WHERE id = {zoe}", ("identity_version_bump",),
     "zoe", "nom de naissance"),
    ("UPDATE identity SET first_names = 'ZOE MARIE', version = version + 1 WHERE id = {zoe}",
     (), "zoe", "prénoms de naissance"),
    ("UPDATE identity SET birth_date = '1975-12-30' WHERE id = {zoe}", ("identity_version_bump",),
     "zoe", "date de naissance"),
    ("UPDATE identity SET status = 'RECUP' WHERE id = {zoe}", ("identity_version_bump",),
     "zoe", "statut"),
    ("UPDATE identity SET homa = 0 WHERE id = {paul}", ("identity_version_bump",),
     "paul", "attributs (douteuse, fictive, homonymie)"),
    ("UPDATE identity SET matricule = '180032B02040123' WHERE id = {zoe}",
     ("identity_version_bump",), "zoe", "INS (matricule et OID)"),
    ("UPDATE identity SET k_birth_name = 'X' WHERE id = {paul}", ("identity_version_bump",),
     "paul", "clés de recherche"),
    ("UPDATE identity SET merged_into = NULL WHERE id = {lea}",
     ("identity_version_bump", "identity_merged_frozen"), "lea", "fusion"),
    ("UPDATE ins_history SET date_end = '2020-01-01' WHERE identity_id = {zoe}",
     ("ins_history_no_update",), "zoe", "historique des INS"),
    ("DELETE FROM ins_history WHERE identity_id = {zoe}", ("ins_history_no_delete",),
     "zoe", "historique des INS"),
    ("INSERT INTO ins_history (identity_id, matricule, oid, active, received_at) VALUES "
     "({paul}, '180032B02040123', '1.2.250.1.213.1.4.8', 0, 'x')", (), "paul",
     "historique des INS"),
    ("UPDATE document_check SET outcome = 'mismatch' WHERE identity_id = {zoe}",
     ("document_check_no_update",), "zoe", "contrôles de pièce d'identité"),
    ("DELETE FROM document_check WHERE identity_id = {zoe}", ("document_check_no_delete",),
     "zoe", "contrôles de pièce d'identité"),
    ("INSERT INTO document_check (identity_id, document_type, outcome, at) VALUES "
     "({paul}, 'PA', 'ok', 'x')", (), "paul", "contrôles de pièce d'identité"),
]


@pytest.mark.parametrize(("statement", "drop", "who", "what"), EDITS,
                         ids=[f"{e[2]}-{e[3]}-{e[0].split()[0]}" for e in EDITS])
def test_a_direct_edit_of_an_audited_table_is_named(db: Path, practice: dict[str, int],
                                                    statement: str, drop: tuple[str, ...],
                                                    who: str, what: str) -> None:
    tamper(db, statement.format(**practice), drop=drop)
    report = verify(db)
    assert not report.ok
    assert [a.identity_id for a in report.altered] == [practice[who]]
    assert what in report.altered[0].changed
    text = report.message
    assert "Données ALTÉRÉES hors de l'application : 1 dossier(s)" in text
    assert what in text and "hors de l'application" in text
    # Named as the application shows it, never by its matricule.
    conn = sqlite3.connect(db)
    ipp, name = conn.execute("SELECT ipp, birth_name FROM identity WHERE id = ?",
                             (practice[who],)).fetchone()
    conn.close()
    assert f"IPP {ipp} ({name} " in text
    assert "275126322074974" not in text and "180032B02040123" not in text


def test_an_identity_added_or_removed_behind_the_application_is_named(
        db: Path, practice: dict[str, int]) -> None:
    tamper(db, "INSERT INTO identity (ipp, birth_name, first_name, first_names, birth_date, sex,"
               " created_at, updated_at, k_birth_name, k_first_name, p_birth_name, p_first_name)"
               " VALUES ('999', 'FANTOME', 'ANNE', 'ANNE', '1970-01-01', 'F', 'x', 'x', 'FANTOME',"
               " 'ANNE', 'F', 'A')",
           f"DELETE FROM identity WHERE id = {practice['paul']}", drop=("identity_no_delete",))
    report = verify(db)
    messages = [a.message for a in report.altered]
    assert any("IPP 999 (FANTOME ANNE" in m and "sans événement du journal" in m
               for m in messages)
    assert any(f"dossier n°{practice['paul']} : supprimé" in m for m in messages)


def test_a_forged_digest_row_breaks_the_chain(db: Path, practice: dict[str, int]) -> None:
    """Someone who edits a row and recomputes its digest in identity_state: the event's state
    (in the hashed chain) no longer matches."""
    tamper(db, f"UPDATE identity SET birth_name = 'ADRUM' WHERE id = {practice['zoe']}",
           drop=("identity_version_bump",))
    from insterm.store import identity_state  # (the tests run against older code too)

    conn = sqlite3.connect(db, isolation_level=None)
    current = identity_state.digests_of(conn, [practice["zoe"]])[practice["zoe"]]
    conn.execute("DROP TRIGGER identity_state_no_update")
    conn.execute("UPDATE identity_state SET digest = ? WHERE identity_id = ? AND audit_id = "
                 "(SELECT max(audit_id) FROM identity_state WHERE identity_id = ?)",
                 (current, practice["zoe"], practice["zoe"]))
    conn.close()
    report = verify(db)
    assert not report.ok and "empreintes d'état" in report.message
    assert "ALTÉRÉ à partir de la ligne" in report.message


def test_a_cut_tail_with_its_digests_names_the_identity_it_changed(
        db: Path, practice: dict[str, int]) -> None:
    """The last events and their digest rows deleted: what they changed no longer matches the
    event before them."""
    conn = sqlite3.connect(db)
    last = conn.execute("SELECT max(id) FROM audit WHERE action = 'insi_result_applied'"
                        ).fetchone()[0]
    conn.close()
    tamper(db, f"DELETE FROM identity_state WHERE audit_id >= {last}",
           f"DELETE FROM audit WHERE id >= {last}",
           drop=("audit_no_delete", "identity_state_no_delete"))
    report = verify(db)
    assert not report.ok
    zoe = [a for a in report.altered if a.identity_id == practice["zoe"]]
    assert zoe and {"statut", "INS (matricule et OID)", "historique des INS"} <= set(
        zoe[0].changed)


def test_an_old_database_is_migrated_and_its_identities_reported_not_covered(
        tmp_path: Path) -> None:
    """A base of schema 4 with identities: after migration 7 they are "not covered" (no
    baseline is certified) until their next change; a record added behind the application
    later is not."""
    from insterm.store import bulk

    db = tmp_path / "old.db"
    conn = sqlite3.connect(db, isolation_level=None)
    migrate(conn, 4)
    conn.execute("INSERT INTO operator (login, display_name, role, created_at) "
                 "VALUES ('admin', 'Alice', 'admin', 'now')")
    bulk.insert_identities(conn, [dict(birth_name="ADRUN", first_name="ZOE", sex="F",
                                       birth_date="1975-12-31")] * 3, actor="admin")
    tail = audit.verify(conn).tail
    assert migrate(conn) == list(range(5, CURRENT_VERSION + 1))
    report = audit.verify(conn, expected=tail)
    assert report.ok and report.uncovered == 3
    assert "3 dossier(s) antérieur(s) au suivi de leur état, non couvert(s)" in report.message
    started = audit.events_page(conn, action=audit.STATE_TRACKING_STARTED).events[0]
    assert started.describe() == ("Suivi de l'état des dossiers commencé (mise à jour "
                                  "d'insterm) : 3 dossier(s) antérieur(s), couvert(s) à leur "
                                  "prochaine modification")
    conn.close()
    with Clinic.open(db) as clinic:
        first = clinic.get(1)
        clinic.set_attribute("admin", 1, first.version, "HOMA")
        assert clinic.verify_audit().uncovered == 2
    tamper(db, "UPDATE identity SET homa = 0 WHERE id = 1", drop=("identity_version_bump",))
    assert [a.identity_id for a in verify(db).altered] == [1]


def test_bulk_import_records_every_identity(tmp_path: Path) -> None:
    from insterm.store import bulk

    db = tmp_path / "bulk.db"
    rows = [dict(birth_name="NOM", first_name=f"P{chr(65 + i)}", sex="M",
                 birth_date="1980-01-01") for i in range(7)]
    bulk.insert_identities(db, rows)
    assert verify(db).identities == 7 and verify(db).ok
    tamper(db, "UPDATE identity SET first_name = 'X' WHERE id = 4",
           drop=("identity_version_bump",))
    report = verify(db)
    assert [(a.identity_id, a.changed) for a in report.altered] == [(4, ("premier prénom",))]


def test_a_recomputed_chain_passes_alone_but_not_against_a_noted_head(
        db: Path, practice: dict[str, int]) -> None:
    noted = verify(db).tail
    tamper(db, f"UPDATE identity SET birth_name = 'ADRUM' WHERE id = {practice['zoe']}",
           drop=("identity_version_bump",))
    recompute_chain(db)
    assert verify(db).ok  # consistent again: only a head noted outside can tell
    conn = sqlite3.connect(db)
    report = audit.verify(conn, expected=noted)
    conn.close()
    assert not report.ok and "recalculé" in report.message
