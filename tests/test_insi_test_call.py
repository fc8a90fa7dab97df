"""Production only after a passed test call of that very configuration (issue 14.6), with real
parts: the simulator over mutual TLS on 127.0.0.1 standing in for the production address (a
relay setting), its client certificate imported as the organisation certificate, a real
CryptFileKeyring, a real SQLite file, through `Clinic` only."""

from __future__ import annotations

import json
import secrets as stdlib_secrets
from pathlib import Path

import pytest

from insterm import secrets
from insterm.clinic import Clinic
from insterm.insi.simulator import DEMO_IDAM, Simulator
from insterm.usecases.errors import ActionRefused, PermissionRefused

MASTER = "maître-" + stdlib_secrets.token_urlsafe(8)
PROD_IDAM = "IDAMPROD42"

NO_CERTIFICATE = (
    "Production refusée : aucun certificat d'organisation n'est installé. Importez le certificat "
    "(.p12, onglet Certificat), puis faites l'appel de test de la production (F3 dans l'onglet "
    "INSi, environnement Production).")
NOT_TESTED = (
    "Production refusée : aucun appel de test n'a réussi avec cette configuration de production "
    "(certificat, IDAM, adresse, autorités de certification). Faites l'appel de test (F3 dans "
    "l'onglet INSi, environnement Production) ; la production pourra être choisie dès qu'il aura "
    "réussi.")


@pytest.fixture(autouse=True)
def isolated(insi_isolated: None) -> None:
    """This test's own settings, data, keyring and simulator folders (tests/conftest.py)."""


@pytest.fixture
def simulator(authority):
    with Simulator(authority[0], known_idam=(DEMO_IDAM, PROD_IDAM)) as running:
        yield running


@pytest.fixture
def clinic(tmp_path: Path, simulator):
    backend = secrets.open_cryptfile(MASTER, xdg_data_home=tmp_path / "xdg")
    secrets.use_backend(backend)
    with Clinic.open(tmp_path / "cabinet.sqlite3", create=True) as opened:
        opened.bootstrap_admin("admin", "Alice Admin", os_login="admin")
        opened.add_operator("admin", "sophie", "Sophie Secrétaire")
        yield opened
        opened.insi_runtime.close()


def point_production_at(clinic: Clinic, simulator, authority) -> None:
    """Production's address replaced by the simulator (relay setting), its CA and certificate."""
    clinic.update_workstation_settings("admin", endpoint=simulator.url,
                                       ca_file=str(authority[0].ca_cert))
    clinic.import_insi_certificate("admin", authority[0].client_p12, authority[1])


def audited(clinic: Clinic, action: str) -> list[dict]:
    return [json.loads(d) for a, d in clinic.conn.execute(
        "SELECT action, details FROM audit ORDER BY id") if a == action]


def stored(clinic: Clinic, key: str):  # type: ignore[no-untyped-def]
    row = clinic.conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
    return None if row is None else json.loads(row[0])


def switch(clinic: Clinic, **extra: str) -> None:
    clinic.update_insi_settings("admin", environment="production", confirm_production=True,
                                **extra)


def test_production_needs_a_certificate_then_a_passed_test(clinic, simulator, authority) -> None:
    with pytest.raises(ActionRefused) as caught:
        switch(clinic)
    assert str(caught.value) == NO_CERTIFICATE
    point_production_at(clinic, simulator, authority)
    clinic.update_insi_settings("admin", idam=PROD_IDAM, idam_environment="production")
    with pytest.raises(ActionRefused) as caught:
        switch(clinic)
    assert str(caught.value) == NOT_TESTED
    assert clinic.insi_settings().environment == "simulator"
    assert simulator.handled == []

    report = clinic.test_insi_call("admin", "production")
    assert report.passed and report.code == "00"
    assert report.message_fr.startswith(
        "Appel de test réussi (Production) : le service INSi a répondu (compte rendu 00) en ")
    assert report.message_fr.endswith("La production peut maintenant être choisie.")
    [handled] = simulator.handled
    assert f"<ctxlps:IDAM>{PROD_IDAM}</ctxlps:IDAM>".encode() in handled.request_xml.replace(
        b" R=\"4\"", b"")
    record = stored(clinic, "insi.test_call.production")
    assert record["operator"] == "admin" and record["code"] == "00"
    [event] = audited(clinic, "insi_test_call")
    assert event["passed"] is True and event["environment"] == "production"
    assert event["endpoint"] == simulator.url and event["digest"] == record["digest"]
    assert len(event["message_ids"]) == 1
    assert clinic.insi_settings().environment == "simulator"  # the test chose nothing

    switch(clinic)
    assert clinic.insi_settings().environment == "production"


def test_a_failed_test_is_not_recorded_and_clears_a_passed_one(clinic, simulator,
                                                              authority) -> None:
    point_production_at(clinic, simulator, authority)
    clinic.update_insi_settings("admin", idam=PROD_IDAM, idam_environment="production")
    assert clinic.test_insi_call("admin", "production").passed
    simulator.switches.http_503 = True
    report = clinic.test_insi_call("admin", "production")
    assert not report.passed
    assert report.message_fr == ("Appel de test échoué (Production) : Le service INSi est "
                                 "momentanément indisponible (HTTP 503) : réessayez plus tard.")
    assert stored(clinic, "insi.test_call.production") is None
    assert [e["passed"] for e in audited(clinic, "insi_test_call")] == [True, False]
    with pytest.raises(ActionRefused, match="aucun appel de test"):
        switch(clinic)


def test_a_test_of_another_configuration_does_not_count(clinic, simulator, authority,
                                                        tmp_path: Path) -> None:
    point_production_at(clinic, simulator, authority)
    clinic.update_insi_settings("admin", idam="INCONNU42", idam_environment="production")
    failed = clinic.test_insi_call("admin", "production")
    assert not failed.passed and "desir_550" in failed.message_fr
    clinic.update_insi_settings("admin", idam=PROD_IDAM, idam_environment="production")
    assert clinic.test_insi_call("admin", "production").passed
    # the IDAM saved with the switch is not the one tested
    with pytest.raises(ActionRefused, match="aucun appel de test"):
        switch(clinic, idam="AUTREIDAM1", idam_environment="production")
    # another CA file (same path, other content) is another configuration
    ca = tmp_path / "ca-copy.pem"
    ca.write_bytes(authority[0].ca_cert.read_bytes())
    clinic.update_workstation_settings("admin", ca_file=str(ca))
    with pytest.raises(ActionRefused, match="aucun appel de test"):
        switch(clinic)
    clinic.update_workstation_settings("admin", ca_file=str(authority[0].ca_cert))
    switch(clinic)
    assert clinic.insi_settings().environment == "production"


def test_only_an_administrator_tests_and_nothing_is_sent_without_a_certificate(
        clinic, simulator) -> None:
    with pytest.raises(PermissionRefused, match="administrateur"):
        clinic.test_insi_call("sophie", "production")
    clinic.update_workstation_settings("admin", endpoint=simulator.url)
    with pytest.raises(ActionRefused) as caught:
        clinic.test_insi_call("admin", "production")
    assert str(caught.value).startswith("Appel de test non envoyé (Production) : Aucun certificat")
    assert simulator.handled == [] and audited(clinic, "insi_test_call") == []


def test_readiness_warns_when_production_changed_since_its_test(clinic, simulator, authority,
                                                                tmp_path: Path) -> None:
    point_production_at(clinic, simulator, authority)
    clinic.update_insi_settings("admin", idam=PROD_IDAM, idam_environment="production")
    clinic.test_insi_call("admin", "production")
    switch(clinic)
    assert clinic.insi_readiness().items == ()
    ca = tmp_path / "renewed-ca.pem"
    ca.write_bytes(authority[0].ca_cert.read_bytes() + b"\n")
    clinic.update_workstation_settings("admin", ca_file=str(ca))
    [item] = clinic.insi_readiness().items
    assert item.code == "production_untested" and not item.blocking
    assert "refaire l'appel de test (Réglages, onglet INSi, F3)" in item.message
