"""What the simulated INSi service answers to one request: bytes in, status and bytes out.

No HTTP and no TLS here (server.py does those): `InsiService.answer(body, client_cn)` is the
whole behaviour, in this order:

1. parse the body safely (no DTD, no entity, no network, size capped by the server);
   not XML, a DTD, not a SOAP 1.2 envelope -> Sender fault sim_xml;
2. the client certificate CN must be INSI-MANU or INSI-AUTO -> else DESIR_560; a request
   without a client certificate (CPS card mode) must carry in wsse:Security an assertion PS
   signed by a card certificate of the test CA, issued less than an hour ago
   (`assertion_check`, verified with signxml) -> else siram_100 / sim_assertion_*;
3. the envelope against the packaged XSD and the envelope rules
   (`insterm.insi.schemas.check_request`) -> else Sender fault sim_xsd;
4. ContexteLPS/LPS/IDAM must be a known authorisation number -> else siram_100 / desir_550;
5. the operation's own rules: for a traits search, the birth name (insi_19), then first name,
   sex (M/F), birth date (AAAA-MM-JJ) and the INSi character profile (sim_* faults);
6. a fixed case of the test identities: a fault (D'AEION / COEUR -> siram_40 / insi_102) or
   a CR without identity (DE VINCI LEONARDO without birth place -> 02, TCHITCHI OLA -> 01);
7. the search: 00 (one person), 01 (none), 02 (several).

The Vitale search (RECVITALE) is accepted without the Vitale assertion (the SESAM-Vitale
components that make it are not public): the individual matricule of the card, or else the birth
name and birth date, find the person; 00 when exactly one person is found, otherwise 01.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from lxml import etree

from . import faults
from .people import Directory, FixedCase, Query, SimPerson
from .replies import FaultSpec, resultat

log = logging.getLogger(__name__)

SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
RECSANS = "http://www.cnamts.fr/INSiRecSans"
RECVIT = "http://www.cnamts.fr/INSiRecVit"
CTXLPS = "urn:siram:lps:ctxlps"
WSA = "http://www.w3.org/2005/08/addressing"

ACCEPTED_CNS = ("INSI-MANU", "INSI-AUTO")
MAX_REQUEST_BYTES = 256 * 1024  # a real request is ~2 KB; with a CPS assertion ~6 KB

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_COG = re.compile(r"[0-9][0-9AB][0-9]{3}", re.ASCII)
_DTD_MARKERS = (b"<!doctype", b"<!entity", b"<!element", b"<!attlist")


@dataclass(frozen=True, slots=True)
class Answer:
    """The reply to one request, and what it was, for `.handled` and the tests."""

    status: int
    body: bytes
    operation: str | None
    outcome: str  # "00", "01", "02" or the fault's Erreur code


class RequestRefused(Exception):
    def __init__(self, spec: FaultSpec) -> None:
        super().__init__(spec.error_code)
        self.spec = spec


def _safe_parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
        huge_tree=False, remove_pis=True,
    )


def parse_request(body: bytes) -> etree._Element:
    """The request's root element, or RequestRefused(sim_xml). Never expands an entity."""
    head = body[:4096].lower().replace(b"\x00", b"")  # also catches UTF-16 declarations
    if any(marker in head for marker in _DTD_MARKERS) or b"<!doctype" in body.lower():
        raise RequestRefused(faults.invalid_request(
            "sim_xml", "Le message contient une DTD ou une déclaration d'entité, interdites."))
    try:
        root = etree.fromstring(body, _safe_parser())
    except (etree.XMLSyntaxError, ValueError):
        raise RequestRefused(faults.invalid_request(
            "sim_xml", "Le message n'est pas un document XML bien formé.")) from None
    tree = root.getroottree()
    doctype = tree.docinfo.doctype  # type: ignore[union-attr]  # lxml-stubs: DocInfo lacks doctype
    if doctype or tree.docinfo.internalDTD is not None:
        raise RequestRefused(faults.invalid_request(
            "sim_xml", "Le message contient une DTD ou une déclaration d'entité, interdites."))
    if root.tag != f"{{{SOAP12}}}Envelope":
        raise RequestRefused(faults.invalid_request(
            "sim_xml", "Le message n'est pas une enveloppe SOAP 1.2."))
    return root


def _message_id(root: etree._Element) -> str | None:
    found = root.find(f"{{{SOAP12}}}Header/{{{WSA}}}MessageID")
    return None if found is None or not found.text else found.text.strip()


def _idam(root: etree._Element) -> str | None:
    found = root.find(
        f"{{{SOAP12}}}Header/{{{CTXLPS}}}ContexteLPS/{{{CTXLPS}}}LPS/{{{CTXLPS}}}IDAM")
    return None if found is None or not found.text else found.text.strip()


def _text(parent: etree._Element, namespace: str, name: str) -> str | None:
    found = parent.find(f"{{{namespace}}}{name}")
    if found is None or found.text is None:
        return None
    cleaned = " ".join(found.text.split())
    return cleaned or None


def _query(body: etree._Element) -> Query:
    prenoms = tuple(
        " ".join((e.text or "").split()) for e in body.findall(f"{{{RECSANS}}}Prenom")
    )
    return Query(
        birth_name=_text(body, RECSANS, "NomNaissance"),
        first_names=tuple(p for p in prenoms if p),
        sex=_text(body, RECSANS, "Sexe"),
        birth_date=_text(body, RECSANS, "DateNaissance"),
        birth_place=_text(body, RECSANS, "LieuNaissance"),
    )


def _is_calendar_date(text: str) -> bool:
    if not _DATE.fullmatch(text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _check_traits(query: Query) -> None:
    """The request rules of a traits search; RequestRefused with the matching fault."""
    if query.birth_name is None:
        raise RequestRefused(faults.BIRTH_NAME_MISSING)
    if not query.first_names:
        raise RequestRefused(faults.invalid_request(
            "sim_prenom", "Le champ prénom est obligatoire."))
    if query.sex is None:
        raise RequestRefused(faults.invalid_request("sim_sexe", "Le champ sexe est obligatoire."))
    if query.sex not in ("M", "F"):
        raise RequestRefused(faults.invalid_request(
            "sim_sexe", f"Le sexe « {query.sex[:10]} » est invalide : M ou F attendu."))
    if query.birth_date is None:
        raise RequestRefused(faults.invalid_request(
            "sim_date", "Le champ date de naissance est obligatoire."))
    if not _is_calendar_date(query.birth_date):
        raise RequestRefused(faults.invalid_request(
            "sim_date",
            f"La date de naissance « {query.birth_date[:20]} » est invalide : "
            "AAAA-MM-JJ attendu."))
    if query.birth_place is not None and not _COG.fullmatch(query.birth_place):
        raise RequestRefused(faults.invalid_request(
            "sim_lieu",
            f"Le lieu de naissance « {query.birth_place[:10]} » n'est pas un code COG à "
            "5 caractères."))
    from insterm.domain.errors import TraitError
    from insterm.domain.traits import validate

    try:
        validate(query.birth_name, "birth_name")
        for prenom in query.first_names:
            validate(prenom, "first_names")
    except TraitError as error:
        raise RequestRefused(faults.invalid_request("sim_caracteres", str(error))) from None


def _reply_for(found: list[SimPerson]) -> tuple[bytes, str]:
    if len(found) == 1:
        person = found[0]
        return (
            resultat("00", active=person.active, history=person.history,
                     traits=person.returned_traits()),
            "00",
        )
    code = "01" if not found else "02"
    return resultat(code), code


class InsiService:
    """The behaviour of the INSi service, over a `Directory` of people and fault cases."""

    def __init__(
        self,
        directory: Directory,
        *,
        known_idam: Iterable[str] | None,
        accepted_cns: Iterable[str] = ACCEPTED_CNS,
        cps_ca: Path | None = None,
    ) -> None:
        self.directory = directory
        # The CA of the CPS card certificates (None: the CPS mode is refused, DESIR_560).
        self.cps_ca = cps_ca
        # None = every IDAM is accepted (a simulator run for a software under another number).
        self.known_idam = None if known_idam is None else frozenset(known_idam)
        self.accepted_cns = frozenset(accepted_cns)

    def answer(self, body: bytes, client_cn: str | None) -> Answer:
        operation: str | None = None
        message_id: str | None = None
        try:
            if len(body) > MAX_REQUEST_BYTES:
                raise RequestRefused(faults.invalid_request(
                    "sim_taille", f"Le message dépasse {MAX_REQUEST_BYTES} octets."))
            root = parse_request(body)
            message_id = _message_id(root)
            if client_cn is None and self.cps_ca is not None:
                self._check_card(root)
            elif client_cn not in self.accepted_cns:
                raise RequestRefused(faults.ACCESS_LEVEL)
            from insterm.insi.schemas import check_request

            check = check_request(root)
            operation = check.operation
            if not check.ok:
                raise RequestRefused(faults.invalid_request(
                    "sim_xsd",
                    "Le message ne respecte pas le contrat du service ("
                    + "; ".join(check.problems)[:300] + ")"))
            if self.known_idam is not None and _idam(root) not in self.known_idam:
                raise RequestRefused(faults.UNKNOWN_IDAM)
            soap_body = root.find(f"{{{SOAP12}}}Body")
            assert soap_body is not None  # checked above, with its one element
            request_body = soap_body[0]
            if operation == "rechercherInsAvecTraitsIdentite":
                reply, outcome = self._traits_search(request_body)
            else:
                reply, outcome = self._vitale_search(request_body)
            return Answer(200, reply, operation, outcome)
        except RequestRefused as refused:
            spec = refused.spec
        except Exception:  # a broken people provider, a bug: what the real service does too
            log.exception("erreur interne du simulateur INSi")
            spec = faults.TECHNICAL
        return Answer(spec.http_status, spec.render(message_id), operation, spec.error_code)

    def _check_card(self, root: etree._Element) -> None:
        """The CPS mode: the assertion PS of the header, or the refusal's fault."""
        from .assertion_check import NO_ASSERTION, AssertionRefused, check_assertion

        assert self.cps_ca is not None
        header = root.find(f"{{{SOAP12}}}Header")
        if header is None:
            raise RequestRefused(NO_ASSERTION)
        try:
            check_assertion(header, self.cps_ca)
        except AssertionRefused as refused:
            raise RequestRefused(refused.fault) from None

    def _traits_search(self, body: etree._Element) -> tuple[bytes, str]:
        query = _query(body)
        _check_traits(query)
        case = self.directory.fixed_for(query)
        if isinstance(case, FixedCase):
            if isinstance(case.answer, FaultSpec):
                raise RequestRefused(case.answer)
            return resultat(case.answer), case.answer
        return _reply_for(self.directory.search(query))

    def _vitale_search(self, body: etree._Element) -> tuple[bytes, str]:
        individual = body.find(f"{{{RECVIT}}}MatriculeIndividu/{{{RECVIT}}}NumIdentifiant")
        birth_name = _text(body, RECVIT, "NomNaissance")
        birth_date = _text(body, RECVIT, "DateNaissance")
        if individual is not None and individual.text and individual.text.strip():
            found = self.directory.by_matricule(individual.text.strip().upper())
            if birth_date is not None:
                found = [p for p in found if p.birth_date == birth_date]
        elif birth_name is not None and birth_date is not None:
            probe = Query(birth_name, (), None, birth_date)
            found = [p for p in self.directory.candidates(probe)
                     if p.birth_name == birth_name and p.birth_date == birth_date]
        else:
            raise RequestRefused(faults.invalid_request(
                "sim_vitale",
                "La recherche par carte Vitale demande le matricule individuel du bénéficiaire, "
                "ou son nom de naissance et sa date de naissance."))
        if len(found) == 1:
            return _reply_for(found)
        return resultat("01"), "01"
