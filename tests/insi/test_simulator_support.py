"""Shared by the simulator tests (no tests here): request envelopes shaped like the captured mTLS
requests (REQ_rechercherInsAvecTraitsIdentite_*_mTLS.xml), a session-wide test authority, and
a plain HTTPS client (requests + the client certificate as PEM).

Requests are built here by hand, not by insterm's client: the simulator is checked on its own.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from pathlib import Path
from xml.sax.saxutils import escape

from insterm.insi.simulator import DEMO_EMETTEUR, DEMO_IDAM

# The captured messages live in shared/ beside the repository (so does CI's copy).
# The captured messages, as copied into the repository (tests/insi/fixtures/SOURCES.md says from
# where): the tests must not depend on a folder beside the checkout.
EXAMPLES = Path(__file__).resolve().parent / "fixtures"
PADOA = EXAMPLES / "padoa"

SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
TRAITS_ACTION = "urn:ServiceIdentiteCertifiee:1.0.0:rechercherInsAvecTraitsIdentite"
VITALE_ACTION = "urn:ServiceIdentiteCertifiee:1.0.0:rechercherInsAvecCarteVitale"

_HEADER = (
    '<soap:Header><ctxbam:ContexteBAM Version="01_02"><ctxbam:Id>{bam_id}</ctxbam:Id>'
    "<ctxbam:Temps>2023-09-26T08:52:02.578Z</ctxbam:Temps><ctxbam:Emetteur>{emetteur}"
    "</ctxbam:Emetteur><ctxbam:COUVERTURE></ctxbam:COUVERTURE></ctxbam:ContexteBAM> "
    '<ctxlps:ContexteLPS Nature="CTXLPS" Version="01_00"><ctxlps:Id>{lps_id}</ctxlps:Id>'
    "<ctxlps:Temps>2023-09-26T08:52:02.578Z</ctxlps:Temps><ctxlps:Emetteur>{emetteur}"
    '</ctxlps:Emetteur><ctxlps:LPS>{idam}<ctxlps:Version>0.1.0</ctxlps:Version>'
    "<ctxlps:Instance>636c9d43-1a19-5b8c-a8b1-ac43227cfe46</ctxlps:Instance>"
    "<ctxlps:Nom>urn:lps:insterm:0.1.0</ctxlps:Nom></ctxlps:LPS></ctxlps:ContexteLPS> "
    '<wsa:Action xmlns:wsa="http://www.w3.org/2005/08/addressing">{action}</wsa:Action> '
    '<wsa:MessageID xmlns:wsa="http://www.w3.org/2005/08/addressing">{message_id}'
    "</wsa:MessageID></soap:Header>"
)


def envelope(body: str, *, action: str = TRAITS_ACTION, idam: str | None = DEMO_IDAM,
             message_id: str | None = None) -> bytes:
    idam_xml = "" if idam is None else f'<ctxlps:IDAM R="4">{escape(idam)}</ctxlps:IDAM>'
    header = _HEADER.format(
        bam_id=uuid.uuid4(), lps_id=uuid.uuid4(), emetteur=DEMO_EMETTEUR, idam=idam_xml,
        action=action, message_id=message_id or f"uuid:{uuid.uuid4()}",
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><soap:Envelope '
        f'xmlns:soap="{SOAP12}" xmlns:ctxbam="urn:siram:bam:ctxbam" '
        'xmlns:ctxlps="urn:siram:lps:ctxlps">'
        f"{header}<soap:Body>{body}</soap:Body></soap:Envelope>"
    ).encode()


def traits_request(
    nom: str | None,
    prenoms: Sequence[str] | str | None,
    sexe: str | None,
    naissance: str | None,
    lieu: str | None = None,
    **kwargs: object,
) -> bytes:
    """A RECSANSVITALE request; `prenoms` gives one Prenom element per item (a str = one)."""
    if isinstance(prenoms, str):
        prenoms = [prenoms]

    def element(name: str, value: str | None) -> str:
        return "" if value is None else f"<ins:{name}>{escape(value)}</ins:{name}>"

    body = (
        '<ins:RECSANSVITALE xmlns:ins="http://www.cnamts.fr/INSiRecSans">'
        + element("NomNaissance", nom)
        + "".join(element("Prenom", p) for p in prenoms or ())
        + element("Sexe", sexe)
        + element("DateNaissance", naissance)
        + element("LieuNaissance", lieu)
        + "</ins:RECSANSVITALE>"
    )
    return envelope(body, **kwargs)  # type: ignore[arg-type]  # kwargs of mixed types


def vitale_request(
    matricule: str | None = None, nom: str | None = None, naissance: str | None = None
) -> bytes:
    body = '<vit:RECVITALE xmlns:vit="http://www.cnamts.fr/INSiRecVit">'
    if matricule is not None:
        body += (f"<vit:MatriculeIndividu><vit:NumIdentifiant>{matricule}</vit:NumIdentifiant>"
                 "</vit:MatriculeIndividu>")
    if nom is not None:
        body += f"<vit:NomNaissance>{escape(nom)}</vit:NomNaissance>"
    if naissance is not None:
        body += f"<vit:DateNaissance>{naissance}</vit:DateNaissance>"
    body += "</vit:RECVITALE>"
    return envelope(body, action=VITALE_ACTION)


def person(
    nom: str, prenoms: str, sexe: str, naissance: str, lieu: str | None, matricule: str,
    key: str | None = None, **extra: object,
) -> dict[str, object]:
    """A mapping in the simulator's provider format (insterm.insi.simulator.people)."""
    data: dict[str, object] = {
        "birth_name": nom, "first_names": prenoms, "sex": sexe, "birth_date": naissance,
        "birth_place": lieu, "matricule": matricule,
    }
    if key is not None:
        data["key"] = key
    data.update(extra)
    return data


# The captured live replies, as people (insi-contract.md section 5).
CAPTURED_PEOPLE = [
    person("ADRTROIS", "DOMINIQUE", "F", "1997-02-26", "2A020", "297022A020778", "78"),
    person("ADRTROIS", "TOUSSAINT", "M", "1960-01-01", "2B020", "160012B020777", "13"),
    person("ECETINSI", "PIERRE-ALAIN MURIEL FLORIANT", "M", "2009-07-14", "63220",
           "1090763220834", "89",
           history=[{"matricule": "2090763220834", "key": "39", "oid": "1.2.250.1.213.1.4.8",
                     "date_deb": "2019-03-01", "date_fin": "2019-02-28"}]),
    person("TCHITCHI", "CATARINA BELLA", "F", "1936-06-21", "63220", "2360663220836", "56"),
    # DE VINCI LEONARDO: two people, told apart only by the birth place (CNDA 2.06).
    person("DE VINCI", "LEONARDO", "M", "2014-02-01", "63220", "1140263220999"),
    person("DE VINCI", "LEONARDO", "M", "2014-02-01", "99127", "1140299127001"),
]
