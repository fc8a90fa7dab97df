"""The simulator's check of an "assertion PS" (CPS mode), with signxml: a verifier written by
other people than our signer (`insterm.insi.assertion`), so that a mistake in our
canonicalisation cannot be hidden by the same mistake on both sides.

Refused, each with a plausible SOAP fault (the real codes for these cases are not public: the
Erreur codes start with "sim_", see `faults.py`): no assertion, a signature that does not
verify (altered content, wrong key), a certificate not issued by the simulator's test CA or out
of its validity, an assertion issued more than an hour ago or in the future (the service is
reported to refuse assertions older than an hour), no NameID qualified "CPS".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from lxml import etree

from insterm.domain.errors import InstermError
from insterm.insi.simulator.replies import FaultSpec

SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
MAX_AGE = timedelta(hours=1)
CLOCK_SKEW = timedelta(minutes=5)


def _refusal(error_code: str, detail: str) -> FaultSpec:
    return FaultSpec(
        soap_code="Sender", subcode="siram_100",
        reason="L'authentification par carte CPS a été refusée : vérifiez la carte et son code, "
               "puis recommencez.",
        error_code=error_code, severity="erreur", detail=detail,
        source="simulator (the service's codes for a refused assertion are not public)")


NO_ASSERTION = _refusal("sim_assertion_absente", "Aucune assertion PS dans wsse:Security.")
BAD_SIGNATURE = _refusal("sim_assertion_signature", "La signature de l'assertion est invalide.")
UNKNOWN_CERTIFICATE = _refusal("sim_assertion_certificat",
                               "Le certificat de l'assertion n'est pas reconnu.")
STALE = _refusal("sim_assertion_perimee", "L'assertion est périmée ou datée dans le futur.")
NO_HOLDER = _refusal("sim_assertion_nameid", "L'assertion ne nomme pas le porteur de la CPS.")


class AssertionRefused(InstermError):
    """The assertion is refused; `fault` is what the simulator answers."""

    def __init__(self, fault: FaultSpec) -> None:
        super().__init__(fault.detail)
        self.fault = fault


@dataclass(frozen=True, slots=True)
class CheckedProfessional:
    national_id: str
    issuer: str
    attributes: dict[str, str]


def check_assertion(header: etree._Element, ca_pem: Path, *,
                    now: datetime | None = None) -> CheckedProfessional:
    """The professional the SOAP `header`'s assertion names, or `AssertionRefused`."""
    from signxml import InvalidCertificate, InvalidInput, InvalidSignature, XMLVerifier
    from signxml.verifier import SignatureConfiguration

    found = header.find(f".//{{{SAML}}}Assertion")
    if found is None:
        raise AssertionRefused(NO_ASSERTION)
    data = etree.tostring(found)
    try:
        verified = XMLVerifier().verify(
            data, ca_pem_file=str(ca_pem),
            expect_config=SignatureConfiguration(require_x509=True, expect_references=1))
    except InvalidCertificate:
        raise AssertionRefused(UNKNOWN_CERTIFICATE) from None
    except (InvalidSignature, InvalidInput):
        raise AssertionRefused(BAD_SIGNATURE) from None
    # Only what the signature covers is read from now on.
    assertion = verified.signed_xml if not isinstance(verified, list) else None
    if assertion is None or assertion.tag != f"{{{SAML}}}Assertion":
        raise AssertionRefused(BAD_SIGNATURE)
    moment = now or datetime.now(UTC)
    try:
        issued = datetime.fromisoformat(assertion.get("IssueInstant", "").replace("Z", "+00:00"))
    except ValueError:
        raise AssertionRefused(STALE) from None
    if issued.tzinfo is None or not moment - MAX_AGE <= issued <= moment + CLOCK_SKEW:
        raise AssertionRefused(STALE)
    name_id = assertion.find(f"{{{SAML}}}Subject/{{{SAML}}}NameID")
    if name_id is None or name_id.get("NameQualifier") != "CPS" or not (name_id.text or "").strip():
        raise AssertionRefused(NO_HOLDER)
    attributes = {
        attribute.get("Name", ""): (attribute.findtext(f"{{{SAML}}}AttributeValue") or "")
        for attribute in assertion.iter(f"{{{SAML}}}Attribute")}
    return CheckedProfessional((name_id.text or "").strip(),
                               assertion.findtext(f"{{{SAML}}}Issuer") or "", attributes)
