"""Réglages (SettingsScreen): INSi environment, certificate import, keyring, operators and the
document catalogue, driven with Pilot at 80x24 and checked on the database, the settings file,
the keyring and the audit log. Real CryptFileKeyring in a temporary folder; certificates issued
at test time by the simulator's TestAuthority."""

from __future__ import annotations

import json
from pathlib import Path

import keyring
import pytest

from insterm import secrets
from insterm.clinic import Clinic
from insterm.tui.screens.settings import SettingsScreen

from . import support
from .support import audit_actions


async def settle(pilot) -> None:  # type: ignore[no-untyped-def]
    """support.settle, tolerating workers that end in a refusal (the screen shows it):
    `wait_for_complete` re-raises a failure that happens while it waits."""
    from textual.worker import WorkerFailed

    await support.settle(pilot, tolerate=(WorkerFailed,))

MASTER = "maître-de-test-réglages"


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):  # type: ignore[no-untyped-def]
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


def make_app(clinic: Clinic, login: str):  # type: ignore[no-untyped-def]
    from insterm.tui.app import InstermApp
    from insterm.tui.look import TerminalLook

    return InstermApp(clinic, os_login=login,
                      look=TerminalLook(ascii=False, theme="textual-dark", animations="none"))


@pytest.fixture
def admin_app(clinic: Clinic, practice):  # type: ignore[no-untyped-def]
    return make_app(clinic, "admin")


async def open_settings(pilot, section: str = "insi"):  # type: ignore[no-untyped-def]
    await settle(pilot)
    screen = SettingsScreen()
    pilot.app.push_screen(screen)
    await settle(pilot)
    if section != "insi":
        screen.show_section(section)
        await settle(pilot)
    return screen


def notifications(app) -> list[str]:  # type: ignore[no-untyped-def]
    return [n.message for n in app._notifications]


def message(screen, section: str) -> str:  # type: ignore[no-untyped-def]
    return str(screen.pane(section).query_one(".pane-message").render())


def actions(clinic: Clinic, prefix: str) -> list[tuple[str, str]]:
    return [(a, o) for a, o in audit_actions(clinic) if a.startswith(prefix)]


def stored(clinic: Clinic, key: str):  # type: ignore[no-untyped-def]
    from insterm.store import settings as settings_store

    return settings_store.get(clinic.conn, key)


async def choose_environment(pilot, env_label_downs: int) -> None:  # type: ignore[no-untyped-def]
    """Focus the environment list, open it, move down from the top, pick."""
    screen = pilot.app.screen
    screen.query_one("#insi-environment").focus()
    await pilot.press("enter")
    await pilot.pause()
    await pilot.press("home", *(["down"] * env_label_downs), "enter")
    await pilot.pause()


# ------------------------------------------------------------------------------------ INSi


async def test_environment_to_qualification_is_saved_and_audited(admin_app, clinic) -> None:
    async with admin_app.run_test(size=(80, 24)) as pilot:
        screen = await open_settings(pilot)
        assert "Simulateur" in screen.query_one("#insi-in-force").render().plain
        await choose_environment(pilot, 1)
        screen.query_one("#insi-idam").focus()
        await pilot.press(*"IDAMQUALIF1")
        await pilot.press("f2")
        await settle(pilot)
        in_force = screen.query_one("#insi-in-force").render().plain
    view = clinic.insi_settings()
    assert (view.environment, view.idam) == ("qualification", "IDAMQUALIF1")
    assert actions(clinic, "insi_settings") == [("insi_settings_changed", "admin")]
    assert "Qualification" in in_force and "IDAMQUALIF1 (base du cabinet)" in in_force


async def test_timeout_goes_to_this_machines_file(admin_app, clinic, tmp_path) -> None:
    async with admin_app.run_test(size=(80, 24)) as pilot:
        screen = await open_settings(pilot)
        field = screen.query_one("#insi-timeout")
        field.focus()
        field.value = ""
        await pilot.press(*"12")
        await pilot.press("f2")
        await settle(pilot)
        in_force = screen.query_one("#insi-in-force").render().plain
    assert clinic.insi_settings().timeout_seconds == 12.0
    assert "timeout_seconds = 12" in (tmp_path / "settings.toml").read_text()
    assert "12 s (fichier de ce poste)" in in_force
    assert actions(clinic, "workstation") == [("workstation_settings_changed", "admin")]


async def test_production_needs_the_confirmation_then_a_certificate(admin_app, clinic) -> None:
    async with admin_app.run_test(size=(80, 24)) as pilot:
        screen = await open_settings(pilot)
        await choose_environment(pilot, 2)
        await pilot.press("f2")
        await settle(pilot)
        dialog = pilot.app.screen
        assert type(dialog).__name__ == "ConfirmModal"
        assert "patients réels" in dialog.query_one(".confirm-text").render().plain
        await pilot.press("escape")  # not confirmed
        await settle(pilot)
        assert clinic.insi_settings().environment == "simulator"
        assert "non confirmée" in message(screen, "insi")
        await pilot.press("f2")
        await settle(pilot)
        await pilot.press("f2")  # confirms
        await settle(pilot)
        refusal = message(screen, "insi")
    assert refusal.startswith("Production refusée : aucun certificat d'organisation n'est "
                              "installé.")
    assert clinic.insi_settings().environment == "simulator"
    assert stored(clinic, "insi.environment") is None
    assert actions(clinic, "insi_settings") == []


async def test_every_insi_value_has_a_field_and_production_follows_a_passed_test(
        admin_app, clinic, tmp_path) -> None:
    """The CA file, relay address, software name and IDAM typed in their fields, saved with
    every value listed; F3 tests production against the simulator (standing in for it through
    the relay setting); then production is accepted."""
    from insterm.insi.simulator import DEMO_IDAM, Simulator, TestAuthority

    authority = TestAuthority(tmp_path / "prod-sim")
    passphrase = authority.ensure()
    assert passphrase is not None
    secrets.use_backend(secrets.open_cryptfile(MASTER, xdg_data_home=tmp_path / "xdg"))
    clinic.import_insi_certificate("admin", authority.client_p12, passphrase)
    with Simulator(authority, known_idam=(DEMO_IDAM, "IDAMPROD42")) as simulator:
        url = simulator.url
        async with admin_app.run_test(size=(80, 24)) as pilot:
            screen = await open_settings(pilot)
            await choose_environment(pilot, 2)  # production: its IDAM and this machine's files
            for field, text in (("#insi-idam", "IDAMPROD42"),
                                ("#insi-ca-file", str(authority.ca_cert)),
                                ("#insi-endpoint", url),
                                ("#insi-software-name", "insterm-cabinet")):
                screen.query_one(field).focus()
                screen.query_one(field).value = ""
                await pilot.press(*text)
            await pilot.press("f3")  # not saved yet: refused, nothing sent
            await settle(pilot)
            unsaved = message(screen, "insi")
            assert simulator.handled == []
            await pilot.press("f2", "f2")  # saves, confirms production
            await settle(pilot)
            saved = message(screen, "insi")
            assert clinic.insi_settings().environment == "simulator"
            await choose_environment(pilot, 2)
            await pilot.press("f3")
            await settle(pilot)
            tested = message(screen, "insi")
            in_force = " ".join(screen.query_one("#insi-in-force").render().plain.split())
            await pilot.press("f2", "f2")
            await settle(pilot)
            switched = message(screen, "insi")
    assert unsaved.startswith("Enregistrez d'abord ce qui est saisi (F2)")
    assert saved == (
        f"Enregistré : autorités de certification {authority.ca_cert} ; adresse relais "
        f"{url} ; nom du logiciel insterm-cabinet ; IDAM production IDAMPROD42. "
        "Production refusée : aucun appel de test n'a réussi avec cette configuration de "
        "production (certificat, IDAM, adresse, autorités de certification). Faites l'appel de "
        "test (F3 dans l'onglet INSi, environnement Production) ; la production pourra être "
        "choisie dès qu'il aura réussi.")
    assert tested.startswith("Appel de test réussi (Production) : le service INSi a répondu "
                             "(compte rendu 00)")
    assert "Appel de test production : réussi le " in in_force
    assert switched == "Réglages INSi enregistrés : environnement Production."
    view = clinic.insi_settings()
    assert (view.environment, view.idam, view.endpoint_url, view.ca_file, view.software_name) == (
        "production", "IDAMPROD42", url, str(authority.ca_cert), "insterm-cabinet")
    ours = ("insi_certificate_imported", "insi_settings_changed", "insi_test_call")
    assert [a for a, _ in actions(clinic, "insi_") if a in ours] == [
        "insi_certificate_imported", "insi_settings_changed", "insi_settings_changed",
        "insi_test_call", "insi_settings_changed"]


async def test_simulator_fields_are_saved_and_every_value_listed(admin_app, clinic,
                                                                tmp_path) -> None:
    folder = tmp_path / "mon-simulateur"
    folder.mkdir()
    async with admin_app.run_test(size=(80, 24)) as pilot:
        screen = await open_settings(pilot)
        for field, text in (("#insi-simulator-url", "https://127.0.0.1:9443/lps"),
                            ("#insi-simulator-dir", str(tmp_path / "absent"))):
            screen.query_one(field).focus()
            await pilot.press(*text)
        await pilot.press("f2")
        await settle(pilot)
        refused = message(screen, "insi")
        screen.query_one("#insi-simulator-dir").value = ""
        screen.query_one("#insi-simulator-dir").focus()
        await pilot.press(*str(folder))
        screen.query_one("#insi-timeout").value = "12"
        await pilot.press("f2")
        await settle(pilot)
        saved = message(screen, "insi")
    assert refused.startswith(f"Le dossier {tmp_path / 'absent'} est introuvable")
    assert saved == ("Réglages INSi enregistrés : délai d'attente 12 s ; adresse du simulateur "
                     f"https://127.0.0.1:9443/lps ; dossier du simulateur {folder}.")
    written = (tmp_path / "settings.toml").read_text()
    assert 'simulator_url = "https://127.0.0.1:9443/lps"' in written and str(folder) in written


async def test_staff_is_refused_and_nothing_changes(app, clinic) -> None:
    async with app.run_test(size=(80, 24)) as pilot:  # sophie, staff
        screen = await open_settings(pilot)
        assert screen.query_one("#insi-environment").disabled  # read, not changed
        await pilot.press("f2")
        await settle(pilot)
        refusal = message(screen, "insi")
        assert pilot.app.screen is screen  # no crash, no error dialog
        await pilot.press("f3")  # the test call neither
        await settle(pilot)
    assert "Réservé aux administrateurs" in refusal
    assert any("administrateurs" in n for n in notifications(app))
    assert clinic.insi_settings().environment == "simulator"
    assert actions(clinic, "insi_settings") == []


async def test_escape_asks_before_dropping_a_typed_change(admin_app, clinic) -> None:
    async with admin_app.run_test(size=(80, 24)) as pilot:
        screen = await open_settings(pilot)
        screen.query_one("#insi-idam").focus()
        await pilot.press(*"IDAMX")
        await pilot.press("escape")
        await settle(pilot)
        assert type(pilot.app.screen).__name__ == "ConfirmModal"
        await pilot.press("escape")  # stay
        await settle(pilot)
        assert pilot.app.screen is screen
        assert screen.query_one("#insi-idam").value == "IDAMX"


# ------------------------------------------------------------------------------ certificate


@pytest.fixture
def issued(tmp_path: Path):  # type: ignore[no-untyped-def]
    from insterm.insi.simulator import TestAuthority

    authority = TestAuthority(tmp_path / "ca")
    good = authority.make_client_p12("INSI-MANU", path=tmp_path / "cabinet.p12")
    wrong = authority.make_client_p12("SERVEUR-WEB", path=tmp_path / "serveur.p12")
    return good, wrong


def open_keyring_for_test(tmp_path: Path) -> None:
    secrets.use_backend(secrets.open_cryptfile(MASTER, xdg_data_home=tmp_path / "xdg"))


async def type_certificate(pilot, screen, path: Path, passphrase: str) -> None:  # type: ignore[no-untyped-def]
    screen.query_one("#certificate-path").focus()
    await pilot.press(*str(path))
    screen.query_one("#certificate-passphrase").focus()
    await pilot.press(*passphrase)
    await pilot.press("f2")
    await settle(pilot)


def everything_visible(app) -> str:  # type: ignore[no-untyped-def]
    return app.export_screenshot().replace("&#160;", " ")


async def test_certificate_import_and_passphrase_kept_secret(admin_app, clinic, issued,
                                                              tmp_path) -> None:
    good, wrong = issued
    open_keyring_for_test(tmp_path)
    clinic.update_insi_settings("admin", environment="qualification", idam="IDAMQUALIF1")
    screens: list[str] = []
    async with admin_app.run_test(size=(80, 24)) as pilot:
        screen = await open_settings(pilot, "certificate")
        await type_certificate(pilot, screen, wrong.p12_path, wrong.passphrase)
        refusal = message(screen, "certificate")
        screens.append(everything_visible(pilot.app))
        assert not (tmp_path / "data" / "insi" / "organisation-certificate.p12").exists()
        await type_certificate(pilot, screen, Path(""), "")  # path kept, passphrase again
        screen.query_one("#certificate-path").value = str(good.p12_path)
        screen.query_one("#certificate-passphrase").focus()
        await pilot.press(*good.passphrase)
        screens.append(everything_visible(pilot.app))
        await pilot.press("f2")
        await settle(pilot)
        done = message(screen, "certificate")
        state = screen.query_one("#certificate-state").render().plain
        screens.append(everything_visible(pilot.app))
        values = [field.value for field in screen.query("Input")]
        shown = notifications(pilot.app)
    assert "Certificat refusé" in refusal and "SERVEUR-WEB" in refusal
    assert "INSI-MANU" in done and "installé" in done
    assert "CN INSI-MANU" in state and "valable jusqu'au" in state
    assert (tmp_path / "data" / "insi" / "organisation-certificate.p12").is_file()
    assert secrets.get_secret(secrets.INSI_CERT_PASSPHRASE) == good.passphrase
    assert actions(clinic, "insi_certificate") == [("insi_certificate_imported", "admin")]
    dump = "\n".join(clinic.conn.iterdump())
    settings_file = tmp_path / "settings.toml"
    for secret in (good.passphrase, wrong.passphrase):
        assert secret not in dump
        assert not settings_file.exists() or secret not in settings_file.read_text()
        assert all(secret not in text for text in screens)
        assert all(secret not in value for value in values)
        assert all(secret not in text for text in shown)


async def test_certificate_import_with_a_locked_keyring_says_so(admin_app, clinic, issued,
                                                                 tmp_path) -> None:
    good, _ = issued
    async with admin_app.run_test(size=(80, 24)) as pilot:
        screen = await open_settings(pilot, "certificate")
        await type_certificate(pilot, screen, good.p12_path, good.passphrase)
        refusal = message(screen, "certificate")
        assert pilot.app.screen is screen
    assert "mot de passe maître" in refusal
    assert actions(clinic, "insi_certificate") == []


async def test_staff_cannot_import_a_certificate(app, clinic, issued, tmp_path) -> None:
    good, _ = issued
    open_keyring_for_test(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_settings(pilot, "certificate")
        await type_certificate(pilot, screen, good.p12_path, good.passphrase)
        refusal = message(screen, "certificate")
    assert "administrateur" in refusal
    assert secrets.get_secret(secrets.INSI_CERT_PASSPHRASE) is None


# ---------------------------------------------------------------------------------- keyring


async def test_keyring_unlock_wrong_then_right(admin_app, clinic, tmp_path) -> None:
    secrets.open_cryptfile(MASTER, xdg_data_home=tmp_path / "xdg")  # the file exists
    secrets.reset_backend()
    async with admin_app.run_test(size=(80, 24)) as pilot:
        screen = await open_settings(pilot, "keyring")
        assert "fermé" in screen.query_one("#keyring-state").render().plain
        field = screen.query_one("#keyring-password")
        field.focus()
        await pilot.press(*"pas-le-bon")
        await pilot.press("enter")
        await settle(pilot)
        wrong = message(screen, "keyring")
        assert field.value == "" and secrets.current_backend() is None
        await pilot.press(*MASTER)
        await pilot.press("enter")
        await settle(pilot)
        state = screen.query_one("#keyring-state").render().plain
        assert field.value == ""
        seen = everything_visible(pilot.app) + "\n".join(notifications(pilot.app))
    assert "Mot de passe maître incorrect" in wrong
    assert "Trousseau ouvert" in state and secrets.current_backend() is not None
    assert MASTER not in seen and "pas-le-bon" not in seen


async def test_keyring_created_needs_the_password_twice(admin_app, tmp_path) -> None:
    async with admin_app.run_test(size=(80, 24)) as pilot:
        screen = await open_settings(pilot, "keyring")
        assert "à créer" in screen.query_one("#keyring-state").render().plain
        screen.query_one("#keyring-password").focus()
        await pilot.press(*MASTER, "enter", *"autre-chose", "enter")
        await settle(pilot)
        assert "diffèrent" in message(screen, "keyring")
        assert not secrets.cryptfile_path(tmp_path / "xdg").exists()
        screen.query_one("#keyring-password").focus()
        await pilot.press(*MASTER, "enter", *MASTER, "enter")
        await settle(pilot)
    assert secrets.cryptfile_path(tmp_path / "xdg").is_file()
    assert secrets.current_backend() is not None


async def test_a_new_keyring_asks_a_long_master_password(admin_app, tmp_path) -> None:
    async with admin_app.run_test(size=(80, 24)) as pilot:
        screen = await open_settings(pilot, "keyring")
        state = screen.query_one("#keyring-state").render().plain
        field = screen.query_one("#keyring-password")
        assert field.placeholder == "12 caractères au moins, ou une phrase d'au moins 4 mots"
        field.focus()
        await pilot.press(*"court", "enter")
        await settle(pilot)
        refusal = message(screen, "keyring")
        focused = pilot.app.focused
        assert field.value == "" and focused is field
        assert not secrets.cryptfile_path(tmp_path / "xdg").exists()
    assert "(12 caractères au moins, ou une phrase d'au moins 4 mots)" in " ".join(state.split())
    assert refusal.startswith("Mot de passe maître trop court pour créer le trousseau chiffré")


# -------------------------------------------------------------------------------- operators


async def test_add_an_operator_then_change_role_and_deactivate(admin_app, clinic) -> None:
    async with admin_app.run_test(size=(80, 24)) as pilot:
        screen = await open_settings(pilot, "operators")
        await pilot.press("f2")
        await settle(pilot)
        dialog = pilot.app.screen
        assert type(dialog).__name__ == "AddOperatorModal"
        await pilot.press(*"Marie Dupont")  # in the login field: refused by the clinic
        await pilot.press("f2")
        await settle(pilot)
        assert "Identifiant d'opérateur incorrect" in str(
            dialog.query_one(".dialog-message").render())
        dialog.query_one("#operator-login").value = ""
        dialog.query_one("#operator-login").focus()
        await pilot.press(*"mdupont", "tab", *"Marie Dupont", "tab", "tab", *"10003456789",
                          "tab", *"marie")
        await pilot.press("f2")
        await settle(pilot)
        assert pilot.app.screen is screen
        table = screen.query_one("#operators-table")
        logins = [o.login for o in screen.pane("operators").operators]
        table.move_cursor(row=logins.index("mdupont"))
        table.focus()
        await pilot.press("f3")  # role: staff -> admin, confirmed
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        await pilot.press("f4")  # deactivate, confirmed
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
    added = {o.login: o for o in clinic.operators()}["mdupont"]
    assert (added.display_name, added.role, added.rpps, added.os_login, added.active) == (
        "Marie Dupont", "admin", "10003456789", "marie", False)
    assert actions(clinic, "operator_") == [
        ("operator_bootstrap", "admin"), ("operator_added", "admin"),
        ("operator_added", "admin"), ("operator_role_changed", "admin"),
        ("operator_deactivated", "admin")]


async def test_last_admin_cannot_be_demoted_and_staff_cannot_add(app, admin_app,
                                                                 clinic) -> None:
    async with admin_app.run_test(size=(80, 24)) as pilot:
        screen = await open_settings(pilot, "operators")
        screen.query_one("#operators-table").move_cursor(row=0)  # admin (sorted by login)
        await pilot.press("f3", "f2")
        await settle(pilot)
        refusal = message(screen, "operators")
    assert "dernier administrateur" in refusal
    async with app.run_test(size=(80, 24)) as pilot:  # sophie, staff
        screen = await open_settings(pilot, "operators")
        await pilot.press("f2")  # refused at once: no dialog to fill in for nothing
        await settle(pilot)
        assert pilot.app.screen is screen
        refused = message(screen, "operators")
    assert "Réservé aux administrateurs" in refused
    assert [o.login for o in clinic.operators()] == ["admin", "sophie"]
    assert {o.login: o.role for o in clinic.operators()}["admin"] == "admin"


async def test_os_login_mapping(admin_app, clinic) -> None:
    async with admin_app.run_test(size=(80, 24)) as pilot:
        screen = await open_settings(pilot, "operators")
        screen.query_one("#operators-table").move_cursor(row=1)  # sophie
        await pilot.press("f5")
        await settle(pilot)
        await pilot.press(*"sdurand", "enter")
        await settle(pilot)
    sophie = {o.login: o for o in clinic.operators()}["sophie"]
    assert (sophie.os_login, sophie.auth_method) == ("sdurand", "os-account")
    assert actions(clinic, "operator_proof") == [("operator_proof_changed", "admin")]


async def test_proof_of_an_operator_set_by_an_administrator_only(app, admin_app,
                                                                 clinic) -> None:
    """F5: the administrator gives sophie a password (typed twice, never stored nor shown in
    clear); a staff member is refused."""
    new = "Bonjour-Accueil-42"
    async with admin_app.run_test(size=(80, 24)) as pilot:
        screen = await open_settings(pilot, "operators")
        screen.query_one("#operators-table").move_cursor(row=1)  # sophie
        await pilot.press("f5")
        await settle(pilot)
        dialog = pilot.app.screen
        assert type(dialog).__name__ == "ProofModal"
        dialog.query_one("#proof-method").value = "password"
        dialog.query_one("#proof-password").focus()
        await pilot.press(*"court", "tab", *"court", "f2")
        await settle(pilot)
        assert "Mot de passe trop faible" in str(dialog.query_one(".dialog-message").render())
        assert dialog.query_one("#proof-password").value == ""  # kept nowhere
        dialog.query_one("#proof-password").focus()
        await pilot.press(*new, "tab", *new, "f2")
        await settle(pilot)
        assert pilot.app.screen is screen
        assert "Sophie Secrétaire (sophie) s'identifie par : mot de passe." in message(
            screen, "operators")
        row = screen.query_one("#operators-table").get_row_at(1)
        assert str(row[4]) == "mot de passe"
    sophie = {o.login: o for o in clinic.operators()}["sophie"]
    assert (sophie.auth_method, sophie.has_password) == ("password", True)
    assert clinic.sign_in_with_password("sophie", new).operator.login == "sophie"
    event = clinic.audit_events(action="operator_proof_changed").events[0]
    assert (event.operator, event.details["auth"], event.details["after"]) == (
        "admin", "os-account", "password")
    assert new not in json.dumps(event.details)
    assert new.encode() not in b"".join(
        row[0].encode() for row in clinic.conn.execute("SELECT password_hash FROM operator")
        if row[0])
    clinic.sign_out()
    clinic.sign_in_with_os_account("admin", "admin")
    clinic.change_operator_proof("admin", "sophie", "os-account")  # back to her OS account
    async with app.run_test(size=(80, 24)) as pilot:  # sophie, staff
        screen = await open_settings(pilot, "operators")
        screen.query_one("#operators-table").move_cursor(row=1)
        await pilot.press("f5")
        await settle(pilot)
        assert pilot.app.screen is screen  # no proof dialog for a staff member
        assert "Réservé aux administrateurs" in message(screen, "operators")
    assert {o.login: o for o in clinic.operators()}["sophie"].auth_method == "os-account"


async def test_idle_lock_minutes_set_by_an_administrator(admin_app, clinic) -> None:
    async with admin_app.run_test(size=(80, 24)) as pilot:
        screen = await open_settings(pilot, "operators")
        field = screen.query_one("#idle-lock-minutes")
        assert field.value == "10"  # the safe default
        field.focus()
        field.value = "90"
        await pilot.press("enter")
        await settle(pilot)
        assert "entre 1 et 60 minutes" in message(screen, "operators")
        field.value = "3"
        await pilot.press("enter")
        await settle(pilot)
        assert "après 3 minute(s) d'inactivité" in message(screen, "operators")
        assert pilot.app._idle_lock_seconds == 180
    assert clinic.idle_lock_minutes() == 3
    assert actions(clinic, "idle_lock") == [("idle_lock_changed", "admin")]


# ---------------------------------------------------------------------------- catalogue


async def test_duplicate_alert_threshold_set_by_an_administrator(admin_app, clinic,
                                                                 practice) -> None:
    """Réglages > Vigilance: the threshold from which a new patient stops on a near-duplicate;
    a value out of range is refused next to nothing else changing; staff cannot change it."""
    async with admin_app.run_test(size=(80, 24)) as pilot:
        screen = await open_settings(pilot, "catalogue")
        field = screen.query_one("#duplicate-stop-score")
        assert field.value == "75"  # the safe default
        field.focus()
        field.value = "20"
        await pilot.press("enter")
        await settle(pilot)
        assert "Rien n'a été modifié" in message(screen, "catalogue")
        assert clinic.duplicate_stop_score() == 75
        field.value = "85"
        await pilot.press("enter")
        await settle(pilot)
        assert "Seuil d'alerte doublon : 85/100" in message(screen, "catalogue")
    assert clinic.duplicate_stop_score() == 85
    assert actions(clinic, "duplicate_stop") == [("duplicate_stop_score_changed", "admin")]
    async with make_app(clinic, "sophie").run_test(size=(80, 24)) as pilot:
        screen = await open_settings(pilot, "catalogue")
        field = screen.query_one("#duplicate-stop-score")
        assert field.disabled and field.value == "85"  # read, not changed
        assert screen.query_one("#pane-catalogue .read-only-note") is not None
        await pilot.press("f2")
        await settle(pilot)
        assert "Réservé aux administrateurs" in message(screen, "catalogue")
    assert clinic.duplicate_stop_score() == 85



async def test_catalogue_saved_then_refused_without_high_trust_proof(admin_app,
                                                                     clinic) -> None:
    from insterm.domain.documents import CATALOGUE, Role

    proofs = [c for c, t in CATALOGUE.items() if t.role is Role.PROOF and t.selectable]
    async with admin_app.run_test(size=(80, 24)) as pilot:
        screen = await open_settings(pilot, "catalogue")
        box = screen.query_one("#document-CS")
        assert box.value is True
        box.focus()
        await pilot.press("space")  # untick "titre de séjour"
        await pilot.press("f2")
        await settle(pilot)
        assert "Catalogue enregistré" in message(screen, "catalogue")
        saved = clinic.document_catalogue().codes
        for code in proofs:
            box = screen.query_one(f"#document-{code}")
            if box.value:
                box.focus()
                await pilot.press("space")
        await pilot.press("f2")
        await settle(pilot)
        refusal = message(screen, "catalogue")
    assert "CS" not in saved and "PA" in saved
    assert "haut niveau de confiance" in refusal
    assert clinic.document_catalogue().codes == saved
    assert actions(clinic, "document_catalogue") == [("document_catalogue_changed", "admin")]


# ---------------------------------------------------------------------------- snapshots


def _snapshot_app(tmp_path: Path, section: str):  # type: ignore[no-untyped-def]
    from datetime import date

    from .support import build_practice

    clinic = Clinic.open(tmp_path / "snap.sqlite3", create=True, today=lambda: date(2025, 6, 1))
    build_practice(clinic)
    clinic.add_operator("admin", "mdupont", "Marie Dupont", "staff", "10003456789",
                        os_login="marie")
    app = make_app(clinic, "admin")

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await open_settings(pilot, section)
        # paths that depend on the temporary folder are not part of the layout
        if section == "insi":
            state = pilot.app.screen.query_one("#insi-in-force")
            text = state.render().plain.replace(str(tmp_path), "/tmp/test")
            state.update(text)
        await pilot.pause()

    return app, run_before


def test_snapshot_insi_section(snap_compare, tmp_path) -> None:  # type: ignore[no-untyped-def]
    app, run_before = _snapshot_app(tmp_path, "insi")
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_snapshot_operators_section(snap_compare, tmp_path) -> None:  # type: ignore[no-untyped-def]
    app, run_before = _snapshot_app(tmp_path, "operators")
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
