"""A writer run as a separate process by the concurrency tests (not a test module).

    python writer_process.py count DB IDENTITY_ID COUNT  -> COUNT increments of a counter kept
        in the used name (read, +1, write with the version read), retrying on version
        conflicts; prints "done N conflicts" at the end.
    python writer_process.py create DB                    -> creates identities forever, printing
        "committed IPP" after each commit (the parent kills it with SIGKILL).
"""

from __future__ import annotations

import sys
from datetime import date

from insterm.clinic import Clinic, DuplicateOverride
from insterm.domain.identity import StrictTraits
from insterm.store.errors import VersionConflict
from insterm.usecases.errors import DuplicateSuspected


def encode(n: int) -> str:
    """A counter as letters (a used name may hold only letters): 0 -> "NA", 27 -> "NBB"."""
    letters = ""
    while True:
        n, digit = divmod(n, 26)
        letters = chr(65 + digit) + letters
        if n == 0:
            return "N" + letters


def decode(name: str | None) -> int:
    value = 0
    for ch in (name or "NA")[1:]:
        value = value * 26 + ord(ch) - 65
    return value


def count(path: str, identity_id: int, times: int) -> None:
    clinic = Clinic.open(path)
    done = conflicts = 0
    while done < times:
        record = clinic.get(identity_id)
        try:
            clinic.edit_traits("admin", identity_id, record.version,
                               {"used_name": encode(decode(record.used_name) + 1)})
        except VersionConflict:
            conflicts += 1
            continue
        done += 1
    print(f"done {done} {conflicts}", flush=True)


def create(path: str) -> None:
    clinic = Clinic.open(path)
    names = ["JEAN", "PAUL", "LUC", "ANNE", "MARIE"]
    n = 0
    while True:
        n += 1
        first = names[n % len(names)]
        traits = StrictTraits.build(birth_name="KILLTEST", first_name=first, first_names=first,
                                    birth_date=date(1950 + n % 50, 1 + n % 12, 1 + n % 28),
                                    sex="M", birth_place="75056")
        try:
            saved = clinic.create_identity("admin", traits)
        except DuplicateSuspected as stop:  # the names cycle: a near-duplicate, on purpose
            saved = clinic.create_identity("admin", traits, override=DuplicateOverride(
                frozenset(c.identity.id for c in stop.candidates), "doublon voulu par le test"))
        sys.stdout.write(f"committed {saved.record.ipp}\n")
        sys.stdout.flush()


if __name__ == "__main__":
    if sys.argv[1] == "count":
        count(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    else:
        create(sys.argv[2])
