"""Typed errors of the INSi client. Standard library only.

Every INSi call ends in a result (CR 00/01/02) or in exactly one of these errors; `str(error)` is
a French sentence for the operator saying what went wrong and what to do, `code` a stable
machine name for the insi_call log.

    InsiError
      InsiRefused          refused before sending: nothing left the machine
        InsiAuthError      the organisation certificate (or another authentication) is unusable
        InsiSettingsError  the INSi settings are incomplete or wrong
      InsiFault            the service answered with a SOAP fault (its French text is kept)
      InsiTransportError   no usable answer: timeout, refused, TLS, HTTP error, oversized...
      InsiReplyError       an answer arrived but cannot be trusted (not XML, DTD, bad shape)
        InsiKeyMismatch    an INS whose key does not match its matricule
      InsiUnexpectedError  a defect of the client (logged), never an unhandled exception
"""

from __future__ import annotations

from insterm.domain.errors import InstermError, echoed

__all__ = [
    "InsiAuthError",
    "InsiError",
    "InsiFault",
    "InsiKeyMismatch",
    "InsiRefused",
    "InsiReplyError",
    "InsiSettingsError",
    "InsiTransportError",
    "InsiUnexpectedError",
]

# What the operator can do about the few fault codes seen in public captures
# (insi-contract.md section 3.4). Keys are lower case.
_FAULT_HINTS: dict[str, str] = {
    "desir_550": (
        "Le numéro d'autorisation du logiciel (IDAM) n'est pas reconnu par le service : "
        "vérifiez le réglage IDAM de l'installation."
    ),
    "desir_560": (
        "Le certificat utilisé n'a pas les droits d'accès au service : il faut le certificat "
        "d'organisation dont le nom (CN) est INSI-MANU ou INSI-AUTO."
    ),
    "insi_19": "Le nom de naissance est obligatoire : complétez l'identité puis relancez.",
    "insi_102": "Erreur technique du service : réessayez plus tard.",
    "insi_111": "Le téléservice est indisponible : réessayez plus tard.",
    # CPS card mode: the simulator's codes (the service's own are not public), same meanings.
    "sim_assertion_absente": (
        "Aucune assertion signée par une carte CPS n'a été envoyée : en mode carte CPS, insérez "
        "la carte et saisissez son code ; sinon choisissez le certificat d'organisation dans "
        "les réglages du poste."
    ),
    "sim_assertion_signature": (
        "La signature faite par la carte CPS n'a pas été reconnue : retirez la carte, "
        "réinsérez-la, saisissez de nouveau son code et recommencez ; si cela se répète, "
        "signalez-le au support."
    ),
    "sim_assertion_certificat": (
        "Le certificat de la carte CPS n'est pas reconnu par le service (carte expirée, "
        "révoquée ou d'une autre autorité) : utilisez une CPS en cours de validité."
    ),
    "sim_assertion_perimee": (
        "L'assertion de la carte CPS est périmée ou datée dans le futur : vérifiez la date et "
        "l'heure de cet ordinateur, puis recommencez."
    ),
    "sim_assertion_nameid": (
        "La carte CPS ne nomme pas son porteur : elle ne peut pas servir pour INSi."
    ),
}


def _clip(text: str | None, limit: int = 1000) -> str | None:
    if text is None:
        return None
    text = " ".join(text.split())
    return echoed(text, limit)


class InsiError(InstermError):
    """Base of every INSi error; `message` is French, `code` a stable machine name."""

    code = "insi.error"


class InsiRefused(InsiError):
    """The request was refused before sending: nothing left the machine.

    `reason` is a machine name ("traits", "sex", "identity_state", "vitale_assertion", ...),
    `field` the trait concerned when there is one.
    """

    code = "refused"

    def __init__(self, message: str, *, reason: str, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.reason = reason
        self.code = f"refused.{reason}"


class InsiAuthError(InsiRefused):
    """The authentication material cannot be used (wrong CN, expired, unreadable PKCS#12...)."""

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message, reason=reason)
        self.code = f"auth.{reason}"


class InsiSettingsError(InsiRefused):
    """An INSi setting is missing or malformed; `setting` names it."""

    def __init__(self, message: str, *, setting: str) -> None:
        super().__init__(message, reason="settings")
        self.setting = setting
        self.code = f"settings.{setting}"


class InsiFault(InsiError):
    """A SOAP fault from the service (1.2, or 1.1 from a gateway: faultcode, faultstring, detail).

    Every text from the server is kept as `insterm.domain.errors.echoed` shows it (control
    characters escaped, cut at 1,000 characters): it is shown to the operator as is.

    `soap_code` "Sender"/"Receiver"..., `subcode` the siram code ("siram_100"), `error_code` and
    `severity` from siram:Erreur ("desir_550", "erreur"; severity normalised: "fatal" ->
    "fatale", the raw value in `severity_raw`), `message_fr` the service's own French text
    (Reason), `detail` the technical text of siram:Erreur, `message_id` as echoed.
    """

    def __init__(
        self,
        *,
        soap_code: str | None,
        subcode: str | None,
        error_code: str | None,
        severity: str | None,
        message_fr: str | None,
        detail: str | None = None,
        severity_raw: str | None = None,
        message_id: str | None = None,
        http_status: int | None = None,
    ) -> None:
        self.soap_code = soap_code
        self.subcode = subcode
        self.error_code = error_code
        self.severity = severity
        self.severity_raw = severity_raw
        self.message_fr = _clip(message_fr)
        self.detail = _clip(detail)
        self.message_id = _clip(message_id, 200)
        self.http_status = http_status
        shown = [echoed(c, 60) for c in (subcode, error_code) if c]
        if not shown and soap_code:
            shown.append(echoed(soap_code, 60))
        text = self.message_fr or self.detail
        if text is None and not shown:
            status = f" (HTTP {http_status})" if http_status is not None else ""
            message = ("Le service INSi a répondu par une erreur sans en donner le code ni le "
                       f"motif{status}. Réessayez ; si cela se répète, signalez-le au support.")
        else:
            codes = "/".join(shown) or "sans code"
            message = f"Le service INSi a répondu par une erreur ({codes})"
            message += f" : {text}" if text else " sans en donner le motif."
        if self.detail and self.message_fr and self.detail != self.message_fr:
            message += f" [{self.detail}]"
        hint = _FAULT_HINTS.get((error_code or "").lower())
        if hint:
            message += f" {hint}"
        super().__init__(message)
        self.code = f"fault.{subcode or 'unknown'}.{error_code or 'unknown'}"


class InsiTransportError(InsiError):
    """No usable answer. `kind`: "timeout", "connection_refused", "connection_reset", "tls",
    "http_status", "oversized", "truncated", "network", "invalid_url"; `http_status` when an
    HTTP answer came."""

    def __init__(self, message: str, *, kind: str, http_status: int | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.http_status = http_status
        self.code = f"transport.{kind}"


class InsiReplyError(InsiError):
    """An answer arrived but cannot be used. `kind`: "empty", "not_xml", "truncated",
    "forbidden_dtd", "not_soap", "soap11", "unexpected_content", "invalid_value",
    "key_mismatch"."""

    def __init__(self, message: str, *, kind: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.code = f"reply.{kind}"


class InsiKeyMismatch(InsiReplyError):
    """The service returned an INS whose key does not match its 13-character matricule
    (CNDA case HERMANN GATIEN): the INS must not be used."""

    def __init__(self, *, matricule: str, given_key: str, expected_key: str, where: str) -> None:
        place = "actif" if where == "INSACTIF" else "de l'historique"
        super().__init__(
            f"Le service INSi a renvoyé un INS {place} dont la clé ne correspond pas au "
            f"matricule ({matricule} clé {given_key}, clé attendue {expected_key}). Cette réponse "
            "ne peut pas être utilisée : l'identité reste inchangée ; l'appel est enregistré, "
            "signalez-le au référent en identitovigilance.",
            kind="key_mismatch",
        )
        self.matricule = matricule
        self.given_key = given_key
        self.expected_key = expected_key
        self.where = where


class InsiUnexpectedError(InsiError):
    """A defect of the client itself (a bug), turned into a typed error so that no INSi call
    ends in an unhandled exception. The traceback goes to the log, not to the screen."""

    code = "internal"

    def __init__(self, what: str) -> None:
        super().__init__(
            f"Erreur interne du client INSi ({what}) : la demande est abandonnée et l'identité "
            "reste inchangée. Signalez-le au support."
        )
