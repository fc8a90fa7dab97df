"""The faults the simulator sends, with where each one comes from.

"captured": the exact values of a fault captured from the qualification service (insi-contract.md
section 3.4). "reported": codes and texts another project reports, without a captured XML (the
shape is then the captured one of the same SOAP code). "simulator": the public sources say nothing
of what the real service answers; the choice is ours, the Erreur code starts with "sim_" so that
nobody mistakes it for an official code, and the client treats it like any other fault.

Choices for requests the real service would refuse in a way nobody has published:
- not XML, a DTD or an entity declaration, not a SOAP 1.2 envelope: Sender / siram_10 / sim_xml;
- valid XML that the XSD (or the envelope rules: one operation, the needed headers once, an
  Action matching the operation) refuses: Sender / siram_10 / sim_xsd;
- a mandatory trait missing other than the birth name (which has its reported insi_19), a sex
  other than M/F, a date that is not AAAA-MM-JJ, a trait outside the INSi character profile:
  Sender / siram_10 / sim_<what>, with the French text saying what is wrong;
- a client certificate CN other than INSI-MANU/INSI-AUTO: DESIR_560 as reported; the subcode
  (siram_100, the access-refused family of desir_550) is our choice.
"""

from __future__ import annotations

from .replies import FaultSpec

UNKNOWN_IDAM = FaultSpec(
    soap_code="Sender",
    subcode="siram_100",
    reason=(
        "L'accès par ce progiciel au service n'est pas autorisé. Contactez l'éditeur du "
        "progiciel ou votre responsable informatique."
    ),
    error_code="desir_550",
    severity="erreur",
    detail="Numéro d'autorisation du logiciel inconnu.",
    source="captured",
)

ACCESS_LEVEL = FaultSpec(
    soap_code="Sender",
    subcode="siram_100",
    reason="Vous ne disposez pas des droits suffisants pour accéder à ce service.",
    error_code="DESIR_560",
    severity="erreur",
    detail="Niveau d'accès insuffisant.",
    source="reported (padoa README); subcode chosen by the simulator",
)

BIRTH_NAME_MISSING = FaultSpec(
    soap_code="Sender",
    subcode="siram_10",
    reason="Le champ nom de naissance est obligatoire.",
    error_code="insi_19",
    severity="erreur",
    detail="Le champ nom de naissance est obligatoire",
    source="reported (ABAK-Physio fault-parser test); Reason text chosen by the simulator",
)

TECHNICAL = FaultSpec(
    soap_code="Receiver",
    subcode="siram_40",
    reason=(
        "Le service est temporairement inaccessible. Veuillez renouveler votre demande "
        "ultérieurement. Si le problème persiste, contactez l'éditeur du progiciel ou votre "
        "responsable informatique."
    ),
    error_code="insi_102",
    severity="fatal",
    detail=(
        "L'appel au service de recherche avec les traits d'identité renvoie une erreur "
        "technique."
    ),
    source="captured",
)

SERVICE_UNAVAILABLE = FaultSpec(
    soap_code="Receiver",
    subcode="siram_40",
    reason=TECHNICAL.reason,
    error_code="insi_111",
    severity="fatale",
    detail="Indisponibilité des téléservices",
    source="reported (ABAK-Physio fault-parser test)",
)


def invalid_request(code: str, detail: str) -> FaultSpec:
    """A request the service cannot process (simulator's choice, see the module docstring)."""
    return FaultSpec(
        soap_code="Sender",
        subcode="siram_10",
        reason=(
            "La requête transmise au service est invalide : " + detail.rstrip(".") + ". "
            "Corrigez la saisie ou contactez l'éditeur du progiciel."
        ),
        error_code=code,
        severity="erreur",
        detail=detail,
        source="simulator",
    )


# Named faults a test identity (data/insi_test_identities.json) or a test may ask for.
BY_NAME: dict[str, FaultSpec] = {
    "technical": TECHNICAL,
    "siram_40": TECHNICAL,
    "insi_102": TECHNICAL,
    "unavailable": SERVICE_UNAVAILABLE,
    "insi_111": SERVICE_UNAVAILABLE,
    "unknown_idam": UNKNOWN_IDAM,
    "desir_550": UNKNOWN_IDAM,
    "access_level": ACCESS_LEVEL,
    "DESIR_560": ACCESS_LEVEL,
    "birth_name_missing": BIRTH_NAME_MISSING,
    "insi_19": BIRTH_NAME_MISSING,
}
