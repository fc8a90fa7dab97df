"""The bytes the simulator sends back, shaped like the replies captured from the real service.

RESULTAT replies copy the live qualification shape (RESP_CR00_*.xml in the contract examples):
XML declaration + newline, `soap:Envelope` with no Header, `env:Body` declaring `S` and `env`,
`RESULTAT` in the default namespace with the `ns0`/`ns1` declarations, children in XSD order, no
whitespace between elements, a final newline. For a success the bytes are identical to the
capture (tests/insi/test_simulator_replies.py compares them).

Faults copy the two captured faults: a Sender fault is shaped like
FAULT_siram_100_desir_550_unknown_IDAM.xml (`soap:` prefix, `xml:lang="fr"`, Erreur attributes
code / messageID / severite), a Receiver fault like FAULT_siram_40_insi_102_technical_error.xml
(`S:` prefix, the stray `ns4` declaration, `xml:lang="en"` although the text is French, Erreur
attributes severite / code, no messageID, severite "fatal" although the XSD says "fatale").
Both go out with HTTP 500, as the captured desir_550 fault did.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
CONTENT_TYPE = "application/soap+xml;charset=utf-8"

_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
_ENVELOPE_OPEN = f'<soap:Envelope xmlns:soap="{SOAP12}">'
_ENVELOPE_CLOSE = "</soap:Envelope>\n"
_RESULT_BODY_OPEN = f'<env:Body xmlns:S="{SOAP12}" xmlns:env="{SOAP12}">'
_RESULTAT_OPEN = (
    '<RESULTAT xmlns="http://www.cnamts.fr/INSiResultat" '
    'xmlns:ns0="http://www.cnamts.fr/INSiRecVit" xmlns:ns1="http://www.cnamts.fr/INSiRecSans">'
)

CR_LABELS = {
    "00": "OK",
    "01": "Aucune identite trouvee",
    "02": "Plusieurs identites trouvees",
}


@dataclass(frozen=True, slots=True)
class InsNumber:
    """One INS as the service returns it (INSACTIF or INSHISTO)."""

    matricule: str  # the 13 characters (NumIdentifiant)
    key: str | None  # Cle, 2 digits (may be wrong on purpose: CNDA HERMANN GATIEN)
    oid: str
    type_matricule: str | None = None
    date_deb: str | None = None
    date_fin: str | None = None


@dataclass(frozen=True, slots=True)
class ReturnedTraits:
    """TIQ: the traits the service returns (all optional in the XSD)."""

    birth_name: str | None
    first_names: str | None  # ListePrenom, space-separated
    sex: str | None
    birth_date: str | None  # AAAA-MM-JJ
    birth_place: str | None
    first_name: str | None = None  # Prenom: absent from live replies, present in some fixtures


def _element(name: str, value: str | None) -> str:
    return "" if value is None else f"<{name}>{escape(value)}</{name}>"


def _ins(name: str, ins: InsNumber) -> str:
    return (
        f"<{name}><IdIndividu>"
        + _element("NumIdentifiant", ins.matricule)
        + _element("Cle", ins.key)
        + _element("TypeMatricule", ins.type_matricule)
        + "</IdIndividu>"
        + _element("OID", ins.oid)
        + _element("DateDeb", ins.date_deb)
        + _element("DateFin", ins.date_fin)
        + f"</{name}>"
    )


def _tiq(traits: ReturnedTraits) -> str:
    return (
        "<TIQ>"
        + _element("NomNaissance", traits.birth_name)
        + _element("Prenom", traits.first_name)
        + _element("ListePrenom", traits.first_names)
        + _element("Sexe", traits.sex)
        + _element("DateNaissance", traits.birth_date)
        + _element("LieuNaissance", traits.birth_place)
        + "</TIQ>"
    )


def resultat(
    code: str,
    *,
    active: InsNumber | None = None,
    history: Sequence[InsNumber] = (),
    traits: ReturnedTraits | None = None,
) -> bytes:
    """A RESULTAT reply: "00" needs `active` and `traits`; "01"/"02" carry no INDIVIDU."""
    if code not in CR_LABELS:
        raise ValueError(f"CodeCR {code!r} unknown to the service")
    individu = ""
    if code == "00":
        if active is None or traits is None:
            raise ValueError("a 00 reply needs the active INS and the returned traits")
        individu = (
            "<INDIVIDU>"
            + _ins("INSACTIF", active)
            + "".join(_ins("INSHISTO", ins) for ins in history)
            + _tiq(traits)
            + "</INDIVIDU>"
        )
    text = (
        _DECLARATION
        + _ENVELOPE_OPEN
        + _RESULT_BODY_OPEN
        + _RESULTAT_OPEN
        + f"<CR><CodeCR>{code}</CodeCR><LibelleCR>{CR_LABELS[code]}</LibelleCR></CR>"
        + individu
        + "</RESULTAT></env:Body>"
        + _ENVELOPE_CLOSE
    )
    return text.encode("utf-8")


@dataclass(frozen=True, slots=True)
class FaultSpec:
    """A SOAP 1.2 fault as the service sends it. `source` says where the values come from."""

    soap_code: str  # "Sender" or "Receiver"
    subcode: str  # siram_xx
    reason: str  # Reason/Text: the service's French message for the user
    error_code: str  # siram:Erreur/@code
    severity: str  # siram:Erreur/@severite
    detail: str  # siram:Erreur text: the technical message
    source: str
    http_status: int = 500

    def render(self, message_id: str | None = None) -> bytes:
        return fault(self, message_id)


def fault(spec: FaultSpec, message_id: str | None = None) -> bytes:
    """The fault bytes; `message_id` (the request's wsa:MessageID) is echoed by Sender faults,
    as in the captured desir_550 fault; the captured Receiver fault carries none."""
    if spec.soap_code == "Sender":
        erreur = f"<siram:Erreur code={quoteattr(spec.error_code)}"
        if message_id:
            erreur += f" messageID={quoteattr(message_id)}"
        erreur += (
            f' severite={quoteattr(spec.severity)} xmlns:siram="urn:siram">'
            f"{escape(spec.detail)}</siram:Erreur>"
        )
        body = (
            f'<env:Body xmlns:env="{SOAP12}"><soap:Fault><soap:Code>'
            f"<soap:Value>soap:Sender</soap:Value><soap:Subcode>"
            f"<soap:Value>soap:{spec.subcode}</soap:Value></soap:Subcode></soap:Code>"
            f'<soap:Reason><soap:Text xml:lang="fr">{escape(spec.reason)}</soap:Text>'
            f"</soap:Reason><soap:Detail>{erreur}</soap:Detail></soap:Fault></env:Body>"
        )
    elif spec.soap_code == "Receiver":
        body = (
            f'<env:Body xmlns:S="{SOAP12}" xmlns:env="{SOAP12}">'
            '<S:Fault xmlns:ns4="http://schemas.xmlsoap.org/soap/envelope/"><S:Code>'
            f"<S:Value>S:Receiver</S:Value><S:Subcode><S:Value>S:{spec.subcode}</S:Value>"
            f'</S:Subcode></S:Code><S:Reason><S:Text xml:lang="en">{escape(spec.reason)}'
            f"</S:Text></S:Reason><S:Detail><siram:Erreur severite={quoteattr(spec.severity)}"
            f' code={quoteattr(spec.error_code)} xmlns:siram="urn:siram">{escape(spec.detail)}'
            "</siram:Erreur></S:Detail></S:Fault></env:Body>"
        )
    else:
        raise ValueError(f"SOAP 1.2 fault code {spec.soap_code!r} is not Sender/Receiver")
    return (_DECLARATION + _ENVELOPE_OPEN + body + _ENVELOPE_CLOSE).encode("utf-8")
