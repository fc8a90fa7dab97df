"""Search with the carte Vitale (rechercherInsAvecCarteVitale, RECVITALE): the request built
from card data, and the provider interface for the Vitale assertion.

NOT PUBLIC: the real service expects, in wsse:Security, an "assertion Vitale" produced by the
SESAM-Vitale card components (insi-contract.md 2.4). How to build it is not published: insterm
cannot produce it. It stays behind `VitaleAssertionProvider`, which an approved SESAM-Vitale
integration would implement. Without a provider the client refuses the call (French message
`NO_PROVIDER_MESSAGE`, also for the UI). `SimulatorWithoutAssertion` sends the request with no
assertion and is accepted only when the environment is the simulator (demo, training, tests).

Pure logic (standard library + insterm.domain).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from insterm.insi.errors import InsiRefused

__all__ = [
    "NO_PROVIDER_MESSAGE",
    "SimulatorWithoutAssertion",
    "VitaleAssertionProvider",
    "VitaleCardData",
    "couverture_values",
    "vitale_body",
]

NO_PROVIDER_MESSAGE = (
    "La recherche INSi avec la carte Vitale n'est pas disponible : elle exige une « assertion "
    "Vitale » produite par les composants SESAM-Vitale, qui ne sont pas publics et qu'insterm "
    "ne contient pas. Utilisez la recherche par traits d'identité (nom, prénoms, sexe, date de "
    "naissance), en recopiant les traits de la carte. Aucune demande n'a été envoyée."
)

_NIR13 = re.compile(r"\d{6}[0-9AB]\d{6}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")  # DateLunaire: 00 day/month allowed on cards


@dataclass(frozen=True, slots=True)
class VitaleCardData:
    """What a Vitale card gives for one beneficiary. NIRs as 15 characters (13 + key).

    `insured_nir`: the insured ("ouvrant droit") number; `beneficiary_nir`: the beneficiary's
    own certified NIR when the card holds one; `birth_date` "AAAA-MM-JJ" (lunar dates with 00
    allowed, as on the card); `birth_rank` the rang gémellaire ("1")."""

    insured_nir: str
    birth_date: str
    birth_rank: str = "1"
    beneficiary_nir: str | None = None
    birth_name: str | None = None
    grand_regime: str | None = None
    organisme: str | None = None
    code_centre: str | None = None


@runtime_checkable
class VitaleAssertionProvider(Protocol):
    """Produces the Vitale assertion(s) to put in wsse:Security (SAML assertions as lxml
    elements) for one request. See the module docstring: no public implementation exists."""

    label: str

    def assertions(self, card: VitaleCardData, *, message_id: str, environment: str) -> list[Any]: ...


class SimulatorWithoutAssertion:
    """Sends RECVITALE with no Vitale assertion: only against the simulator."""

    label = "sans assertion Vitale (simulateur seulement)"

    def assertions(self, card: VitaleCardData, *, message_id: str, environment: str) -> list[Any]:
        if environment != "simulator":
            raise InsiRefused(NO_PROVIDER_MESSAGE, reason="vitale_assertion")
        return []


def _split_nir(value: str, label: str) -> tuple[str, str]:
    from insterm.domain.errors import DomainError
    from insterm.domain.nir import compute_key

    text = (value or "").replace(" ", "").upper()
    if len(text) != 15 or not _NIR13.fullmatch(text[:13]) or not text[13:].isdigit():
        raise InsiRefused(
            f"Recherche INSi non envoyée : le {label} lu sur la carte n'est pas un numéro à "
            "15 caractères (13 + clé).",
            reason="vitale_data",
        )
    try:
        expected = compute_key(text[:13])
    except DomainError:
        expected = None
    if expected != text[13:]:
        raise InsiRefused(
            f"Recherche INSi non envoyée : la clé du {label} lu sur la carte ne correspond pas.",
            reason="vitale_data",
        )
    return text[:13], text[13:]


def _check_card(card: VitaleCardData) -> None:
    if not _DATE.fullmatch(card.birth_date or ""):
        raise InsiRefused(
            "Recherche INSi non envoyée : la date de naissance lue sur la carte doit être de la "
            "forme AAAA-MM-JJ.",
            reason="vitale_data",
        )
    if not (card.birth_rank or "").isdigit():
        raise InsiRefused(
            "Recherche INSi non envoyée : le rang de naissance lu sur la carte doit être un "
            "nombre.",
            reason="vitale_data",
        )


def vitale_body(card: VitaleCardData) -> dict[str, Any]:
    """RECVITALE values for zeep (Pyxvital template mapping, insi-contract.md 2.4)."""
    _check_card(card)
    body: dict[str, Any] = {}
    if card.beneficiary_nir:
        num, key = _split_nir(card.beneficiary_nir, "NIR du bénéficiaire")
        body["MatriculeIndividu"] = {"NumIdentifiant": num, "Cle": key}
    num, key = _split_nir(card.insured_nir, "numéro de l'assuré")
    body["MatriculeOD"] = {"NumIdentifiant": num, "Cle": key}
    if card.birth_name:
        body["NomNaissance"] = card.birth_name
    body["DateNaissance"] = card.birth_date
    body["RangNaissance"] = card.birth_rank
    return body


def couverture_values(card: VitaleCardData) -> dict[str, Any]:
    """ContexteBAM/COUVERTURE from the card (ASSURE, BENEFICIAIRE; régime when known)."""
    _check_card(card)
    values: dict[str, Any] = {}
    for name, value in (
        ("GrandRegime", card.grand_regime),
        ("Organisme", card.organisme),
        ("CodeCentre", card.code_centre),
    ):
        if value:
            values[name] = value
    num, key = _split_nir(card.insured_nir, "numéro de l'assuré")
    values["ASSURE"] = {"Id": {"Num": num, "Cle": key}}
    beneficiary: dict[str, Any] = {}
    if card.beneficiary_nir:
        b_num, b_key = _split_nir(card.beneficiary_nir, "NIR du bénéficiaire")
        beneficiary["Nir"] = {"Num": b_num, "Cle": b_key}
    beneficiary["DateNai"] = card.birth_date
    beneficiary["Rang"] = int(card.birth_rank)
    values["BENEFICIAIRE"] = beneficiary
    return values
