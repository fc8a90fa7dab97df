"""data/insi_test_identities.json (the public INSi test identities, see data/README.md) as the
simulator's `Directory`.

Each case of the file has the request traits, the expected outcome and the answers captured for
it. What the simulator makes of them:

- outcome CR 00: a person. Matching traits: the request's birth name, sex and birth date, the
  birth place and the list of first names of the returned TIQ (so that each first name alone and
  the whole list find them). Returned: the first response of the case (the contract doc's
  reading) as captured: INSACTIF, INSHISTO, TIQ/Prenom when the fixture has one, keys included
  (HERMANN GATIEN's are wrong on purpose). TIQ fields the sources leave out (ADRUN ZOE,
  D'ARTAGNAN, NESSI MICHELANGELO give only ListePrenom and LieuNaissance) are completed from the
  request's traits, since live replies always carry the five.
- outcome CR 00 with no published matricule (DE VINCI LEONARDO born 63220, CNDA 2.06 cas 2): the
  simulator makes one up from the traits (sex, year, month, place, order 999, computed key) so
  that the case answers 00; it is marked "simulator" and exists only in the simulator's replies.
- outcome CR 01 or 02: a fixed answer for exactly those traits (TCHITCHI OLA, HOUILLES: 01;
  DE VINCI LEONARDO without birth place: 02).
- outcome fault: a fixed fault built from the captured one (D'AEION / COEUR: siram_40/insi_102).
- client_refusal (refused before sending) and unknown (no answer published): nothing; such a
  request gets what any other gets (a profile fault, or 01).

Several cases with the same traits (ECETINSI: live, CNDA 2.04 cas 2, CNDA 1.10): `prefer="live"`
(default) keeps the live answer, `prefer="cnda"` the first CNDA fixture.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .people import Directory, FixedCase, SimPerson, oid_for
from .replies import FaultSpec, InsNumber

_PREFERENCES = ("live", "cnda")


def _ins(data: Mapping[str, Any]) -> InsNumber:
    number = "".join(str(data["NumIdentifiant"]).split()).upper()
    key = data.get("Cle")
    if len(number) == 15 and key is None:
        number, key = number[:13], number[13:]
    return InsNumber(
        matricule=number,
        key=None if key is None else str(key),
        oid=str(data.get("OID") or oid_for(number)),
        type_matricule=data.get("TypeMatricule"),
        date_deb=data.get("DateDeb"),
        date_fin=data.get("DateFin"),
    )


def _made_up_ins(request: Mapping[str, Any], place: str) -> InsNumber:
    """A matricule for a 00 case whose INS nobody published (order 999, computed key)."""
    from insterm.domain.nir import compute_key

    sex_digit = "1" if request["Sexe"] == "M" else "2"
    year, month = request["DateNaissance"][2:4], request["DateNaissance"][5:7]
    body = f"{sex_digit}{year}{month}{place}999"
    return InsNumber(body, compute_key(body), oid_for(body))


def _fault(data: Mapping[str, Any]) -> FaultSpec:
    def local(value: str) -> str:
        return str(value).rsplit(":", 1)[-1]

    return FaultSpec(
        soap_code=local(data["Code"]),
        subcode=local(data["Subcode"]),
        reason=str(data["Reason"]),
        error_code=str(data["siram_code"]),
        severity=str(data["severite"]),
        detail=str(data.get("detail") or ""),
        source="captured (data/insi_test_identities.json)",
    )


def _origin_rank(case: Mapping[str, Any], prefer: str) -> int:
    origin = " ".join(str(r.get("origin", "")) for r in case.get("responses", ())).lower()
    is_live = "live" in origin
    is_cnda = "cnda" in origin
    if prefer == "live":
        return 0 if is_live else (1 if is_cnda else 2)
    return 0 if is_cnda else (1 if is_live else 2)


def _person(case: Mapping[str, Any]) -> SimPerson:
    request = case["request"]
    response = case["responses"][0] if case.get("responses") else {}
    tiq = response.get("TIQ") or {}
    place = tiq.get("LieuNaissance") or request.get("LieuNaissance")
    first_names = tiq.get("ListePrenom") or " ".join(request["Prenom"])
    if response.get("INSACTIF"):
        active = _ins(response["INSACTIF"])
        source = f"{case['id']}: {response.get('origin', '')}"
    else:
        if not place:
            raise ValueError(f"case {case['id']}: no INS and no birth place to make one up")
        active = _made_up_ins(request, place)
        source = f"{case['id']}: simulator (matricule not published, made up from the traits)"
    return SimPerson(
        birth_name=" ".join(str(tiq.get("NomNaissance") or request["NomNaissance"]).split()),
        first_names=tuple(str(first_names).split()),
        sex=str(tiq.get("Sexe") or request["Sexe"]),
        birth_date=str(tiq.get("DateNaissance") or request["DateNaissance"]),
        birth_place=place,
        active=active,
        history=tuple(_ins(h) for h in response.get("INSHISTO") or ()),
        tiq_first_name=tiq.get("Prenom"),
        source=source,
    )


def directory_from_data(data: Mapping[str, Any], *, prefer: str = "live") -> Directory:
    if prefer not in _PREFERENCES:
        raise ValueError(f"prefer must be one of {_PREFERENCES}")
    people: dict[tuple[str, str, str, str], tuple[int, int, SimPerson]] = {}
    fixed: list[FixedCase] = []
    for index, case in enumerate(data["cases"]):
        request, expected = case["request"], case["expected"]
        outcome = expected.get("outcome")
        if outcome == "fault":
            fault = next(r["fault"] for r in case["responses"] if r.get("fault"))
            fixed.append(FixedCase(
                request["NomNaissance"], tuple(request["Prenom"]), request["Sexe"],
                request["DateNaissance"], _fault(fault), request.get("LieuNaissance"),
                note=case["id"]))
        elif outcome == "CR" and expected.get("CR") in ("01", "02"):
            fixed.append(FixedCase(
                request["NomNaissance"], tuple(request["Prenom"]), request["Sexe"],
                request["DateNaissance"], str(expected["CR"]), request.get("LieuNaissance"),
                note=case["id"]))
        elif outcome == "CR" and expected.get("CR") == "00":
            person = _person(case)
            # One person per traits and birth place: DE VINCI LEONARDO 63220 is not the 02 case.
            key = (request["NomNaissance"], request["Sexe"], request["DateNaissance"],
                   person.birth_place or "")
            rank = (_origin_rank(case, prefer), index)
            if key not in people or rank < people[key][:2]:
                people[key] = (*rank, person)
    ordered = sorted(people.values(), key=lambda item: item[1])
    return Directory([person for _, _, person in ordered], fixed)


def load_test_identities(path: str | Path | None = None, *, prefer: str = "live") -> Directory:
    """The shipped test identities (or those of `path`); FileNotFoundError when missing."""
    from insterm.datasets import INSI_TEST_IDENTITIES_FILE, data_file

    source = Path(path) if path is not None else data_file(INSI_TEST_IDENTITIES_FILE)
    return directory_from_data(json.loads(source.read_text(encoding="utf-8")), prefer=prefer)
