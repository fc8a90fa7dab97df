"""The CPS card mode of INSi (insi-contract.md 4.2): server-authenticated TLS only (no client
certificate), and in wsse:Security the "assertion PS" signed by the card's authentication key
(`insterm.insi.assertion`).

`CpsAuth(signer, professional)`: `signer` is a logged-in card (`insterm.cards.pkcs11_signer`,
given by the use cases: this layer never loads a PKCS#11 module nor sees a PIN); `professional`
what the assertion says of the holder and the practice. The assertion is made on the first
call and reused while it is younger than `REUSE_FOR` (the service refuses one older than an
hour; a card signature takes a noticeable fraction of a second), then made again.

Checked before any call: the card certificate inside its validity period (an expired CPS is
refused by the service; saying it here sends nothing). A card error while signing (card pulled,
session ended) becomes an `InsiAuthError` with the card's French message.
"""

from __future__ import annotations

import ssl
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

from insterm.domain.errors import InstermError
from insterm.insi.assertion import Professional, Signer, build_assertion
from insterm.insi.errors import InsiAuthError

__all__ = ["REUSE_FOR", "CpsAuth"]

REUSE_FOR = timedelta(minutes=45)


class CpsAuth:
    """AuthMode of a CPS card (see the module docstring)."""

    label = "carte CPS"

    def __init__(self, signer: Signer, professional: Professional, *,
                 clock: Any = None) -> None:
        self.signer = signer
        self.professional = professional
        self._clock = clock or (lambda: datetime.now(UTC))
        self._lock = threading.Lock()
        self._assertion: tuple[datetime, Any] | None = None

    def __repr__(self) -> str:
        return f"CpsAuth({self.professional.national_id!r})"

    def check(self, now: datetime | None = None) -> Any:
        from cryptography import x509

        moment = (now or self._clock()).astimezone(UTC)
        certificate = x509.load_der_x509_certificate(self.signer.certificate_der)
        if moment > certificate.not_valid_after_utc:
            raise InsiAuthError(
                "Le certificat de la carte CPS a expiré le "
                f"{certificate.not_valid_after_utc:%d/%m/%Y} : le service INSi refuserait "
                "l'assertion. Utilisez une carte en cours de validité. Aucune demande n'a été "
                "envoyée.", reason="cps_expired")
        if moment < certificate.not_valid_before_utc:
            raise InsiAuthError(
                "Le certificat de la carte CPS n'est valable qu'à partir du "
                f"{certificate.not_valid_before_utc:%d/%m/%Y} : vérifiez la date et l'heure de "
                "cet ordinateur. Aucune demande n'a été envoyée.", reason="cps_not_yet_valid")
        return certificate

    def emitter(self) -> str:
        return self.professional.national_id

    def configure_tls(self, context: ssl.SSLContext) -> None:
        return None  # server-authenticated TLS: the card authenticates in the assertion

    def security_header(self, message_id: str) -> list[Any]:
        moment = self._clock()
        with self._lock:
            if self._assertion is not None and moment - self._assertion[0] < REUSE_FOR \
                    and moment >= self._assertion[0]:
                return [self._assertion[1]]
            try:
                assertion = build_assertion(self.professional, self.signer, now=moment)
            except InsiAuthError:
                raise
            except InstermError as error:  # the card's own French message
                raise InsiAuthError(error.message, reason="cps_card") from None
            self._assertion = (moment, assertion)
            return [assertion]

    def forget(self) -> None:
        """Drop the assertion kept for reuse (the card was pulled, the operator changed)."""
        with self._lock:
            self._assertion = None
