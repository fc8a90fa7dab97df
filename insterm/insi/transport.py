"""HTTP for INSi: a requests session whose HTTPS adapter carries our SSLContext (mutual TLS),
and a POST that reads at most `max_bytes` of the reply within an overall deadline.

The deadline holds whatever the server does. Socket timeouts bound each read only, so a server
sending its TLS handshake, status line, headers or body a byte at a time would keep a call
waiting for ever; instead every socket a call opens (or reuses) is watched by a timer that
shuts it down when the deadline passes, which ends the blocked read in any phase.

Every failure becomes an `InsiTransportError` with a French message: timeout, connection
refused or reset, TLS failure (server not trusted, client certificate refused), redirect,
truncated body, oversized body. requests/urllib3 only; no zeep (insterm.insi.soap wraps this
in zeep's Transport).
"""

from __future__ import annotations

import contextlib
import errno
import http.client
import os
import socket
import ssl
import threading
from dataclasses import dataclass
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from insterm.insi.errors import InsiTransportError

__all__ = ["HttpReply", "SSLContextAdapter", "make_session", "post_capped"]


class _Deadline:
    """The overall deadline of one call: when it passes, every socket the call uses is shut
    down (a duplicate of its descriptor is kept, so the socket can be reached whatever phase
    urllib3 or ssl is in, even while the TLS layer is being set up on it)."""

    _current = threading.local()

    def __init__(self, seconds: float) -> None:
        self.expired = False
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._timer = threading.Timer(max(seconds, 0.0), self._expire)
        self._timer.daemon = True

    @classmethod
    def watch(cls, sock: socket.socket | None) -> None:
        """Put `sock` under the deadline of the call running in this thread, if any."""
        deadline: _Deadline | None = getattr(cls._current, "deadline", None)
        if deadline is None or sock is None:
            return
        try:
            copy = socket.socket(fileno=os.dup(sock.fileno()))
        except OSError:
            return
        with deadline._lock:
            deadline._sockets.append(copy)
            if deadline.expired:
                _shut(copy)

    def __enter__(self) -> _Deadline:
        _Deadline._current.deadline = self
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()
        _Deadline._current.deadline = None
        with self._lock:
            for sock in self._sockets:
                sock.close()
            self._sockets.clear()

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shut(sock)


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed by the other side
        sock.shutdown(socket.SHUT_RDWR)


class _WatchedHTTPSConnection(HTTPSConnection):
    """An HTTPS connection whose socket, new or reused, is watched by the call's deadline."""

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _Deadline.watch(sock)
        return sock

    def request(self, *args: Any, **kwargs: Any) -> None:
        _Deadline.watch(self.sock)  # a connection kept alive from an earlier call
        super().request(*args, **kwargs)


class _WatchedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


class SSLContextAdapter(HTTPAdapter):
    """An HTTPAdapter whose every HTTPS connection uses the given SSLContext (server CA,
    hostname check, client certificate already loaded), whatever `verify`/`cert` say."""

    def __init__(self, ssl_context: ssl.SSLContext, **kwargs: Any) -> None:
        self._ssl_context = ssl_context
        super().__init__(**kwargs)

    def init_poolmanager(self, connections: int, maxsize: int, block: bool = False,
                         **pool_kwargs: Any) -> None:
        pool_kwargs["ssl_context"] = self._ssl_context
        super().init_poolmanager(connections, maxsize, block=block, **pool_kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": HTTPConnectionPool, "https": _WatchedHTTPSConnectionPool}

    def build_connection_pool_key_attributes(
        self, request: Any, verify: Any, cert: Any = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(request, verify, cert)
        for name in ("ca_certs", "ca_cert_dir", "cert_file", "key_file"):
            pool_kwargs.pop(name, None)
        pool_kwargs["cert_reqs"] = "CERT_REQUIRED"
        pool_kwargs["ssl_context"] = self._ssl_context
        return host_params, pool_kwargs

    def cert_verify(self, conn: Any, url: str, verify: Any, cert: Any) -> None:
        return None  # the SSLContext decides; never fall back to requests' bundle


def make_session(ssl_context: ssl.SSLContext) -> requests.Session:
    """A session that only speaks HTTPS through `ssl_context`, ignores the environment
    (proxies, REQUESTS_CA_BUNDLE, .netrc). Redirects are never followed: `post_capped` asks
    for none and reports one (with `max_redirects = 0`, requests would raise "exceeded 0
    redirects" even then, which read as a network error)."""
    session = requests.Session()
    session.trust_env = False
    session.verify = True
    adapter = SSLContextAdapter(ssl_context, pool_connections=1, pool_maxsize=2, max_retries=0)
    session.adapters.clear()
    session.mount("https://", adapter)
    session.headers["Accept-Encoding"] = "identity"
    return session


@dataclass(frozen=True, slots=True)
class HttpReply:
    status: int
    body: bytes
    content_type: str | None


def _walk(error: BaseException) -> list[BaseException]:
    """The error and its causes/contexts/args (requests wraps urllib3 wraps OSError)."""
    seen: list[BaseException] = []
    stack = [error]
    while stack:
        current = stack.pop()
        if current in seen or len(seen) > 20:
            continue
        seen.append(current)
        for nxt in (current.__cause__, current.__context__, *getattr(current, "args", ())):
            if isinstance(nxt, BaseException):
                stack.append(nxt)
        reason = getattr(current, "reason", None)
        if isinstance(reason, BaseException):
            stack.append(reason)
    return seen


_CLIENT_CERT_REFUSED = (
    "certificate required",
    "bad certificate",
    "unknown ca",
    "certificate unknown",
    "access denied",
    "handshake failure",
    "certificate expired",
)


def _tls_error(error: BaseException) -> InsiTransportError:
    text = " ".join(str(e) for e in _walk(error)).lower()
    if "certificate verify failed" in text or "hostname mismatch" in text:
        message = (
            "Connexion INSi refusée : le certificat du serveur n'est pas reconnu (autorité de "
            "certification inconnue ou nom de serveur différent). Vérifiez l'adresse du service "
            "et le fichier des autorités dans les réglages INSi."
        )
    elif any(marker in text for marker in _CLIENT_CERT_REFUSED):
        message = (
            "Connexion INSi refusée par le serveur pendant l'authentification : le certificat "
            "d'organisation présenté n'est pas accepté. Vérifiez le fichier .p12 choisi dans les "
            "réglages INSi."
        )
    else:
        message = (
            "La connexion sécurisée (TLS) avec le service INSi a échoué. Vérifiez l'adresse du "
            "service et les certificats, puis réessayez."
        )
    return InsiTransportError(message, kind="tls")


def _map_error(error: BaseException, *, reading: bool) -> InsiTransportError:
    chain = _walk(error)
    if any(isinstance(e, (requests.exceptions.Timeout, TimeoutError)) for e in chain) or any(
        "timed out" in str(e).lower() for e in chain
    ):
        return InsiTransportError(
            "Le service INSi n'a pas répondu dans le délai imparti : réessayez plus tard. "
            "L'identité reste inchangée.",
            kind="timeout",
        )
    ssl_errors = [e for e in chain if isinstance(e, ssl.SSLError)]
    if ssl_errors or isinstance(error, requests.exceptions.SSLError):
        alert = any(
            marker in str(e).lower() for e in ssl_errors for marker in ("alert", "certificate")
        )
        if alert or not reading:
            return _tls_error(error)
    if any(isinstance(e, ConnectionRefusedError) for e in chain) or any(
        getattr(e, "errno", None) == errno.ECONNREFUSED for e in chain
    ):
        return InsiTransportError(
            "Le service INSi est injoignable (connexion refusée) : vérifiez l'adresse du "
            "service et le réseau, puis réessayez.",
            kind="connection_refused",
        )
    if reading or isinstance(
        error, (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError)
    ):
        return InsiTransportError(
            "La réponse du service INSi a été interrompue avant la fin (réponse tronquée) : "
            "réessayez.",
            kind="truncated",
        )
    if any(isinstance(e, http.client.HTTPException) and not isinstance(e, ConnectionError)
           for e in chain):  # not RemoteDisconnected: that one is a reset
        return InsiTransportError(
            "Le service INSi a envoyé une réponse HTTP invalide (en-têtes trop nombreux ou trop "
            "longs, ou ligne de statut illisible) : réessayez ; si cela se répète, signalez-le "
            "au support.",
            kind="http_protocol",
        )
    if any(isinstance(e, (ConnectionResetError, BrokenPipeError)) for e in chain) or any(
        "reset" in str(e).lower() or "remote end closed" in str(e).lower()
        or "aborted" in str(e).lower()
        for e in chain
    ):
        return InsiTransportError(
            "La connexion avec le service INSi a été coupée par le serveur : réessayez. Si "
            "cela se répète, le certificat d'organisation est peut-être refusé.",
            kind="connection_reset",
        )
    if isinstance(error, (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema,
                          requests.exceptions.InvalidSchema)):
        return InsiTransportError(
            "L'adresse du service INSi est invalide : corrigez-la dans les réglages.",
            kind="invalid_url",
        )
    return InsiTransportError(
        "Le service INSi est injoignable (erreur réseau) : vérifiez la connexion puis "
        "réessayez. L'identité reste inchangée.",
        kind="network",
    )


def _oversized(limit: int) -> InsiTransportError:
    return InsiTransportError(
        f"La réponse du service INSi dépasse la taille admise ({limit} octets) : elle a été "
        "abandonnée sans être lue. Signalez-le au support.",
        kind="oversized",
    )


def _too_late(timeout: float) -> InsiTransportError:
    return InsiTransportError(
        f"Le service INSi n'a pas répondu dans le délai imparti ({timeout:g} s) : réessayez plus "
        "tard. L'identité reste inchangée.",
        kind="timeout",
    )


def post_capped(
    session: requests.Session,
    url: str,
    body: bytes,
    headers: dict[str, str],
    *,
    timeout: float,
    max_bytes: int,
) -> HttpReply:
    """POST and read the reply: at most `max_bytes`, within `timeout` seconds overall (connect,
    TLS handshake, send, status line, headers and body, whatever the server does). Raises only
    `InsiTransportError`."""
    with _Deadline(timeout) as deadline:
        try:
            response = session.post(
                url,
                data=body,
                headers=headers,
                timeout=(timeout, timeout),
                stream=True,
                allow_redirects=False,
            )
        except Exception as error:
            raise (_too_late(timeout) if deadline.expired
                   else _map_error(error, reading=False)) from None
        try:
            return _read(response, timeout=timeout, max_bytes=max_bytes, deadline=deadline)
        finally:
            response.close()


def _read(response: requests.Response, *, timeout: float, max_bytes: int,
          deadline: _Deadline) -> HttpReply:
    if 300 <= response.status_code < 400:
        raise InsiTransportError(
            f"Le service INSi a répondu par une redirection (HTTP {response.status_code}), "
            "qui n'est pas suivie : vérifiez l'adresse du service dans les réglages.",
            kind="http_status",
            http_status=response.status_code,
        )
    declared = response.headers.get("Content-Length")
    if declared is not None and declared.strip().isdigit() and int(declared) > max_bytes:
        raise _oversized(max_bytes)
    chunks: list[bytes] = []
    total = 0
    raw = response.raw
    try:
        while True:
            chunk = raw.read1(16384)  # returns as soon as some bytes are there
            if not chunk:
                break
            total += len(chunk)
            if total > max_bytes:
                raise _oversized(max_bytes)
            chunks.append(chunk)
            if deadline.expired:
                raise _too_late(timeout)
    except InsiTransportError:
        raise
    except Exception as error:
        raise (_too_late(timeout) if deadline.expired
               else _map_error(error, reading=True)) from None
    if deadline.expired:
        raise _too_late(timeout)
    return HttpReply(
        status=response.status_code,
        body=b"".join(chunks),
        content_type=response.headers.get("Content-Type"),
    )
