"""An INSi call in three phases (`Clinic.plan_insi_search` -> `plan.exchange()` ->
`Clinic.record_insi_exchange`), per-attempt progress, the accept preview, and the keyring's
French refusals. Real parts: the simulator over mutual TLS on 127.0.0.1, a real encrypted file
keyring, real SQLite files."""

from __future__ import annotations

import dataclasses
import json
import secrets as stdlib_secrets
from datetime import date, datetime
from pathlib import Path

import pytest
from duplicate_override import create_anyway

from insterm import secrets
from insterm.clinic import Clinic, DocumentCheck
from insterm.domain.identity import StrictTraits
from insterm.insi.simulator import Simulator
from insterm.usecases import insi_keyring

MASTER = "maître-" + stdlib_secrets.token_urlsafe(8)
ADRTROIS_INS = "297022A02077878"


@pytest.fixture(autouse=True)
def isolated(insi_isolated: None) -> None:
    """This test's own settings, data, keyring and simulator folders (tests/conftest.py)."""


@pytest.fixture
def keyring_open(tmp_path: Path, authority):
    backend = secrets.open_cryptfile(MASTER, xdg_data_home=tmp_path / "xdg")
    secrets.use_backend(backend)
    secrets.set_secret(insi_keyring.SIMULATOR_PASSPHRASE, authority[1])
    return backend


@pytest.fixture
def simulator(authority):
    with Simulator(authority[0]) as running:
        yield running


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "cabinet.sqlite3"


@pytest.fixture
def clinic(db_path: Path, simulator, keyring_open):
    with Clinic.open(db_path, create=True) as opened:
        opened.bootstrap_admin("admin", "Alice Admin", os_login="admin")
        opened.add_operator("admin", "sophie", "Sophie Secrétaire")
        opened.configure_insi(simulator=simulator)
        yield opened
        opened.insi_runtime.close()


def person(clinic: Clinic, first_names: str, *, checked: bool = False) -> int:
    traits = StrictTraits.build(birth_name="ADRTROIS", first_name=first_names.split()[0],
                                first_names=first_names, birth_date=date(1997, 2, 26), sex="F",
                                birth_place="2A020")
    record = create_anyway(clinic, "sophie", traits).record  # twins, on purpose
    if checked:
        check = DocumentCheck(codes=["PA"], traits_match=True,
                              expires_on={"PA": date(date.today().year + 3, 1, 1)})
        record = clinic.check_document("sophie", record.id, record.version, check).record
    return record.id


def logged(clinic: Clinic, identity_id: int) -> list[tuple[str, str | None]]:
    rows = clinic.conn.execute("SELECT traits_sent, cr_code FROM insi_call WHERE identity_id = ?"
                               " ORDER BY id", (identity_id,))
    return [(json.loads(traits)["first_names"], code) for traits, code in rows]


def actions(clinic: Clinic, identity_id: int) -> list[str]:
    return [e.action for e in clinic.history(identity_id)]


# --------------------------------------------------------------------------------------------
# The phases


def test_the_exchange_uses_no_database_connection(clinic: Clinic, db_path: Path,
                                                   simulator: Simulator) -> None:
    identity = person(clinic, "DOMINIQUE")
    plan = clinic.plan_insi_search("sophie", identity)
    assert plan.refusal is None and plan.record.id == identity and simulator.handled == []
    with pytest.raises(dataclasses.FrozenInstanceError):
        plan.actor = "admin"  # type: ignore[misc]  # frozen: what this checks
    clinic.conn.close()  # any use of the facade's connection by the exchange would now fail

    exchange = plan.exchange()

    assert exchange.search.code == "00" and len(simulator.handled) == 1
    with Clinic.open(db_path) as other:  # a second connection to the same file records it
        report = other.record_insi_exchange(exchange)
        assert report.code == "00" and report.result.active.value == ADRTROIS_INS
        assert logged(other, identity) == [("DOMINIQUE", "00")]
        assert actions(other, identity)[-1] == "insi_called"
        assert other.verify_audit().ok
    clinic.conn = Clinic.open(db_path).conn  # the fixture closes it


def test_the_database_is_free_between_the_phases(clinic: Clinic) -> None:
    identity = person(clinic, "DOMINIQUE")
    plan = clinic.plan_insi_search("sophie", identity)
    assert not clinic.conn.in_transaction
    exchange = plan.exchange()
    # Another write on the same connection while the result waits to be recorded.
    other = person(clinic, "CAMILLE")
    clinic.set_attribute("sophie", other, clinic.get(other).version, "DOUT")
    report = clinic.record_insi_exchange(exchange)
    assert report.identity_version == plan.record.version
    assert logged(clinic, identity) == [("DOMINIQUE", "00")]
    assert logged(clinic, other) == []


def test_search_insi_holds_no_transaction_while_it_waits_and_reports_each_attempt(
        clinic: Clinic, simulator: Simulator) -> None:
    identity = person(clinic, "PAUL DOMINIQUE")
    seen: list[tuple[int, int, str, bool]] = []

    def progress(number: int, total: int, sent: str) -> None:
        seen.append((number, total, sent, clinic.conn.in_transaction))
        # The facade's connection is usable from inside the exchange (nothing held open).
        assert clinic.find("ADRTROIS").items

    report = clinic.search_insi("sophie", identity, progress=progress)

    assert seen == [(1, 3, "PAUL", False), (2, 3, "DOMINIQUE", False)]
    assert [a.sent_first_names for a in report.attempts] == ["PAUL", "DOMINIQUE"]
    assert report.code == "00" and len(simulator.handled) == 2
    assert logged(clinic, identity) == [("PAUL", "01"), ("DOMINIQUE", "00")]


def test_verification_in_phases(clinic: Clinic) -> None:
    identity = person(clinic, "DOMINIQUE")
    plan = clinic.plan_insi_verification("sophie", identity, matricule=ADRTROIS_INS)
    assert plan.operation == "verify" and plan.supplied[0] == ADRTROIS_INS
    report = clinic.record_insi_exchange(plan.exchange())
    assert report.verification.verdict == "confirmed"
    assert actions(clinic, identity)[-1] == "insi_verification"


def test_a_refusal_is_decided_in_the_plan_and_nothing_is_sent(clinic: Clinic,
                                                              simulator: Simulator) -> None:
    identity = person(clinic, "DOMINIQUE")
    clinic.set_attribute("sophie", identity, clinic.get(identity).version, "DOUT")
    plan = clinic.plan_insi_search("sophie", identity)
    assert plan.refusal is not None
    exchange = plan.exchange(lambda *attempt: pytest.fail("no attempt when refused"))
    assert exchange.search.attempts == ()
    report = clinic.record_insi_exchange(exchange)
    assert not report.sent and simulator.handled == [] and logged(clinic, identity) == []
    assert actions(clinic, identity)[-1] == "insi_not_sent"


def test_a_locked_keyring_is_found_by_the_exchange_and_recorded_as_not_sent(
        clinic: Clinic, simulator: Simulator) -> None:
    identity = person(clinic, "DOMINIQUE")
    plan = clinic.plan_insi_search("sophie", identity)
    assert plan.refusal is None  # the database side is ready
    clinic.insi_runtime.close()  # forget the remembered passphrase
    secrets.reset_backend()  # the keyring is locked

    exchange = plan.exchange()

    assert exchange.needs_master_password and exchange.search.attempts == ()
    report = clinic.record_insi_exchange(exchange)
    assert report.needs_master_password and not report.sent and simulator.handled == []
    assert actions(clinic, identity)[-1] == "insi_not_sent"


def test_unknown_operator_is_refused_by_the_plan(clinic: Clinic) -> None:
    from insterm.usecases.errors import PermissionRefused

    identity = person(clinic, "DOMINIQUE")
    with pytest.raises(PermissionRefused):
        clinic.plan_insi_search("nobody", identity)


# --------------------------------------------------------------------------------------------
# The accept preview: computed once, what apply_insi_outcome then does


@pytest.mark.parametrize("checked, status", [(False, "RECUP"), (True, "QUAL")])
def test_accept_preview_says_what_accepting_does(clinic: Clinic, checked: bool,
                                                 status: str) -> None:
    from insterm.domain.status import InsiRetrieved

    identity = person(clinic, "DOMINIQUE", checked=checked)
    report = clinic.search_insi("sophie", identity)
    preview = report.accept_preview
    assert preview.allowed and isinstance(preview.event, InsiRetrieved)
    assert preview.status == status and preview.sentence.endswith(".")
    applied = clinic.apply_insi_outcome("sophie", identity, report.identity_version, report,
                                        accepted=True)
    assert applied.saved.record.status == preview.status


def test_accept_preview_of_another_ins_is_a_replacement(clinic: Clinic) -> None:
    from insterm.domain.status import InsiRetrieved, InsReplaced
    from insterm.insi.results import OID_NIA
    from insterm.usecases.insi_calls import accept_event, preview_accept

    identity = person(clinic, "DOMINIQUE")
    report = clinic.search_insi("sophie", identity)
    active = report.result.active
    record = clinic.get(identity)
    assert accept_event(record, active) == report.accept_preview.event == InsiRetrieved()
    # The same record, RECUP with another INS (a NIA): accepting replaces it.
    holding = dataclasses.replace(record, status="RECUP", matricule="275126322074974",
                                  oid=OID_NIA)
    preview = preview_accept(holding, report.result)
    assert preview.event == InsReplaced(nia_to_nir=active.oid != OID_NIA)
    assert preview.allowed and "INS" in preview.sentence


def test_accept_preview_refused_for_a_record_made_doubtful_during_the_call(
        clinic: Clinic) -> None:
    identity = person(clinic, "DOMINIQUE")
    plan = clinic.plan_insi_search("sophie", identity)
    exchange = plan.exchange()
    clinic.set_attribute("sophie", identity, clinic.get(identity).version, "DOUT")
    report = clinic.record_insi_exchange(exchange)
    preview = report.accept_preview
    assert report.found and not preview.allowed and preview.status is None
    assert preview.sentence == preview.refused.message and "douteu" in preview.sentence.lower()


def test_no_preview_without_a_00(clinic: Clinic) -> None:
    identity = person(clinic, "CAMILLE")
    report = clinic.search_insi("sophie", identity)
    assert report.code == "01" and report.accept_preview is None


# --------------------------------------------------------------------------------------------
# The strategy's progress hook (pure logic) and the keyring's French refusals


def test_strategy_progress_is_called_before_each_attempt_in_order() -> None:
    from insterm.insi.request import TraitsQuery
    from insterm.insi.results import Attempt, InsiResult
    from insterm.insi.strategy import run_traits_strategy

    query = TraitsQuery("MARTIN", ("JEAN", "PIERRE"), "M", date(1980, 2, 1), None)
    events: list[tuple] = []

    def send(prenom: str) -> Attempt:
        events.append(("send", prenom))
        result = InsiResult("01", "KO", None, (), None)
        return Attempt("op", f"id-{prenom}", datetime(2025, 1, 1), 0.0, b"", b"", 200,
                       result=result, sent_first_names=prenom)

    outcome = run_traits_strategy(query, send,
                                  progress=lambda *args: events.append(("progress", *args)))
    assert outcome.code == "01"
    assert events == [("progress", 1, 3, "JEAN"), ("send", "JEAN"),
                      ("progress", 2, 3, "PIERRE"), ("send", "PIERRE"),
                      ("progress", 3, 3, "JEAN PIERRE"), ("send", "JEAN PIERRE")]


def test_keyring_errors_are_french_refusals_for_the_app(tmp_path: Path) -> None:
    from insterm.tui.errors import french_message, is_expected

    with pytest.raises(secrets.MasterPasswordNeeded) as needed:
        secrets.open_cryptfile(None, xdg_data_home=tmp_path / "keys")
    secrets.open_cryptfile(MASTER, xdg_data_home=tmp_path / "keys").set_password(
        secrets.SERVICE, "probe", "value")
    with pytest.raises(secrets.WrongMasterPassword) as wrong:
        secrets.open_cryptfile(MASTER + "x", xdg_data_home=tmp_path / "keys")
    for error in (needed.value, wrong.value, secrets.SecretsError("Trousseau fermé.")):
        assert isinstance(error.message, str) and error.message == str(error)
        assert is_expected(error) and french_message(error) == error.message
    assert "mot de passe maître" in needed.value.message
    assert "incorrect" in wrong.value.message
