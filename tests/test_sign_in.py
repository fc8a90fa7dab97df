"""Sign-in through the clinic on a real database (issue 14.1): Argon2id hashes only, the
wrong-password count and lock in the database, the method in every audit event, the first
administrator's proof, and the upgrade of a base whose operators had none."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from insterm.clinic import Clinic
from insterm.domain import authentication as rules
from insterm.domain.authentication import AuthError
from insterm.usecases.authentication import SignInRefused
from insterm.usecases.errors import ActionRefused, PermissionRefused

PASSWORD = "Tournesol-1907"  # a test password, protecting nothing


@pytest.fixture
def clinic(tmp_path: Path):  # type: ignore[no-untyped-def]
    with Clinic.open(tmp_path / "auth.db", create=True) as opened:
        opened.bootstrap_admin("admin", "Alice Admin", password=PASSWORD, password_again=PASSWORD)
        opened.add_operator("admin", "sophie", "Sophie Secrétaire", os_login="sdurand")
        yield opened


def last_event(clinic: Clinic) -> tuple[str | None, str, dict]:  # type: ignore[type-arg]
    operator, action, details = clinic.conn.execute(
        "SELECT operator, action, details FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    return operator, action, json.loads(details)


def test_the_first_administrator_needs_a_proof(tmp_path: Path) -> None:
    with Clinic.open(tmp_path / "new.db", create=True) as clinic:
        with pytest.raises(PermissionRefused, match="doit prouver son identité"):
            clinic.bootstrap_admin("admin", "Alice Admin")
        with pytest.raises(AuthError, match="diffèrent"):
            clinic.bootstrap_admin("admin", "Alice", password=PASSWORD, password_again="autre")
        with pytest.raises(AuthError, match="trop faible"):
            clinic.bootstrap_admin("admin", "Alice", password="court", password_again="court")
        assert clinic.operators() == []
        who = clinic.bootstrap_admin("admin", "Alice", password=PASSWORD, password_again=PASSWORD)
        assert (who.auth_method, who.has_password) == ("password", True)
        assert last_event(clinic) == ("admin", "operator_bootstrap",
                                      {"auth": "password", "login": "admin", "role": "admin"})


def test_password_stored_as_argon2id_only(clinic: Clinic, tmp_path: Path) -> None:
    stored = clinic.conn.execute("SELECT password_hash FROM operator WHERE login = 'admin'"
                                 ).fetchone()[0]
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    clinic.conn.execute("PRAGMA wal_checkpoint(FULL)")
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("auth.db*"))
    assert PASSWORD.encode() not in raw
    with pytest.raises(sqlite3.IntegrityError):  # the schema refuses anything but a hash
        clinic.conn.execute("UPDATE operator SET password_hash = 'en-clair' WHERE id = 1")


def test_every_audit_event_records_how_its_operator_proved_it(clinic: Clinic) -> None:
    clinic.sign_out()
    clinic.set_idle_lock_minutes("admin", 5)  # a tool acting without a sign-in
    assert last_event(clinic)[2]["auth"] == "unverified"
    clinic.sign_in_with_password("admin", PASSWORD)
    clinic.set_idle_lock_minutes("admin", 6)
    assert last_event(clinic)[2]["auth"] == "password"
    clinic.sign_in_with_os_account("sophie", "sdurand")
    with pytest.raises(PermissionRefused):
        clinic.set_idle_lock_minutes("sophie", 7)
    assert clinic.idle_lock_minutes() == 6
    assert clinic.auth_method("sophie") == "os-account"
    assert clinic.auth_method("admin") == "unverified"  # one person signed in at a time


def test_os_account_proof(clinic: Clinic) -> None:
    assert clinic.sign_in_with_os_account("sophie", "sdurand").method == "os-account"
    with pytest.raises(SignInRefused, match="pas par « mdupont »"):
        clinic.sign_in_with_os_account("sophie", "mdupont")
    with pytest.raises(SignInRefused, match="s'identifie par mot de passe"):
        clinic.sign_in_with_os_account("admin", "admin")
    with pytest.raises(SignInRefused, match="s'identifie par son compte du poste"):
        clinic.sign_in_with_password("sophie", PASSWORD)
    clinic.sign_in_with_password("admin", PASSWORD)
    clinic.set_operator_active("admin", "sophie", False)
    with pytest.raises(SignInRefused, match="désactivé"):
        clinic.sign_in_with_os_account("sophie", "sdurand")


def test_wrong_passwords_are_slowed_then_locked(clinic: Clinic, monkeypatch) -> None:
    import insterm.usecases.authentication as auth

    now = [datetime(2026, 1, 5, 9, 0, tzinfo=UTC)]
    monkeypatch.setattr(auth, "_now", lambda: now[0])
    for failures in range(1, rules.MAX_FAILURES):
        with pytest.raises(SignInRefused, match="Mot de passe erroné") as refused:
            clinic.sign_in_with_password("admin", "pas-le-bon")
        assert refused.value.retry_in == rules.failure_delay(failures)
        with pytest.raises(SignInRefused, match="Patientez"):  # too soon: not counted
            clinic.sign_in_with_password("admin", PASSWORD)
        now[0] += timedelta(seconds=refused.value.retry_in)
    assert clinic.operators()[0].failed_attempts == rules.MAX_FAILURES - 1
    with pytest.raises(SignInRefused, match="verrouillé après 5") as locked:
        clinic.sign_in_with_password("admin", "pas-le-bon")
    assert locked.value.retry_in == rules.LOCK_MINUTES * 60
    assert last_event(clinic)[:2] == (None, "operator_locked")
    assert last_event(clinic)[2]["login"] == "admin"
    event = clinic.audit_events(action="operator_locked").events[0]
    assert event.describe() == "Opérateur admin verrouillé après 5 mots de passe erronés"
    now[0] += timedelta(minutes=rules.LOCK_MINUTES - 1)
    with pytest.raises(SignInRefused, match="verrouillé"):
        clinic.sign_in_with_password("admin", PASSWORD)
    now[0] += timedelta(minutes=1)
    assert clinic.sign_in_with_password("admin", PASSWORD).operator.failed_attempts == 0


def test_administrators_keep_a_proof(clinic: Clinic) -> None:
    clinic.sign_in_with_password("admin", PASSWORD)
    with pytest.raises(PermissionRefused, match="Un administrateur doit prouver"):
        clinic.add_operator("admin", "marc", "Marc", "admin")
    marc = clinic.add_operator("admin", "marc", "Marc", "staff")
    assert marc.auth_method is None
    with pytest.raises(SignInRefused, match="pas encore de moyen"):
        clinic.sign_in_with_password("marc", "quoi-que-ce-soit")
    with pytest.raises(PermissionRefused, match="Un administrateur doit prouver"):
        clinic.set_operator_role("admin", "marc", "admin")
    clinic.change_operator_proof("admin", "marc", "password", password="Bleu-2026-soleil",
                                 again="Bleu-2026-soleil")
    assert clinic.set_operator_role("admin", "marc", "admin").is_admin
    with pytest.raises(AuthError, match="Aucun compte du poste"):
        clinic.change_operator_proof("admin", "marc", "os-account")
    clinic.change_operator_proof("admin", "marc", "os-account", os_login="marc")
    with pytest.raises(ActionRefused, match="administrateur et s'identifie"):
        clinic.set_operator_os_login("admin", "marc", None)
    operator, action, details = last_event(clinic)
    assert (operator, action, details["os_login_after"], details["auth"]) == (
        "admin", "operator_proof_changed", "marc", "password")
    event = clinic.audit_events(action="operator_proof_changed").events[0]
    assert event.describe() == ("Preuve d'identité de marc : mot de passe → compte du poste ; "
                                "compte du poste marc")


def test_a_base_from_before_proofs_gets_its_administrators_proof_once(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with Clinic.open(path, create=True) as clinic:
        clinic.bootstrap_admin("admin", "Alice", os_login="alice")
        clinic.add_operator("admin", "sophie", "Sophie")
        clinic.conn.execute("UPDATE operator SET auth_method = NULL, os_login = NULL")  # as v4
        with pytest.raises(PermissionRefused, match="existent déjà"):
            clinic.bootstrap_admin("sophie", "Sophie", os_login="sophie")  # not an admin
        who = clinic.bootstrap_admin("admin", "Alice", password=PASSWORD, password_again=PASSWORD)
        assert (who.login, who.auth_method) == ("admin", "password")
        assert last_event(clinic)[:2] == ("admin", "operator_proof_set")
        with pytest.raises(PermissionRefused, match="existent déjà"):
            clinic.bootstrap_admin("admin", "Alice", os_login="root")  # once only
