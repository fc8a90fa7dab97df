"""A patient file to import, whatever its kind: a CSV (with its mapping) or ANS portability
archives (one XDM zip per patient, or a folder of them). `open_source` reads what it must to
describe the file (kind, encoding, delimiter, mapping) and its SHA-256 digest; `rows()` then
yields every row as trait values, lazily.

A row's id in its source is its line number (CSV) or its archive's name (XDM): with the file's
digest it names one row for good, so an interrupted import resumes and a second run of the same
file imports nothing twice.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from insterm.exchange import import_cda, import_csv, import_mapping
from insterm.exchange.import_csv import SourceError
from insterm.exchange.import_mapping import ColumnMapping


@dataclass(frozen=True, slots=True)
class SourceRow:
    key: str  # the row's id in its source: line number, or archive name
    source_id: str  # the id the old software gave the patient, when mapped ("" else)
    values: dict[str, str]
    error: str | None = None  # the row could not be read at all (a broken archive)


@dataclass(frozen=True, slots=True)
class ImportSource:
    path: Path
    kind: str  # "csv" or "xdm"
    description: str  # French: "CSV, séparateur « ; », encodage cp1252" ...
    digest: str
    mapping: ColumnMapping | None  # CSV only
    csv_format: import_csv.CsvFormat | None = None
    archives: tuple[Path, ...] = ()

    def rows(self) -> Iterator[SourceRow]:
        if self.kind == "xdm":
            for archive in self.archives:
                try:
                    values = import_cda.read_archive(archive)
                except SourceError as error:
                    yield SourceRow(archive.name, "", {}, error.message)
                    continue
                yield SourceRow(archive.name, "", values)
            return
        assert self.mapping is not None and self.csv_format is not None
        mapping = self.mapping
        rows = import_csv.rows(self.path, self.csv_format, len(mapping.headers))
        id_column = mapping.columns.get("source_id")
        for line, cells, unreadable in rows:
            if unreadable is not None:
                yield SourceRow(str(line), "", {}, unreadable)
                continue
            values = mapping.values(cells)
            values.pop("source_id", None)
            source_id = cells[id_column].strip() if id_column is not None and \
                id_column < len(cells) else ""
            yield SourceRow(str(line), source_id, values)

    def preview(self, count: int = 5) -> list[SourceRow]:
        found: list[SourceRow] = []
        for row in self.rows():
            found.append(row)
            if len(found) >= count:
                break
        return found


def _file_digest(path: Path, digest: Any = None) -> Any:
    """`digest` (a hashlib object; a new SHA-256 when None) updated with the file's bytes."""
    digest = digest if digest is not None else hashlib.sha256()
    with path.open("rb") as data:
        while chunk := data.read(1 << 20):
            digest.update(chunk)
    return digest


def open_source(path: Path, mapping_file: Path | None = None) -> ImportSource:
    """The file `path` described and ready to read (`SourceError`/`MappingError`, French)."""
    if not path.exists():
        raise SourceError(f"Fichier introuvable : {path}.")
    if path.is_dir() or path.suffix.lower() == ".zip":
        archives = tuple(import_cda.archives(path))
        digest = hashlib.sha256()
        try:
            for archive in archives:
                digest.update(archive.name.encode() + b"\0")
                _file_digest(archive, digest)
        except OSError as error:
            raise SourceError(f"Lecture impossible : {error}.") from None
        count = len(archives)
        return ImportSource(path, "xdm", f"archives de portabilité IHE XDM (CDA), {count} "
                            f"archive{'s' if count > 1 else ''}", digest.hexdigest(), None,
                            archives=archives)
    fmt = import_csv.detect(path)
    header = import_csv.header(path, fmt)
    mapping = (import_mapping.load(mapping_file, header) if mapping_file is not None
               else import_mapping.recognise(header))
    try:
        digest = _file_digest(path).hexdigest()
    except OSError as error:
        raise SourceError(f"Lecture impossible de {path} : {error.strerror or error}.") from None
    return ImportSource(path, "csv", fmt.describe(), digest, mapping, fmt)
