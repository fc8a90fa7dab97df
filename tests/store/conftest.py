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
