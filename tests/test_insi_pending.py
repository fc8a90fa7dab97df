"""INSi calls to make again later (usecases.insi_pending), against the real simulator switched
to fail (HTTP 503, then a Sender fault) and back: postponed, retried, answered; the status never
changes by itself and a 00 still waits for the operator."""

from __future__ import annotations

import secrets as stdlib_secrets
from datetime import date
from pathlib import Path

import pytest

from insterm import secrets
from insterm.clinic import Clinic, DocumentCheck
from insterm.domain.identity import StrictTraits
from insterm.insi.simulator import Simulator
from insterm.usecases import insi_keyring
from insterm.usecases.errors import ActionRefused

MASTER = "maître-" + stdlib_secrets.token_urlsafe(8)


@pytest.fixture(autouse=True)
def isolated(insi_isolated: None) -> None:
    """This test's own settings, data, keyring and simulator folders (tests/conftest.py)."""


@pytest.fixture
def simulator(authority):  # type: ignore[no-untyped-def]
    with Simulator(authority[0]) as running:
        yield running


@pytest.fixture
def clinic(tmp_path: Path, simulator, authority):  # type: ignore[no-untyped-def]
    backend = secrets.open_cryptfile(MASTER, xdg_data_home=tmp_path / "xdg")
    secrets.use_backend(backend)
    secrets.set_secret(insi_keyring.SIMULATOR_PASSPHRASE, authority[1])
    with Clinic.open(tmp_path / "cabinet.sqlite3", create=True) as opened:
        opened.bootstrap_admin("admin", "Alice Admin", os_login="admin")
        opened.add_operator("admin", "sophie", "Sophie Secrétaire")
        opened.configure_insi(simulator=simulator)
        yield opened
        opened.insi_runtime.close()


def adrtrois(clinic: Clinic) -> int:
    traits = StrictTraits.build(birth_name="ADRTROIS", first_name="DOMINIQUE",
                                first_names="DOMINIQUE", birth_date=date(1997, 2, 26), sex="F",
                                birth_place="2A020")
    record = clinic.create_identity("sophie", traits).record
    check = DocumentCheck(codes=["PA"], traits_match=True,
                          expires_on={"PA": date(date.today().year + 3, 1, 1)})
    return clinic.check_document("sophie", record.id, record.version, check).record.id


def retry_all(clinic: Clinic) -> list:  # type: ignore[type-arg]
    tried = []
    for item in clinic.insi_pending():
        plan = clinic.plan_pending_try("sophie", item)
        report = clinic.record_insi_exchange(plan.exchange())
        tried.append((clinic.record_pending_try("sophie", item, report), report))
    return tried


def test_a_call_insi_could_not_answer_waits_then_is_answered(clinic: Clinic,
                                                            simulator) -> None:  # type: ignore[no-untyped-def]
    identity = adrtrois(clinic)
    simulator.switches.http_503 = True
    failed = clinic.search_insi("sophie", identity)
    assert failed.error is not None and not failed.found

    item = clinic.postpone_insi("sophie", failed)
    assert (item.identity_id, item.operation, item.tries) == (identity, "search", 0)
    assert clinic.postpone_insi("sophie", failed).id == item.id  # once on the list
    assert clinic.insi_pending_status().waiting == 1
    assert clinic.insi_pending_status().unreachable_since is not None

    [(still, _)] = retry_all(clinic)  # INSi still down
    assert (still.tries, still.answered_at) == (1, None)
    assert clinic.get(identity).status == "VALI"

    simulator.switches.reset()
    [(answered, report)] = retry_all(clinic)
    assert (answered.answer_code, answered.tries) == ("00", 2) and answered.answered_at
    assert report.found and clinic.insi_pending() == []
    assert clinic.insi_pending_status() == type(clinic.insi_pending_status())(0, None)
    assert clinic.get(identity).status == "VALI"  # nothing applied without the operator
    applied = clinic.apply_insi_outcome("sophie", identity, report.identity_version, report,
                                        accepted=True)
    assert applied.saved.record.status == "QUAL"
    actions = [e.action for e in clinic.history(identity)]
    assert actions.count("insi_postponed") == 2 and actions.count("insi_pending_tried") == 2
    assert clinic.verify_audit().ok


def test_a_request_insi_refused_is_not_put_on_the_list(clinic: Clinic) -> None:
    identity = adrtrois(clinic)
    report = clinic.search_insi("sophie", identity)  # answered: nothing to make again
    with pytest.raises(ActionRefused, match="réseau, délai dépassé, service indisponible"):
        clinic.postpone_insi("sophie", report)
    assert clinic.insi_pending() == []


def test_insi_reprendre_runs_the_list_from_the_command_line(
        clinic: Clinic, simulator, authority, capsys) -> None:  # type: ignore[no-untyped-def]
    from insterm.cli import main
    from insterm.config import update_settings_file

    update_settings_file({"insi": {"simulator_url": simulator.url,
                                   "simulator_dir": str(authority[0].state_dir)}})
    identity = adrtrois(clinic)
    simulator.switches.http_503 = True
    clinic.postpone_insi("sophie", clinic.search_insi("sophie", identity))
    db = str(clinic.conn.execute("PRAGMA database_list").fetchone()[2])

    import getpass  # the OS account running the tests acts, as cron would

    clinic.add_operator("admin", "claire", "Claire Cron", os_login=getpass.getuser())
    assert main(["insi", "reprendre", "--db", db, "--operateur", "claire"]) == 1
    out = capsys.readouterr().out
    assert "1/1 IPP " in out and "ADRTROIS DOMINIQUE : toujours en attente" in out
    assert "0 appel(s) ont reçu une réponse, 1 attend(ent) encore." in out

    simulator.switches.reset()
    assert main(["--db", db, "insi", "reprendre"]) == 0  # the mapped OS account acts
    out = capsys.readouterr().out
    assert "réponse 00 : sur la fiche, F4 puis F2 refont l'appel pour accepter ou refuser" in out
    assert clinic.insi_pending() == [] and clinic.get(identity).status == "VALI"
    assert main(["insi", "reprendre", "--db", db, "--operateur", "claire"]) == 0
    assert "Aucun appel INSi en attente." in capsys.readouterr().out


def test_a_received_ins_waiting_for_insi_is_counted_and_kept_for_the_retry(
        clinic: Clinic, simulator) -> None:  # type: ignore[no-untyped-def]
    from insterm.domain.period import last_months
    from insterm.usecases.indicators import report

    identity = adrtrois(clinic)
    simulator.switches.http_503 = True
    failed = clinic.verify_insi("sophie", identity, matricule="297022A02077878")
    item = clinic.postpone_insi("sophie", failed)
    assert (item.operation, item.matricule) == ("verify", "297022A02077878")
    assert report(clinic.conn, last_months(date.today())).received_not_verified == 1
    assert clinic.get(identity).matricule is None  # never used before INSi confirms it

    simulator.switches.reset()
    [(answered, again)] = retry_all(clinic)
    assert answered.answer_code == "00" and again.verification is not None
    assert again.verification.supplied_ins == "297022A02077878"
    assert report(clinic.conn, last_months(date.today())).received_not_verified == 0


def test_insi_reprendre_needs_to_know_who_acts(clinic: Clinic, capsys) -> None:  # type: ignore[no-untyped-def]
    from insterm.cli import main

    db = str(clinic.conn.execute("PRAGMA database_list").fetchone()[2])
    assert main(["insi", "reprendre", "--db", db]) == 2  # no OS account mapped here
    assert "Indiquez qui agit : --operateur IDENTIFIANT" in capsys.readouterr().err
