"""Reading a CSV patient file from older practice software: its encoding and delimiter found
from its bytes (and shown to the person who imports), then its rows as text cells.

- Encoding: UTF-8 with a BOM, UTF-8, else cp1252 (the Windows code page French software writes;
  it reads every latin-1 letter the same way), else latin-1 (bytes 0x80-0x9F that cp1252 does
  not define).
- Delimiter: `;`, `,` or tab, whichever splits the first lines into the same number of cells
  most consistently (the header line decides a tie).
Rows are read lazily (a file of 100,000 rows is never held in memory as rows).
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from insterm.domain.errors import InstermError, echoed

DELIMITERS = (";", ",", "\t")
DELIMITER_NAMES = {";": "point-virgule « ; »", ",": "virgule « , »", "\t": "tabulation"}
ENCODING_NAMES = {"utf-8-sig": "UTF-8 avec BOM", "utf-8": "UTF-8",
                  "cp1252": "Windows-1252 (cp1252)", "latin-1": "ISO-8859-1 (latin-1)"}
_SAMPLE = 256 * 1024
MAX_CELL = 4096  # a cell longer than that is not an identity trait: the file is not what it seems


class SourceError(InstermError):
    """A file that cannot be read as a patient file; the message says why, in French."""


@dataclass(frozen=True, slots=True)
class CsvFormat:
    encoding: str  # a codec name of ENCODING_NAMES
    delimiter: str

    def describe(self) -> str:
        return (f"CSV, séparateur {DELIMITER_NAMES[self.delimiter]}, encodage "
                f"{ENCODING_NAMES[self.encoding]}")


def detect_encoding(sample: bytes, whole: Path | None = None) -> str:
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    for encoding in ("utf-8", "cp1252"):
        try:
            if whole is not None:
                with whole.open(encoding=encoding, newline="") as text:
                    while text.read(1 << 20):
                        pass
            else:
                sample.decode(encoding)
            return encoding
        except UnicodeDecodeError:
            continue
    return "latin-1"


def _widths(lines: list[str], delimiter: str) -> list[int]:
    return [len(row) for row in csv.reader(lines, delimiter=delimiter)]


def detect_delimiter(text: str) -> str:
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    if not lines:
        raise SourceError("Le fichier est vide : aucune ligne à importer.")
    best, best_score = None, (0, 0)
    for delimiter in DELIMITERS:
        widths = _widths(lines, delimiter)
        header = widths[0]
        if header < 2:
            continue
        score = (sum(1 for w in widths if w == header), header)
        if score > best_score:
            best, best_score = delimiter, score
    if best is None:
        raise SourceError(
            f"Séparateur introuvable dans « {echoed(lines[0], 60)} » : le fichier doit avoir "
            "une ligne d'en-tête dont les colonnes sont séparées par « ; », « , » ou une "
            "tabulation.")
    return best


def detect(path: Path) -> CsvFormat:
    """The encoding and delimiter of the CSV file `path` (`SourceError` if unreadable)."""
    try:
        with path.open("rb") as raw:
            sample = raw.read(_SAMPLE)
    except OSError as error:
        raise SourceError(f"Lecture impossible de {path} : {error.strerror or error}.") from None
    if b"\x00" in sample:
        raise SourceError(f"{path.name} n'est pas un fichier texte (CSV) : il contient des "
                          "octets nuls.")
    encoding = detect_encoding(sample, path)
    text = sample.decode(encoding, errors="ignore")  # the cut may fall inside a character
    return CsvFormat(encoding, detect_delimiter(text))


def header(path: Path, fmt: CsvFormat) -> list[str]:
    """The header cells of the CSV file `path`."""
    with path.open(encoding=fmt.encoding, newline="") as handle:
        try:
            return [cell.strip() for cell in next(csv.reader(handle, delimiter=fmt.delimiter))]
        except StopIteration:
            raise SourceError("Le fichier est vide : aucune ligne à importer.") from None
        except csv.Error as error:
            raise SourceError(f"En-tête illisible : {error}.") from None


def rows(path: Path, fmt: CsvFormat,
         width: int) -> Iterator[tuple[int, list[str], str | None]]:
    """(line number, cells, None) for each non-empty row after the header, or (line number,
    [], French reason) for a row that cannot be read as cells of the header's `width`."""
    with path.open(encoding=fmt.encoding, newline="") as handle:
        reader = csv.reader(handle, delimiter=fmt.delimiter)
        try:
            next(reader, None)
            for cells in reader:
                if not any(cell.strip() for cell in cells):
                    continue
                if len(cells) > width and any(c.strip() for c in cells[width:]):
                    yield reader.line_num, [], (
                        f"{len(cells)} colonnes pour {width} dans l'en-tête (séparateur dans "
                        "une valeur non mise entre guillemets ?).")
                elif any(len(cell) > MAX_CELL for cell in cells):
                    yield reader.line_num, [], (f"une valeur de plus de {MAX_CELL} caractères "
                                                "n'est pas un trait d'identité.")
                else:
                    yield reader.line_num, cells, None
        except csv.Error as error:
            raise SourceError(f"Ligne {reader.line_num} illisible : {error}.") from None
