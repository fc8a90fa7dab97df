"""zeep on the packaged WSDL: loading it offline, and building the request envelopes.

The only module of insterm that imports zeep (imported by `insterm.insi.client` when a call is
made, never by `import insterm.insi`).

- The WSDL (`DESIR_ICIR_EXP_1.5.0.wsdl`, SOAP 1.2) imports its WS-Addressing schema from the
  W3C site: `OfflineTransport.load` serves the local stand-in instead and refuses any other
  remote URL, so loading never touches the network. The parsed WSDL is built once per process.
- `InsiSoap.build(...)` serialises the body and the ContexteLPS / ContexteBAM / MessageID header
  parts through zeep (which checks them against the WSDL types), adds wsa:Action (not a WSDL
  part) and, when the auth mode or a Vitale provider gives some, wsse:Security, then lays the
  envelope out like the captured padoa requests: headers in the order ContexteBAM, ContexteLPS,
  Action, MessageID, Security; prefixes soap, ctxbam, ctxlps, wsa, insi_recsans_ins /
  insi_recvit_ins. Signed SAML assertions are inserted verbatim (their prefixes are signed).
- Every envelope is validated against `insterm.insi.schemas.request_schema()` before it leaves;
  an invalid one is refused (`InsiRefused`, nothing sent).
- Replies are not parsed by zeep: see `insterm.insi.reply`.
"""

from __future__ import annotations

import copy
import functools
import threading
from typing import Any

import zeep
from lxml import etree
from zeep.transports import Transport
from zeep.wsdl import Document

from insterm import __version__
from insterm.insi.errors import InsiRefused
from insterm.insi.schemas import (
    NS,
    OPERATIONS,
    REMOTE_WS_ADDR,
    contract_dir,
    request_schema,
    validation_errors,
    wsdl_path,
)
from insterm.insi.transport import HttpReply, post_capped

__all__ = ["InsiSoap", "OfflineTransport", "wsdl_document", "zeep_settings"]

_BODY_PREFIX = {
    "rechercherInsAvecTraitsIdentite": ("insi_recsans_ins", NS["recsans"]),
    "rechercherInsAvecCarteVitale": ("insi_recvit_ins", NS["recvit"]),
}
_HEADER_ORDER = (
    f"{{{NS['ctxbam']}}}ContexteBAM",
    f"{{{NS['ctxlps']}}}ContexteLPS",
    f"{{{NS['wsa']}}}Action",
    f"{{{NS['wsa']}}}MessageID",
    f"{{{NS['wsse']}}}Security",
)


def zeep_settings() -> zeep.Settings:
    return zeep.Settings(
        strict=True,
        raw_response=False,
        forbid_dtd=True,
        forbid_entities=True,
        forbid_external=False,  # the one remote import is served locally by OfflineTransport
        xml_huge_tree=False,
    )


class OfflineTransport(Transport):
    """zeep transport that loads the contract from the package and nothing from the network."""

    def __init__(self, session: Any = None, **kwargs: Any) -> None:
        super().__init__(session=session, cache=None, **kwargs)

    def load(self, url: str) -> bytes:
        if url == REMOTE_WS_ADDR:
            return (contract_dir() / "ws-addr.xsd").read_bytes()
        if "://" in url:
            raise RuntimeError(f"refusing to load {url!r}: the INSi contract is loaded offline")
        return super().load(url)


_document_lock = threading.Lock()


@functools.cache
def wsdl_document() -> Document:
    """The parsed WSDL (zeep Document), built once per process, offline."""
    with _document_lock:
        # zeep annotates `transport` as a class, but uses (and needs) an instance.
        return Document(str(wsdl_path()), OfflineTransport(),  # type: ignore[arg-type]
                        settings=zeep_settings())


class InsiSoap:
    """Builds envelopes with zeep and posts them through zeep's transport, whose requests
    session carries the mutual-TLS SSLContext (`insterm.insi.transport.make_session`)."""

    def __init__(self, session: Any, *, endpoint_url: str, timeout: float, max_bytes: int) -> None:
        self.transport = OfflineTransport(session=session, timeout=timeout, operation_timeout=timeout)
        self.client = zeep.Client(wsdl_document(), transport=self.transport, settings=zeep_settings())
        self.endpoint_url = endpoint_url
        self.timeout = timeout
        self.max_bytes = max_bytes

    def build(
        self,
        operation: str,
        body: dict[str, Any],
        headers: dict[str, Any],
        *,
        security: list[Any] | tuple[Any, ...] = (),
    ) -> bytes:
        """The serialised envelope (UTF-8, with XML declaration), validated against the XSD."""
        envelope = self.client.create_message(
            self.client.service, operation, **body, _soapheaders=headers
        )
        action = OPERATIONS[operation][1]
        header = envelope.find(f"{{{NS['soap']}}}Header")
        assert header is not None
        action_el = etree.SubElement(header, f"{{{NS['wsa']}}}Action")
        action_el.text = action
        laid_out = _lay_out(envelope, operation)
        if security:
            out_header = laid_out.find(f"{{{NS['soap']}}}Header")
            assert out_header is not None  # `_lay_out` always writes one
            wsse = etree.SubElement(out_header, f"{{{NS['wsse']}}}Security")
            for assertion in security:
                wsse.append(copy.deepcopy(assertion))
        schema = request_schema()
        if not schema.validate(laid_out):
            problems = "; ".join(message for _, message in validation_errors(schema)[:3])
            raise InsiRefused(
                "La demande INSi préparée n'est pas conforme au contrat du service : elle n'a "
                f"pas été envoyée. Signalez-le au support ({problems}).",
                reason="invalid_request",
            )
        return etree.tostring(laid_out, xml_declaration=True, encoding="utf-8")

    def post(self, operation: str, envelope: bytes) -> HttpReply:
        """POST through zeep's transport session (capped read; `InsiTransportError` only)."""
        action = OPERATIONS[operation][1]
        http_headers = {
            "Content-Type": f'application/soap+xml; charset=utf-8; action="{action}"',
            "User-Agent": f"insterm/{__version__}",
        }
        return post_capped(
            self.transport.session,
            self.endpoint_url,
            envelope,
            http_headers,
            timeout=self.timeout,
            max_bytes=self.max_bytes,
        )


def _lay_out(envelope: etree._Element, operation: str) -> etree._Element:
    """Rebuild the envelope with the captured requests' prefixes and header order."""
    prefix, namespace = _BODY_PREFIX[operation]
    nsmap = {
        "soap": NS["soap"],
        "ctxbam": NS["ctxbam"],
        "ctxlps": NS["ctxlps"],
        "wsa": NS["wsa"],
        prefix: namespace,
    }
    root = etree.Element(f"{{{NS['soap']}}}Envelope", nsmap=nsmap)
    header = envelope.find(f"{{{NS['soap']}}}Header")
    body = envelope.find(f"{{{NS['soap']}}}Body")
    out_header = etree.SubElement(root, f"{{{NS['soap']}}}Header")
    blocks = list(header) if header is not None else []
    rank = {tag: index for index, tag in enumerate(_HEADER_ORDER)}
    for block in sorted(blocks, key=lambda b: rank.get(b.tag, len(rank))):
        _copy_into(out_header, block)
    out_body = etree.SubElement(root, f"{{{NS['soap']}}}Body")
    if body is not None:
        for child in body:
            _copy_into(out_body, child)
    return root


def _copy_into(parent: etree._Element, element: etree._Element) -> None:
    if not isinstance(element.tag, str):
        return
    new = etree.SubElement(parent, element.tag)
    new.attrib.update(element.attrib)
    new.text = element.text
    for child in element:
        _copy_into(new, child)
