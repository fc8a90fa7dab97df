"""A real MLLP receiver on 127.0.0.1 for the tests: it answers each framed message with an
ACK whose MSA-1 is `mode` (AA, AE, AR), or stays silent ("silent"), and can be stopped and
started again on the same port (the receiving software down, then back)."""

from __future__ import annotations

import socketserver
import threading
from types import TracebackType


class _Handler(socketserver.BaseRequestHandler):
    server: _Server

    def handle(self) -> None:
        buffer = b""
        while True:
            chunk = self.request.recv(65536)
            if not chunk:
                return
            buffer += chunk
            while b"\x1c\r" in buffer:
                frame, buffer = buffer.split(b"\x1c\r", 1)
                message = frame.lstrip(b"\x0b").decode("utf-8")
                receiver = self.server.receiver
                with receiver.lock:
                    receiver.received.append(message)
                    mode = receiver.mode
                if mode == "silent":
                    continue
                control_id = message.split("\r")[0].split("|")[9]
                text = "" if mode == "AA" else "PID-3 illisible"
                ack = (f"MSH|^~\\&|LOGICIEL||INSTERM||20250601120000||ACK^A28^ACK|A{control_id}|P|2.5\r"
                       f"MSA|{mode}|{control_id}|{text}\r")
                self.request.sendall(b"\x0b" + ack.encode() + b"\x1c\r")


class _Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True
    receiver: MllpReceiver


class MllpReceiver:
    def __init__(self, mode: str = "AA") -> None:
        self.mode = mode
        self.received: list[str] = []
        self.lock = threading.Lock()
        self.port = 0
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> MllpReceiver:
        server = _Server(("127.0.0.1", self.port), _Handler)
        server.receiver = self
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> MllpReceiver:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop()
