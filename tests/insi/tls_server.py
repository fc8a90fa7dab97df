"""A scriptable HTTPS server on 127.0.0.1 (real TLS, client certificate required) for the
client's transport tests: each test says how the next requests are answered — a canned body,
an HTTP status, a delay, a reset, a body shorter than its Content-Length, a slow drip.

The INSi simulator (insterm.insi.simulator) is the faithful service; this one exists to produce
the broken transports the simulator does not."""

from __future__ import annotations

import socket
import ssl
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Self


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/soap+xml; charset=utf-8"
    delay: float = 0.0  # before answering
    reset: bool = False  # close the connection with RST instead of answering
    declared_length: int | None = None  # Content-Length to announce (default: the real one;
    # -1: none)
    drip_seconds: float = 0.0  # pause between each 10-byte piece of the body


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    peer_cn: str | None


@dataclass
class State:
    answer: Callable[[bytes], Reply] = field(default=lambda body: Reply())
    received: list[Received] = field(default_factory=list)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        peer = self.connection.getpeercert() if isinstance(self.connection, ssl.SSLSocket) else None
        cn = None
        if peer:
            for rdn in peer.get("subject", ()):
                for key, value in rdn:
                    if key == "commonName":
                        cn = value
        self.server.state.received.append(Received(self.path, dict(self.headers), body, cn))
        reply = self.server.state.answer(body)
        if reply.delay:
            time.sleep(reply.delay)
        if reply.reset:
            self.connection.setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
            )
            self.close_connection = True
            self.connection.close()
            return
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        declared = reply.declared_length if reply.declared_length is not None else len(reply.body)
        if declared >= 0:  # -1: no Content-Length, the end of the connection ends the body
            self.send_header("Content-Length", str(declared))
        self.send_header("Connection", "close")
        self.end_headers()
        try:
            if reply.drip_seconds:
                for start in range(0, len(reply.body), 10):
                    self.wfile.write(reply.body[start:start + 10])
                    self.wfile.flush()
                    time.sleep(reply.drip_seconds)
            else:
                self.wfile.write(reply.body)
            self.wfile.flush()
        except OSError:
            pass
        self.close_connection = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, context: ssl.SSLContext, state: State) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.context = context
        self.state = state

    def get_request(self) -> tuple[socket.socket, object]:
        sock, address = super().get_request()
        sock.settimeout(10)
        return sock, address

    def finish_request(self, request: socket.socket, client_address: object) -> None:
        try:
            tls = self.context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            request.close()
            return
        super().finish_request(tls, client_address)

    def handle_error(self, request: object, client_address: object) -> None:
        pass


class TlsServer:
    """`with TlsServer(cert, key, ca) as server: server.url, server.state.answer = ...`"""

    def __init__(self, cert_file: Path, key_file: Path, client_ca_file: Path | None) -> None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(str(cert_file), str(key_file))
        if client_ca_file is not None:
            context.verify_mode = ssl.CERT_REQUIRED
            context.load_verify_locations(str(client_ca_file))
        self.state = State()
        self._server = _Server(context, self.state)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"https://{host}:{port}/lps"

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
