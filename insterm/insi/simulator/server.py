"""The simulator's HTTPS server: standard library http.server + ssl, one thread per connection.

`Simulator(authority, ...)` serves `POST /lps` on 127.0.0.1 over TLS. A client certificate,
when presented, is verified against the test CA (an expired or unknown certificate fails the
handshake, as a real TLS terminator would refuse it; see `tls_failures`): the organisation
certificate mode. A client without one is the CPS card mode (the real service has separate
"tlsm" and plain hosts; one port serves both here): its requests must carry a valid assertion
PS signed by a card certificate of the test CA. Each request goes to
`InsiService.answer`; `switches` then alter what goes back, for tests of the client's failure
handling; `handled` keeps (request, response, handling seconds) for every request, for the
bench (client overhead = client time - handling seconds). Handling time runs from the request
body read to the reply ready to send (latency switch included, network write excluded).
"""

from __future__ import annotations

import contextlib
import logging
import socket
import ssl
import struct
import threading
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, fields
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import NamedTuple

from .authority import TestAuthority
from .identities import load_test_identities
from .people import Directory, PeopleProvider
from .replies import CONTENT_TYPE, resultat
from .service import MAX_REQUEST_BYTES, Answer, InsiService

log = logging.getLogger(__name__)

PATH = "/lps"
DEMO_IDAM = "INSTERMDEMO1"  # the authorisation number the simulator knows by default
OVERSIZED_DEFAULT = 16 * 1024 * 1024
HOLD_LIMIT = 60.0  # seconds: a test that forgets to release its held answer still ends


@dataclass
class Switches:
    """Failure injection, settable per test; `reset()` puts everything back to normal.

    latency: seconds slept before answering; hold: an event the answer waits for (a test sets
    it once it has seen the call under way: a slow INSi without sleeping; 60 s at most);
    http_503: answer 503 with an HTML page (a load balancer's); reset_connection: read the
    request, then reset the TCP connection without a reply; malformed_xml: a 200 whose XML
    body is cut in the middle; oversized_reply: a 200 with a well-formed reply padded to
    `oversized_bytes` (an XML comment inside RESULTAT).
    """

    latency: float = 0.0
    hold: threading.Event | None = None
    http_503: bool = False
    reset_connection: bool = False
    malformed_xml: bool = False
    oversized_reply: bool = False
    oversized_bytes: int = OVERSIZED_DEFAULT

    def reset(self) -> None:
        if self.hold is not None:
            self.hold.set()  # a held answer goes out: nothing waits on a dropped switch
        for f in fields(self):
            setattr(self, f.name, f.default)


class Handled(NamedTuple):
    request_xml: bytes
    response_xml: bytes | None  # None when the connection was reset
    handling_seconds: float
    status: int | None = None
    outcome: str | None = None  # "00"/"01"/"02", a fault code, or the switch that acted


def _peer_cn(sock: ssl.SSLSocket) -> str | None:
    """The client certificate's CN; "" for a certificate without one; None without a
    certificate (the CPS card mode)."""
    cert = sock.getpeercert()
    if not cert:
        return None
    for rdn in cert.get("subject", ()):
        for pair in rdn:
            if isinstance(pair, tuple) and pair[0] == "commonName":
                return str(pair[1])
    return ""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "insterm-insi-simulator"
    sys_version = ""
    timeout = 30  # idle keep-alive connections end after 30 s
    server: _TLSServer
    _headers_buffer: list[bytes]  # BaseHTTPRequestHandler's, absent from its stub

    def setup(self) -> None:
        raw = self.request
        raw.settimeout(10)
        # Small replies: without this, Nagle + the client's delayed ACK add ~40 ms per call.
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            self.request = self.server.tls.wrap_socket(raw, server_side=True)
        except (ssl.SSLError, OSError) as error:
            self.server.record_tls_failure(error)
            raw.close()
            raise _HandshakeFailed from None
        self.server.track(self.request, add=True)
        super().setup()

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.track(self.request, add=False)
            with contextlib.suppress(OSError):
                self.request.close()

    def log_message(self, format: str, *args: object) -> None:
        log.debug("%s %s", self.address_string(), format % args)

    def _send(self, status: int, body: bytes, content_type: str = CONTENT_TYPE) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        # Headers and body in one write (end_headers would send the headers alone).
        self._headers_buffer.append(b"\r\n")
        self._headers_buffer.append(body)
        self.flush_headers()

    def do_GET(self) -> None:
        self._send(405, b"POST attendu.\n", "text/plain; charset=utf-8")

    def do_POST(self) -> None:
        simulator = self.server.simulator
        length_text = self.headers.get("Content-Length")
        if length_text is None or not length_text.strip().isdigit():
            self.close_connection = True
            self._send(411, b"Content-Length attendu.\n", "text/plain; charset=utf-8")
            return
        length = int(length_text)
        if length > MAX_REQUEST_BYTES:
            self.close_connection = True
            self._drain(length)
            self._send(413, b"Requete trop grande.\n", "text/plain; charset=utf-8")
            return
        body = self.rfile.read(length)
        if self.path.split("?")[0] != PATH:
            self._send(404, b"Inconnu.\n", "text/plain; charset=utf-8")
            return
        started = time.perf_counter()
        switches = simulator.switches
        if switches.latency > 0:
            time.sleep(switches.latency)
        if switches.hold is not None:
            switches.hold.wait(HOLD_LIMIT)
        if switches.reset_connection:
            simulator.record(Handled(body, None, time.perf_counter() - started, None, "reset"))
            self._reset()
            return
        if switches.http_503:
            page = (b"<html><head><title>503 Service Unavailable</title></head><body>"
                    b"<h1>Service Unavailable</h1></body></html>\n")
            simulator.record(Handled(body, page, time.perf_counter() - started, 503, "http_503"))
            self._send(503, page, "text/html")
            return
        answer: Answer = simulator.service.answer(body, _peer_cn(self.connection))
        reply, outcome = answer.body, answer.outcome
        if switches.malformed_xml:
            reply, outcome = reply[: max(1, len(reply) // 2)], "malformed_xml"
        elif switches.oversized_reply:
            reply, outcome = _oversized(switches.oversized_bytes), "oversized_reply"
        # Recorded before the reply leaves: a client that has its answer finds it in .handled.
        simulator.record(
            Handled(body, reply, time.perf_counter() - started, answer.status, outcome))
        self._send(answer.status, reply)

    def _drain(self, length: int) -> None:
        """Read and drop a refused body (up to 8 MiB) so that the client reads the answer."""
        left = min(length, 8 * 1024 * 1024)
        while left > 0:
            chunk = self.rfile.read(min(left, 65536))
            if not chunk:
                break
            left -= len(chunk)

    def _reset(self) -> None:
        """Abort the TCP connection (RST) without a TLS close_notify nor an HTTP reply."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()


def _oversized(size: int) -> bytes:
    small = resultat("01")
    marker = b"<CR>"
    pad = max(0, size - len(small) - 7)
    return small.replace(marker, b"<!--" + b"x" * pad + b"-->" + marker, 1)


class _HandshakeFailed(Exception):
    pass


class _TLSServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], simulator: Simulator,
                 tls: ssl.SSLContext) -> None:
        self.simulator = simulator
        self.tls = tls
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(address, _Handler)

    def track(self, sock: socket.socket, *, add: bool) -> None:
        with self._open_lock:
            (self._open.add if add else self._open.discard)(sock)

    def close_open_connections(self) -> None:
        with self._open_lock:
            open_now, self._open = list(self._open), set()
        for sock in open_now:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def record_tls_failure(self, error: BaseException) -> None:
        reason = str(getattr(error, "reason", None) or type(error).__name__)
        detail = getattr(error, "verify_message", None)
        if detail:
            reason += f": {detail}"
        self.simulator.tls_failures.append(reason)
        log.info("TLS refusée : %s", reason)

    def handle_error(self, request: object, client_address: object) -> None:
        # A failed handshake is recorded already; anything else is logged, never printed.
        import sys

        if isinstance(sys.exc_info()[1], (_HandshakeFailed, ConnectionError, TimeoutError,
                                          ssl.SSLError)):
            return
        log.exception("erreur du simulateur INSi avec %s", client_address)


class Simulator:
    """The embedded INSi simulator: start(), stop(), or `with Simulator(...) as sim:`."""

    def __init__(
        self,
        authority: TestAuthority,
        *,
        identities: Directory | None = None,
        people: PeopleProvider | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        known_idam: Iterable[str] | None = (DEMO_IDAM,),
        keep_handled: int | None = None,
    ) -> None:
        self.authority = authority
        directory = identities if identities is not None else load_test_identities()
        if people is not None:
            directory = Directory(directory.people, directory.fixed_cases, people)
        self.directory = directory
        self.service = InsiService(directory, known_idam=known_idam,
                                   cps_ca=Path(authority.ca_cert))
        self.host = host
        self.port = port
        self.switches = Switches()
        # Every request, or the last `keep_handled` ones (a long foreground run).
        self.handled: list[Handled] | deque[Handled] = (
            [] if keep_handled is None else deque(maxlen=keep_handled))
        self.tls_failures: list[str] = []
        self._lock = threading.Lock()
        self._server: _TLSServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("simulator not started")
        return f"https://{self.host}:{self.port}{PATH}"

    def record(self, handled: Handled) -> None:
        with self._lock:
            self.handled.append(handled)
        log.info("requête INSi -> %s %s (%.1f ms)", handled.status or "-", handled.outcome,
                 handled.handling_seconds * 1000)

    def start(self) -> Simulator:
        if self._server is not None:
            return self
        self.authority.ensure()
        server = _TLSServer((self.host, self.port), self, self.authority.server_ssl_context())
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.1},
            name=f"insi-simulator:{self.port}", daemon=True,
        )
        self._thread.start()
        log.info("simulateur INSi à l'écoute sur %s", self.url)
        return self

    def serve_forever(self) -> None:
        """Foreground mode (`insterm insi-sim`): serve until KeyboardInterrupt."""
        self.start()
        try:
            while self._thread is not None and self._thread.is_alive():
                self._thread.join(0.5)
        finally:
            self.stop()

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None:
            return
        server.shutdown()
        server.close_open_connections()
        server.server_close()
        if thread is not None:
            thread.join(5)
        self._server = self._thread = None

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
