"""Operators: who works here (login, name, role admin/staff, RPPS when known, the OS login
their sessions are mapped from when one is set) and how they prove it (`auth_method`, the
Argon2id hash of their password, wrong passwords in a row and the lock they led to).

`Operator` never carries the password hash: `password_hash` reads it for the check only."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from types import EllipsisType
from typing import Any

from insterm.store import connection
from insterm.store.connection import inserted_id
from insterm.store.errors import NotFound, from_integrity_error

ROLES = ("admin", "staff")


@dataclass(frozen=True, slots=True)
class Operator:
    id: int
    login: str
    display_name: str
    role: str
    rpps: str | None
    active: bool
    os_login: str | None = None
    auth_method: str | None = None  # insterm.domain.authentication.AuthMethod value, or None
    has_password: bool = False
    failed_attempts: int = 0
    locked_until: str | None = None  # UTC timestamp, as stored

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def label(self) -> str:
        return f"{self.display_name} ({self.login})"


_SELECT = ("SELECT id, login, display_name, role, rpps, active, os_login, auth_method,"
           " password_hash IS NOT NULL, failed_attempts, locked_until FROM operator")


def _operator(row: tuple[Any, ...]) -> Operator:
    return Operator(row[0], row[1], row[2], row[3], row[4], bool(row[5]), row[6], row[7],
                    bool(row[8]), int(row[9]), row[10])


def get_by_login(conn: sqlite3.Connection, login: str) -> Operator:
    row = conn.execute(_SELECT + " WHERE login = ?", (login,)).fetchone()
    if row is None:
        raise NotFound(f"Opérateur « {login} » inconnu : vérifiez l'identifiant, ou demandez à "
                       "un administrateur de vous créer un compte.")
    return _operator(row)


def get(conn: sqlite3.Connection, operator_id: int) -> Operator:
    row = conn.execute(_SELECT + " WHERE id = ?", (operator_id,)).fetchone()
    if row is None:
        raise NotFound(f"Opérateur n°{operator_id} inconnu.")
    return _operator(row)


def by_os_login(conn: sqlite3.Connection, os_login: str) -> Operator | None:
    """The operator mapped from this OS login (active or not), if any."""
    row = conn.execute(_SELECT + " WHERE os_login = ?", (os_login,)).fetchone()
    return _operator(row) if row else None


def list_all(conn: sqlite3.Connection) -> list[Operator]:
    return [_operator(r) for r in conn.execute(_SELECT + " ORDER BY login")]


def count(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM operator").fetchone()[0])


def insert(conn: sqlite3.Connection, *, login: str, display_name: str, role: str,
           rpps: str | None, at: str, os_login: str | None = None,
           auth_method: str | None = None, password_hash: str | None = None) -> Operator:
    try:
        cursor = conn.execute(
            "INSERT INTO operator (login, display_name, role, rpps, active, created_at, os_login,"
            " auth_method, password_hash) VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?)",
            (login, display_name, role, rpps, at, os_login, auth_method, password_hash))
    except connection.IntegrityError as error:
        raise from_integrity_error(error) from None
    return get(conn, inserted_id(cursor))


def update(conn: sqlite3.Connection, operator_id: int, *, role: str | None = None,
           active: bool | None = None, display_name: str | None = None,
           rpps: str | None = None, os_login: str | EllipsisType | None = ...) -> Operator:
    """Change the given fields; `os_login=None` removes the mapping (omit it to keep it)."""
    changes: dict[str, object] = {
        k: v for k, v in (("role", role), ("display_name", display_name), ("rpps", rpps))
        if v is not None}
    if active is not None:
        changes["active"] = 1 if active else 0
    if os_login is not ...:
        changes["os_login"] = os_login
    if changes:
        try:
            conn.execute(f"UPDATE operator SET {', '.join(f'{k} = ?' for k in changes)} "
                         "WHERE id = ?", (*changes.values(), operator_id))
        except connection.IntegrityError as error:
            raise from_integrity_error(error) from None
    return get(conn, operator_id)


def active_admins(conn: sqlite3.Connection) -> int:
    return int(conn.execute(
        "SELECT count(*) FROM operator WHERE role = 'admin' AND active = 1").fetchone()[0])


def password_hash(conn: sqlite3.Connection, operator_id: int) -> str | None:
    """The stored Argon2id hash of the operator's password (None: none set)."""
    row = conn.execute("SELECT password_hash FROM operator WHERE id = ?",
                       (operator_id,)).fetchone()
    return None if row is None else row[0]


def set_proof(conn: sqlite3.Connection, operator_id: int, *,
              auth_method: str | EllipsisType | None = ...,
              password_hash: str | EllipsisType | None = ...) -> Operator:
    """Change the method and/or the password hash (omit one to keep it); a new password also
    clears the wrong-password count and the lock."""
    changes: dict[str, object] = {}
    if auth_method is not ...:
        changes["auth_method"] = auth_method
    if password_hash is not ...:
        changes.update(password_hash=password_hash, failed_attempts=0, locked_until=None)
    if changes:
        try:
            conn.execute(f"UPDATE operator SET {', '.join(f'{k} = ?' for k in changes)} "
                         "WHERE id = ?", (*changes.values(), operator_id))
        except sqlite3.IntegrityError as error:
            raise from_integrity_error(error) from None
    return get(conn, operator_id)


def record_failure(conn: sqlite3.Connection, operator_id: int, *,
                   locked_until: str | None) -> int:
    """One more wrong password in a row (and the lock it leads to, if any); the new count."""
    conn.execute("UPDATE operator SET failed_attempts = failed_attempts + 1, "
                 "locked_until = coalesce(?, locked_until) WHERE id = ?",
                 (locked_until, operator_id))
    return int(conn.execute("SELECT failed_attempts FROM operator WHERE id = ?",
                            (operator_id,)).fetchone()[0])


def clear_failures(conn: sqlite3.Connection, operator_id: int) -> None:
    """A proof accepted (or a lock lifted): no wrong password in a row, no lock."""
    conn.execute("UPDATE operator SET failed_attempts = 0, locked_until = NULL "
                 "WHERE id = ? AND (failed_attempts != 0 OR locked_until IS NOT NULL)",
                 (operator_id,))
