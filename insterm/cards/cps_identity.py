"""Who holds a CPS, read without the PIN, and the practice situation read with it.

- `holder_from_certificate(der)`: the authentication certificate's subject (public object).
  Two DN shapes are in use: the newer one has a multi-valued RDN (GN + CN + SN), CN being the
  12-character national identifier (e.g. "8" + 11-digit RPPS) and `title` the profession; the
  older one is `CN=NAME FIRSTNAME, SERIALNUMBER=<national id>, OU=<role or profession>`.
- `specialty_from_info(data)`: the specialty code ending the public `CPS_INFO_PS` object
  (physicians: INSi's codeSpecialite).
- `national_id_kind(id)`: the prefix table of `idNat_PS` (0 ADELI, 1 ADELI cabinet, 3 FINESS,
  4 SIREN, 5 SIRET, 6 RPPS cabinet, 8 RPPS).
- `parse_activity(data)`: a `CPS_ACTIVITY_xx_PS` object (private, after the PIN): a BER
  template `EE` holding `84` the structure's name, `85` its national identifier
  (Struct_IdNat, type prefix + number) and `86` the sector code (`SAxx`). The structure's
  identifier without its one-character type prefix is what INSi calls identifiantFacturation
  (the FINESS, SIRET or billing number of the practice).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from insterm.domain.errors import InstermError

NATIONAL_ID_PREFIXES = {
    "0": "ADELI",
    "1": "ADELI (cabinet)",
    "3": "FINESS",
    "4": "SIREN",
    "5": "SIRET",
    "6": "RPPS (cabinet)",
    "8": "RPPS",
}


class CpsDataError(InstermError):
    """A card object or certificate that cannot be read; the message is French."""


@dataclass(frozen=True, slots=True)
class CpsHolder:
    """The card holder as the public objects say: `national_id` with its prefix ("8" + RPPS),
    `subject` the certificate subject (RFC 4514), `profession` as the card words it."""

    surname: str
    given_name: str
    national_id: str
    profession: str | None
    subject: str

    @property
    def display_name(self) -> str:
        return " ".join(part for part in (self.surname, self.given_name) if part)

    @property
    def id_kind(self) -> str:
        return national_id_kind(self.national_id)

    @property
    def rpps(self) -> str | None:
        """The 11-digit RPPS number when the identifier is an RPPS one (prefix 8)."""
        return self.national_id[1:] if self.national_id.startswith("8") else None


@dataclass(frozen=True, slots=True)
class CpsActivity:
    """One practice situation of the card (CPS_ACTIVITY_xx_PS)."""

    structure_name: str
    structure_id: str  # Struct_IdNat: type prefix + number
    sector: str  # secteurActivite, e.g. "SA05"

    @property
    def billing_id(self) -> str:
        """identifiantFacturation: the structure's number without its type prefix."""
        return self.structure_id[1:] if len(self.structure_id) > 1 else self.structure_id


_SPECIALTY = re.compile(r"SM\d{2}", re.ASCII)


def specialty_from_info(data: bytes) -> str | None:
    """The specialty code (table R01, e.g. "SM26") that ends a CPS_INFO_PS object (as the
    GIE SESAM-Vitale sample reads it), or None when its last characters are not one."""
    tail = data.rstrip(b"\x00 ")[-4:].decode("latin-1")
    return tail if _SPECIALTY.fullmatch(tail) else None


def national_id_kind(national_id: str) -> str:
    """"RPPS", "ADELI"... from the identifier's first character; "inconnu" otherwise."""
    return NATIONAL_ID_PREFIXES.get(national_id[:1], "inconnu")


def _value(value: str | bytes) -> str:
    return value if isinstance(value, str) else value.decode("utf-8", "replace")


def holder_from_certificate(der: bytes) -> CpsHolder:
    """The holder named by the authentication certificate (either DN shape)."""
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    try:
        certificate = x509.load_der_x509_certificate(der)
    except ValueError:
        raise CpsDataError("Le certificat d'authentification de la carte est illisible.") from None
    subject = certificate.subject

    def first(oid: x509.ObjectIdentifier) -> str | None:
        found = subject.get_attributes_for_oid(oid)
        return " ".join(_value(found[0].value).split()) if found else None

    common_name = first(NameOID.COMMON_NAME) or ""
    serial = first(NameOID.SERIAL_NUMBER)
    surname, given = first(NameOID.SURNAME), first(NameOID.GIVEN_NAME)
    if surname is not None or given is not None:  # the newer shape: CN is the national id
        national_id, profession = common_name, first(NameOID.TITLE)
    elif serial is not None:  # the older shape: CN "NAME FIRSTNAME", the id in SERIALNUMBER
        national_id = serial
        surname, _, given = common_name.partition(" ")
        profession = first(NameOID.ORGANIZATIONAL_UNIT_NAME) or first(NameOID.TITLE)
    else:
        raise CpsDataError("Le certificat de la carte ne nomme pas son porteur : ce n'est "
                           "pas un certificat d'authentification de CPS.")
    national_id = national_id.replace(" ", "")
    if not national_id or not national_id.isalnum():
        raise CpsDataError("Le certificat de la carte ne porte pas d'identifiant national du "
                           "professionnel.")
    return CpsHolder(surname=surname or "", given_name=given or "", national_id=national_id,
                     profession=profession, subject=subject.rfc4514_string())


def _tlv(data: bytes) -> list[tuple[int, bytes]]:
    """Simple BER: one-byte tags, short or long (81/82) lengths; zero padding ends the list."""
    items: list[tuple[int, bytes]] = []
    index = 0
    while index < len(data):
        tag = data[index]
        if tag in (0x00, 0xFF):
            break
        if index + 1 >= len(data):
            raise CpsDataError("Situation d'exercice de la carte illisible (longueur absente).")
        length = data[index + 1]
        index += 2
        if length & 0x80:
            count = length & 0x7F
            if count not in (1, 2) or index + count > len(data):
                raise CpsDataError("Situation d'exercice de la carte illisible (longueur).")
            length = int.from_bytes(data[index:index + count], "big")
            index += count
        if index + length > len(data):
            raise CpsDataError("Situation d'exercice de la carte illisible (tronquée).")
        items.append((tag, data[index:index + length]))
        index += length
    return items


def _text(raw: bytes) -> str:
    return " ".join(raw.decode("latin-1").split())


def parse_activity(data: bytes) -> CpsActivity:
    """The practice situation of a CPS_ACTIVITY_xx_PS object (see the module docstring)."""
    outer = _tlv(data)
    if not outer or outer[0][0] != 0xEE:
        raise CpsDataError("Situation d'exercice de la carte illisible (modèle EE absent).")
    fields = dict(_tlv(outer[0][1]))
    if 0x85 not in fields or 0x86 not in fields:
        raise CpsDataError("La situation d'exercice de la carte ne donne pas l'identifiant de "
                           "la structure ou son secteur d'activité.")
    structure_id, sector = _text(fields[0x85]), _text(fields[0x86])
    if not structure_id.isalnum() or not sector.isalnum():
        raise CpsDataError("Situation d'exercice de la carte illisible (identifiant ou secteur).")
    return CpsActivity(_text(fields.get(0x84, b"")), structure_id, sector)


def encode_activity(activity: CpsActivity) -> bytes:
    """The object bytes of `activity` (tests write them to a SoftHSM2 token)."""
    def tlv(tag: int, value: bytes) -> bytes:
        if len(value) < 0x80:
            return bytes([tag, len(value)]) + value
        return bytes([tag, 0x81 if len(value) < 256 else 0x82]) + len(value).to_bytes(
            1 if len(value) < 256 else 2, "big") + value

    inner = (tlv(0x84, activity.structure_name.encode("latin-1"))
             + tlv(0x85, activity.structure_id.encode("ascii"))
             + tlv(0x86, activity.sector.encode("ascii")))
    return tlv(0xEE, inner)
