"""FHIR R4 Patient resources of the FR Core profiles (ins-rules 6.1), as plain JSON.

One `patient(identity)` per identity; `json_document` writes one resource, `ndjson` one
resource per line. Which FR Core version: the stable 2.1.0 one, as ins-rules 6.1 recommends.
Its identity status codes come from table 0445 (`fr-core-cs-v2-0445`), which has no RECUP nor
QUAL: a qualified identity is `VALI` plus the INS identifier (invariant fr-core-1), a VALI
identity is `VALI` without an INS, PROV and RECUP are `PROV` (PAM France does the same in
PID-32). The attributes DOUT, FICT and HOMA go in the `comment` sub-extension (codes of the
same table). The four-status model stays inside insterm.

Elements (and only those): `identifier` INS-NIR / INS-NIA / test / demonstration slice for a
QUAL identity, and the IPP (`PI`); `name` official (birth name, first birth first name, the
birth-list-given-name extension with every birth first name) and usual (used name and first
name) when they exist; `gender`; `birthDate`; the birth place COG code; the identity
reliability extension (status, attributes, collection channel, INSi call date, document type
and check date).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from insterm.exchange.identity import ExchangeIdentity

FR_CORE = "https://hl7.fr/ig/fhir/core"
PROFILE_PATIENT = f"{FR_CORE}/StructureDefinition/fr-core-patient"
PROFILE_PATIENT_INS = f"{FR_CORE}/StructureDefinition/fr-core-patient-ins"
EXT_BIRTH_LIST = f"{FR_CORE}/StructureDefinition/fr-core-patient-birth-list-given-name"
EXT_BIRTH_PLACE = "http://hl7.org/fhir/StructureDefinition/patient-birthPlace"
EXT_INSEE_CODE = f"{FR_CORE}/StructureDefinition/fr-core-address-insee-code"
EXT_RELIABILITY = f"{FR_CORE}/StructureDefinition/fr-core-identity-reliability"
CS_V2_0203 = f"{FR_CORE}/CodeSystem/fr-core-cs-v2-0203"
CS_HL7_V2_0203 = "http://terminology.hl7.org/CodeSystem/v2-0203"
CS_V2_0445 = f"{FR_CORE}/CodeSystem/fr-core-cs-v2-0445"
CS_METHOD_COLLECTION = f"{FR_CORE}/CodeSystem/fr-core-cs-method-collection"
CS_VALIDATION_MODE = f"{FR_CORE}/CodeSystem/fr-core-cs-mode-validation-identity"
CS_COMMUNES = "https://mos.esante.gouv.fr/NOS/TRE_R13-CommuneOM/FHIR/TRE-R13-CommuneOM"
DEFAULT_IPP_SYSTEM = "urn:insterm:ipp"

# INS OID -> (identifier type code of fr-core-cs-v2-0203, identifier.use)
INS_SLICES = {
    "1.2.250.1.213.1.4.8": ("INS-NIR", "official"),
    "1.2.250.1.213.1.4.9": ("INS-NIA", "temp"),
    "1.2.250.1.213.1.4.10": ("INS-NIR-TEST", "official"),
    "1.2.250.1.213.1.4.11": ("INS-NIR-DEMO", "official"),
}
GENDERS = {"M": "male", "F": "female", "I": "unknown"}
STATUS_CODES = {"PROV": "PROV", "RECUP": "PROV", "VALI": "VALI", "QUAL": "VALI"}
STATUS_DISPLAY = {"PROV": "Identité provisoire", "VALI": "Identité validée"}
ATTRIBUTE_DISPLAY = {"DOUT": "Identité douteuse", "FICT": "Identité fictive",
                     "HOMA": "Homonyme avéré"}


def _ins_identifier(identity: ExchangeIdentity) -> dict[str, Any] | None:
    if not identity.qualified or identity.ins is None:
        return None
    type_code, use = INS_SLICES[identity.ins.oid]
    return {
        "use": use,
        "type": {"coding": [{"system": CS_V2_0203, "code": type_code}]},
        "system": f"urn:oid:{identity.ins.oid}",
        "value": identity.ins.matricule,
    }


def _names(identity: ExchangeIdentity) -> list[dict[str, Any]]:
    names: list[dict[str, Any]] = [{
        "extension": [{"url": EXT_BIRTH_LIST, "valueString": identity.first_names}],
        "use": "official",
        "family": identity.birth_name,
        "given": [identity.first_name],
    }]
    if identity.used_name or identity.used_first_name:
        usual: dict[str, Any] = {"use": "usual"}
        if identity.used_name:
            usual["family"] = identity.used_name
        if identity.used_first_name:
            usual["given"] = [identity.used_first_name]
        names.append(usual)
    return names


def _reliability(identity: ExchangeIdentity) -> dict[str, Any]:
    code = STATUS_CODES[identity.status]
    parts: list[dict[str, Any]] = [{
        "url": "identityStatus",
        "valueCoding": {"system": CS_V2_0445, "code": code, "display": STATUS_DISPLAY[code]},
    }]
    for attribute in sorted(identity.attributes):
        parts.append({"url": "comment", "valueCodeableConcept": {"coding": [{
            "system": CS_V2_0445, "code": attribute, "display": ATTRIBUTE_DISPLAY[attribute]}]}})
    parts.append({"url": "methodCollection",
                  "valueCoding": {"system": CS_METHOD_COLLECTION, "code": identity.channel}})
    if identity.insi_date is not None:
        parts.append({"url": "dateCollection", "valueDate": identity.insi_date.isoformat()})
    if identity.document_date is not None:
        parts.append({"url": "validationDate", "valueDate": identity.document_date.isoformat()})
    if identity.document_type is not None:
        parts.append({"url": "validationMode", "valueCoding": {
            "system": CS_VALIDATION_MODE, "code": identity.document_type}})
    return {"url": EXT_RELIABILITY, "extension": parts}


def patient(identity: ExchangeIdentity, *, ipp_system: str = DEFAULT_IPP_SYSTEM) -> dict[str, Any]:
    """The Patient resource of one identity (FR Core Patient INS when QUAL)."""
    extensions: list[dict[str, Any]] = []
    if identity.birth_place:
        extensions.append({"url": EXT_BIRTH_PLACE, "valueAddress": {"extension": [{
            "url": EXT_INSEE_CODE,
            "valueCoding": {"system": CS_COMMUNES, "code": identity.birth_place}}]}})
    extensions.append(_reliability(identity))
    identifiers = [{
        "use": "usual",
        "type": {"coding": [{"system": CS_HL7_V2_0203, "code": "PI"}]},
        "system": ipp_system,
        "value": identity.ipp,
    }]
    ins = _ins_identifier(identity)
    if ins is not None:
        identifiers.insert(0, ins)
    return {
        "resourceType": "Patient",
        "id": identity.ipp,
        "meta": {"profile": [PROFILE_PATIENT_INS if ins is not None else PROFILE_PATIENT]},
        "extension": extensions,
        "identifier": identifiers,
        "name": _names(identity),
        "gender": GENDERS[identity.sex],
        "birthDate": identity.birth_date.isoformat(),
    }


def json_document(identity: ExchangeIdentity, *, ipp_system: str = DEFAULT_IPP_SYSTEM) -> bytes:
    """One Patient, indented UTF-8 JSON ending with a newline."""
    text = json.dumps(patient(identity, ipp_system=ipp_system), ensure_ascii=False, indent=2)
    return (text + "\n").encode("utf-8")


def ndjson(identities: Iterable[ExchangeIdentity], *,
           ipp_system: str = DEFAULT_IPP_SYSTEM) -> bytes:
    """One Patient per line (FHIR bulk data NDJSON), UTF-8."""
    lines = [json.dumps(patient(i, ipp_system=ipp_system), ensure_ascii=False,
                        separators=(",", ":")) for i in identities]
    return "".join(line + "\n" for line in lines).encode("utf-8")
