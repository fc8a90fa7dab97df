"""INSi settings: where each value lives, production as an explicit choice, the installation
UUID, the settings file writer, the certificate import and its refusals, readiness. Real SQLite
files, a real CryptFileKeyring in a temporary folder, certificates generated at test time."""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
from pathlib import Path

import keyring
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from insterm import config, secrets
from insterm.clinic import Clinic
from insterm.config import SettingsError, parse_settings, update_settings_file
from insterm.usecases import insi_settings, insi_wiring
from insterm.usecases.errors import ActionRefused, PermissionRefused

MASTER = "mot-de-passe-maître-de-test"


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("INSTERM_SETTINGS", str(tmp_path / "settings.toml"))
    monkeypatch.setenv("INSTERM_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("INSTERM_INSI_SIM_DIR", str(tmp_path / "sim"))
    previous = keyring.get_keyring()
    secrets.reset_backend()
    yield
    secrets.reset_backend()
    keyring.set_keyring(previous)


@pytest.fixture
def unlocked(tmp_path: Path):
    backend = secrets.open_cryptfile(MASTER, xdg_data_home=tmp_path / "xdg")
    secrets.use_backend(backend)
    return backend


@pytest.fixture
def clinic(tmp_path: Path):
    with Clinic.open(tmp_path / "cabinet.sqlite3", create=True) as opened:
        opened.bootstrap_admin("admin", "Alice Admin", os_login="admin")
        opened.add_operator("admin", "sophie", "Sophie Secrétaire")
        yield opened


def make_p12(path: Path, passphrase: str, *, cn: str = "INSI-MANU", ou: str | None = "10B0152872",
             days_left: int = 400, days_old: int = 10) -> Path:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    attributes = [x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
                  x509.NameAttribute(NameOID.ORGANIZATION_NAME, "CABINET TEST")]
    if ou:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, ou))
    attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, cn))
    name = x509.Name(attributes)
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=days_old))
            .not_valid_after(now + dt.timedelta(days=days_left))
            .sign(key, hashes.SHA256()))
    path.write_bytes(pkcs12.serialize_key_and_certificates(
        b"test", key, cert, None, serialization.BestAvailableEncryption(passphrase.encode())))
    return path


def audit_rows(clinic: Clinic) -> list[tuple[str, str]]:
    return list(clinic.conn.execute("SELECT action, details FROM audit ORDER BY id"))


# --------------------------------------------------------------------------------------------
# Where values live


def test_defaults_are_the_simulator_with_its_demo_idam(clinic: Clinic, tmp_path: Path) -> None:
    from insterm.insi.simulator import DEMO_IDAM

    view = clinic.insi_settings()
    assert view.environment == "simulator" and not view.environment_chosen
    assert view.idam == insi_settings.SIMULATOR_IDAM == DEMO_IDAM
    assert view.endpoint_url == insi_wiring.DEFAULT_SIMULATOR_URL
    assert view.ca_file == str(tmp_path / "sim" / "ca.pem")
    assert view.timeout_seconds == 30.0 and view.software_name == "insterm"
    assert view.lps_name.startswith("urn:lps:insterm:")


def test_installation_id_is_created_once_and_kept(clinic: Clinic, tmp_path: Path) -> None:
    first = clinic.insi_settings().installation_id
    assert first == clinic.insi_settings().installation_id
    with Clinic.open(tmp_path / "cabinet.sqlite3") as again:
        assert again.insi_settings().installation_id == first
    with Clinic.open(tmp_path / "other.sqlite3", create=True) as other:
        assert other.insi_settings().installation_id != first


def test_production_is_an_explicit_admin_choice_and_audited(clinic: Clinic) -> None:
    with pytest.raises(ActionRefused, match="explicite"):
        clinic.update_insi_settings("admin", environment="production")
    with pytest.raises(PermissionRefused, match="administrateur"):
        clinic.update_insi_settings("sophie", environment="production", confirm_production=True)
    assert clinic.insi_settings().environment == "simulator"

    # Confirmed, production still needs a certificate and a passed test call
    # (tests/test_insi_test_call.py): refused, nothing changed, nothing audited.
    with pytest.raises(ActionRefused, match="aucun certificat d'organisation"):
        clinic.update_insi_settings("admin", environment="production", confirm_production=True)
    clinic.update_insi_settings("admin", idam="IDAMPROD42", idam_environment="production")
    view = clinic.insi_settings()
    assert view.environment == "simulator" and not view.environment_chosen
    assert view.idams == {"production": "IDAMPROD42"}
    production = insi_settings.current(clinic._ctx, clinic.insi_runtime, "production")
    assert production.idam == "IDAMPROD42" and not production.environment_chosen
    assert production.endpoint_url == insi_settings.SERVICE_ENDPOINTS["production"]
    assert production.certificate.label == "certificat d'organisation"
    changes = [json.loads(d) for a, d in audit_rows(clinic) if a == "insi_settings_changed"]
    assert changes == [{"before": {"insi.idam.production": None},
                        "after": {"insi.idam.production": "IDAMPROD42"},
                        "auth": "os-account"}]  # how admin proved who they are
    with pytest.raises(ActionRefused):
        clinic.update_insi_settings("admin", environment="recette")


def test_idam_per_environment_and_file_overrides(clinic: Clinic, tmp_path: Path) -> None:
    ca = tmp_path / "igc-sante.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\n")
    clinic.update_insi_settings("admin", environment="qualification",
                                idam="IDAMQUALIF1")
    clinic.update_workstation_settings("admin", ca_file=str(ca), timeout_seconds=12,
                                       endpoint="https://relais.cabinet.test/lps")
    view = clinic.insi_settings()
    assert (view.idam, view.ca_file, view.timeout_seconds, view.endpoint_url) == (
        "IDAMQUALIF1", str(ca), 12.0, "https://relais.cabinet.test/lps")
    clinic.update_workstation_settings("admin", endpoint=None)
    assert clinic.insi_settings().endpoint_url == insi_settings.SERVICE_ENDPOINTS["qualification"]
    with pytest.raises(ActionRefused):
        clinic.update_workstation_settings("admin", timeout_seconds=0)
    with pytest.raises(PermissionRefused):
        clinic.update_workstation_settings("sophie", timeout_seconds=5)


def test_environment_in_the_settings_file_is_refused_with_where_it_goes() -> None:
    with pytest.raises(SettingsError, match="Réglages"):
        parse_settings('[insi]\nenvironment = "production"\n')
    with pytest.raises(SettingsError, match="trousseau"):
        parse_settings('[insi]\ncertificate_passphrase = "x"\n')


def test_settings_file_writer_keeps_comments_and_refuses_secrets(tmp_path: Path) -> None:
    path = tmp_path / "réglages.toml"
    path.write_text('# poste accueil\n[database]\ngroup = "cabinet"  # partage\n\n'
                    '[insi]\n# délai\ntimeout_seconds = 5\n')
    os.chmod(path, 0o640)
    written = update_settings_file({"insi": {"timeout_seconds": 9, "simulator_url":
                                             'https://127.0.0.1:9/lps"x'}}, path)
    text = path.read_text()
    assert "# poste accueil" in text and '# partage' in text and "# délai" in text
    assert written.insi_timeout_seconds == 9.0 and written.db_group == "cabinet"
    assert config.load_settings(path).insi_simulator_url == 'https://127.0.0.1:9/lps"x'
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    before = path.read_text()
    for bad in ({"insi": {"passphrase": "x"}}, {"insi": {"environment": "production"}},
                {"autre": {"a": "b"}}):
        with pytest.raises(SettingsError):
            update_settings_file(bad, path)
    assert path.read_text() == before
    broken = tmp_path / "cassé.toml"
    broken.write_text("[insi\n")
    with pytest.raises(SettingsError):
        update_settings_file({"insi": {"timeout_seconds": 3}}, broken)
    assert broken.read_text() == "[insi\n"


# --------------------------------------------------------------------------------------------
# Certificate import


def test_certificate_import_copies_0600_keyring_only_and_audits(
        clinic: Clinic, tmp_path: Path, unlocked) -> None:
    passphrase = "phrase-de-passe-du-p12"
    source = make_p12(tmp_path / "cert.p12", passphrase)
    imported = clinic.import_insi_certificate("admin", source, passphrase)

    target = tmp_path / "data" / "insi" / "organisation-certificate.p12"
    assert imported.path == target and target.read_bytes() == source.read_bytes()
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert stat.S_IMODE(target.parent.stat().st_mode) == 0o700
    assert imported.info.common_name == "INSI-MANU" and not imported.expiring
    assert secrets.get_secret(secrets.INSI_CERT_PASSPHRASE) == passphrase
    [(_, details)] = [r for r in audit_rows(clinic) if r[0] == "insi_certificate_imported"]
    assert json.loads(details)["organisational_unit"] == "10B0152872"
    # The passphrase is nowhere but in the (encrypted) keyring.
    for path in [tmp_path / "cabinet.sqlite3", *(tmp_path / "data").rglob("*"),
                 *(tmp_path / "xdg").rglob("*")]:
        if path.is_file():
            assert passphrase.encode() not in path.read_bytes(), path
    # Used in qualification/production; readiness then lacks nothing but the CA warning.
    clinic.update_insi_settings("admin", environment="qualification", idam="IDAMQUALIF1")
    readiness = clinic.insi_readiness()
    assert readiness.ready and readiness.certificate.organisational_unit == "10B0152872"
    assert [w.code for w in readiness.warnings] == ["no_ca_file"]


@pytest.mark.parametrize("kind, message", [
    ("wrong_cn", "INSI-MANU ou INSI-AUTO"),
    ("expired", "expiré"),
    ("no_ou", "unité d'organisation"),
    ("wrong_passphrase", "phrase de passe"),
    ("missing", "introuvable"),
])
def test_certificate_import_refusals_change_nothing(clinic: Clinic, tmp_path: Path, unlocked,
                                                    kind: str, message: str) -> None:
    passphrase = "bonne-phrase"
    path = tmp_path / "cert.p12"
    if kind == "wrong_cn":
        make_p12(path, passphrase, cn="SERVEUR-APPLICATIF")
    elif kind == "expired":
        make_p12(path, passphrase, days_left=-1, days_old=400)
    elif kind == "no_ou":
        make_p12(path, passphrase, ou=None)
    elif kind == "wrong_passphrase":
        make_p12(path, "autre-phrase")
    with pytest.raises(ActionRefused, match=message):
        clinic.import_insi_certificate("admin", path, passphrase)
    assert not (tmp_path / "data" / "insi" / "organisation-certificate.p12").exists()
    assert secrets.get_secret(secrets.INSI_CERT_PASSPHRASE) is None
    assert "insi_certificate_imported" not in [a for a, _ in audit_rows(clinic)]


def test_certificate_import_needs_an_admin_and_an_open_keyring(clinic: Clinic,
                                                              tmp_path: Path) -> None:
    path = make_p12(tmp_path / "cert.p12", "phrase")
    with pytest.raises(PermissionRefused):
        clinic.import_insi_certificate("sophie", path, "phrase")
    secrets.open_cryptfile(MASTER, xdg_data_home=tmp_path / "xdg")  # the file exists, locked
    with pytest.raises(secrets.MasterPasswordNeeded):
        clinic.import_insi_certificate("admin", path, "phrase")
    assert not (tmp_path / "data" / "insi").exists() or not any((tmp_path / "data").rglob("*.p12"))
    clinic.open_keyring(MASTER)
    assert clinic.import_insi_certificate("admin", path, "phrase").path.is_file()


# --------------------------------------------------------------------------------------------
# Readiness


def test_readiness_names_what_is_missing(clinic: Clinic, tmp_path: Path, unlocked) -> None:
    clinic.update_insi_settings("admin", environment="qualification")
    readiness = clinic.insi_readiness()
    codes = [i.code for i in readiness.blocking]
    assert "no_certificate" in codes and "settings.idam" in codes and not readiness.ready
    assert "importez" in readiness.message_fr

    passphrase = "phrase"
    clinic.update_insi_settings("admin", idam="IDAMQUALIF1")
    imported = clinic.import_insi_certificate(
        "admin", make_p12(tmp_path / "c.p12", passphrase, days_left=12), passphrase)
    assert imported.expiring and "30 jours" in imported.message_fr
    readiness = clinic.insi_readiness()
    assert readiness.ready and "certificate_expiring" in [w.code for w in readiness.warnings]

    # The passphrase is read once per keyring opening (the encrypted keyring is slow to read):
    # removed from the keyring, it is missed from the next opening on.
    secrets.delete_secret(secrets.INSI_CERT_PASSPHRASE)
    secrets.reset_backend()
    assert "keyring_locked" in [i.code for i in clinic.insi_readiness().blocking]
    clinic.open_keyring(MASTER)
    assert "no_passphrase" in [i.code for i in clinic.insi_readiness().blocking]


def test_readiness_of_identities_that_may_not_call_insi(clinic: Clinic) -> None:
    from insterm.domain.identity import StrictTraits

    def create(**changes: object) -> int:
        values: dict = {"birth_name": "ADRUN", "first_name": "ZOE", "first_names": "ZOE",
                        "birth_date": dt.date(1975, 12, 31), "sex": "F"}
        values.update(changes)
        return clinic.create_identity("sophie", StrictTraits.build(**values)).record.id

    corrected = create(birth_date_corrected=True)
    assert "identity_corrected_date" in [i.code for i in clinic.insi_readiness(corrected).blocking]
    undetermined = create(sex="I", first_name="CAMILLE", first_names="CAMILLE")
    assert "identity_sex" in [i.code for i in clinic.insi_readiness(undetermined).blocking]
    fictitious = create(birth_name="FICTIF")
    clinic.set_attribute("sophie", fictitious, clinic.get(fictitious).version, "FICT")
    assert "identity_attribute" in [i.code for i in clinic.insi_readiness(fictitious).blocking]
    report = clinic.search_insi("sophie", corrected)
    assert not report.sent and report.error is not None


def test_keyring_status_without_any_keyring(clinic: Clinic) -> None:
    status = clinic.keyring_status()
    assert not status.open and status.needs_master_password and status.creating
