"""Identities and documents out of insterm: FHIR FR Core Patient, HL7 v2 IHE PAM France, CSV,
INS labels, and the PDF of the identity-vigilance report and of the patients' leaflet.

Builders only: each module turns values (`ExchangeIdentity`, the report's rows) into the bytes
of one format, and `files` writes them atomically. Nothing here reads the database or decides
who may export what: the use cases (`insterm.usecases.exports`, `insterm.usecases.labels`,
`insterm.usecases.indicators`, `insterm.usecases.leaflet`) do, and write the audit event. The
one INS rule is enforced twice: the use case gives the INS only for a QUAL identity, and
`ExchangeIdentity` refuses an INS for any other status.
Imports: the domain only (import-linter contract).
"""
