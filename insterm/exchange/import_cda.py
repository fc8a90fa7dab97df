"""Reading the patient of an ANS portability archive ("Portabilité des données des LGC"): one
IHE XDM zip per patient, holding CDA R2 documents whose header (`recordTarget`) names the patient.

From `recordTarget/patientRole` (CI-SIS header): `id` whose `@root` is an INS OID (its
`@extension` is the matricule: a *received* INS, verified with INSi before any use);
`patient/name/family[@qualifier="BR"]` the birth name; `given[@qualifier="BR"]` the first birth
first name and `given` without qualifier the list of birth first names;
`administrativeGenderCode/@code` (M, F; U read as I); `birthTime/@value` (AAAAMMJJ);
`birthplace/place/addr/county` the COG code. The used names (`family` SP/CL) are not taken: their
exact meaning in the CI-SIS header was not established, and a wrong used name is worse than none.
The header carries no identity status of the sending software that could be trusted here: the
identity starts provisional whatever the archive says.

The XML is untrusted: no DTD (a document declaring one is refused), no entities, no network, no
huge trees; zip members are read with a size cap (a "zip bomb" is refused, nothing extracted to
disk).
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path

from lxml import etree

from insterm.domain.datamatrix import INS_OIDS
from insterm.domain.errors import echoed
from insterm.exchange.import_csv import SourceError

HL7 = "urn:hl7-org:v3"
NS = {"h": HL7}
MAX_MEMBER = 20 * 1024 * 1024
_SEX = {"M": "M", "F": "F", "U": "I", "UN": "I"}


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           dtd_validation=False, huge_tree=False, remove_comments=True)


def _documents(archive: zipfile.ZipFile, name: str) -> Iterator[etree._Element]:
    for info in archive.infolist():
        if info.is_dir() or not info.filename.lower().endswith(".xml"):
            continue
        if info.file_size > MAX_MEMBER:
            raise SourceError(f"{name} : {info.filename} dépasse {MAX_MEMBER // 2**20} Mo, "
                              "archive refusée.")
        with archive.open(info) as member:
            data = member.read(MAX_MEMBER + 1)
        if len(data) > MAX_MEMBER:
            raise SourceError(f"{name} : {info.filename} dépasse {MAX_MEMBER // 2**20} Mo "
                              "une fois décompressé, archive refusée.")
        if b"<!DOCTYPE" in data[:4096].upper() or b"<!ENTITY" in data.upper():
            raise SourceError(f"{name} : {info.filename} déclare une DTD ou des entités, "
                              "refusé (document non sûr).")
        try:
            root = etree.fromstring(data, _parser())
        except etree.XMLSyntaxError as error:
            raise SourceError(f"{name} : {info.filename} n'est pas un XML lisible : "
                              f"{echoed(str(error), 120)}.") from None
        if root.tag == f"{{{HL7}}}ClinicalDocument":
            yield root


def _text(node: etree._Element | None) -> str:
    if node is None:
        return ""
    return " ".join("".join(str(t) for t in node.itertext()).split())


def _first(root: etree._Element, path: str) -> etree._Element | None:
    found = root.xpath(path, namespaces=NS)
    if isinstance(found, list) and found and isinstance(found[0], etree._Element):
        return found[0]
    return None


def patient(root: etree._Element) -> dict[str, str]:
    """The patient of one CDA document's header, as import row values."""
    role = _first(root, "h:recordTarget/h:patientRole")
    if role is None:
        raise SourceError("Document CDA sans en-tête patient (recordTarget).")
    values: dict[str, str] = {}
    for ident in role.findall("h:id", NS):
        if ident.get("root") in INS_OIDS and ident.get("extension"):
            values.update(ins=ident.get("extension", ""), ins_oid=ident.get("root", ""))
            break
    person = _first(role, "h:patient")
    if person is None:
        raise SourceError("Document CDA sans patient (recordTarget/patientRole/patient).")
    name = _first(person, "h:name")
    if name is not None:
        family = _first(name, "h:family[@qualifier='BR']")
        if family is None:
            family = _first(name, "h:family")
        values["birth_name"] = _text(family)
        values["first_name"] = _text(_first(name, "h:given[@qualifier='BR']"))
        values["first_names"] = " ".join(_text(g) for g in name.findall("h:given", NS)
                                         if g.get("qualifier") is None)
    gender = _first(person, "h:administrativeGenderCode")
    code = gender.get("code", "") if gender is not None else ""
    values["sex"] = _SEX.get(code.upper(), code)
    birth = _first(person, "h:birthTime")
    stamp = birth.get("value", "") if birth is not None else ""
    values["birth_date"] = (f"{stamp[6:8]}/{stamp[4:6]}/{stamp[:4]}"
                            if len(stamp) >= 8 and stamp[:8].isdigit() else stamp)
    values["birth_place"] = _text(_first(person, "h:birthplace/h:place/h:addr/h:county"))
    return values


def read_archive(path: Path) -> dict[str, str]:
    """The patient of one XDM zip (every CDA document in it must name the same patient)."""
    try:
        with zipfile.ZipFile(path) as archive:
            found = [patient(root) for root in _documents(archive, path.name)]
    except zipfile.BadZipFile:
        raise SourceError(f"{path.name} n'est pas une archive zip lisible.") from None
    except OSError as error:
        raise SourceError(f"Lecture impossible de {path} : {error.strerror or error}.") from None
    if not found:
        raise SourceError(f"{path.name} : aucun document CDA dans l'archive.")
    if any(other != found[0] for other in found[1:]):
        raise SourceError(f"{path.name} : les documents de l'archive ne nomment pas le même "
                          "patient.")
    return found[0]


def archives(path: Path) -> list[Path]:
    """The XDM archives of `path`: the zip itself, or every zip in the folder (sorted)."""
    if path.is_dir():
        found = sorted(p for p in path.iterdir() if p.suffix.lower() == ".zip" and p.is_file())
        if not found:
            raise SourceError(f"Aucune archive .zip dans le dossier {path}.")
        return found
    return [path]
