"""The FR Core Patient rules ins-rules 6.1 states, as a structural check of one resource.

Written from the rules, not from the builder: a resource that breaks one gets the list of
what is wrong. Codes and cardinalities: gender (1..1, male|female|unknown), birthDate (1..1),
official name (1..1: family, exactly one given, the birth-list-given-name extension whose list
starts with that given), usual name (0..1), birthPlace (1..1 with its insee-code coding of 5
characters), identity reliability (identityStatus 1..1 from table 0445, PROV or VALI; comment
DOUT/FICT/HOMA, DOUT/FICT only with PROV, never both), INS identifier (0..1, only with VALI,
the system/type/use of its OID's slice, 15 characters), IPP identifier PI (1..1).
"""

from __future__ import annotations

import re
from typing import Any

FR = "https://hl7.fr/ig/fhir/core"
INS_SLICES = {  # system -> (type code, use)
    "urn:oid:1.2.250.1.213.1.4.8": ("INS-NIR", "official"),
    "urn:oid:1.2.250.1.213.1.4.9": ("INS-NIA", "temp"),
    "urn:oid:1.2.250.1.213.1.4.10": ("INS-NIR-TEST", "official"),
    "urn:oid:1.2.250.1.213.1.4.11": ("INS-NIR-DEMO", "official"),
}
RELIABILITY = f"{FR}/StructureDefinition/fr-core-identity-reliability"
BIRTH_LIST = f"{FR}/StructureDefinition/fr-core-patient-birth-list-given-name"
BIRTH_PLACE = "http://hl7.org/fhir/StructureDefinition/patient-birthPlace"
INSEE = f"{FR}/StructureDefinition/fr-core-address-insee-code"
TABLE_0445 = f"{FR}/CodeSystem/fr-core-cs-v2-0445"
METHODS = {"SM", "CV", "INSI", "CB", "RFID", "AV"}
DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _with_url(items: list[dict[str, Any]], url: str) -> list[dict[str, Any]]:
    return [i for i in items if i.get("url") == url]


def problems(resource: dict[str, Any]) -> list[str]:
    found: list[str] = []

    def need(condition: bool, what: str) -> None:
        if not condition:
            found.append(what)

    need(resource.get("resourceType") == "Patient", "resourceType Patient")
    need(resource.get("gender") in ("male", "female", "unknown"), "gender 1..1 from the VS")
    need(isinstance(resource.get("birthDate"), str) and bool(DATE.fullmatch(resource["birthDate"])),
         "birthDate 1..1")
    names = resource.get("name", [])
    official = [n for n in names if n.get("use") == "official"]
    need(len(official) == 1, "name[officialName] 1..1")
    need(len([n for n in names if n.get("use") == "usual"]) <= 1, "name[usualName] 0..1")
    need(all(n.get("use") in ("official", "usual") for n in names), "name.use official|usual")
    if len(official) == 1:
        name = official[0]
        need(bool(name.get("family")), "official family")
        need(len(name.get("given", [])) == 1, "official given exactly 1")
        lists = _with_url(name.get("extension", []), BIRTH_LIST)
        need(len(lists) == 1, "birth-list-given-name 1..1")
        if lists and name.get("given"):
            need(lists[0].get("valueString", "").split(" ")[0] == name["given"][0],
                 "birth list starts with the first given")
    extensions = resource.get("extension", [])
    places = _with_url(extensions, BIRTH_PLACE)
    need(len(places) <= 1, "birthPlace 0..1")
    for place in places:
        codes = _with_url(place.get("valueAddress", {}).get("extension", []), INSEE)
        need(len(codes) == 1 and len(codes[0]["valueCoding"]["code"]) == 5,
             "birthPlace inseeCode 1..1, 5 characters")
    reliability = _with_url(extensions, RELIABILITY)
    need(len(reliability) == 1, "identityReliability 1..1")
    status = None
    comments: list[str] = []
    if reliability:
        parts = reliability[0].get("extension", [])
        statuses = _with_url(parts, "identityStatus")
        need(len(statuses) == 1, "identityStatus 1..1")
        if statuses:
            coding = statuses[0]["valueCoding"]
            need(coding.get("system") == TABLE_0445, "identityStatus system 0445")
            status = coding.get("code")
            need(status in ("PROV", "VALI"), "identityStatus PROV or VALI (2.1.0)")
        comments = [c["valueCodeableConcept"]["coding"][0]["code"]
                    for c in _with_url(parts, "comment")]
        need(set(comments) <= {"DOUT", "FICT", "HOMA"}, "comment codes")
        need(not ({"DOUT", "FICT"} & set(comments)) or status == "PROV",
             "fr-core-identity-reliability-1: DOUT/FICT imply PROV")
        need(not {"DOUT", "FICT"} <= set(comments), "fr-core-identity-reliability-2")
        for part in _with_url(parts, "methodCollection"):
            need(part["valueCoding"]["code"] in METHODS, "methodCollection code")
        need(len(_with_url(parts, "methodCollection")) <= 1, "methodCollection 0..1")
        for key in ("dateCollection", "validationDate"):
            dates = _with_url(parts, key)
            need(len(dates) <= 1 and all(DATE.fullmatch(d["valueDate"]) for d in dates),
                 f"{key} 0..1 date")
    identifiers = resource.get("identifier", [])
    ins = [i for i in identifiers if i.get("system") in INS_SLICES]
    need(len(ins) <= 1, "one INS identifier at most")
    for identifier in ins:
        type_code, use = INS_SLICES[identifier["system"]]
        need(identifier["type"]["coding"][0] == {"system": f"{FR}/CodeSystem/fr-core-cs-v2-0203",
                                                 "code": type_code}, "INS type of its slice")
        need(identifier.get("use") == use, "INS use of its slice")
        need(len(identifier.get("value", "")) == 15, "INS value 15 characters")
        need(status == "VALI", "fr-core-1: an INS only with VALI")
        need(len(places) == 1, "fr-core-patient-ins: birthPlace 1..1")
    pis = [i for i in identifiers if i.get("type", {}).get("coding", [{}])[0].get("code") == "PI"]
    need(len(pis) == 1 and bool(pis[0].get("value")), "IPP (PI) 1..1")
    profile = resource.get("meta", {}).get("profile", [])
    need(profile == [f"{FR}/StructureDefinition/fr-core-patient-ins"] if ins
         else profile == [f"{FR}/StructureDefinition/fr-core-patient"], "meta.profile")
    return found
