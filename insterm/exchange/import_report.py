"""The CSV report of an import: every refused or held row with its reason (`;`-separated,
UTF-8 with BOM, as the CSV export: it opens as it is in a French spreadsheet)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from insterm.exchange.csv_export import safe_cell


class RowOutcome(Protocol):
    """An import row and its outcome (`insterm.store.imports.RowOutcome` is one)."""

    @property
    def row_key(self) -> str: ...
    @property
    def source_id(self) -> str: ...
    @property
    def raw(self) -> Mapping[str, str]: ...
    @property
    def outcome(self) -> str: ...
    @property
    def detail(self) -> Any: ...

HEADER = ("Ligne ou archive", "Identifiant d'origine", "Nom de naissance", "Prénom(s)",
          "Date de naissance", "Résultat", "Motif", "IPP créé", "Dossiers ressemblants (IPP)")
RESULTS = {"refused": "refusée", "held": "retenue : doublon probable",
           "imported": "importée", "normalised": "importée avec corrections"}


def _reason(row: RowOutcome) -> str:
    detail = row.detail or {}
    if row.outcome == "refused":
        return str(detail.get("raison", ""))
    parts = [f"doublon probable (score {d['score']})" for d in detail.get("doublons", [])[:1]]
    parts += [str(p) for p in detail.get("propositions", [])]
    return " ; ".join(parts)


def document(rows: Iterable[RowOutcome]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(HEADER)
    for row in rows:
        raw, detail = row.raw, row.detail or {}
        first = raw.get("first_names") or raw.get("first_name") or ""
        writer.writerow([safe_cell(v) for v in (
            row.row_key, row.source_id, raw.get("birth_name", ""), first,
            raw.get("birth_date", ""), RESULTS[row.outcome], _reason(row),
            detail.get("ipp", ""),
            " ".join(d["ipp"] for d in detail.get("doublons", [])))])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
