"""`open_groups` lists a confirmed duplicate until it is merged (the admin merges it there)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from duplicate_override import create_anyway

from insterm.clinic import Clinic
from insterm.domain.identity import StrictTraits

TODAY = date(2025, 6, 1)


def _jean(clinic: Clinic, first_names: str) -> int:
    traits = StrictTraits.build(birth_name="MARTIN", first_name="JEAN", first_names=first_names,
                                birth_date=date(1980, 2, 1), sex="M", birth_place="75056",
                                today=TODAY)
    return create_anyway(clinic, "admin", traits).record.id


def _open_pairs(clinic: Clinic) -> list[tuple[set[int], set[str]]]:
    return [({m.id for m in g.members}, {link[2] for link in g.links})
            for g in clinic.open_duplicate_groups()]


def test_a_confirmed_duplicate_stays_listed_until_merged(tmp_path: Path) -> None:
    with Clinic.open(tmp_path / "c.sqlite3", create=True, today=lambda: TODAY) as clinic:
        clinic.bootstrap_admin("admin", "Alice Admin", os_login="admin")
        first, second = _jean(clinic, "JEAN"), _jean(clinic, "JEAN PIERRE")
        assert _open_pairs(clinic) == [({first, second}, {"potential"})]
        clinic.mark_duplicate("admin", first, second)
        assert _open_pairs(clinic) == [({first, second}, {"confirmed"})]
        survivor, absorbed = clinic.get(first), clinic.get(second)
        clinic.merge("admin", survivor.id, survivor.version, absorbed.id, absorbed.version)
        assert _open_pairs(clinic) == []


def test_a_pair_decided_not_duplicate_leaves_the_list(tmp_path: Path) -> None:
    with Clinic.open(tmp_path / "c.sqlite3", create=True, today=lambda: TODAY) as clinic:
        clinic.bootstrap_admin("admin", "Alice Admin", os_login="admin")
        first, second = _jean(clinic, "JEAN"), _jean(clinic, "JEAN PIERRE")
        clinic.dismiss_duplicate("admin", first, second)
        assert _open_pairs(clinic) == []
