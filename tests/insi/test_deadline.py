"""An INSi call always ends by its deadline, whatever the server does (issue 9, finding 2).

A server on 127.0.0.1 sends each phase of its answer one byte at a time, slowly enough that a
per-read timeout never fires: the TLS handshake, the status line, the headers, the body. The
call must end with the French "did not answer in time" error within the deadline plus a small
margin, although the server would go on for half a minute. Also: a redirect is refused as a
redirect, and a flood of headers is an invalid HTTP reply, not a refused certificate.
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from insterm.insi.errors import InsiTransportError

from .conftest import ADRTROIS

DEADLINE = 1.0
MARGIN = 2.0  # thread start-up and a loaded machine; the server would trickle for 30 s
TICK = 0.05
TICKS = 600


class TrickleServer:
    """Accepts connections and answers each with `behave(connection, tls_context, stop)`."""

    def __init__(self, behave: Callable[[socket.socket, ssl.SSLContext, threading.Event], None],
                 context: ssl.SSLContext) -> None:
        self.behave = behave
        self.context = context
        self.stop = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.2)
        self.url = f"https://127.0.0.1:{self.listener.getsockname()[1]}/lps"
        self.threads: list[threading.Thread] = []
        self.accepted = threading.Event()

    def serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.accepted.set()
            thread = threading.Thread(target=self._one, args=(conn,), daemon=True)
            thread.start()
            self.threads.append(thread)

    def _one(self, conn: socket.socket) -> None:
        try:
            self.behave(conn, self.context, self.stop)
        except OSError:
            pass  # the client gave up: what the test wants
        finally:
            conn.close()


def trickle(sock: socket.socket | ssl.SSLSocket, data: bytes, stop: threading.Event) -> None:
    for index in range(min(len(data), TICKS)):
        if stop.wait(TICK):
            return
        sock.sendall(data[index:index + 1])


def read_request(tls: ssl.SSLSocket) -> None:
    data = b""
    while b"\r\n\r\n" not in data:
        data += tls.recv(4096)
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                  if line.lower().startswith(b"content-length"))
    while len(body) < length:
        body += tls.recv(65536)


def handshake(conn: socket.socket, context: ssl.SSLContext, stop: threading.Event) -> None:
    conn.recv(4096)  # the ClientHello
    # A TLS record header announcing 16 KB of handshake, then those bytes one at a time.
    conn.sendall(b"\x16\x03\x03\x40\x00")
    trickle(conn, b"\x00" * TICKS, stop)


def answering(after_request: Callable[[ssl.SSLSocket, threading.Event], None]):
    def behave(conn: socket.socket, context: ssl.SSLContext, stop: threading.Event) -> None:
        tls = context.wrap_socket(conn, server_side=True)
        read_request(tls)
        after_request(tls, stop)
    return behave


def status_line(tls: ssl.SSLSocket, stop: threading.Event) -> None:
    trickle(tls, b"HTTP/1.1 200 OK" + b" " * TICKS, stop)


def headers(tls: ssl.SSLSocket, stop: threading.Event) -> None:
    tls.sendall(b"HTTP/1.1 200 OK\r\n")
    trickle(tls, b"X-Lent: " + b"a" * TICKS, stop)


def body(tls: ssl.SSLSocket, stop: threading.Event) -> None:
    tls.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/soap+xml\r\n"
                b"Content-Length: 100000\r\nConnection: close\r\n\r\n")
    trickle(tls, b"<" * TICKS, stop)


@pytest.fixture
def serve(pki) -> Iterator[Callable[..., TrickleServer]]:
    servers: list[TrickleServer] = []

    def start(behave: Callable[[socket.socket, ssl.SSLContext, threading.Event], None]
              ) -> TrickleServer:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(str(pki.server_cert_file), str(pki.server_key_file))
        server = TrickleServer(behave, context)
        threading.Thread(target=server.serve, daemon=True).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop.set()
        server.listener.close()
        for thread in server.threads:
            thread.join(timeout=5)


@pytest.mark.parametrize("behave", [handshake, answering(status_line), answering(headers),
                                    answering(body)],
                         ids=["handshake", "status-line", "headers", "body"])
def test_a_trickling_server_cannot_hold_a_call_past_its_deadline(serve, make_client,
                                                                 behave) -> None:
    server = serve(behave)
    client = make_client(server.url, timeout_seconds=DEADLINE)
    started = time.monotonic()
    outcome = client.search_by_traits(ADRTROIS)
    elapsed = time.monotonic() - started
    assert server.accepted.is_set()
    assert isinstance(outcome.error, InsiTransportError), outcome
    assert outcome.error.kind == "timeout", outcome.error.message
    assert "n'a pas répondu dans le délai imparti (1 s)" in outcome.error.message
    assert elapsed < DEADLINE + MARGIN, f"the call took {elapsed:.1f} s"


def test_a_redirect_is_refused_as_a_redirect(serve, make_client) -> None:
    def redirect(tls: ssl.SSLSocket, stop: threading.Event) -> None:
        tls.sendall(b"HTTP/1.1 302 Found\r\nLocation: https://127.0.0.1:9/ailleurs\r\n"
                    b"Content-Length: 0\r\nConnection: close\r\n\r\n")

    server = serve(answering(redirect))
    outcome = make_client(server.url).search_by_traits(ADRTROIS)
    assert isinstance(outcome.error, InsiTransportError)
    assert outcome.error.kind == "http_status"
    assert "redirection (HTTP 302)" in outcome.error.message


def test_too_many_headers_is_an_invalid_reply_not_a_refused_certificate(serve,
                                                                         make_client) -> None:
    def flood(tls: ssl.SSLSocket, stop: threading.Event) -> None:
        tls.sendall(b"HTTP/1.1 200 OK\r\n" + b"".join(b"X-%d: a\r\n" % n for n in range(200))
                    + b"Content-Length: 0\r\n\r\n")

    server = serve(answering(flood))
    outcome = make_client(server.url).search_by_traits(ADRTROIS)
    assert isinstance(outcome.error, InsiTransportError)
    assert outcome.error.kind == "http_protocol", outcome.error.message
    assert "certificat" not in outcome.error.message
    assert "réponse HTTP invalide" in outcome.error.message
