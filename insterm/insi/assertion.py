"""The "assertion PS" of INSi in CPS mode: a SAML 2.0 assertion naming the health professional,
signed with the authentication key of their CPS card (XML-DSig, enveloped, exclusive c14n,
RSA-SHA256), placed in the SOAP header's wsse:Security over server-authenticated TLS.

Shape (as the public INSi clients send it): Assertion@ID="_<uuid>" @IssueInstant @Version="2.0";
Issuer (format X509SubjectName) = the card certificate's subject; the enveloped Signature right
after the Issuer (SAML's schema order); Subject/NameID@NameQualifier="CPS" = the holder's
national identifier; an AttributeStatement with identifiantFacturation, secteurActivite and,
for a physician, codeSpecialite. No Conditions: the public samples carry none and the service
is reported to refuse an assertion older than an hour.

Why not signxml or xmlsec for signing: the private key never leaves the card, and neither
library signs through a PKCS#11 session without a private-key object in memory (signxml) or an
OpenSSL engine configuration (xmlsec). So this module canonicalises SignedInfo with lxml's
exclusive c14n and asks a `Signer` (the card through PyKCS11, or a software key in tests) for
the PKCS#1 v1.5 RSA-SHA256 signature of those bytes. The simulator verifies with signxml, an
independent implementation.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from lxml import etree

SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
DSIG = "http://www.w3.org/2000/09/xmldsig#"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
X509_SUBJECT = "urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName"


class Signer(Protocol):
    """What signs the assertion: the card's authentication key and its certificate."""

    @property
    def certificate_der(self) -> bytes: ...

    def sign_rsa_sha256(self, data: bytes) -> bytes:
        """The PKCS#1 v1.5 signature of SHA-256(data)."""
        ...


@dataclass(frozen=True, slots=True)
class Professional:
    """Who calls INSi in CPS mode. `issuer`: the certificate subject as an RFC 4514 string;
    `national_id`: the holder's identifier (RPPS/ADELI with its prefix); `billing_id`:
    identifiantFacturation (FINESS for an establishment, else the AM billing number);
    `sector`: secteurActivite (e.g. "SA05"); `specialty`: codeSpecialite (physicians)."""

    issuer: str
    national_id: str
    billing_id: str
    sector: str
    specialty: str | None = None


def _default_namespace(namespace: str) -> dict[str, str]:
    """An nsmap making `namespace` the default one (lxml's key None; its stubs say str)."""
    return {None: namespace}  # type: ignore[dict-item]  # None is lxml's default-namespace key


def _c14n(element: etree._Element) -> bytes:
    return etree.tostring(element, method="c14n", exclusive=True, with_comments=False)


def _sub(parent: etree._Element, namespace: str, name: str, text: str | None = None,
         **attributes: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{namespace}}}{name}", attributes)
    if text is not None:
        element.text = text
    return element


def build_assertion(professional: Professional, signer: Signer, *, now: datetime | None = None,
                    assertion_id: str | None = None) -> etree._Element:
    """The signed Assertion element (its own document), ready for `security_header`."""
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    identifier = assertion_id or f"_{uuid.uuid4()}"
    assertion = etree.Element(f"{{{SAML}}}Assertion", nsmap=_default_namespace(SAML))
    assertion.set("ID", identifier)
    assertion.set("IssueInstant", moment.isoformat(timespec="milliseconds").replace("+00:00", "Z"))
    assertion.set("Version", "2.0")
    issuer = _sub(assertion, SAML, "Issuer", professional.issuer, Format=X509_SUBJECT)
    subject = _sub(assertion, SAML, "Subject")
    _sub(subject, SAML, "NameID", professional.national_id, NameQualifier="CPS")
    statement = _sub(assertion, SAML, "AttributeStatement")
    attributes = [("identifiantFacturation", professional.billing_id),
                  ("secteurActivite", professional.sector)]
    if professional.specialty:
        attributes.append(("codeSpecialite", professional.specialty))
    for name, value in attributes:
        attribute = _sub(statement, SAML, "Attribute", Name=name)
        _sub(attribute, SAML, "AttributeValue", value)

    # The digest of the assertion without its signature (the enveloped-signature transform).
    digest = base64.b64encode(hashlib.sha256(_c14n(assertion)).digest()).decode()
    signature = etree.Element(f"{{{DSIG}}}Signature", nsmap=_default_namespace(DSIG))
    issuer.addnext(signature)
    signed_info = _sub(signature, DSIG, "SignedInfo")
    _sub(signed_info, DSIG, "CanonicalizationMethod", Algorithm=EXC_C14N)
    _sub(signed_info, DSIG, "SignatureMethod", Algorithm=RSA_SHA256)
    reference = _sub(signed_info, DSIG, "Reference", URI=f"#{identifier}")
    transforms = _sub(reference, DSIG, "Transforms")
    _sub(transforms, DSIG, "Transform", Algorithm=ENVELOPED)
    _sub(transforms, DSIG, "Transform", Algorithm=EXC_C14N)
    _sub(reference, DSIG, "DigestMethod", Algorithm=SHA256)
    _sub(reference, DSIG, "DigestValue", digest)
    signed = signer.sign_rsa_sha256(_c14n(signed_info))
    _sub(signature, DSIG, "SignatureValue", base64.b64encode(signed).decode())
    key_info = _sub(signature, DSIG, "KeyInfo")
    x509_data = _sub(key_info, DSIG, "X509Data")
    _sub(x509_data, DSIG, "X509Certificate", base64.b64encode(signer.certificate_der).decode())
    return assertion


def security_header(assertion: etree._Element) -> etree._Element:
    """wsse:Security holding the assertion, for the end of the SOAP Header."""
    security = etree.Element(f"{{{WSSE}}}Security", nsmap={"wsse": WSSE})
    security.append(assertion)
    return security
