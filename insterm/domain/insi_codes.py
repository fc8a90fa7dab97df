"""The result codes (`CodeCR`) of an INSi search and what they mean, in French.

insi-contract.md section 3.2: the service answers 00 (one identity found, with it), 01 (none
found) or 02 (several found; only for a search by traits). No other code appears in any public
source: everything else is a SOAP fault. The service's own `LibelleCR` ("OK", "Aucune identite
trouvee"...) is kept as received elsewhere; this table is what the screens, the journal and the
record say.
"""

from __future__ import annotations

CR_MEANINGS: dict[str, str] = {
    "00": "une identité trouvée",
    "01": "aucune identité trouvée",
    "02": "plusieurs identités trouvées",
}


def cr_meaning(code: object) -> str | None:
    """The French meaning of a result code ("01" -> "aucune identité trouvée"); None for a
    code the contract does not define (a fault code, or anything else)."""
    return CR_MEANINGS.get(code) if isinstance(code, str) else None


__all__ = ["CR_MEANINGS", "cr_meaning"]
