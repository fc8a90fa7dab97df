"""Parse an INSi reply (bytes from the network) into an `InsiResult`, or raise a typed error.

We parse with lxml ourselves instead of trusting zeep's object mapping, to accept what real
replies do and the XSD does not say: XML comments inside RESULTAT (CNDA TEST_2.05), children out
of the XSD order (TEST_2.04_cas2 puts DateDeb/DateFin before IdIndividu), RESULTAT in a default
namespace or with a prefix, `env:`/`S:`/`soap:` envelope prefixes, severite "fatal" as well as
the XSD's "fatale".

Untrusted input: DTDs and entities are refused outright (billion laughs, XXE), the parser never
touches the network, never loads a DTD, never resolves an entity and keeps libxml2's size
limits (huge_tree off). The caller caps the number of bytes read (`insterm.insi.transport`).

The envelope must have the shape SOAP gives it: at most one Header, then exactly one Body and
nothing else (a second Body would let a relay or an attacker smuggle a result past whoever reads
the first); a Fault alone in its Body. A SOAP 1.1 fault (faultcode, faultstring, detail: what a
gateway in front of the service may send) is read as a fault; a SOAP 1.1 envelope carrying
anything else is refused ("SOAP 1.1 inattendu"): the INSi contract is SOAP 1.2. A text value of
the RESULTAT holding a control character is refused (it would act on the terminal when shown).

`parse_reply` raises only `InsiFault`, `InsiReplyError` (incl. `InsiKeyMismatch`) or
`InsiTransportError` (HTTP error status with no SOAP fault) — never anything else.
"""

from __future__ import annotations

import re

from lxml import etree

from insterm.domain.errors import echoed
from insterm.insi.errors import (
    InsiError,
    InsiFault,
    InsiKeyMismatch,
    InsiReplyError,
    InsiTransportError,
)
from insterm.insi.results import OID_LABELS, InsiResult, InsRecord, ReturnedTraits

__all__ = ["parse_reply", "safe_parser"]

SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
RESULTAT_NS = "http://www.cnamts.fr/INSiResultat"
SIRAM = "urn:siram"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

_MATRICULE = re.compile(r"\d{6}[0-9AB]\d{6}")
_KEY = re.compile(r"\d{2}")
_DTD_MARKERS = (b"<!doctype", b"<!entity", b"<!element", b"<!attlist")
_CODES = ("00", "01", "02")


def safe_parser() -> etree.XMLParser:
    """The only parser used on data from outside: no DTD, no entities, no network."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
    )


def _has_dtd_marker(body: bytes) -> bool:
    lowered = body.lower()
    if any(marker in lowered for marker in _DTD_MARKERS):
        return True
    # UTF-16/32 documents hide the markers behind NUL bytes: look again without them.
    if b"\x00" in body[:4]:
        squeezed = lowered.replace(b"\x00", b"")
        return any(marker in squeezed for marker in _DTD_MARKERS)
    return False


_FIRST_TAG = re.compile(rb"<([A-Za-z_][\w.:-]*)")


def _looks_truncated(body: bytes, error: etree.XMLSyntaxError) -> bool:
    """A syntax error because the body stops early (the root element is never closed), as
    opposed to a body that is not XML at all. Only chooses the message."""
    if "end of data" in str(error).lower():
        return True
    first = _FIRST_TAG.search(body)
    if first is None:
        return False
    end = body.rstrip()
    return not end.endswith((b"</" + first.group(1) + b">", b"/>", b"-->"))


def parse_document(body: bytes) -> etree._Element:
    """Parse bytes safely; raise `InsiReplyError` for an empty, DTD-carrying or non-XML body."""
    if not body or not body.strip():
        raise InsiReplyError(
            "Le service INSi a envoyé une réponse vide. Réessayez ; si cela se répète, "
            "signalez-le au support.",
            kind="empty",
        )
    if _has_dtd_marker(body):
        raise InsiReplyError(
            "La réponse reçue contient une déclaration DTD ou d'entité, interdite dans un "
            "message INSi : elle a été rejetée sans être lue. Signalez-le au support.",
            kind="forbidden_dtd",
        )
    try:
        root = etree.fromstring(body, safe_parser())
    except etree.XMLSyntaxError as error:
        if _looks_truncated(body, error):
            raise InsiReplyError(
                "La réponse du service INSi est incomplète (XML tronqué) : la connexion a "
                "probablement été coupée. Réessayez.",
                kind="truncated",
            ) from None
        raise InsiReplyError(
            "La réponse du service INSi n'est pas un XML lisible. Réessayez ; si cela se "
            "répète, signalez-le au support.",
            kind="not_xml",
        ) from None
    except (ValueError, TypeError):  # e.g. an encoding declaration lxml refuses
        raise InsiReplyError(
            "La réponse du service INSi n'est pas un XML lisible (encodage). Signalez-le au "
            "support.",
            kind="not_xml",
        ) from None
    tree = root.getroottree()
    doctype = tree.docinfo.doctype  # type: ignore[union-attr]  # lxml-stubs: DocInfo lacks doctype
    if doctype or tree.docinfo.internalDTD is not None:
        raise InsiReplyError(
            "La réponse reçue contient une déclaration DTD, interdite dans un message INSi : "
            "elle a été rejetée. Signalez-le au support.",
            kind="forbidden_dtd",
        )
    return root


def _local(tag: object) -> str | None:
    if not isinstance(tag, str):
        return None
    return tag.rsplit("}", 1)[-1]


def _ns(tag: str) -> str | None:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else None


def _text(element: etree._Element) -> str:
    # lxml yields str (the stubs say str | bytes)
    return "".join(text for text in element.itertext() if isinstance(text, str)).strip()


def _unexpected(what: str) -> InsiReplyError:
    return InsiReplyError(
        f"La réponse du service INSi est inattendue ({what}) : elle ne peut pas être utilisée. "
        "L'identité reste inchangée ; réessayez ou signalez-le au support.",
        kind="unexpected_content",
    )


def _children(parent: etree._Element, name: str) -> list[etree._Element]:
    """Children named `name` in the RESULTAT namespace (or none), in any order."""
    return [
        child
        for child in parent
        if _local(child.tag) == name and _ns(child.tag) in (RESULTAT_NS, None)
    ]


def _single(parent: etree._Element, name: str, *, required: bool) -> etree._Element | None:
    found = _children(parent, name)
    if len(found) > 1:
        raise _unexpected(f"{name} répété")
    if not found:
        if required:
            raise _unexpected(f"{name} absent")
        return None
    return found[0]


def _value(parent: etree._Element, name: str, *, required: bool = False) -> str | None:
    element = _single(parent, name, required=required)
    if element is None:
        return None
    if len(element):
        raise _unexpected(f"{name} n'est pas une valeur simple")
    text = _text(element)
    if any(not ch.isprintable() and ch not in " \t\n\r" for ch in text):
        raise InsiReplyError(
            f"Le service INSi a renvoyé un caractère de contrôle dans {name} "
            f"(« {echoed(text, 40)} ») : la réponse ne peut pas être utilisée.",
            kind="invalid_value",
        )
    return text


def _ins_record(element: etree._Element, where: str) -> InsRecord:
    from insterm.domain.errors import DomainError
    from insterm.domain.nir import compute_key

    ident = _single(element, "IdIndividu", required=True)
    assert ident is not None
    matricule = (_value(ident, "NumIdentifiant", required=True) or "").upper()
    key = _value(ident, "Cle")
    type_matricule = _value(ident, "TypeMatricule")
    oid = _value(element, "OID", required=True) or ""
    if not _MATRICULE.fullmatch(matricule):
        raise InsiReplyError(
            f"Le service INSi a renvoyé un matricule mal formé dans {where} "
            f"(« {echoed(matricule, 20)} ») : la réponse ne peut pas être utilisée.",
            kind="invalid_value",
        )
    if key is None or not _KEY.fullmatch(key):
        raise InsiReplyError(
            f"Le service INSi a renvoyé le matricule {matricule} sans clé valide dans {where} : "
            "la réponse ne peut pas être utilisée.",
            kind="invalid_value",
        )
    try:
        expected = compute_key(matricule)
    except DomainError:
        raise InsiReplyError(
            f"Le service INSi a renvoyé un matricule impossible dans {where} ({matricule}) : "
            "la réponse ne peut pas être utilisée.",
            kind="invalid_value",
        ) from None
    if expected != key:
        raise InsiKeyMismatch(
            matricule=matricule, given_key=key, expected_key=expected, where=where
        )
    if oid not in OID_LABELS:
        raise InsiReplyError(
            f"Le service INSi a renvoyé un INS avec une autorité (OID) inconnue dans {where} "
            f"(« {echoed(oid, 60)} ») : la réponse ne peut pas être utilisée.",
            kind="invalid_value",
        )
    return InsRecord(
        matricule=matricule,
        key=key,
        oid=oid,
        type_matricule=type_matricule or None,
        start=_value(element, "DateDeb"),
        end=_value(element, "DateFin"),
    )


def _traits(element: etree._Element) -> ReturnedTraits:
    return ReturnedTraits(
        birth_name=_value(element, "NomNaissance"),
        first_name=_value(element, "Prenom"),
        first_names=_value(element, "ListePrenom"),
        sex=_value(element, "Sexe"),
        birth_date=_value(element, "DateNaissance"),
        birth_place=_value(element, "LieuNaissance"),
    )


def _result(resultat: etree._Element) -> InsiResult:
    cr = _single(resultat, "CR", required=True)
    assert cr is not None
    code = _value(cr, "CodeCR", required=True) or ""
    label = _value(cr, "LibelleCR") or ""
    if code not in _CODES:
        raise _unexpected(f"compte rendu « {echoed(code, 10)} » inconnu")
    individu = _single(resultat, "INDIVIDU", required=False)
    if code != "00":
        # 01/02 carry no individual; one present would be a contradiction we do not use.
        if individu is not None:
            raise _unexpected(f"une identité accompagne le compte rendu {code}")
        return InsiResult(code=code, label=label)
    if individu is None:
        raise _unexpected("compte rendu 00 sans identité")
    active_el = _single(individu, "INSACTIF", required=True)
    tiq = _single(individu, "TIQ", required=True)
    assert active_el is not None and tiq is not None
    active = _ins_record(active_el, "INSACTIF")
    history = tuple(_ins_record(h, "INSHISTO") for h in _children(individu, "INSHISTO"))
    return InsiResult(code=code, label=label, active=active, history=history, traits=_traits(tiq))


def _first(parent: etree._Element | None, local: str) -> etree._Element | None:
    if parent is None:
        return None
    for child in parent:
        if _local(child.tag) == local:
            return child
    return None


def _qname_local(element: etree._Element | None) -> str | None:
    if element is None:
        return None
    return _text(element).rsplit(":", 1)[-1] or None


def _siram_error(detail_el: etree._Element | None) -> dict[str, str | None]:
    """code, severity (normalised), severity_raw, detail, message_id of a siram:Erreur."""
    found: dict[str, str | None] = dict.fromkeys(
        ("error_code", "severity", "severity_raw", "detail", "message_id"))
    erreur = None if detail_el is None else next(detail_el.iter(f"{{{SIRAM}}}Erreur"), None)
    if erreur is None:
        if detail_el is not None:
            found["detail"] = _text(detail_el) or None
        return found
    found["error_code"] = (erreur.get("code") or "").strip() or None
    severity_raw = (erreur.get("severite") or "").strip() or None
    if severity_raw is not None:
        severity = severity_raw.rsplit(":", 1)[-1].lower()
        found["severity"] = "fatale" if severity == "fatal" else severity
    found["severity_raw"] = severity_raw
    found["detail"] = _text(erreur) or None
    found["message_id"] = erreur.get("messageID")
    return found


def _fault(fault: etree._Element, http_status: int | None) -> InsiFault:
    """A SOAP 1.2 fault: Code/Value, Code/Subcode/Value, Reason/Text (French first), Detail."""
    code_el = _first(fault, "Code")
    reason_el = _first(fault, "Reason")
    texts = [c for c in (reason_el if reason_el is not None else []) if _local(c.tag) == "Text"]
    french = [t for t in texts if (t.get(XML_LANG) or "").lower().startswith("fr")]
    return InsiFault(
        soap_code=_qname_local(_first(code_el, "Value")),
        subcode=_qname_local(_first(_first(code_el, "Subcode"), "Value")),
        message_fr=_text((french or texts)[0]) if texts else None,
        http_status=http_status,
        **_siram_error(_first(fault, "Detail")),
    )


def _fault11(fault: etree._Element, http_status: int | None) -> InsiFault:
    """A SOAP 1.1 fault: faultcode, faultstring, detail (unqualified children)."""
    def child(local: str) -> etree._Element | None:
        for element in fault:
            if _local(element.tag) == local and _ns(element.tag) in (None, SOAP11):
                return element
        return None

    faultstring = child("faultstring")
    return InsiFault(
        soap_code=_qname_local(child("faultcode")),
        subcode=None,
        message_fr=_text(faultstring) if faultstring is not None else None,
        http_status=http_status,
        **_siram_error(child("detail")),
    )


def _envelope_parts(root: etree._Element, soap: str) -> etree._Element:
    """The one Body of a well-shaped envelope: [Header] Body, nothing else."""
    parts = [child for child in root if isinstance(child.tag, str)]
    names = [child.tag for child in parts]
    header, body = f"{{{soap}}}Header", f"{{{soap}}}Body"
    if names.count(body) > 1:
        raise _unexpected("plusieurs corps (Body) dans l'enveloppe")
    if names.count(header) > 1:
        raise _unexpected("plusieurs en-têtes (Header) dans l'enveloppe")
    if body not in names:
        raise _unexpected("enveloppe sans corps")
    if names not in ([body], [header, body]):
        raise _unexpected("élément inattendu dans l'enveloppe")
    return parts[-1]


def _http_error(http_status: int) -> InsiTransportError:
    if http_status == 503:
        text = "Le service INSi est momentanément indisponible (HTTP 503) : réessayez plus tard."
    elif 500 <= http_status < 600:
        text = (
            f"Le service INSi a rencontré une erreur (HTTP {http_status}) sans donner de "
            "détail : réessayez plus tard."
        )
    elif http_status in (401, 403):
        text = (
            f"Le service INSi refuse l'accès (HTTP {http_status}) : vérifiez le certificat "
            "d'authentification et l'adresse du service."
        )
    elif http_status == 404:
        text = "L'adresse du service INSi est introuvable (HTTP 404) : vérifiez le réglage."
    else:
        text = (
            f"Le service INSi a répondu HTTP {http_status} sans message exploitable : "
            "vérifiez l'adresse du service et réessayez."
        )
    return InsiTransportError(text, kind="http_status", http_status=http_status)


def parse_reply(body: bytes, *, http_status: int = 200) -> InsiResult:
    """Turn a reply body into a result, or raise one typed `InsiError` (see module docstring)."""
    try:
        return _parse_reply(body, http_status)
    except InsiError:
        raise
    except RecursionError:
        raise _unexpected("structure trop profonde") from None
    except Exception:
        raise _unexpected("structure illisible") from None


def _parse_reply(body: bytes, http_status: int) -> InsiResult:
    http_ok = http_status == 200
    try:
        root = parse_document(body)
    except InsiReplyError as error:
        if not http_ok and error.kind in ("empty", "not_xml", "truncated"):
            raise _http_error(http_status) from None
        raise
    if root.tag not in (f"{{{SOAP12}}}Envelope", f"{{{SOAP11}}}Envelope"):
        if not http_ok:
            raise _http_error(http_status)
        raise InsiReplyError(
            "La réponse reçue n'est pas un message SOAP : vérifiez l'adresse du service INSi.",
            kind="not_soap",
        )
    soap = _ns(root.tag)
    assert soap is not None
    try:
        body_el = _envelope_parts(root, soap)
    except InsiReplyError:
        if not http_ok:
            raise _http_error(http_status) from None
        raise
    payload = [c for c in body_el if isinstance(c.tag, str)]
    faults = [c for c in payload if c.tag == f"{{{soap}}}Fault"]
    if faults:
        if len(payload) != 1:
            raise _unexpected("une erreur (Fault) accompagnée d'autres éléments")
        if soap == SOAP11:
            raise _fault11(faults[0], http_status)
        raise _fault(faults[0], http_status)
    if not http_ok:
        raise _http_error(http_status)
    if soap == SOAP11:
        raise InsiReplyError(
            "La réponse du service INSi est un message SOAP 1.1 inattendu (le service parle "
            "SOAP 1.2) : elle ne peut pas être utilisée. Vérifiez l'adresse du service INSi ; "
            "l'identité reste inchangée.",
            kind="soap11",
        )
    if len(payload) != 1 or _local(payload[0].tag) != "RESULTAT" or _ns(payload[0].tag) not in (
        RESULTAT_NS,
        None,
    ):
        raise _unexpected("pas de RESULTAT dans le corps du message")
    return _result(payload[0])
