"""The packaged INSi contract (WSDL + XSD) and the lxml schemas built from it.

`contract_dir()` is the folder holding `DESIR_ICIR_EXP_1.5.0.wsdl` and `xsd/`, plus three files
written for insterm: `ws-addr.xsd` (local stand-in for the WSDL's remote WS-Addressing import),
`soap12-envelope.xsd` (a minimal SOAP 1.2 envelope) and the two driver schemas
`request-envelope.xsd` / `response-envelope.xsd`.

`request_schema()` validates a whole request envelope: the Body element (RECSANSVITALE or
RECVITALE) strictly, and every known header block (ContexteLPS, ContexteBAM, wsa:*,
wsse:Security). `check_request()` adds what an XSD cannot say: which operation, and that the
headers the service needs are there once. Used by the client's tests and by the simulator.

lxml only (no zeep). The schemas are built once per process (about a tenth of a second).
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from lxml import etree

__all__ = [
    "NS",
    "OPERATIONS",
    "RequestCheck",
    "check_request",
    "contract_dir",
    "request_schema",
    "response_schema",
    "validation_errors",
    "wsdl_path",
]

WSDL_NAME = "DESIR_ICIR_EXP_1.5.0.wsdl"
REMOTE_WS_ADDR = "http://www.w3.org/2006/03/addressing/ws-addr.xsd"

NS = {
    "soap": "http://www.w3.org/2003/05/soap-envelope",
    "recsans": "http://www.cnamts.fr/INSiRecSans",
    "recvit": "http://www.cnamts.fr/INSiRecVit",
    "resultat": "http://www.cnamts.fr/INSiResultat",
    "ctxlps": "urn:siram:lps:ctxlps",
    "ctxbam": "urn:siram:bam:ctxbam",
    "siram": "urn:siram",
    "wsa": "http://www.w3.org/2005/08/addressing",
    "wsse": "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd",
    "saml": "urn:oasis:names:tc:SAML:2.0:assertion",
}

# operation name -> (body element Clark name, SOAP action)
OPERATIONS: dict[str, tuple[str, str]] = {
    "rechercherInsAvecTraitsIdentite": (
        f"{{{NS['recsans']}}}RECSANSVITALE",
        "urn:ServiceIdentiteCertifiee:1.0.0:rechercherInsAvecTraitsIdentite",
    ),
    "rechercherInsAvecCarteVitale": (
        f"{{{NS['recvit']}}}RECVITALE",
        "urn:ServiceIdentiteCertifiee:1.0.0:rechercherInsAvecCarteVitale",
    ),
}


def contract_dir() -> Path:
    """The folder of the packaged contract (inside the installed package)."""
    return Path(__file__).resolve().parent / "contract"


def wsdl_path() -> Path:
    return contract_dir() / WSDL_NAME


_lock = threading.Lock()


def _schema_parser() -> etree.XMLParser:
    from lxml import etree

    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )


def _load_schema(name: str) -> etree.XMLSchema:
    from lxml import etree

    path = contract_dir() / name
    with _lock:
        document = etree.parse(str(path), _schema_parser())
        return etree.XMLSchema(document)


@functools.cache
def request_schema() -> etree.XMLSchema:
    """XMLSchema for a whole request envelope (see the module docstring)."""
    return _load_schema("request-envelope.xsd")


@functools.cache
def response_schema() -> etree.XMLSchema:
    """XMLSchema for a whole reply envelope: RESULTAT, or a Fault with siram:Erreur."""
    return _load_schema("response-envelope.xsd")


def validation_errors(schema: etree.XMLSchema) -> list[tuple[int, str]]:
    """(line, message) of each error of the schema's last validation."""
    return [(entry.line, entry.message)
            for entry in schema.error_log]  # type: ignore[attr-defined]  # lxml-stubs: _ErrorLog is empty


@dataclass(frozen=True, slots=True)
class RequestCheck:
    """What `check_request` found: the operation (None if not recognised) and the problems
    (English, technical: meant for logs and for the simulator's fault texts)."""

    operation: str | None
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return self.operation is not None and not self.problems


_REQUIRED_HEADERS = (
    (f"{{{NS['ctxlps']}}}ContexteLPS", "ctxlps:ContexteLPS"),
    (f"{{{NS['ctxbam']}}}ContexteBAM", "ctxbam:ContexteBAM"),
    (f"{{{NS['wsa']}}}MessageID", "wsa:MessageID"),
)


def check_request(envelope: etree._Element | etree._ElementTree) -> RequestCheck:
    """Validate a parsed request envelope against `request_schema()` and the service's needs.

    The caller parses (safely: see `insterm.insi.reply.safe_parser`). Never raises for a bad
    document: everything wrong is in `problems`.
    """
    root = envelope.getroot() if hasattr(envelope, "getroot") else envelope
    problems: list[str] = []
    schema = request_schema()
    if not schema.validate(root):
        problems.extend(f"line {line}: {message}" for line, message in validation_errors(schema))
    operation: str | None = None
    body = root.find(f"{{{NS['soap']}}}Body")
    header = root.find(f"{{{NS['soap']}}}Header")
    if root.tag != f"{{{NS['soap']}}}Envelope":
        problems.append(f"root element is {root.tag}, not a SOAP 1.2 Envelope")
    elif body is None:
        problems.append("no SOAP Body")
    else:
        children = [c for c in body if isinstance(c.tag, str)]
        if len(children) != 1:
            problems.append(f"the Body holds {len(children)} elements, expected 1")
        else:
            for name, (tag, _action) in OPERATIONS.items():
                if children[0].tag == tag:
                    operation = name
            if operation is None:
                problems.append(f"unknown operation element {children[0].tag}")
    for tag, label in _REQUIRED_HEADERS:
        count = 0 if header is None else len(header.findall(tag))
        if count != 1:
            problems.append(f"header {label} present {count} times, expected once")
    if operation is not None and header is not None:
        actions = header.findall(f"{{{NS['wsa']}}}Action")
        expected = OPERATIONS[operation][1]
        if len(actions) == 1 and (actions[0].text or "").strip() != expected:
            problems.append(f"wsa:Action is {actions[0].text!r}, expected {expected!r}")
    return RequestCheck(operation, tuple(problems))
