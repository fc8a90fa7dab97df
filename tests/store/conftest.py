"""Fixtures of the store tests: a real SQLite file in a temporary folder."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from insterm.store.connection import open_database

QUAL_ROW = dict(birth_name="ADRUN", first_name="ZOE", first_names="ZOE", birth_date="1975-12-31",
                sex="F", birth_place="63220", status="QUAL", matricule="275126322074974",
                oid="1.2.250.1.213.1.4.8")


@pytest.fixture(autouse=True)
def _encrypted_databases(request: pytest.FixtureRequest) -> Iterator[None]:
    """With `pytest --chiffre`, every database the test creates is an SQLCipher one (a random
    key of this test, given in process: never a keyring or a file). Tests that start other
    insterm processes (marked `processes`) cannot hand them that key: they are skipped."""
    if not request.config.getoption("--chiffre"):
        yield
        return
    pytest.importorskip("sqlcipher3", reason="--chiffre needs the crypt extra (sqlcipher3)")
    if request.node.get_closest_marker("processes") is not None:
        pytest.skip("--chiffre: starts other insterm processes, which cannot be given the "
                    "test's in-process key")
    import secrets

    from insterm.store import connection

    key = secrets.token_bytes(connection.KEY_BYTES)
    connection.set_key_source(lambda: key, encrypt_new=True)
    yield
    connection.set_key_source(None)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "insterm.sqlite3"


@pytest.fixture
def conn(db_path: Path) -> Iterator[sqlite3.Connection]:
    connection = open_database(db_path, create=True)
    yield connection
    connection.close()


def person(**changes: object) -> dict[str, object]:
    row: dict[str, object] = dict(birth_name="MARTIN", first_name="JEAN",
                                  first_names="JEAN PIERRE", birth_date=date(1980, 2, 1),
                                  sex="M", birth_place="75056")
    row.update(changes)
    return row
