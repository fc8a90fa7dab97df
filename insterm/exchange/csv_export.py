"""CSV of identities for the practice's own use (spreadsheet): `;`-separated, UTF-8 with BOM.

The matricule INS and its OID are filled only for a QUAL identity (`ExchangeIdentity` holds no
INS otherwise). A cell that a spreadsheet would read as a formula (starting with = + - @ or a
tab/CR) is prefixed with an apostrophe.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from insterm.exchange.identity import ExchangeIdentity

HEADER = ("IPP", "Nom de naissance", "Premier prénom", "Prénoms de naissance", "Nom utilisé",
          "Prénom utilisé", "Date de naissance", "Sexe", "Lieu de naissance (code COG)",
          "Statut", "Attributs", "Matricule INS", "OID de l'INS")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str | None) -> str:
    text = value or ""
    return "'" + text if text.startswith(_FORMULA_START) else text


def row(identity: ExchangeIdentity) -> tuple[str, ...]:
    ins = identity.ins if identity.qualified else None
    return tuple(safe_cell(v) for v in (
        identity.ipp, identity.birth_name, identity.first_name, identity.first_names,
        identity.used_name, identity.used_first_name, identity.birth_date.strftime("%d/%m/%Y"),
        identity.sex, identity.birth_place, identity.status,
        " ".join(sorted(identity.attributes)),
        ins.matricule if ins else None, ins.oid if ins else None))


def document(identities: Iterable[ExchangeIdentity]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(HEADER)
    for identity in identities:
        writer.writerow(row(identity))
    return out.getvalue().encode("utf-8-sig")
