"""`InsiClient`: the INSi calls the application makes. Every method returns an outcome object
and never raises for anything INSi, network or input related: an outcome holds a result
(CR 00/01/02) or exactly one typed `InsiError` (French message), and every attempt with its raw
request/response XML and duration, for the insi_call log.

    client = InsiClient(InsiSettings(...), CertificateAuth(p12_path, passphrase))
    outcome = client.search_by_traits(strict_traits, state=identity_state)
    outcome.result / outcome.error / outcome.attempts

- `search_by_traits`: the first-name strategy (`insterm.insi.strategy`), after the refusals of
  `insterm.insi.request.check_traits_query` (nothing leaves the machine when refused).
- `search_by_vitale`: RECVITALE from card data; needs a `VitaleAssertionProvider` (not public,
  see `insterm.insi.vitale`).
- `verify`: delegated to `self.verifier`, by default `TraitsSearchVerifier` (a traits search +
  comparison, because the official verification operation is not public).

zeep is imported on the first call (through `insterm.insi.soap`), not when this module is.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Self

from insterm.insi.errors import (
    InsiAuthError,
    InsiError,
    InsiRefused,
    InsiSettingsError,
    InsiUnexpectedError,
)
from insterm.insi.request import (
    OPERATION_TRAITS,
    OPERATION_VITALE,
    TraitsQuery,
    check_traits_query,
    header_values,
    new_message_id,
    traits_body,
)
from insterm.insi.results import Attempt, SearchOutcome
from insterm.insi.strategy import run_traits_strategy
from insterm.insi.vitale import NO_PROVIDER_MESSAGE

if TYPE_CHECKING:  # pragma: no cover
    from insterm.domain.status import IdentityState
    from insterm.insi.auth import AuthMode
    from insterm.insi.settings import InsiSettings
    from insterm.insi.soap import InsiSoap
    from insterm.insi.verification import VerificationOutcome, Verifier
    from insterm.insi.vitale import VitaleAssertionProvider, VitaleCardData

__all__ = ["InsiClient"]

log = logging.getLogger(__name__)


class InsiClient:
    def __init__(
        self,
        settings: InsiSettings,
        auth: AuthMode,
        *,
        verifier: Verifier | None = None,
    ) -> None:
        from insterm.insi.verification import TraitsSearchVerifier

        self.settings = settings
        self.auth = auth
        self.verifier: Verifier = verifier or TraitsSearchVerifier()
        self._soap: InsiSoap | None = None
        self._lock = threading.Lock()

    # ----------------------------------------------------------------------------------------
    # lifecycle

    def close(self) -> None:
        with self._lock:
            if self._soap is not None:
                self._soap.transport.session.close()
                self._soap = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def ready(self) -> InsiSoap:
        """Check settings and authentication (every call: a certificate may expire while the
        application runs), and build zeep + the TLS session once. Raises `InsiRefused`."""
        self.settings.check()
        self.auth.check()
        with self._lock:
            if self._soap is None:
                import ssl

                from insterm.insi.auth import client_tls_context
                from insterm.insi.soap import InsiSoap
                from insterm.insi.transport import make_session

                try:
                    context = client_tls_context(self.auth, self.settings.ca_file)
                except ssl.SSLError:
                    raise InsiSettingsError(
                        "Le fichier des autorités de certification INSi est illisible : "
                        "vérifiez le réglage.",
                        setting="ca_file",
                    ) from None
                except OSError:
                    raise InsiAuthError(
                        "Le certificat INSi n'a pas pu être chargé pour la connexion sécurisée.",
                        reason="tls_setup",
                    ) from None
                self._soap = InsiSoap(
                    make_session(context),
                    endpoint_url=self.settings.endpoint_url,
                    timeout=self.settings.timeout_seconds,
                    max_bytes=self.settings.max_reply_bytes,
                )
            return self._soap

    # ----------------------------------------------------------------------------------------
    # operations

    def search_by_traits(
        self,
        traits: Any,
        *,
        state: IdentityState | None = None,
        progress: Callable[[int, int, str], None] | None = None,
    ) -> SearchOutcome:
        """Search by traits with the first-name strategy. `traits`: a domain StrictTraits, a
        TraitsQuery or a dict with the same names; `state`: the identity's IdentityState (None
        for a search not tied to a stored identity); `progress(number, total, prenom)`: called
        before each attempt (`run_traits_strategy`)."""
        try:
            try:
                query = TraitsQuery.from_traits(traits)
            except InsiError:
                raise
            except Exception:
                raise InsiRefused(
                    "Recherche INSi non envoyée : les traits fournis sont incomplets.",
                    reason="traits",
                ) from None
            check_traits_query(query, state)
            self.ready()
        except InsiError as error:
            return SearchOutcome(attempts=(), error=error)
        except Exception:  # no INSi call ends in an unhandled exception
            log.exception("INSi search preparation failed")
            return SearchOutcome(attempts=(), error=InsiUnexpectedError("préparation"))

        def send(prenom: str) -> Attempt:
            return self._exchange(
                OPERATION_TRAITS, lambda: traits_body(query, prenom), sent_first_names=prenom
            )

        return run_traits_strategy(query, send, progress=progress)

    def search_by_vitale(
        self, card: VitaleCardData, provider: VitaleAssertionProvider | None = None
    ) -> SearchOutcome:
        """RECVITALE from card data; refused (French `NO_PROVIDER_MESSAGE`) with no provider."""
        from insterm.insi.vitale import couverture_values, vitale_body

        if provider is None:
            return SearchOutcome(
                attempts=(), error=InsiRefused(NO_PROVIDER_MESSAGE, reason="vitale_assertion")
            )
        try:
            body = vitale_body(card)
            couverture = couverture_values(card)
            self.ready()
        except InsiError as error:
            return SearchOutcome(attempts=(), error=error)
        except Exception:  # no INSi call ends in an unhandled exception
            log.exception("INSi Vitale search preparation failed")
            return SearchOutcome(attempts=(), error=InsiUnexpectedError("préparation"))
        environment = self.settings.environment

        def assertions(message_id: str) -> list[Any]:
            return list(provider.assertions(card, message_id=message_id, environment=environment))

        attempt = self._exchange(
            OPERATION_VITALE, lambda: body, couverture=couverture, vitale_security=assertions
        )
        if attempt.error is not None:
            return SearchOutcome(attempts=(attempt,), error=attempt.error)
        return SearchOutcome(attempts=(attempt,), result=attempt.result)

    def verify(
        self,
        traits: Any,
        matricule: str,
        oid: str,
        *,
        state: IdentityState | None = None,
        progress: Callable[[int, int, str], None] | None = None,
    ) -> VerificationOutcome:
        """Verify an INS received from elsewhere (see `insterm.insi.verification`);
        `progress(number, total, prenom)`: called before each request it sends."""
        return self.verifier.verify(self, traits, matricule, oid, state=state, progress=progress)

    # ----------------------------------------------------------------------------------------
    # one exchange

    def _exchange(
        self,
        operation: str,
        body: Callable[[], dict[str, Any]],
        *,
        couverture: dict[str, Any] | None = None,
        vitale_security: Callable[[str], list[Any]] | None = None,
        sent_first_names: str | None = None,
    ) -> Attempt:
        from insterm.insi.reply import parse_reply

        message_id = new_message_id()
        started_at = datetime.now(UTC)
        clock = time.perf_counter()
        request_xml = b""
        response_xml: bytes | None = None
        http_status: int | None = None
        sent = False

        def attempt(**outcome: Any) -> Attempt:
            return Attempt(
                operation=operation,
                message_id=message_id,
                started_at=started_at,
                duration_seconds=time.perf_counter() - clock,
                request_xml=request_xml,
                response_xml=response_xml,
                http_status=http_status,
                sent_first_names=sent_first_names,
                sent=sent,
                **outcome,
            )

        try:
            soap = self.ready()
            headers = header_values(
                self.settings,
                emitter=self.auth.emitter(),
                message_id=message_id,
                couverture=couverture,
                now=started_at,
            )
            security = list(self.auth.security_header(message_id))
            if vitale_security is not None:
                security += vitale_security(message_id)
            request_xml = soap.build(operation, body(), headers, security=security)
            sent = True
            reply = soap.post(operation, request_xml)
            response_xml, http_status = reply.body, reply.status
            return attempt(result=parse_reply(reply.body, http_status=reply.status))
        except InsiError as error:
            return attempt(error=error)
        except Exception:  # a defect of ours: logged, and still a typed error
            log.exception("INSi exchange failed (%s)", operation)
            return attempt(error=InsiUnexpectedError(operation))
