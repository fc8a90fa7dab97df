"""The INS datamatrix payload printed on health documents: encode and decode.

Rules from ins-rules.md section 6.4 (ANS "Format datamatrix INS" v2.2, as cited by two independent
implementations). The payload is a 26-character header, "IS01" followed by 22 zeros, then blocks
`<2-character id><value>`:

| id | field | length |
| --- | --- | --- |
| S1 | matricule INS with its key | 15, fixed |
| S2 | OID of the matricule | 19-20, variable (max 20) |
| S3 | list of birth first names | max 100, variable |
| S4 | birth name | max 100, variable |
| S5 | sex, M or F | 1, fixed |
| S6 | birth date JJ-MM-AAAA | 10, fixed |
| S7 | birth place COG code (99xxx abroad) | 5, fixed, optional |

A GS character (ASCII 29) follows a variable field that is shorter than its maximum and is not the
last block. `encode` writes the blocks in the order S1..S7.

`decode` is lenient on form and strict on content. It accepts the blocks in any order; the GS
character or a substitute chosen by the caller (a barcode scanner in keyboard-wedge mode often
cannot type GS and sends e.g. "<GS>", "|", "~" or "^]" instead, or nothing at all); the
surrounding whitespace or newline a scanner adds, and an AIM symbology prefix ("]d1"). A missing
GS is recovered safely: a name, a first-name list and an OID can never contain "S" followed by a
digit, so the next block id ends a variable field. The content is then checked: the matricule key
(`nir.parse_nir`), the OID (INS-NIR, INS-NIA, test or demonstration), the names against the INSi
character profile (`traits.validate`), the sex (M/F), a real date, and the shape of the place code.

Two rules are *not* enforced here, on purpose:
- The spec says the datamatrix is printed only for a qualified (QUAL) identity. That is the
  caller's decision (see status.py), not the encoder's: `encode` formats any valid identity.
- Scanning a datamatrix does not by itself make an identity qualified. Whether an identity read
  this way may be stored as QUAL without an INSi call was not established (ins-rules 7.9,
  uncertain); the safer choice is for the caller to look it up / re-verify it with INSi. The
  caller may also compare the traits with the matricule (`nir.check_consistency`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from insterm.domain import traits
from insterm.domain.errors import DatamatrixError, DomainError, NirError
from insterm.domain.nir import parse_nir

__all__ = [
    "DEFAULT_GS_SUBSTITUTES",
    "GS",
    "HEADER",
    "INS_OIDS",
    "DatamatrixIdentity",
    "decode",
    "encode",
]

HEADER = "IS01" + "0" * 22
GS = "\x1d"
DEFAULT_GS_SUBSTITUTES: tuple[str, ...] = ("<GS>",)
INS_OIDS = {
    "1.2.250.1.213.1.4.8": "INS-NIR",
    "1.2.250.1.213.1.4.9": "INS-NIA",
    "1.2.250.1.213.1.4.10": "INS-NIR de test",
    "1.2.250.1.213.1.4.11": "INS-NIR de démonstration",
}
NAME_MAX_LENGTH = 100


@dataclass(frozen=True, slots=True)
class _Block:
    label: str
    length: int  # the fixed length, or the maximum length of a variable field
    variable: bool
    mandatory: bool


_BLOCKS = {
    "S1": _Block("matricule INS", 15, variable=False, mandatory=True),
    "S2": _Block("OID du matricule", 20, variable=True, mandatory=True),
    "S3": _Block("liste des prénoms de naissance", NAME_MAX_LENGTH, variable=True, mandatory=True),
    "S4": _Block("nom de naissance", NAME_MAX_LENGTH, variable=True, mandatory=True),
    "S5": _Block("sexe", 1, variable=False, mandatory=True),
    "S6": _Block("date de naissance", 10, variable=False, mandatory=True),
    "S7": _Block("lieu de naissance", 5, variable=False, mandatory=False),
}
_BLOCK_ID_RE = re.compile(r"S[0-9]")
_DATE_RE = re.compile(r"([0-9]{2})-([0-9]{2})-([0-9]{4})")
_PLACE_CODE_RE = re.compile(r"[0-9]{5}|2[AB][0-9]{3}")
_AIM_PREFIX_RE = re.compile(r"\]d[0-9]")
_MAX_ECHO = 40


def _echo(text: str) -> str:
    """A value for a message: shortened, invisible characters (GS included) made visible."""
    shown = "".join(c if c.isprintable() else f"U+{ord(c):04X}" for c in text[:_MAX_ECHO])
    return shown + ("…" if len(text) > _MAX_ECHO else "")


def _name_error(block_id: str, value: object, kind: str) -> DatamatrixError | None:
    label = _BLOCKS[block_id].label
    capital = label[0].upper() + label[1:]
    if not isinstance(value, str):
        return DatamatrixError(f"{capital} (bloc {block_id}) : un texte est attendu.", field=kind)
    if len(value) > NAME_MAX_LENGTH:
        return DatamatrixError(
            f"{capital} (bloc {block_id}) : {len(value)} caractères, {NAME_MAX_LENGTH} au plus "
            "dans le datamatrix.",
            field=kind,
        )
    try:
        traits.validate(value, kind)
    except DomainError as error:
        return DatamatrixError(f"{capital} (bloc {block_id}) : {error.message}", field=kind)
    return None


@dataclass(frozen=True, slots=True)
class DatamatrixIdentity:
    """The identity held by an INS datamatrix; building one checks every field.

    Raises `DatamatrixError` naming the block of the first field that cannot be encoded.
    """

    matricule: str
    oid: str
    first_names: str
    birth_name: str
    sex: str
    birth_date: date
    birth_place: str | None = None

    def __post_init__(self) -> None:
        error = (
            _matricule_error(self.matricule)
            or _oid_error(self.oid)
            or _name_error("S3", self.first_names, "first_names")
            or _name_error("S4", self.birth_name, "birth_name")
            or _sex_error(self.sex)
            or _birth_date_error(self.birth_date)
            or _birth_place_error(self.birth_place)
        )
        if error is not None:
            raise error


def _matricule_error(value: object) -> DatamatrixError | None:
    if not isinstance(value, str):
        return DatamatrixError("Matricule INS (bloc S1) : un texte est attendu.", field="matricule")
    try:
        canonical = parse_nir(value).value
    except NirError as error:
        return DatamatrixError(
            f"Matricule INS (bloc S1) refusé : {error.message}", field="matricule"
        )
    if canonical != value:
        return DatamatrixError(
            f"Matricule INS (bloc S1) : il doit être écrit sur 15 caractères sans espace "
            f"(« {canonical} »).",
            field="matricule",
        )
    return None


def _oid_error(value: object) -> DatamatrixError | None:
    if isinstance(value, str) and value in INS_OIDS:
        return None
    shown = _echo(value) if isinstance(value, str) else "?"
    return DatamatrixError(
        f"L'OID du matricule (bloc S2) « {shown} » n'est pas celui d'une INS : "
        "1.2.250.1.213.1.4.8 (NIR), .9 (NIA), .10 (test) ou .11 (démonstration).",
        field="oid",
    )


def _sex_error(value: object) -> DatamatrixError | None:
    if value in ("M", "F"):
        return None
    shown = _echo(value) if isinstance(value, str) else "?"
    return DatamatrixError(
        f"Le sexe (bloc S5) « {shown} » doit être M ou F : une identité de sexe indéterminé "
        "ne peut pas figurer dans le datamatrix INS.",
        field="sex",
    )


def _birth_date_error(value: object) -> DatamatrixError | None:
    if isinstance(value, date) and not isinstance(value, datetime):
        return None
    return DatamatrixError(
        "La date de naissance (bloc S6) doit être une date (jour, mois, année).",
        field="birth_date",
    )


def _birth_place_error(value: object) -> DatamatrixError | None:
    if value is None or (isinstance(value, str) and _PLACE_CODE_RE.fullmatch(value)):
        return None
    shown = _echo(value) if isinstance(value, str) else "?"
    return DatamatrixError(
        f"Le lieu de naissance (bloc S7) « {shown} » doit être un code INSEE de 5 caractères "
        "(commune, 2A/2B pour la Corse, ou 99 suivi du code pays).",
        field="birth_place",
    )


def _variable(block_id: str, value: str, *, last: bool) -> str:
    """A variable block, followed by GS when shorter than its maximum and not last."""
    separator = "" if last or len(value) == _BLOCKS[block_id].length else GS
    return f"{block_id}{value}{separator}"


def encode(identity: DatamatrixIdentity) -> str:
    """The datamatrix payload of an identity (blocks S1..S7, S7 only when the place is known).

    Printing it only for a qualified identity is the caller's rule (see the module docstring).
    """
    if not isinstance(identity, DatamatrixIdentity):
        raise DatamatrixError("Seule une identité INS complète peut être codée en datamatrix.")
    d = identity.birth_date
    parts = [
        HEADER,
        f"S1{identity.matricule}",
        _variable("S2", identity.oid, last=False),
        _variable("S3", identity.first_names, last=False),
        _variable("S4", identity.birth_name, last=False),
        f"S5{identity.sex}",
        f"S6{d.day:02d}-{d.month:02d}-{d.year:04d}",
    ]
    if identity.birth_place is not None:
        parts.append(f"S7{identity.birth_place}")
    return "".join(parts)


def _substitutes(gs_substitutes: Iterable[str] | str | None) -> list[str]:
    if gs_substitutes is None:
        return []
    if isinstance(gs_substitutes, str):
        gs_substitutes = (gs_substitutes,)
    try:
        chosen = [s for s in gs_substitutes if isinstance(s, str) and s]
    except TypeError:
        raise DatamatrixError(
            "Réglage du lecteur incorrect : les remplaçants du séparateur GS doivent être une "
            "liste de textes."
        ) from None
    # The longest first, so that "^]" is replaced before a shorter substitute it may contain.
    return sorted(chosen, key=len, reverse=True)


def _check_header(text: str) -> None:
    if not text:
        raise DatamatrixError(
            "Le datamatrix lu est vide : scannez à nouveau le code « INS à scanner »."
        )
    head = text[: len(HEADER)]
    if head == HEADER:
        return
    if head.swapcase() == HEADER:
        raise DatamatrixError(
            "Le datamatrix a été lu en minuscules : la touche Verr. Maj. semble activée. "
            "Désactivez-la et scannez à nouveau."
        )
    if head.startswith("IS") and len(head) >= 4 and head[2:4] != "01":
        raise DatamatrixError(
            f"Version de datamatrix INS non prise en charge (« {_echo(head[2:4])} ») : seule la "
            "version 01 est lue."
        )
    raise DatamatrixError(
        f"Ce code n'est pas un datamatrix INS (début lu : « {_echo(head)} ») : il doit "
        "commencer par IS01 suivi de 22 zéros. Vérifiez que le bon code a été scanné."
    )


def _split_blocks(text: str) -> dict[str, str]:
    """The raw value of each block, after the header; form errors only."""
    values: dict[str, str] = {}
    pos = len(HEADER)
    while pos < len(text):
        if text[pos] == GS:  # a separator after a fixed field or doubled: harmless
            pos += 1
            continue
        block_id = text[pos : pos + 2]
        block = _BLOCKS.get(block_id)
        if block is None:
            raise DatamatrixError(
                f"Bloc inconnu « {_echo(block_id)} » (caractère {pos + 1}) : un datamatrix INS "
                "ne contient que les blocs S1 à S7. Scannez à nouveau le code."
            )
        if block_id in values:
            raise DatamatrixError(
                f"Le bloc {block_id} ({block.label}) apparaît deux fois : le code est "
                "incohérent, scannez à nouveau ou saisissez l'identité."
            )
        start = pos + 2
        if block.variable:
            gs_at = text.find(GS, start)
            end = len(text) if gs_at < 0 else gs_at
            next_block = _BLOCK_ID_RE.search(text, start, end)
            if next_block is not None:  # GS missing: the next block id ends the field
                end = next_block.start()
            value = text[start:end]
            if len(value) > block.length:
                raise DatamatrixError(
                    f"Le bloc {block_id} ({block.label}) est trop long : {len(value)} "
                    f"caractères, {block.length} au plus."
                )
        else:
            end = start + block.length
            value = text[start:end]
            if len(value) < block.length or GS in value:
                raise DatamatrixError(
                    f"Le bloc {block_id} ({block.label}) est tronqué : {block.length} "
                    "caractères attendus. Scannez à nouveau le code."
                )
        values[block_id] = value
        pos = end
    missing = [
        f"{block_id} ({block.label})"
        for block_id, block in _BLOCKS.items()
        if block.mandatory and block_id not in values
    ]
    if missing:
        raise DatamatrixError(
            "Le datamatrix est incomplet, il manque : " + ", ".join(missing) + ". Scannez à "
            "nouveau le code ou saisissez l'identité."
        )
    return values


def _parse_date(value: str) -> date:
    match = _DATE_RE.fullmatch(value)
    if match is not None:
        day, month, year = (int(part) for part in match.groups())
        try:
            return date(year, month, day)
        except ValueError:
            pass
    raise DatamatrixError(
        f"La date de naissance (bloc S6) « {_echo(value)} » n'est pas une date réelle au "
        "format JJ-MM-AAAA.",
        field="birth_date",
    )


def decode(
    payload: str, *, gs_substitutes: Iterable[str] | str | None = DEFAULT_GS_SUBSTITUTES
) -> DatamatrixIdentity:
    """The identity held by a scanned datamatrix payload, checked; `DatamatrixError` otherwise.

    GS (ASCII 29) is always accepted as the separator; `gs_substitutes` lists what the scanner
    may send instead (default "<GS>"; e.g. ("<GS>", "|", "~", "^]")). An empty substitute is
    ignored. Scanning does not qualify the identity (see the module docstring).
    """
    if not isinstance(payload, str):
        raise DatamatrixError("Le datamatrix lu doit être un texte.")
    text = payload.strip()
    if _AIM_PREFIX_RE.match(text):
        text = text[3:]
    for substitute in _substitutes(gs_substitutes):
        text = text.replace(substitute, GS)
    _check_header(text)
    values = _split_blocks(text)
    try:
        matricule = parse_nir(values["S1"]).value  # lowercase 2a/2b tolerated, stored canonical
    except NirError as error:
        raise DatamatrixError(
            f"Matricule INS (bloc S1) refusé : {error.message}", field="matricule"
        ) from None
    return DatamatrixIdentity(
        matricule=matricule,
        oid=values["S2"],
        first_names=values["S3"],
        birth_name=values["S4"],
        sex=values["S5"],
        birth_date=_parse_date(values["S6"]),
        birth_place=values.get("S7"),
    )
