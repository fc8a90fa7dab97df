"""INSi wired into the application, with real parts: the simulator over mutual TLS on 127.0.0.1,
a real CryptFileKeyring in a temporary folder, a real SQLite file, through `Clinic` only.

Each test asserts on the database (identity, insi_call, ins_history, audit) and on what the
simulator received (`.handled`), not only on the returned report."""

from __future__ import annotations

import argparse
import io
import json
import secrets as stdlib_secrets
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from duplicate_override import create_anyway

from insterm import secrets
from insterm.clinic import Clinic, DocumentCheck
from insterm.domain.identity import StrictTraits
from insterm.insi.simulator import Simulator, TestAuthority
from insterm.store.errors import MatriculeCollision
from insterm.usecases import insi_keyring

ADRTROIS_INS = "297022A02077878"
MASTER = "maître-" + stdlib_secrets.token_urlsafe(8)


@pytest.fixture(autouse=True)
def isolated(insi_isolated: None) -> None:
    """This test's own settings, data, keyring and simulator folders (tests/conftest.py)."""


@pytest.fixture
def keyring_open(tmp_path: Path, authority):
    """A real encrypted file keyring holding the simulator certificate's passphrase."""
    backend = secrets.open_cryptfile(MASTER, xdg_data_home=tmp_path / "xdg")
    secrets.use_backend(backend)
    secrets.set_secret(insi_keyring.SIMULATOR_PASSPHRASE, authority[1])
    return backend


@pytest.fixture
def simulator(authority):
    with Simulator(authority[0]) as running:
        yield running


@pytest.fixture
def clinic(tmp_path: Path, simulator, keyring_open):
    with Clinic.open(tmp_path / "cabinet.sqlite3", create=True) as opened:
        opened.bootstrap_admin("admin", "Alice Admin", os_login="admin")
        opened.add_operator("admin", "sophie", "Sophie Secrétaire")
        opened.configure_insi(simulator=simulator)
        yield opened
        opened.insi_runtime.close()


def person(clinic: Clinic, birth_name: str, first_names: str, sex: str, born: str,
           place: str | None = None) -> int:
    traits = StrictTraits.build(birth_name=birth_name, first_name=first_names.split()[0],
                                first_names=first_names, birth_date=date.fromisoformat(born),
                                sex=sex, birth_place=place)
    return create_anyway(clinic, "sophie", traits).record.id  # twins, on purpose


def calls(clinic: Clinic, identity_id: int | None = None) -> list[dict]:
    cursor = clinic.conn.execute(
        "SELECT message_id, operation, identity_id, traits_sent, cr_code, fault, duration_ms,"
        " request_xml, response_xml, environment, operator_id, at FROM insi_call"
        + (" WHERE identity_id = ?" if identity_id is not None else "") + " ORDER BY id",
        (identity_id,) if identity_id is not None else ())
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor]


def actions(clinic: Clinic, identity_id: int) -> list[str]:
    return [e.action for e in clinic.history(identity_id)]


def audit_details(clinic: Clinic, action: str) -> list[dict]:
    return [json.loads(d) for (d,) in clinic.conn.execute(
        "SELECT details FROM audit WHERE action = ? ORDER BY id", (action,))]


def sophie_id(clinic: Clinic) -> int:
    return next(o.id for o in clinic.operators() if o.login == "sophie")


# --------------------------------------------------------------------------------------------
# 00 accepted / refused


def test_qualification_00_accepted_gives_recup_with_ins_history_calls_and_audit(
        clinic: Clinic, simulator: Simulator) -> None:
    identity = person(clinic, "ADRTROIS", "DOMINIQUE", "F", "1997-02-26")
    assert clinic.insi_readiness(identity).ready

    report = clinic.search_insi("sophie", identity)

    assert report.code == "00" and report.can_accept and report.collision is None
    assert report.result.active.value == ADRTROIS_INS
    by_field = {c.field: c for c in report.comparison}
    assert by_field["birth_name"].identical and by_field["first_names"].identical
    assert by_field["birth_date"].equal and by_field["sex"].equal
    assert not by_field["birth_place"].equal  # local: none; INSi: 2A020
    assert [c.field for c in report.differences] == ["birth_place"]
    # Logged once, at call time, with what went over the wire.
    logged = calls(clinic, identity)
    assert len(logged) == 1 == len(simulator.handled) == len(report.call_ids)
    row = logged[0]
    assert row["cr_code"] == "00" and row["fault"] is None and row["environment"] == "simulator"
    assert row["operator_id"] == sophie_id(clinic) and row["operation"] == \
        "rechercherInsAvecTraitsIdentite"
    assert row["message_id"] in simulator.handled[0].request_xml.decode()
    assert "ADRTROIS" in row["request_xml"] and ADRTROIS_INS[:13] in row["response_xml"]
    assert json.loads(row["traits_sent"])["first_names"] == "DOMINIQUE"

    applied = clinic.apply_insi_outcome("sophie", identity, report.identity_version, report,
                                        accepted=True)

    record = clinic.get(identity)
    assert applied.applied and record.status == "RECUP" and record.matricule == ADRTROIS_INS
    assert record.birth_place == "2A020"  # the INSi traits replace the local ones
    assert len(calls(clinic, identity)) == 1  # not logged a second time
    history = clinic.ins_history(identity)
    assert [h.matricule for h in history if h.active] == [ADRTROIS_INS]
    assert actions(clinic, identity)[-3:] == ["insi_called", "insi_decision",
                                              "insi_result_applied"]
    assert audit_details(clinic, "insi_decision")[-1]["accepted"] is True
    assert clinic.verify_audit().ok


def test_qualification_after_a_document_check_gives_qual(clinic: Clinic) -> None:
    identity = person(clinic, "ADRTROIS", "DOMINIQUE", "F", "1997-02-26", "2A020")
    check = DocumentCheck(codes=["PA"], traits_match=True,
                          expires_on={"PA": date.today() + timedelta(days=900)})
    checked = clinic.check_document("sophie", identity, clinic.get(identity).version, check)
    assert checked.record.status == "VALI"
    report = clinic.search_insi("sophie", identity)
    assert report.code == "00" and not report.differences
    clinic.apply_insi_outcome("sophie", identity, report.identity_version, report,
                              accepted=True)
    record = clinic.get(identity)
    assert record.status == "QUAL" and record.shown_matricule == ADRTROIS_INS


def test_refused_00_changes_nothing_but_the_call_stays_logged(clinic: Clinic) -> None:
    identity = person(clinic, "ADRTROIS", "DOMINIQUE", "F", "1997-02-26")
    before = clinic.get(identity)
    report = clinic.search_insi("sophie", identity)
    applied = clinic.apply_insi_outcome("sophie", identity, report.identity_version, report,
                                        accepted=False)
    after = clinic.get(identity)
    assert not applied.applied and after == before
    assert after.status == "PROV" and after.matricule is None
    assert clinic.ins_history(identity) == []
    assert len(calls(clinic, identity)) == 1
    assert audit_details(clinic, "insi_decision")[-1]["accepted"] is False


# --------------------------------------------------------------------------------------------
# 01, 02, faults, transport


def test_01_is_logged_with_guidance_on_first_names(clinic: Clinic) -> None:
    identity = person(clinic, "HOUILLES", "PIERRE PAUL JACQUES", "M", "1993-01-27")
    report = clinic.search_insi("sophie", identity)
    assert report.code == "01" and not report.can_accept and report.comparison == ()
    assert "prénoms" in report.guidance_fr
    sent = [json.loads(c["traits_sent"])["first_names"] for c in calls(clinic, identity)]
    assert sent == ["PIERRE", "PAUL", "JACQUES", "PIERRE PAUL JACQUES"]
    assert {c["cr_code"] for c in calls(clinic, identity)} == {"01"}
    assert clinic.get(identity).status == "PROV"


def test_02_then_the_birth_place_added_gives_00(clinic: Clinic,
                                               simulator: Simulator) -> None:
    identity = person(clinic, "DE VINCI", "LEONARDO", "M", "2014-02-01")
    report = clinic.search_insi("sophie", identity)
    assert report.code == "02" and "lieu de naissance" in report.guidance_fr
    again = clinic.search_insi("sophie", identity, birth_place="63220")
    assert again.code == "00"
    assert json.loads(calls(clinic, identity)[-1]["traits_sent"])["birth_place"] == "63220"
    assert b"63220" in simulator.handled[-1].request_xml
    assert len(calls(clinic, identity)) == 2


def test_other_first_names_are_sent_when_the_operator_gives_them(clinic: Clinic) -> None:
    identity = person(clinic, "TCHITCHI", "OLA", "F", "1936-06-21")
    assert clinic.search_insi("sophie", identity).code == "01"
    report = clinic.search_insi("sophie", identity, first_names="CATARINA")
    assert report.code == "00"
    assert json.loads(calls(clinic, identity)[-1]["traits_sent"])["first_names"] == "CATARINA"
    # Comparison against the LOCAL traits: the first names differ.
    assert "first_names" in [c.field for c in report.differences]


def test_a_fault_is_logged_with_the_service_french_text(clinic: Clinic) -> None:
    identity = person(clinic, "D'AEION", "COEUR", "M", "1987-01-25")
    before = clinic.get(identity)
    report = clinic.search_insi("sophie", identity)
    assert type(report.error).__name__ == "InsiFault" and report.sent
    assert "siram_40/insi_102" in report.message_fr and "réessayez" in report.message_fr.lower()
    assert "enregistré" in report.guidance_fr
    [row] = calls(clinic, identity)
    assert row["fault"] == "fault.siram_40.insi_102" and row["cr_code"] is None
    assert "Fault" in row["response_xml"]
    applied = clinic.apply_insi_outcome("sophie", identity, report.identity_version, report,
                                        accepted=True)
    assert not applied.applied and clinic.get(identity) == before
    assert len(calls(clinic, identity)) == 1


def test_service_unreachable_is_logged_and_the_record_kept(clinic: Clinic,
                                                          simulator: Simulator) -> None:
    identity = person(clinic, "ADRTROIS", "DOMINIQUE", "F", "1997-02-26")
    simulator.switches.http_503 = True
    report = clinic.search_insi("sophie", identity)
    assert type(report.error).__name__ == "InsiTransportError"
    assert "plus tard" in report.guidance_fr
    [row] = calls(clinic, identity)
    assert row["fault"] == "transport.http_status"
    assert clinic.get(identity).status == "PROV"
    # The rest of the application keeps working.
    assert clinic.find("ADRTROIS").items


# --------------------------------------------------------------------------------------------
# Collision, refusals before sending, keyring


def test_collision_blocks_and_names_the_other_record(clinic: Clinic) -> None:
    first = person(clinic, "ADRTROIS", "DOMINIQUE", "F", "1997-02-26")
    report = clinic.search_insi("sophie", first)
    clinic.apply_insi_outcome("sophie", first, report.identity_version, report, accepted=True)
    holder = clinic.get(first)

    second = person(clinic, "ADRTROIS", "DOMINIQUE", "F", "1997-02-26")
    report = clinic.search_insi("sophie", second)
    assert report.code == "00" and not report.can_accept
    assert report.collision.identity_id == first and report.collision.ipp == holder.ipp
    assert holder.ipp in report.guidance_fr and "ADRTROIS DOMINIQUE" in report.guidance_fr
    assert audit_details(clinic, "insi_called")[-1]["collision"]["ipp"] == holder.ipp
    with pytest.raises(MatriculeCollision) as caught:
        clinic.apply_insi_outcome("sophie", second, report.identity_version, report,
                                  accepted=True)
    assert holder.ipp in str(caught.value)
    assert clinic.get(second).matricule is None and clinic.get(second).status == "PROV"
    assert "insi_collision" in actions(clinic, second)


def test_doubtful_identity_sends_nothing(clinic: Clinic, simulator: Simulator) -> None:
    identity = person(clinic, "ADRTROIS", "DOMINIQUE", "F", "1997-02-26")
    clinic.set_attribute("sophie", identity, clinic.get(identity).version, "DOUT")
    readiness = clinic.insi_readiness(identity)
    assert not readiness.ready and "identity_attribute" in [i.code for i in readiness.blocking]

    report = clinic.search_insi("sophie", identity)

    assert simulator.handled == [] and not report.sent
    assert report.error.code == "refused.identity_state" and "douteuse" in str(report.error)
    assert calls(clinic, identity) == []
    assert audit_details(clinic, "insi_not_sent")[-1]["reason"] == "refused.identity_state"


def test_characters_outside_the_insi_profile_send_nothing(clinic: Clinic,
                                                         simulator: Simulator) -> None:
    identity = person(clinic, "ADRTROIS", "DOMINIQUE", "F", "1997-02-26")
    report = clinic.search_insi("sophie", identity, first_names="C\u0152UR")
    assert report.error is not None and not report.sent and simulator.handled == []


def test_locked_keyring_asks_the_master_password_and_sends_nothing(
        clinic: Clinic, simulator: Simulator) -> None:
    identity = person(clinic, "ADRTROIS", "DOMINIQUE", "F", "1997-02-26")
    secrets.reset_backend()  # locked: the encrypted keyring file exists
    assert clinic.keyring_status().needs_master_password
    readiness = clinic.insi_readiness(identity)
    assert readiness.needs_master_password and "keyring_locked" in \
        [i.code for i in readiness.blocking]

    report = clinic.search_insi("sophie", identity)

    assert report.needs_master_password and simulator.handled == [] and not report.sent
    assert "mot de passe maître" in str(report.error)
    with pytest.raises(secrets.WrongMasterPassword):
        clinic.open_keyring("pas-le-bon")
    assert clinic.open_keyring(MASTER).open
    assert clinic.search_insi("sophie", identity).code == "00"


# --------------------------------------------------------------------------------------------
# Verification of a received INS


def test_verification_of_a_received_ins(clinic: Clinic) -> None:
    identity = person(clinic, "ADRTROIS", "DOMINIQUE", "F", "1997-02-26", "2A020")
    confirmed = clinic.verify_insi("sophie", identity, matricule=ADRTROIS_INS)
    assert confirmed.verification.verdict == "confirmed" and confirmed.can_accept
    assert "INS confirmé" in confirmed.message_fr
    from insterm.domain.nir import compute_key

    another = "2970263220999" + compute_key("2970263220999")
    other = clinic.verify_insi("sophie", identity, matricule=another)
    assert other.verification.verdict == "ins_different" and "non confirmé" in other.message_fr
    assert len(calls(clinic, identity)) == 2
    # A received INS whose key is wrong is refused before sending.
    wrong_key = clinic.verify_insi("sophie", identity, matricule=ADRTROIS_INS[:13] + "11")
    assert not wrong_key.sent and "invalide" in wrong_key.message_fr
    assert len(calls(clinic, identity)) == 2
    assert [d["verdict"] for d in audit_details(clinic, "insi_verification")] == \
        ["confirmed", "ins_different"]
    clinic.apply_insi_outcome("sophie", identity, confirmed.identity_version, confirmed,
                              accepted=True)
    assert clinic.get(identity).matricule == ADRTROIS_INS
    # The record's own INS when none is given.
    assert clinic.verify_insi("sophie", identity).verification.verdict == "confirmed"


def test_a_report_cannot_be_applied_to_another_record(clinic: Clinic) -> None:
    from insterm.usecases.errors import ActionRefused

    first = person(clinic, "ADRTROIS", "DOMINIQUE", "F", "1997-02-26")
    other = person(clinic, "ADRUN", "ZOE", "F", "1975-12-31")
    report = clinic.search_insi("sophie", first)
    with pytest.raises(ActionRefused):
        clinic.apply_insi_outcome("sophie", other, clinic.get(other).version, report,
                                  accepted=True)
    assert clinic.get(other).matricule is None


# --------------------------------------------------------------------------------------------
# The demo database's people, the command line


def test_the_simulator_answers_for_the_databases_people(tmp_path: Path, authority,
                                                        keyring_open) -> None:
    from insterm.commands.sim_people import StorePeople
    from insterm.demo.synthetic import generate_identities, store_row
    from insterm.store.bulk import insert_identities

    path = tmp_path / "demo.sqlite3"
    rows = [r for r in generate_identities(400, seed=7)]
    with Clinic.open(path, create=True) as demo:
        demo.bootstrap_admin("admin", "Alice Admin", os_login="admin")
    insert_identities(path, [store_row(r) for r in rows])
    holder = next(r for r in rows if r["status"] in ("QUAL", "RECUP") and not r["attributes"]
                  and r.get("duplicate_of") is None and r.get("homonym_of") is None)

    people = StorePeople(path)
    from insterm.insi.simulator import Query

    found = people(Query(holder["birth_name"], (holder["first_name"],), holder["sex"],
                         holder["birth_date"]))
    assert holder["matricule"] in [p["matricule"] for p in found]
    assert all(p["matricule"] for p in found)

    with Simulator(authority[0], people=people) as simulator, Clinic.open(path) as demo:
        demo.configure_insi(simulator=simulator)
        identity = create_anyway(demo, "admin", StrictTraits.build(  # the same person
            birth_name=holder["birth_name"], first_name=holder["first_name"],
            first_names=holder["first_names"], birth_date=holder["birth_date"],
            sex=holder["sex"], birth_place=holder["birth_place"])).record.id
        report = demo.search_insi("admin", identity)
        assert report.code == "00" and report.result.active.value == holder["matricule"]
        assert not report.differences
        # ...and it is the demo record itself: a collision names it.
        assert report.collision is not None
        assert demo.get(report.collision.identity_id).matricule == holder["matricule"]
        assert holder["birth_name"] in report.collision.label
        demo.insi_runtime.close()


def test_the_demo_simulator_answers_for_every_demo_patient(tmp_path: Path, authority,
                                                         keyring_open) -> None:
    """In the demonstration (`everyone=True`) a VALI patient without an INS is answered 00 with
    a stable synthetic INS that agrees with its traits (the domain's consistency checks), under
    the demonstration OID; a DOUT one is not; the default provider answers neither."""
    from insterm.commands.sim_people import OID_DEMO, StorePeople, demo_matricule
    from insterm.domain.nir import check_consistency, parse_nir
    from insterm.insi.simulator import Query

    passport = DocumentCheck(codes=["PA"], traits_match=True,
                             expires_on={"PA": date.today() + timedelta(days=365)})

    path = tmp_path / "demo.sqlite3"
    with Clinic.open(path, create=True) as demo:
        demo.bootstrap_admin("admin", "Alice Admin", os_login="admin")
        made = create_anyway(demo, "admin", StrictTraits.build(
            birth_name="HERRBACH", first_name="MARIE", first_names="MARIE",
            birth_date=date(1989, 8, 24), sex="F", birth_place="99352")).record
        record = demo.check_document("admin", made.id, made.version, passport).record
        doubtful = create_anyway(demo, "admin", StrictTraits.build(
            birth_name="HERRBACH", first_name="LUCIE", first_names="LUCIE",
            birth_date=date(1989, 8, 24), sex="F", birth_place="99352")).record
        demo.set_attribute("admin", doubtful.id, doubtful.version, "DOUT")
    query = Query("HERRBACH", ("MARIE",), "F", "1989-08-24")
    assert StorePeople(path)(query) == []
    found = StorePeople(path, everyone=True)(query)
    assert [(p["first_names"], p["oid"]) for p in found] == [("MARIE", OID_DEMO)]
    matricule = found[0]["matricule"]
    assert matricule == demo_matricule(record) and matricule.startswith("2890899352")
    assert record.status == "VALI" and not check_consistency(
        parse_nir(matricule), sex="F", birth_date=date(1989, 8, 24), birth_place="99352")
    with Simulator(authority[0], people=StorePeople(path, everyone=True)) as simulator, \
            Clinic.open(path) as demo:
        demo.configure_insi(simulator=simulator)
        report = demo.search_insi("admin", record.id)
        assert report.code == "00" and report.result.active.value == matricule
        assert not report.differences
        demo.insi_runtime.close()


def _search_args(*argv: str) -> argparse.Namespace:
    from insterm.commands import insi_search

    parser = argparse.ArgumentParser()
    insi_search.configure(parser)
    return parser.parse_args(["search", *argv])


def test_insi_sim_setup_configures_the_settings_and_insi_search_uses_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from insterm.commands import insi_search, insi_sim
    from insterm.config import load_settings

    state = tmp_path / "sim-state"
    monkeypatch.setattr(sys, "stdin", io.StringIO(MASTER + "\n"))
    parser = argparse.ArgumentParser()
    insi_sim.configure(parser)
    assert insi_sim.run(parser.parse_args(["--setup", "--state-dir", str(state),
                                           "--port", "8443"])) == 0
    settings = load_settings()
    assert settings.insi_simulator_dir == str(state.resolve())
    assert settings.insi_simulator_url == "https://127.0.0.1:8443/lps"
    passphrase = secrets.get_secret(insi_keyring.SIMULATOR_PASSPHRASE)
    out = capsys.readouterr().out
    assert passphrase not in out and passphrase not in Path(tmp_path / "settings.toml").read_text()

    db = tmp_path / "cabinet.sqlite3"
    with Clinic.open(db, create=True) as made:
        made.bootstrap_admin("admin", "Alice Admin", os_login="admin")
    with Simulator(TestAuthority(state)) as simulator:
        # This machine reaches the simulator where it really listens (port 0 = a free one).
        from insterm.config import update_settings_file

        update_settings_file({"insi": {"simulator_url": simulator.url}})
        code = insi_search.run(_search_args("--nom", "ADRTROIS", "--prenoms", "DOMINIQUE",
                                            "--sexe", "F", "--naissance", "1997-02-26",
                                            "--db", str(db)))
        out = capsys.readouterr().out
        assert code == 0, out
        assert "Simulateur" in out and ADRTROIS_INS in out
        assert len(simulator.handled) == 1


def test_insi_sim_setup_keeps_the_organisation_certificate_passphrase(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, authority) -> None:
    from insterm.commands import insi_sim

    org = authority[0].make_client_p12(path=tmp_path / "org.p12")
    with Clinic.open(tmp_path / "c.sqlite3", create=True) as made:
        made.bootstrap_admin("admin", "Alice Admin", os_login="admin")
        secrets.use_backend(secrets.open_cryptfile(MASTER, xdg_data_home=tmp_path / "xdg"))
        made.import_insi_certificate("admin", org.p12_path, org.passphrase)
    secrets.reset_backend()
    monkeypatch.setattr(sys, "stdin", io.StringIO(MASTER + "\n"))
    parser = argparse.ArgumentParser()
    insi_sim.configure(parser)
    assert insi_sim.run(parser.parse_args(["--setup", "--state-dir",
                                           str(tmp_path / "state")])) == 0
    assert secrets.get_secret(secrets.INSI_CERT_PASSPHRASE) == org.passphrase
    assert secrets.get_secret(insi_keyring.SIMULATOR_PASSPHRASE) not in (None, org.passphrase)
